"""Builds the configured model backends once per process. Entry points receive them; nothing else builds them."""

import functools
import logging

from django.conf import settings
from django.utils.module_loading import import_string

from apps.core.exceptions import ApplicationError
from apps.inference.exceptions import BackendUnavailable
from apps.inference.fallback import FallbackGenerator
from apps.inference.services import generator_stats_publish
from apps.inference.types import Embedder, TextGenerator, Transcriber

logger = logging.getLogger(__name__)

GENERATOR_CLASSES = {
    "ctranslate2": "apps.inference.ctranslate2_generator.CTranslate2Generator",
    "openai": "apps.inference.openai_generator.OpenAIGenerator",
}


def build_generator(kind: str) -> TextGenerator:
    """One generator from its settings; raises BackendUnavailable when it cannot load."""
    cls = import_string(GENERATOR_CLASSES.get(kind, kind))
    if kind == "ctranslate2":
        return cls(
            settings.LLM_MODEL_DIR,
            inter_threads=settings.LLM_INTER_THREADS,
            intra_threads=settings.LLM_INTRA_THREADS,
            max_batch_size=settings.LLM_MAX_BATCH_SIZE,
            batch_window_ms=settings.LLM_BATCH_WINDOW_MS,
            queue_capacity=settings.LLM_QUEUE_CAPACITY,
            queue_timeout_s=settings.LLM_QUEUE_TIMEOUT_S,
            on_stats=generator_stats_publish,
        )
    if kind == "openai":
        if not (settings.OPENAI_BASE_URL or settings.OPENAI_API_KEY):
            raise BackendUnavailable("The OpenAI backend needs OPENAI_BASE_URL or OPENAI_API_KEY.", backend="openai")
        return cls(
            base_url=settings.OPENAI_BASE_URL,
            api_key=settings.OPENAI_API_KEY,
            model=settings.OPENAI_MODEL,
            timeout_s=settings.OPENAI_TIMEOUT_S,
            max_retries=settings.OPENAI_MAX_RETRIES,
        )
    return cls()


@functools.cache
def text_generator() -> TextGenerator:
    """The primary generator, with the fallback behind it when one is configured.

    A primary that cannot load (no model installed yet) leaves the fallback alone in charge, so the bot
    still answers; with no fallback the load error is raised with its instructions.
    """
    kinds = [kind for kind in (settings.LLM_BACKEND, settings.LLM_FALLBACK) if kind]
    generators, errors = [], []
    for kind in kinds:
        try:
            generators.append(build_generator(kind))
        except BackendUnavailable as error:
            logger.warning("text backend %s is unavailable: %s", kind, error)
            errors.append(error)
    if not generators:
        raise errors[0]
    return generators[0] if len(generators) == 1 else FallbackGenerator(*generators)


@functools.cache
def transcriber() -> Transcriber:
    from apps.inference.speech import WhisperTranscriber  # loads faster-whisper only when needed

    return WhisperTranscriber(settings.WHISPER_MODEL_DIR, max_seconds=settings.VOICE_MAX_SECONDS)


@functools.cache
def embedder() -> Embedder:
    from apps.inference.embeddings import UniversalSentenceEncoder

    return UniversalSentenceEncoder()


def embedder_or_none() -> Embedder | None:
    """The embedder, or None where it cannot load: memory then ranks facts by recency instead of meaning."""
    try:
        return embedder()
    except (ApplicationError, ImportError, OSError) as error:
        logger.warning("embedder unavailable, facts are ranked by recency: %s", error)
        return None


def reset() -> None:
    """Forget the built backends (tests, or after changing settings in a long-running process)."""
    if text_generator.cache_info().currsize:
        generator = text_generator()
        for member in getattr(generator, "generators", (generator,)):
            if hasattr(member, "close"):
                member.close()
    for builder in (text_generator, transcriber, embedder):
        builder.cache_clear()
