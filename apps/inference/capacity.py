"""Waiting for the generator instead of failing: a bounded waiting room and a circuit breaker.

While the generator reports saturation (`load().saturated`), or just failed with BackendUnavailable (the
breaker is open for a short cool-down), a turn waits here rather than being refused: the user's message
is already stored and is answered when capacity frees. Turns leave the waiting room in arrival order, and
newcomers queue behind them, so nobody is starved. After the cool-down the first in line probes the
backend alone (half-open); its success closes the breaker for everybody. The room is bounded: when it is
full, callers refuse new messages up front (`admits()`), and every wait is bounded in time.
One gate per process, shared by every turn; only the event loop touches it, so it needs no locks.
"""

import asyncio
import logging
import time
from collections import deque
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from typing import Any

from django.utils.translation import gettext_lazy as _

from apps.inference.exceptions import BackendUnavailable
from apps.inference.types import ChatMessage, GenerationParams, GeneratorLoad, Reply, ReplyChunk, TextGenerator

logger = logging.getLogger(__name__)
Notice = Callable[[], Awaitable[Any]]
_FREE, _PROBE = "free", "probe"


class GenerationOverloaded(BackendUnavailable):
    """The waiting room was full, or capacity did not free in time: nothing was generated."""

    code = "generation_overloaded"
    default_message = _("The model is busy right now. Please try again in a moment.")


class CapacityGate:
    def __init__(
        self,
        generator: TextGenerator,
        *,
        max_waiting: int = 64,
        max_wait_s: float = 120.0,
        notice_after_s: float = 10.0,
        cooldown_s: float = 5.0,
        poll_s: float = 0.2,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.generator = generator
        self.max_waiting = max_waiting
        self.max_wait_s = max_wait_s
        self.notice_after_s = notice_after_s
        self.cooldown_s = cooldown_s
        self.poll_s = poll_s
        self._clock = clock
        self._queue: deque[GatedGenerator] = deque()  # the waiting room, in order of arrival
        self._open_until = 0.0  # 0: the breaker is closed
        self._probing = False

    @classmethod
    def from_settings(cls, generator: TextGenerator) -> "CapacityGate":
        from django.conf import settings

        return cls(
            generator,
            max_waiting=settings.OVERLOAD_MAX_WAITING,
            max_wait_s=settings.OVERLOAD_MAX_WAIT_S,
            notice_after_s=settings.OVERLOAD_NOTICE_AFTER_S,
            cooldown_s=settings.OVERLOAD_COOLDOWN_S,
        )

    @property
    def waiting(self) -> int:
        return len(self._queue)

    @property
    def breaker_open(self) -> bool:
        return bool(self._open_until)

    def saturated(self) -> bool:
        return self.generator.load().saturated or self.breaker_open

    def admits(self) -> bool:
        """Whether a new message can be taken now: capacity is free, or there is room to wait for it."""
        return len(self._queue) < self.max_waiting or not self.saturated()

    def for_turn(self, on_long_wait: Notice | None = None) -> "GatedGenerator":
        """A generator for one turn; `on_long_wait` runs once if the turn waits longer than notice_after_s."""
        return GatedGenerator(self, on_long_wait)

    async def run(self, call: Callable[[], Awaitable[Any]], turn: "GatedGenerator") -> Any:
        """`call()` once capacity allows, retried after BackendUnavailable until max_wait_s has passed."""
        started = self._clock()
        try:
            while True:
                passage = self._enter(turn)
                if passage is None:
                    await self._wait(started, turn)
                    continue
                self._leave_waiting_room(turn)
                try:
                    result = await call()
                except BackendUnavailable as error:
                    self._trip(error)
                    if self._clock() - started >= self.max_wait_s:
                        raise
                    continue
                finally:
                    if passage == _PROBE:
                        self._probing = False
                self._open_until = 0.0  # it answered: the backend is back for everybody
                return result
        finally:
            self._leave_waiting_room(turn)

    def _enter(self, turn: "GatedGenerator") -> str | None:
        load = self.generator.load()
        if load.saturated:
            return None
        position = self._queue.index(turn) if turn.waiting else len(self._queue)
        free = position + 1 if load.capacity is None else load.capacity - load.pending
        if position >= free:
            return None  # those who came first take the free places
        if not self._open_until:
            return _FREE
        if self._clock() < self._open_until or self._probing or position > 0:
            return None
        self._probing = True  # half-open: the first in line tries the backend alone
        return _PROBE

    def _trip(self, error: BackendUnavailable) -> None:
        if not self._open_until:
            logger.warning("generation unavailable, holding new turns for %.1f s: %s", self.cooldown_s, error)
        self._open_until = self._clock() + self.cooldown_s

    async def _wait(self, started: float, turn: "GatedGenerator") -> None:
        waited = self._clock() - started
        if waited >= self.max_wait_s:
            raise GenerationOverloaded(f"No generation capacity freed within {self.max_wait_s:g} s.")
        if not turn.waiting:
            if turn.admitted:  # it waited before and its try failed: back to the front, not the end
                self._queue.appendleft(turn)
            elif len(self._queue) >= self.max_waiting:
                raise GenerationOverloaded(f"The waiting room is full ({self.max_waiting}).")
            else:
                self._queue.append(turn)
            turn.waiting = turn.admitted = True
        if waited >= self.notice_after_s and not turn.noticed and turn.on_long_wait is not None:
            turn.noticed = True
            await turn.on_long_wait()
        await asyncio.sleep(self.poll_s)

    def _leave_waiting_room(self, turn: "GatedGenerator") -> None:
        if turn.waiting:
            self._queue.remove(turn)
            turn.waiting = False


class GatedGenerator:
    """One turn's view of the shared generator through the gate (implements TextGenerator)."""

    def __init__(self, gate: CapacityGate, on_long_wait: Notice | None) -> None:
        self.gate = gate
        self.on_long_wait = on_long_wait
        self.noticed = False  # one notice per turn, however often it waits
        self.waiting = False  # in the waiting room now
        self.admitted = False  # has had a place in the waiting room

    @property
    def name(self) -> str:
        return self.gate.generator.name

    def __getattr__(self, attribute: str) -> Any:
        return getattr(self.gate.generator, attribute)  # e.g. a local model's manifest, for prompt budgets

    def count_tokens(self, messages: Sequence[ChatMessage]) -> int:
        return self.gate.generator.count_tokens(messages)

    def load(self) -> GeneratorLoad:
        return self.gate.generator.load()

    async def generate(self, messages: Sequence[ChatMessage], params: GenerationParams) -> Reply:
        return await self.gate.run(lambda: self.gate.generator.generate(messages, params), self)

    async def stream(self, messages: Sequence[ChatMessage], params: GenerationParams) -> AsyncIterator[ReplyChunk]:
        """Waits for capacity before the first chunk; a stream that has started is not retried."""
        opened: list[AsyncIterator[ReplyChunk]] = []

        async def first_chunk() -> ReplyChunk:
            opened.append(self.gate.generator.stream(messages, params))  # a failed stream cannot be resumed
            return await anext(opened[-1])

        yield await self.gate.run(first_chunk, self)
        async for chunk in opened[-1]:
            yield chunk
