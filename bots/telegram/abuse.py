"""Abuse limits on the messages that reach the model, checked before any work is done for them.

Handlers opt in with the flag `abuse_limits` ("text" or "voice"); commands, buttons and payments never
carry it. In order: per-user rate limits (one notice per window, the rest dropped unanswered), the
longest message, and the generation gate's waiting room (a clear refusal when even that is full). A
message stopped here is neither stored nor counted against the user's quota. No database query unless a
notice is sent.
"""

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from aiogram import BaseMiddleware
from aiogram.dispatcher.flags import get_flag
from aiogram.types import Message, TelegramObject
from django.conf import settings

from apps.conversations.turns import TurnBoard
from apps.inference.capacity import CapacityGate
from bots.telegram import limits_facade, limits_texts
from bots.telegram.facade import UserView
from bots.telegram.throttling import RateLimiter, Rule

FLAG = "abuse_limits"
TEXT, VOICE = "text", "voice"
OVERLOAD_RETRY_S = 60  # what the refusal asks for: "write again in a minute"
Handler = Callable[[TelegramObject, dict[str, Any]], Awaitable[Any]]


@dataclass(frozen=True)
class AbusePolicy:
    text_rules: tuple[Rule, ...]
    voice_rules: tuple[Rule, ...]
    max_chars: int
    max_voice_seconds: float

    @classmethod
    def from_settings(cls) -> "AbusePolicy":
        """A limit of 0 turns its rule off."""
        text = (
            Rule("text_burst", settings.RATE_LIMIT_BURST, settings.RATE_LIMIT_BURST_SECONDS),
            Rule("text_per_minute", settings.RATE_LIMIT_PER_MINUTE, 60),
        )
        voice = (
            Rule("voice_per_minute", settings.VOICE_LIMIT_PER_MINUTE, 60),
            Rule("voice_seconds", settings.VOICE_LIMIT_SECONDS_PER_10_MIN, 600, weighted=True),
        )
        return cls(
            text_rules=tuple(rule for rule in text if rule.limit > 0),
            voice_rules=tuple(rule for rule in voice if rule.limit > 0),
            max_chars=settings.MESSAGE_MAX_CHARS,
            max_voice_seconds=settings.VOICE_MAX_SECONDS,
        )


class AbuseLimitsMiddleware(BaseMiddleware):
    """Inner middleware on messages, after the consent and channel gates (they answer their own way)."""

    def __init__(self, limiter: RateLimiter, policy: AbusePolicy | None = None) -> None:
        self.limiter = limiter
        self.policy = policy or AbusePolicy.from_settings()

    async def __call__(self, handler: Handler, event: TelegramObject, data: dict[str, Any]) -> Any:
        kind, user = get_flag(data, FLAG), data.get("user")
        if kind not in (TEXT, VOICE) or user is None or not isinstance(event, Message):
            return await handler(event, data)
        if not await self._within_rate(event, kind, user):
            return None
        if kind == TEXT and len(event.text or "") > self.policy.max_chars:
            await event.answer(limits_texts.message_too_long(user, self.policy.max_chars))
            return None
        capacity: CapacityGate | None = data.get("capacity")
        turns: TurnBoard | None = data.get("turns")
        joins_a_turn = turns is not None and turns.busy(user.id)  # it waits with the turn it joins
        if capacity is not None and not joins_a_turn and not capacity.admits():
            await limits_facade.rate_limited(user.id, "overloaded", OVERLOAD_RETRY_S)
            await event.answer(limits_texts.overloaded(user))
            return None
        return await handler(event, data)

    async def _within_rate(self, message: Message, kind: str, user: UserView) -> bool:
        if kind == VOICE:
            media = message.voice or message.video_note
            seconds = float(media.duration or 0) if media else 0.0
            # A voice over the length limit is refused unheard: it counts as a message, not as audio.
            cost, rules = (seconds if seconds <= self.policy.max_voice_seconds else 0.0), self.policy.voice_rules
        else:
            cost, rules = 1.0, self.policy.text_rules
        key = f"{kind}:{user.id}"
        verdict = await self.limiter.hit(key, rules, cost=cost)
        if verdict.allowed:
            return True
        if await self.limiter.claim_notice(key, verdict.retry_after_s):
            await limits_facade.rate_limited(user.id, verdict.rule, verdict.retry_after_s)
            await message.answer(limits_texts.slow_down(user, verdict.rule, verdict.retry_after_s))
        return False
