"""Telegram delivers an update again (a lost acknowledgement, a webhook retried, two replicas): one reply."""

import asyncio
import contextlib

import aiohttp
import pytest
from aiohttp import web
from asgiref.sync import sync_to_async

from apps.accounts.services import consent_accept, legal_documents_current, telegram_user_upsert
from apps.conversations.models import Message
from apps.conversations.services import dialogue_start
from apps.inference.openai_generator import OpenAIGenerator
from apps.personas.models import Module
from bots.telegram.app import build_bot, build_dispatcher
from bots.telegram.webhook import build_webhook_app
from tests.bots.telegram.conftest import polling_bot
from tests.bots.telegram.steps import ANNA, talking_to_support
from tests.bots.telegram.test_webhook import SECRET, URL, Webhook
from tests.factories import PersonaFactory
from tests.faults.conftest import REPLY

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


@pytest.fixture
def generator(model_server):
    return OpenAIGenerator(base_url=model_server.base_url, model="stub", timeout_s=10, max_retries=0)


@pytest.fixture
async def bot(telegram, tiny_model_dir, generator, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    async with polling_bot(telegram, tiny_model_dir, generator=generator):
        yield telegram


async def _user_messages() -> list[str]:
    rows = Message.objects.filter(dialogue__user__telegram_id=ANNA, role=Message.Role.USER).order_by("id")
    return [message.text async for message in rows]


async def test_an_update_delivered_again_after_its_reply_is_not_answered_twice(bot):
    sent = await talking_to_support(bot)
    update_id = bot.user_sends("Привет!", user_id=ANNA)
    await bot.wait_for_messages(ANNA, sent + 1)

    bot.duplicate_update(update_id)
    bot.user_sends("Как дела?", user_id=ANNA)  # a fresh update proves the loop kept going
    await bot.wait_for_messages(ANNA, sent + 2)
    await asyncio.sleep(0.5)

    assert [m["text"] for m in bot.messages_to(ANNA)[sent:]] == [REPLY, REPLY]
    assert await _user_messages() == ["Привет!", "Как дела?"]


async def test_an_update_delivered_again_while_its_reply_is_generated_is_not_answered_twice(bot, model_server):
    sent = await talking_to_support(bot)
    model_server.delay = 0.8
    update_id = bot.user_sends("Привет!", user_id=ANNA)
    for _ in range(300):
        if model_server.requests:
            break
        await asyncio.sleep(0.01)

    bot.duplicate_update(update_id)
    await bot.wait_for_messages(ANNA, sent + 1, timeout=10)
    await asyncio.sleep(1.5)

    assert [m["text"] for m in bot.messages_to(ANNA)[sent:]] == [REPLY]
    assert await _user_messages() == ["Привет!"]
    assert len(model_server.requests) == 1


@contextlib.asynccontextmanager
async def _webhook_bot(telegram, generator):
    bot = build_bot(telegram.token, api_url=telegram.base_url)
    runner = web.AppRunner(
        build_webhook_app(
            bot=bot, dispatcher=build_dispatcher(generator=generator, embedder=None), url=URL, secret=SECRET
        )
    )
    await runner.setup()
    try:
        await web.TCPSite(runner, "127.0.0.1", 0).start()
        endpoint = f"http://127.0.0.1:{runner.addresses[0][1]}/telegram/webhook"
        async with aiohttp.ClientSession() as client:
            yield Webhook(endpoint, client, runner)
    finally:
        await runner.cleanup()


def _ready_to_chat(telegram_id: int) -> None:
    """Registered, documents accepted, talking to a Support persona: what /start and two buttons would do."""
    user, _created = telegram_user_upsert(telegram_id=telegram_id, first_name="Anna", language_code="ru")
    consent_accept(user_id=user.pk, document_ids=[document.pk for document in legal_documents_current()])
    persona = PersonaFactory(modules=[Module.objects.get(code="support")], name="Соня")
    dialogue_start(user_id=user.pk, persona_id=persona.pk, module_code="support")


async def test_the_same_update_posted_to_the_webhook_three_times_at_once_is_answered_once(
    telegram, generator, model_server, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path / "media"
    model_server.delay = 0.3
    await sync_to_async(_ready_to_chat)(ANNA)
    async with _webhook_bot(telegram, generator) as webhook:
        update = telegram.make_message_update("Привет!", user_id=ANNA)

        statuses = await asyncio.gather(webhook.post(update), webhook.post(update), webhook.post(update))
        await telegram.wait_for_messages(ANNA, 1, timeout=10)
        await asyncio.sleep(1.0)

    assert statuses == [200, 200, 200]  # every copy acknowledged, so Telegram stops retrying
    assert [m["text"] for m in telegram.messages_to(ANNA)] == [REPLY]
    assert await _user_messages() == ["Привет!"]
    assert len(model_server.requests) == 1
