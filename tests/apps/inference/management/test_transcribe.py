import io
import shutil
import subprocess

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command

from apps.inference.manifest import ModelManifest

pytestmark = pytest.mark.usefixtures("fresh_registry")


def test_unreadable_file_is_a_clear_error(tmp_path):
    with pytest.raises(CommandError, match=r"Cannot read .*missing\.ogg"):
        call_command("transcribe", str(tmp_path / "missing.ogg"))


def test_audio_the_decoder_cannot_read_is_a_clear_error(tmp_path):
    if not ModelManifest.exists_in(settings.WHISPER_MODEL_DIR):
        pytest.skip("needs Whisper base: run `manage.py llm_install --default`")
    noise = tmp_path / "voice.ogg"
    noise.write_bytes(b"this is not audio at all")

    with pytest.raises(CommandError, match="Could not read the audio"):
        call_command("transcribe", str(noise))


@pytest.mark.slow
def test_prints_what_was_said(tmp_path):
    if not ModelManifest.exists_in(settings.WHISPER_MODEL_DIR) or not shutil.which("espeak-ng"):
        pytest.skip("needs Whisper base (`manage.py llm_install --default`) and espeak-ng")
    speech = tmp_path / "speech.wav"
    subprocess.run(
        ["espeak-ng", "-v", "en", "-s", "140", "-w", str(speech), "Good morning, I love green tea."], check=True
    )
    out, err = io.StringIO(), io.StringIO()

    call_command("transcribe", str(speech), "--language", "en", stdout=out, stderr=err)

    assert "tea" in out.getvalue().lower()
    assert "language en" in err.getvalue()
