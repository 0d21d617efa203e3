from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.core.cache import cache

from apps.inference.install.packaged import installed_models
from apps.inference.manifest import ModelManifest
from apps.inference.services import STATS_CACHE_KEY


@dataclass(frozen=True)
class InferenceOverview:
    models: tuple[ModelManifest, ...]
    generator: str  # what serves text, e.g. "ctranslate2 → openai"
    generator_model_dir: str
    generator_installed: bool
    stats: dict | None  # last figures the serving process published, if any


def inference_overview() -> InferenceOverview:
    backends = " → ".join(kind for kind in (settings.LLM_BACKEND, settings.LLM_FALLBACK) if kind)
    model_dir = Path(settings.LLM_MODEL_DIR)
    return InferenceOverview(
        models=tuple(installed_models(Path(settings.MODELS_DIR))),
        generator=backends,
        generator_model_dir=str(model_dir),
        generator_installed=ModelManifest.exists_in(model_dir),
        stats=cache.get(STATS_CACHE_KEY),
    )
