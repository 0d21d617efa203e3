"""A clock the tests move, a limiter that shows what it decided, and a transcriber that hears a fixed phrase."""

from collections.abc import Sequence
from types import SimpleNamespace

from apps.inference.types import Transcript
from bots.telegram.throttling import MemoryRateLimiter, Rule, Verdict

RUSSIAN = SimpleNamespace(language="ru")  # renders the bot's texts as a Russian-speaking user gets them
ENGLISH = SimpleNamespace(language="en")


class Clock:
    def __init__(self, start: float = 1_700_000_000.0) -> None:
        self.now = start

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


class WatchedLimiter(MemoryRateLimiter):
    """The in-process limiter, keeping its verdicts so a test knows when a dropped message was seen."""

    def __init__(self, **options) -> None:
        super().__init__(**options)
        self.verdicts: list[Verdict] = []

    async def hit(self, key: str, rules: Sequence[Rule], *, cost: float = 1.0) -> Verdict:
        verdict = await super().hit(key, rules, cost=cost)
        self.verdicts.append(verdict)
        return verdict


class PhraseTranscriber:
    name = "phrase"

    def __init__(self, text: str = "Привет, как дела?") -> None:
        self.text = text
        self.calls = 0

    def transcribe(self, audio: bytes, *, languages: Sequence[str] = ("ru", "en")) -> Transcript:
        self.calls += 1
        return Transcript(text=self.text, language=languages[0], duration_seconds=3.0)
