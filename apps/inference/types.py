"""The small protocols every model backend implements, and the plain values they exchange."""

from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass, field
from typing import Literal, Protocol, runtime_checkable

import numpy as np

Role = Literal["system", "user", "assistant"]


@dataclass(frozen=True)
class ChatMessage:
    role: Role
    content: str


@dataclass(frozen=True)
class GenerationParams:
    max_new_tokens: int = 256
    temperature: float = 0.8
    top_p: float = 0.95
    top_k: int = 40
    repetition_penalty: float = 1.1
    stop: tuple[str, ...] = ()
    seed: int | None = None

    @property
    def greedy(self) -> bool:
        return self.temperature <= 0


@dataclass(frozen=True)
class Reply:
    text: str
    prompt_tokens: int
    completion_tokens: int
    backend: str
    latency_ms: float
    finish_reason: Literal["stop", "length"] = "stop"


@dataclass(frozen=True)
class ReplyChunk:
    """One piece of a streamed reply; the last chunk has `finished` set and carries the whole Reply."""

    text: str
    finished: bool = False
    reply: Reply | None = None


@dataclass(frozen=True)
class GeneratorLoad:
    """How busy a generator is now, cheap to ask on every message."""

    pending: int  # requests accepted and not yet started
    capacity: int | None  # how many it holds before refusing; None: unknown (a remote server)
    saturated: bool = False  # a new request would be refused (or time out) now


@runtime_checkable
class TextGenerator(Protocol):
    name: str

    async def generate(self, messages: Sequence[ChatMessage], params: GenerationParams) -> Reply: ...

    def stream(self, messages: Sequence[ChatMessage], params: GenerationParams) -> AsyncIterator[ReplyChunk]: ...

    def count_tokens(self, messages: Sequence[ChatMessage]) -> int:
        """Prompt length in the model's own tokens, for budgeting context."""
        ...

    def load(self) -> GeneratorLoad:
        """Saturation as seen from this process, so callers can wait instead of being refused."""
        ...


@dataclass(frozen=True)
class Transcript:
    text: str
    language: str
    duration_seconds: float


@runtime_checkable
class Transcriber(Protocol):
    name: str

    def transcribe(self, audio: bytes, *, languages: Sequence[str] = ("ru", "en")) -> Transcript: ...


@runtime_checkable
class Embedder(Protocol):
    name: str
    dimensions: int

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        """One L2-normalised float32 row per text, so a dot product is the cosine similarity."""
        ...


@dataclass(frozen=True)
class GeneratorStats:
    """What the admin and logs show about a local generator."""

    backend: str
    queue_depth: int
    queue_capacity: int
    requests_served: int
    requests_rejected: int
    batches: int
    mean_batch_size: float
    largest_batch: int
    tokens_per_second: float
    recent_batch_sizes: tuple[int, ...] = field(default=())
