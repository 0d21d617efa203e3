"""Per-user sliding-window rate limits: in Redis when REDIS_URL is set (any replica sees every message), in
this process otherwise. Both keep a log of the accepted messages per key and decide in one atomic step.

A refused message is not logged, so a flood does not push the user's next allowed moment further away.
Rules either count messages or, `weighted`, add up a cost (seconds of audio). Time comes from an injectable
wall clock: replicas share it, and tests move it instead of sleeping.
"""

import logging
import time
import uuid
from collections import deque
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Protocol

from django.conf import settings

logger = logging.getLogger(__name__)
Clock = Callable[[], float]


@dataclass(frozen=True)
class Rule:
    name: str  # recorded with the `rate_limited` event: text_burst, voice_seconds, ...
    limit: float
    window_s: float
    weighted: bool = False  # add up each message's cost instead of counting messages


@dataclass(frozen=True)
class Verdict:
    allowed: bool
    rule: str = ""  # the rule that refused, with the longest wait
    retry_after_s: float = 0.0


ALLOWED = Verdict(allowed=True)


class RateLimiter(Protocol):
    async def hit(self, key: str, rules: Sequence[Rule], *, cost: float = 1.0) -> Verdict:
        """Log one message under `key` if every rule allows it; otherwise log nothing and say how long to wait."""
        ...

    async def claim_notice(self, key: str, ttl_s: float) -> bool:
        """True once per `ttl_s` for a key: at most one "slow down" reply per window during a flood."""
        ...

    async def close(self) -> None: ...


def judge(entries: Sequence[tuple[float, float]], rules: Sequence[Rule], cost: float, now: float) -> Verdict:
    """The decision for (time, cost) entries in time order; mirrored by the Redis script below."""
    worst = ALLOWED
    for rule in rules:
        need = cost if rule.weighted else 1.0
        recent = [(at, spent if rule.weighted else 1.0) for at, spent in entries if now - at < rule.window_s]
        used = sum(weight for _, weight in recent)
        if used + need <= rule.limit:
            continue
        wait = rule.window_s  # a single message costlier than the whole allowance waits a full window
        for at, weight in recent:  # the oldest go first: wait until enough of them have left the window
            used -= weight
            if used + need <= rule.limit:
                wait = at + rule.window_s - now
                break
        if wait > worst.retry_after_s:
            worst = Verdict(allowed=False, rule=rule.name, retry_after_s=wait)
    return worst


def _horizon(rules: Sequence[Rule]) -> float:
    return max(rule.window_s for rule in rules)


class MemoryRateLimiter:
    """One process. Safe without locks: only the event loop calls it, and nothing inside awaits."""

    SWEEP_EVERY_S = 600

    def __init__(self, *, clock: Clock = time.time) -> None:
        self._clock = clock
        self._logs: dict[str, tuple[deque[tuple[float, float]], float]] = {}  # key → (entries, horizon)
        self._notices: dict[str, float] = {}  # key → until
        self._swept_at = clock()

    async def hit(self, key: str, rules: Sequence[Rule], *, cost: float = 1.0) -> Verdict:
        if not rules:
            return ALLOWED
        now, horizon = self._clock(), _horizon(rules)
        self._sweep(now)
        entries = self._logs.setdefault(key, (deque(), horizon))[0]
        while entries and now - entries[0][0] >= horizon:
            entries.popleft()
        verdict = judge(entries, rules, cost, now)
        if verdict.allowed:
            entries.append((now, cost))
            self._logs[key] = (entries, horizon)
        return verdict

    async def claim_notice(self, key: str, ttl_s: float) -> bool:
        now = self._clock()
        if self._notices.get(key, 0.0) > now:
            return False
        self._notices[key] = now + ttl_s
        return True

    async def close(self) -> None:
        return None

    def _sweep(self, now: float) -> None:
        """Forget users who stopped writing, so the dictionaries do not grow for ever."""
        if now - self._swept_at < self.SWEEP_EVERY_S:
            return
        self._swept_at = now
        for key, (entries, horizon) in list(self._logs.items()):
            if not entries or now - entries[-1][0] >= horizon:
                del self._logs[key]
        for key, until in list(self._notices.items()):
            if until <= now:
                del self._notices[key]


# KEYS[1]: the log, a sorted set (score: time, member: "<cost>:<unique id>").
# ARGV: now, cost, member, horizon, then (limit, window, weighted) per rule. Same decision as `judge`.
HIT_SCRIPT = """
local now, cost, horizon = tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[4])
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now - horizon)
local raw = redis.call('ZRANGE', KEYS[1], 0, -1, 'WITHSCORES')
local times, costs = {}, {}
for i = 1, #raw, 2 do
  times[#times + 1] = tonumber(raw[i + 1])
  costs[#costs + 1] = tonumber(string.match(raw[i], '^([^:]+)'))
end
local worst_wait, worst_rule = 0, 0
for r = 0, (#ARGV - 4) / 3 - 1 do
  local limit, window = tonumber(ARGV[5 + r * 3]), tonumber(ARGV[6 + r * 3])
  local weighted = ARGV[7 + r * 3] == '1'
  local need = weighted and cost or 1
  local used = 0
  for i = 1, #times do
    if now - times[i] < window then used = used + (weighted and costs[i] or 1) end
  end
  if used + need > limit then
    local wait = window
    for i = 1, #times do
      if now - times[i] < window then
        used = used - (weighted and costs[i] or 1)
        if used + need <= limit then
          wait = times[i] + window - now
          break
        end
      end
    end
    if wait > worst_wait then worst_wait, worst_rule = wait, r + 1 end
  end
end
if worst_rule > 0 then return {0, worst_rule, tostring(worst_wait)} end
redis.call('ZADD', KEYS[1], now, ARGV[3])
redis.call('PEXPIRE', KEYS[1], math.ceil(horizon * 1000))
return {1, 0, '0'}
"""

# KEYS[1]: until when the last notice holds; ARGV: now, ttl. The injectable clock decides, as for the log.
NOTICE_SCRIPT = """
local now, ttl = tonumber(ARGV[1]), tonumber(ARGV[2])
if tonumber(redis.call('GET', KEYS[1]) or '0') > now then return 0 end
redis.call('SET', KEYS[1], tostring(now + ttl), 'PX', math.ceil(ttl * 1000) + 1000)
return 1
"""


class RedisRateLimiter:
    """Shared by every replica: one script call per message, atomic in Redis. When Redis cannot answer,
    messages pass (logged): a limit must not lock everybody out."""

    def __init__(self, client, *, prefix: str = "sputnik:limits", clock: Clock = time.time) -> None:
        self._client = client
        self._prefix = prefix
        self._clock = clock
        self._hit = client.register_script(HIT_SCRIPT)
        self._notice = client.register_script(NOTICE_SCRIPT)

    @classmethod
    def from_url(cls, url: str, **options) -> "RedisRateLimiter":
        from redis.asyncio import Redis

        return cls(Redis.from_url(url, socket_connect_timeout=3, socket_timeout=5), **options)

    async def hit(self, key: str, rules: Sequence[Rule], *, cost: float = 1.0) -> Verdict:
        from redis.exceptions import RedisError

        if not rules:
            return ALLOWED
        arguments = [repr(self._clock()), repr(float(cost)), f"{float(cost)!r}:{uuid.uuid4().hex}"]
        arguments.append(repr(_horizon(rules)))
        for rule in rules:
            arguments += [repr(float(rule.limit)), repr(float(rule.window_s)), "1" if rule.weighted else "0"]
        try:
            allowed, rule_number, wait = await self._hit(keys=[f"{self._prefix}:{key}"], args=arguments)
        except (RedisError, OSError) as error:
            logger.warning("rate limits unavailable, letting the message through: %s", error)
            return ALLOWED
        if allowed:
            return ALLOWED
        return Verdict(allowed=False, rule=rules[int(rule_number) - 1].name, retry_after_s=float(wait))

    async def claim_notice(self, key: str, ttl_s: float) -> bool:
        from redis.exceptions import RedisError

        try:
            claimed = await self._notice(
                keys=[f"{self._prefix}:notice:{key}"], args=[repr(self._clock()), repr(float(ttl_s))]
            )
        except (RedisError, OSError) as error:
            logger.warning("rate limit notices unavailable: %s", error)
            return True
        return bool(claimed)

    async def close(self) -> None:
        await self._client.aclose()


def build_rate_limiter() -> RateLimiter:
    """Redis when REDIS_URL is set, so every bot replica counts the same messages; this process otherwise."""
    if settings.REDIS_URL:
        prefix = settings.CACHES["default"].get("KEY_PREFIX") or "sputnik"
        return RedisRateLimiter.from_url(settings.REDIS_URL, prefix=f"{prefix}:limits")
    return MemoryRateLimiter()
