"""A text generator whose load and failures the test sets: for the capacity gate and the bot's overload path."""

import asyncio
from collections.abc import AsyncIterator, Sequence

from apps.inference.exceptions import BackendUnavailable
from apps.inference.types import ChatMessage, GenerationParams, GeneratorLoad, Reply, ReplyChunk


class StubGenerator:
    name = "stub"

    def __init__(self, reply: str = "Я рядом.") -> None:
        self.reply = reply
        self.saturated = False
        self.failures = 0  # this many calls raise BackendUnavailable
        self.delay = 0.0
        self.calls = 0
        self.asked: list[str] = []  # the last message of each call, in the order they reached the model

    def count_tokens(self, messages: Sequence[ChatMessage]) -> int:
        return sum(len(message.content.split()) for message in messages)

    def load(self) -> GeneratorLoad:
        return GeneratorLoad(pending=0, capacity=1, saturated=self.saturated)

    async def generate(self, messages: Sequence[ChatMessage], params: GenerationParams) -> Reply:
        self.calls += 1
        self.asked.append(messages[-1].content if messages else "")
        if self.delay:
            await asyncio.sleep(self.delay)
        if self.failures:
            self.failures -= 1
            raise BackendUnavailable("the stub is down", backend=self.name)
        return Reply(text=self.reply, prompt_tokens=1, completion_tokens=1, backend=self.name, latency_ms=1.0)

    async def stream(self, messages: Sequence[ChatMessage], params: GenerationParams) -> AsyncIterator[ReplyChunk]:
        reply = await self.generate(messages, params)
        yield ReplyChunk(text=reply.text)
        yield ReplyChunk(text="", finished=True, reply=reply)
