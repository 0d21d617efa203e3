"""The Bot API refuses or fails: 429 storms with retry_after and 5xx answers on sendMessage. Every reply still
arrives, exactly once, after waiting as Telegram asked."""

import asyncio
import time

import pytest

from apps.conversations.models import Message
from apps.inference.openai_generator import OpenAIGenerator
from tests.bots.telegram.conftest import polling_bot
from tests.bots.telegram.steps import ANNA, talking_to_support
from tests.faults.conftest import REPLY

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


@pytest.fixture
async def bot(telegram, tiny_model_dir, model_server, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    generator = OpenAIGenerator(base_url=model_server.base_url, model="stub", timeout_s=10, max_retries=0)
    async with polling_bot(telegram, tiny_model_dir, generator=generator):
        yield telegram


def _sends_to(telegram, user_id: int) -> int:
    return sum(1 for name, params in telegram.calls if name == "sendMessage" and params.get("chat_id") == user_id)


async def test_a_429_storm_is_waited_out_and_the_reply_arrives_once(bot):
    sent = await talking_to_support(bot)
    calls_before = _sends_to(bot, ANNA)
    bot.fail_next("sendMessage", status=429, retry_after=1, times=3)

    started = time.monotonic()
    bot.user_sends("Привет!", user_id=ANNA)
    await bot.wait_for_messages(ANNA, sent + 1, timeout=20)
    waited = time.monotonic() - started
    await asyncio.sleep(0.5)

    assert [m["text"] for m in bot.messages_to(ANNA)[sent:]] == [REPLY]
    assert _sends_to(bot, ANNA) - calls_before == 4  # three refused, then accepted
    assert waited >= 3  # retry_after was honoured each time


@pytest.mark.parametrize("status", [500, 502, 504])
async def test_server_errors_are_retried_with_backoff_and_the_reply_arrives_once(bot, status):
    sent = await talking_to_support(bot)
    bot.fail_next("sendMessage", status=status, times=2)

    bot.user_sends("Привет!", user_id=ANNA)
    await bot.wait_for_messages(ANNA, sent + 1, timeout=20)
    await asyncio.sleep(0.5)

    assert [m["text"] for m in bot.messages_to(ANNA)[sent:]] == [REPLY]
    assert [method for method, _description in bot.errors] == ["sendMessage", "sendMessage"]


async def test_a_storm_over_many_users_at_once_loses_and_repeats_no_reply(bot):
    users = [ANNA + number for number in range(8)]
    sent = {user: await talking_to_support(bot, user) for user in users}
    bot.fail_next("sendMessage", status=429, retry_after=1, times=6)
    bot.fail_next("sendChatAction", status=429, retry_after=1, times=3)

    for user in users:
        bot.user_sends("Привет!", user_id=user)
    for user in users:
        await bot.wait_for_messages(user, sent[user] + 1, timeout=30)
    await asyncio.sleep(1.0)

    assert {user: [m["text"] for m in bot.messages_to(user)[sent[user] :]] for user in users} == {
        user: [REPLY] for user in users
    }
    stored = [role async for role in Message.objects.filter(role="assistant").values_list("role", flat=True)]
    assert len(stored) == len(users) * 2  # each user's greeting and one reply
