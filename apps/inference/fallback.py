"""Try generators in order; move to the next only when one is unavailable, never on a bug."""

import logging
from collections.abc import AsyncIterator, Sequence

from apps.inference.exceptions import AllBackendsFailed, BackendUnavailable
from apps.inference.types import ChatMessage, GenerationParams, GeneratorLoad, Reply, ReplyChunk, TextGenerator

logger = logging.getLogger(__name__)


class FallbackGenerator:
    def __init__(self, primary: TextGenerator, *fallbacks: TextGenerator) -> None:
        self.generators = (primary, *fallbacks)
        self.name = " → ".join(generator.name for generator in self.generators)

    def count_tokens(self, messages: Sequence[ChatMessage]) -> int:
        return self.generators[0].count_tokens(messages)

    def load(self) -> GeneratorLoad:
        """Saturated only when every backend is: a request still has somewhere to go otherwise."""
        loads = [generator.load() for generator in self.generators]
        capacities = [load.capacity for load in loads]
        return GeneratorLoad(
            pending=sum(load.pending for load in loads),
            capacity=None if None in capacities else sum(capacities),
            saturated=all(load.saturated for load in loads),
        )

    async def generate(self, messages: Sequence[ChatMessage], params: GenerationParams) -> Reply:
        failures = []
        for generator in self.generators:
            try:
                return await generator.generate(messages, params)  # Reply.backend names who answered
            except BackendUnavailable as error:
                logger.warning("%s unavailable, trying the next backend: %s", generator.name, error)
                failures.append(f"{generator.name}: {error}")
        raise AllBackendsFailed("Every backend is unavailable. " + " | ".join(failures))

    async def stream(self, messages: Sequence[ChatMessage], params: GenerationParams) -> AsyncIterator[ReplyChunk]:
        """Falls back only before the first chunk: a reply half sent by one backend is not restarted by another."""
        failures = []
        for generator in self.generators:
            started = False
            try:
                async for chunk in generator.stream(messages, params):
                    started = True
                    yield chunk
                return
            except BackendUnavailable as error:
                if started:
                    raise
                logger.warning("%s unavailable for streaming, trying the next backend: %s", generator.name, error)
                failures.append(f"{generator.name}: {error}")
        raise AllBackendsFailed("Every backend is unavailable. " + " | ".join(failures))
