"""The database drops the bot's connection (a restart, a failover): the bot reconnects and no turn is left half
written."""

import asyncio

import pytest
from asgiref.sync import sync_to_async

from apps.conversations.models import Message
from apps.inference.openai_generator import OpenAIGenerator
from tests.bots.telegram.conftest import polling_bot
from tests.bots.telegram.steps import ANNA, talking_to_support
from tests.faults.conftest import REPLY
from tests.faults.services import backend_pid, requires_postgres, terminate_backend

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


@pytest.fixture
async def slow_bot(telegram, tiny_model_dir, model_server, settings, tmp_path):
    """The bot on a model that takes its time, so the connection can be killed while a reply is generated."""
    requires_postgres("the fault is pg_terminate_backend")
    settings.MEDIA_ROOT = tmp_path / "media"
    generator = OpenAIGenerator(base_url=model_server.base_url, model="stub", timeout_s=10, max_retries=0)
    async with polling_bot(telegram, tiny_model_dir, generator=generator):
        yield telegram


async def _generation_started(server, count: int) -> None:
    for _ in range(500):
        if len(server.requests) >= count:
            return
        await asyncio.sleep(0.01)
    raise AssertionError("the model was never asked")


async def _roles() -> list[str]:
    return [m.role async for m in Message.objects.filter(dialogue__user__telegram_id=ANNA).order_by("id")]


async def test_connection_killed_while_a_reply_is_generated_is_reopened_and_the_reply_stored_and_sent(
    slow_bot, model_server
):
    sent = await talking_to_support(slow_bot)
    killed = await sync_to_async(backend_pid)()
    model_server.delay = 1.0

    slow_bot.user_sends("Привет! Как ты?", user_id=ANNA)
    await _generation_started(model_server, 1)
    await asyncio.to_thread(terminate_backend, killed)

    replies = await slow_bot.wait_for_messages(ANNA, sent + 1, timeout=15)
    assert replies[-1]["text"] == REPLY
    assert (await _roles())[-2:] == [Message.Role.USER, Message.Role.ASSISTANT]  # the message and its reply, both
    assert await sync_to_async(backend_pid)() != killed


async def test_connection_killed_between_messages_is_reopened_for_the_next_one(slow_bot):
    sent = await talking_to_support(slow_bot)
    await asyncio.to_thread(terminate_backend, await sync_to_async(backend_pid)())

    slow_bot.user_sends("Привет!", user_id=ANNA)

    assert (await slow_bot.wait_for_messages(ANNA, sent + 1, timeout=15))[-1]["text"] == REPLY
    assert (await _roles())[-2:] == [Message.Role.USER, Message.Role.ASSISTANT]


async def test_every_message_of_a_busy_stretch_is_answered_once_though_connections_keep_dying(slow_bot, model_server):
    sent = await talking_to_support(slow_bot)
    model_server.delay = 0.3

    for number in range(3):
        slow_bot.user_sends(f"Сообщение {number}", user_id=ANNA)
        await _generation_started(model_server, number + 1)
        await asyncio.to_thread(terminate_backend, await sync_to_async(backend_pid)())
        await slow_bot.wait_for_messages(ANNA, sent + number + 1, timeout=15)

    await asyncio.sleep(0.5)  # nothing more arrives
    assert [m["text"] for m in slow_bot.messages_to(ANNA)[sent:]] == [REPLY] * 3
    roles = await _roles()
    assert roles.count(Message.Role.USER) == 3
    assert roles[-6:] == [Message.Role.USER, Message.Role.ASSISTANT] * 3
