"""Abuse limits through the real bot: rate limits, the longest message, voice floods, and an overloaded model."""

import asyncio

import pytest

from apps.analytics.models import Event
from apps.billing.models import DailyUsage
from apps.conversations.models import Message
from apps.inference.capacity import CapacityGate
from bots.telegram import limits_texts, texts
from tests.apps.inference.stub_generator import StubGenerator
from tests.bots.telegram.conftest import polling_bot
from tests.bots.telegram.limits_helpers import ENGLISH, RUSSIAN, Clock, PhraseTranscriber, WatchedLimiter
from tests.bots.telegram.steps import ANNA, eventually, talking_to_support

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)
BORIS = 1002
REPLY = "Я рядом и слушаю."


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def limiter(clock) -> WatchedLimiter:
    return WatchedLimiter(clock=clock)


@pytest.fixture
def generator() -> StubGenerator:
    return StubGenerator(reply=REPLY)


@pytest.fixture
def transcriber() -> PhraseTranscriber:
    return PhraseTranscriber()


@pytest.fixture
def capacity(generator) -> CapacityGate:
    return CapacityGate(generator, max_waiting=1, max_wait_s=10, notice_after_s=0.3, cooldown_s=0.1, poll_s=0.02)


@pytest.fixture
async def bot(telegram, tiny_model_dir, settings, tmp_path, limiter, generator, transcriber, capacity):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.RATE_LIMIT_BURST, settings.RATE_LIMIT_BURST_SECONDS, settings.RATE_LIMIT_PER_MINUTE = 3, 10, 20
    settings.VOICE_LIMIT_PER_MINUTE, settings.VOICE_LIMIT_SECONDS_PER_10_MIN = 2, 100
    settings.MESSAGE_MAX_CHARS = 50
    options = {"generator": generator, "transcriber": transcriber, "limiter": limiter, "capacity": capacity}
    async with polling_bot(telegram, tiny_model_dir, **options):
        yield telegram


async def stored_texts(telegram_id: int) -> list[str]:
    rows = Message.objects.filter(role="user", dialogue__user__telegram_id=telegram_id).order_by("id")
    return [message.text async for message in rows]


async def messages_counted(telegram_id: int) -> int:
    return sum([usage.messages async for usage in DailyUsage.objects.filter(user__telegram_id=telegram_id)])


async def test_a_burst_gets_one_notice_and_the_extra_messages_are_neither_stored_nor_counted(bot, limiter, clock):
    sent = await talking_to_support(bot)
    for number in range(1, 4):
        bot.user_sends(f"Сообщение {number}", user_id=ANNA)
        await bot.wait_for_messages(ANNA, sent + number)

    bot.user_sends("Сообщение 4", user_id=ANNA)
    bot.user_sends("Сообщение 5", user_id=ANNA)
    await eventually(lambda: _async(len(limiter.verdicts) == 5))
    await asyncio.sleep(0.3)  # time for a second notice, which must not come

    received = bot.messages_to(ANNA)
    assert len(received) == sent + 4
    assert received[-1]["text"] == limits_texts.slow_down(RUSSIAN, "text_burst", 10)
    assert await stored_texts(ANNA) == ["Сообщение 1", "Сообщение 2", "Сообщение 3"]
    assert await messages_counted(ANNA) == 3
    events = [event async for event in Event.objects.filter(name="rate_limited", user__telegram_id=ANNA)]
    assert [event.properties for event in events] == [{"kind": "text_burst", "retry_after_seconds": 10}]

    clock.advance(10)
    bot.user_sends("Сообщение 6", user_id=ANNA)

    assert (await bot.wait_for_messages(ANNA, sent + 5))[-1]["text"] == REPLY
    assert (await stored_texts(ANNA))[-1] == "Сообщение 6"


async def test_commands_still_work_while_messages_are_limited(bot, limiter):
    sent = await talking_to_support(bot)
    for number in range(1, 4):
        bot.user_sends(f"Сообщение {number}", user_id=ANNA)
        await bot.wait_for_messages(ANNA, sent + number)
    bot.user_sends("Сообщение 4", user_id=ANNA)
    await bot.wait_for_messages(ANNA, sent + 4)  # the notice

    bot.user_sends("/help", user_id=ANNA)

    assert (await bot.wait_for_messages(ANNA, sent + 5))[-1]["text"] == texts.help_text(RUSSIAN)
    assert len(limiter.verdicts) == 4  # /help never reached the limiter


async def test_a_message_over_the_length_limit_is_refused_before_any_work(bot, generator):
    sent = await talking_to_support(bot)

    bot.user_sends("а" * 51, user_id=ANNA)

    refusal = (await bot.wait_for_messages(ANNA, sent + 1))[-1]
    assert refusal["text"] == limits_texts.message_too_long(RUSSIAN, 50)
    assert "50" in refusal["text"]
    assert (await stored_texts(ANNA), await messages_counted(ANNA), generator.calls) == ([], 0, 0)

    bot.user_sends("а" * 50, user_id=ANNA)
    assert (await bot.wait_for_messages(ANNA, sent + 2))[-1]["text"] == REPLY


async def test_a_voice_flood_is_stopped_before_download_and_transcription(bot, limiter, transcriber, clock):
    sent = await talking_to_support(bot)
    for number in range(1, 3):
        bot.user_sends_voice(b"OggS-voice", duration=5, user_id=ANNA)
        await bot.wait_for_messages(ANNA, sent + number)

    bot.user_sends_voice(b"OggS-voice", duration=5, user_id=ANNA)
    bot.user_sends_voice(b"OggS-voice", duration=5, user_id=ANNA)
    await eventually(lambda: _async(len(limiter.verdicts) == 4))
    await asyncio.sleep(0.3)

    received = bot.messages_to(ANNA)
    assert len(received) == sent + 3
    assert received[-1]["text"] == limits_texts.slow_down(RUSSIAN, "voice_per_minute", 60)
    assert transcriber.calls == 2
    assert [method for method, _ in bot.calls].count("getFile") == 2

    clock.advance(60)
    bot.user_sends_voice(b"OggS-voice", duration=5, user_id=ANNA)
    assert (await bot.wait_for_messages(ANNA, sent + 4))[-1]["text"] == REPLY


async def test_seconds_of_voice_are_limited_over_ten_minutes(bot, transcriber, clock):
    sent = await talking_to_support(bot)
    bot.user_sends_voice(b"OggS-voice", duration=60, user_id=ANNA)
    await bot.wait_for_messages(ANNA, sent + 1)
    clock.advance(120)  # past the per-minute count

    bot.user_sends_voice(b"OggS-voice", duration=50, user_id=ANNA)

    notice = (await bot.wait_for_messages(ANNA, sent + 2))[-1]
    assert notice["text"] == limits_texts.slow_down(RUSSIAN, "voice_seconds", 480)
    assert "8 minutes" in limits_texts.slow_down(ENGLISH, "voice_seconds", 480)
    assert transcriber.calls == 1
    assert await Event.objects.filter(name="rate_limited", properties__kind="voice_seconds").aexists()


async def test_an_overloaded_model_keeps_the_message_and_answers_when_capacity_frees(bot, generator, capacity):
    sent = await talking_to_support(bot)
    generator.saturated = True

    bot.user_sends("Привет, ты тут?", user_id=ANNA)

    waiting = (await bot.wait_for_messages(ANNA, sent + 1))[-1]
    assert waiting["text"] == limits_texts.overload_waiting(RUSSIAN)
    assert await stored_texts(ANNA) == ["Привет, ты тут?"]
    assert "sendChatAction" in [method for method, _ in bot.calls]
    assert generator.calls == 0

    generator.saturated = False

    assert (await bot.wait_for_messages(ANNA, sent + 2))[-1]["text"] == REPLY
    assert capacity.waiting == 0


async def test_when_even_the_waiting_room_is_full_new_messages_are_refused_clearly(bot, generator, capacity):
    anna_sent = await talking_to_support(bot)
    boris_sent = await talking_to_support(bot, user_id=BORIS)
    generator.saturated = True
    bot.user_sends("Привет", user_id=ANNA)
    await eventually(lambda: _async(capacity.waiting == 1))

    bot.user_sends("Привет и от меня", user_id=BORIS)
    bot.user_sends("Ты тут?", user_id=ANNA)  # joins Anna's waiting turn: not refused

    refusal = (await bot.wait_for_messages(BORIS, boris_sent + 1))[-1]
    assert refusal["text"] == limits_texts.overloaded(RUSSIAN)
    assert await stored_texts(BORIS) == []
    assert await Event.objects.filter(
        name="rate_limited", user__telegram_id=BORIS, properties__kind="overloaded"
    ).aexists()

    assert (await bot.wait_for_messages(ANNA, anna_sent + 1))[-1]["text"] == limits_texts.overload_waiting(RUSSIAN)
    generator.saturated = False

    assert (await bot.wait_for_messages(ANNA, anna_sent + 2))[-1]["text"] == REPLY
    assert await stored_texts(ANNA) == ["Привет\nТы тут?"]


async def test_after_a_backend_failure_the_message_is_answered_once_it_recovers(bot, generator, capacity):
    sent = await talking_to_support(bot)
    generator.failures = 1

    bot.user_sends("Привет", user_id=ANNA)

    assert (await bot.wait_for_messages(ANNA, sent + 1))[-1]["text"] == REPLY
    assert generator.calls >= 2
    assert not capacity.breaker_open


async def test_a_model_that_stays_down_gets_a_clear_reply_not_silence(bot, generator, capacity):
    capacity.max_wait_s = 0.5
    sent = await talking_to_support(bot)
    generator.failures = 10_000

    bot.user_sends("Привет", user_id=ANNA)

    replies = await bot.wait_for_messages(ANNA, sent + 2, timeout=10)  # "kept, I'll answer", then "write again"
    assert [reply["text"] for reply in replies[-2:]] == [limits_texts.overload_waiting(RUSSIAN), texts.busy(RUSSIAN)]
    assert await stored_texts(ANNA) == ["Привет"]  # kept: the next message is answered with it in view


async def _async(value):
    return value
