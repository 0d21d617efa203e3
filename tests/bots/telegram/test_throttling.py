"""The per-user rate limiters: the same behaviour in this process and in Redis, on a clock the tests move."""

import asyncio
import contextlib
import random
import uuid
from urllib.parse import urlsplit, urlunsplit

import pytest
from redis.asyncio import Redis

from bots.telegram.throttling import MemoryRateLimiter, RedisRateLimiter, Rule
from tests.bots.telegram.limits_helpers import Clock

BURST = Rule("text_burst", 5, 10)
PER_MINUTE = Rule("text_per_minute", 20, 60)
VOICES = Rule("voice_per_minute", 3, 60)
VOICE_SECONDS = Rule("voice_seconds", 300, 600, weighted=True)
LIMITS_DB = 8  # its own Redis database: flushing test keys never touches the cache or the broker


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def limits_redis_url(redis_url) -> str:
    return urlunsplit(urlsplit(redis_url)._replace(path=f"/{LIMITS_DB}"))


@contextlib.asynccontextmanager
async def redis_factory(url: str, clock: Clock):
    """Makes Redis limiters sharing one test prefix (each with its own connection pool); deletes their keys."""
    prefix, made = f"test-limits:{uuid.uuid4().hex}", []

    def make(**options) -> RedisRateLimiter:
        made.append(RedisRateLimiter(Redis.from_url(url), prefix=prefix, clock=clock, **options))
        return made[-1]

    try:
        yield make
    finally:
        cleaner = Redis.from_url(url)
        keys = [key async for key in cleaner.scan_iter(f"{prefix}:*")]
        if keys:
            await cleaner.delete(*keys)
        await cleaner.aclose()
        for limiter in made:
            await limiter.close()


@pytest.fixture
async def redis_limiters(limits_redis_url, clock):
    async with redis_factory(limits_redis_url, clock) as make:
        yield make


@pytest.fixture(params=["memory", "redis"])
async def limiter(request, clock):
    if request.param == "memory":
        yield MemoryRateLimiter(clock=clock)
        return
    async with redis_factory(request.getfixturevalue("limits_redis_url"), clock) as make:
        yield make()


async def test_a_burst_is_allowed_up_to_its_limit_then_refused_with_the_wait(limiter, clock):
    for _ in range(5):
        assert (await limiter.hit("text:1", [BURST])).allowed
        clock.advance(1)
    clock.advance(-1)

    verdict = await limiter.hit("text:1", [BURST])

    assert (verdict.allowed, verdict.rule) == (False, "text_burst")
    assert verdict.retry_after_s == pytest.approx(6)  # the first message leaves the 10 s window at t=10


async def test_the_window_slides_one_message_at_a_time(limiter, clock):
    for _ in range(5):
        await limiter.hit("text:1", [BURST])
        clock.advance(1)
    clock.advance(5)  # t=10: the first message (t=0) has left the window, the second (t=1) not yet

    assert (await limiter.hit("text:1", [BURST])).allowed
    again = await limiter.hit("text:1", [BURST])
    assert not again.allowed
    assert again.retry_after_s == pytest.approx(1)


async def test_refused_messages_do_not_push_the_next_allowed_moment_away(limiter, clock):
    for _ in range(5):
        await limiter.hit("text:1", [BURST])
    for _ in range(36):  # a flood
        clock.advance(0.25)
        assert not (await limiter.hit("text:1", [BURST])).allowed

    clock.advance(1)  # t=10

    assert (await limiter.hit("text:1", [BURST])).allowed


async def test_the_per_minute_limit_catches_a_steady_stream_under_the_burst_limit(limiter, clock):
    for _ in range(20):
        assert (await limiter.hit("text:1", [BURST, PER_MINUTE])).allowed
        clock.advance(2.5)  # four per 10 s: never a burst

    verdict = await limiter.hit("text:1", [BURST, PER_MINUTE])

    assert (verdict.allowed, verdict.rule) == (False, "text_per_minute")
    assert verdict.retry_after_s == pytest.approx(10)  # t=50; the first message leaves the minute at t=60


async def test_when_several_rules_refuse_the_longest_wait_is_given(limiter, clock):
    for _ in range(20):
        await limiter.hit("text:1", [Rule("text_burst", 100, 10), PER_MINUTE])
        clock.advance(0.1)

    verdict = await limiter.hit("text:1", [Rule("text_burst", 3, 10), PER_MINUTE])

    assert verdict.rule == "text_per_minute"
    assert verdict.retry_after_s == pytest.approx(58)


async def test_seconds_of_voice_add_up_over_ten_minutes(limiter, clock):
    rules = [VOICES, VOICE_SECONDS]
    assert (await limiter.hit("voice:1", rules, cost=100)).allowed
    clock.advance(70)
    assert (await limiter.hit("voice:1", rules, cost=120)).allowed
    clock.advance(70)  # t=140

    refused = await limiter.hit("voice:1", rules, cost=150)
    shorter = await limiter.hit("voice:1", rules, cost=80)

    assert (refused.allowed, refused.rule) == (False, "voice_seconds")
    assert refused.retry_after_s == pytest.approx(460)  # the first voice (t=0) leaves the 10 minutes at t=600
    assert shorter.allowed  # 100 + 120 + 80 = 300 still fits


async def test_voice_messages_are_counted_per_minute_whatever_their_length(limiter, clock):
    for _ in range(3):
        assert (await limiter.hit("voice:1", [VOICES, VOICE_SECONDS], cost=2)).allowed
        clock.advance(1)

    verdict = await limiter.hit("voice:1", [VOICES, VOICE_SECONDS], cost=2)

    assert (verdict.allowed, verdict.rule) == (False, "voice_per_minute")
    assert verdict.retry_after_s == pytest.approx(57)


async def test_users_are_limited_separately(limiter):
    for _ in range(5):
        await limiter.hit("text:1", [BURST])

    assert not (await limiter.hit("text:1", [BURST])).allowed
    assert (await limiter.hit("text:2", [BURST])).allowed


async def test_without_rules_everything_passes(limiter):
    assert all([(await limiter.hit("text:1", [])).allowed for _ in range(50)])


async def test_a_notice_is_claimed_once_per_window(limiter, clock):
    assert await limiter.claim_notice("text:1", 6)
    clock.advance(5)
    assert not await limiter.claim_notice("text:1", 6)
    assert await limiter.claim_notice("text:2", 6)
    clock.advance(1.5)
    assert await limiter.claim_notice("text:1", 6)


async def test_memory_limiter_forgets_users_who_stopped_writing(clock):
    limiter = MemoryRateLimiter(clock=clock)
    await limiter.hit("text:1", [BURST])
    await limiter.claim_notice("text:1", 5)
    clock.advance(MemoryRateLimiter.SWEEP_EVERY_S)

    await limiter.hit("text:2", [BURST])

    assert set(limiter._logs) == {"text:2"}
    assert limiter._notices == {}


async def test_concurrent_messages_in_redis_pass_exactly_the_limit(redis_limiters):
    """Several replicas (one connection pool each) hammer one user's key at the same moment."""
    replicas = [redis_limiters() for _ in range(5)]
    rule = Rule("text_burst", 7, 10)

    verdicts = await asyncio.gather(*[replicas[n % 5].hit("text:1", [rule]) for n in range(60)])

    assert sum(verdict.allowed for verdict in verdicts) == 7


async def test_redis_and_memory_decide_alike_on_a_random_stream(redis_limiters, clock):
    randomness = random.Random(7)  # noqa: S311 - a test sequence, not a secret
    shared, local = redis_limiters(), MemoryRateLimiter(clock=clock)
    rules, refused = [VOICES, VOICE_SECONDS], set()
    for _ in range(120):
        clock.advance(randomness.choice([0.5, 3, 15, 40, 90]))
        cost = randomness.choice([5, 30, 75, 120])
        expected, actual = await local.hit("voice:1", rules, cost=cost), await shared.hit("voice:1", rules, cost=cost)
        assert (actual.allowed, actual.rule) == (expected.allowed, expected.rule)
        assert actual.retry_after_s == pytest.approx(expected.retry_after_s)
        refused.add(actual.rule)
    assert refused == {"", "voice_per_minute", "voice_seconds"}  # both rules were put to the test


async def test_an_unreachable_redis_lets_messages_through(clock):
    limiter = RedisRateLimiter(Redis.from_url("redis://127.0.0.1:1/0", socket_connect_timeout=0.5), clock=clock)
    try:
        assert (await limiter.hit("text:1", [Rule("text_burst", 0.5, 10)])).allowed
        assert await limiter.claim_notice("text:1", 5)
    finally:
        await limiter.close()
