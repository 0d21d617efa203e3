"""Webhook mode end to end: the bot's aiohttp app on 127.0.0.1, updates posted as Telegram posts them, replies
sent through the real aiogram client to the fake Bot API."""

import asyncio
import contextlib

import aiohttp
import pytest
from aiohttp import web

from apps.inference.ctranslate2_generator import CTranslate2Generator
from bots.telegram.app import build_bot, build_dispatcher, run_polling
from bots.telegram.webhook import build_webhook_app

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)
ANNA = 1001
URL = "https://bot.example.test/telegram/webhook"
SECRET = "s3cret_token-for-tests"
SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
SETTLE = 0.5  # seconds for a wrongly handled update to show up as a message


class Webhook:
    def __init__(self, endpoint: str, client: aiohttp.ClientSession, runner: web.AppRunner) -> None:
        self.endpoint, self.client, self.runner = endpoint, client, runner

    async def post(self, body: dict | bytes, *, secret: str | None = SECRET) -> int:
        headers = {SECRET_HEADER: secret} if secret is not None else {}
        if isinstance(body, bytes):
            headers["Content-Type"] = "application/json"
            response = await self.client.post(self.endpoint, data=body, headers=headers)
        else:
            response = await self.client.post(self.endpoint, json=body, headers=headers)
        async with response:
            return response.status


@contextlib.asynccontextmanager
async def webhook_bot(telegram, model_dir):
    """The real bot in webhook mode, serving on a free port of 127.0.0.1 for the length of the block."""
    generator = CTranslate2Generator(model_dir)
    bot = build_bot(telegram.token, api_url=telegram.base_url)
    dispatcher = build_dispatcher(generator=generator, embedder=None)
    runner = web.AppRunner(build_webhook_app(bot=bot, dispatcher=dispatcher, url=URL, secret=SECRET))
    await runner.setup()
    try:
        await web.TCPSite(runner, "127.0.0.1", 0).start()
        endpoint = f"http://127.0.0.1:{runner.addresses[0][1]}/telegram/webhook"
        async with aiohttp.ClientSession() as client:
            yield Webhook(endpoint, client, runner)
    finally:
        await runner.cleanup()
        generator.close()


@pytest.fixture
async def webhook(telegram, tiny_model_dir, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    async with webhook_bot(telegram, tiny_model_dir) as served:
        yield served


def sent_messages(telegram) -> list[dict]:
    return [params for method, params in telegram.calls if method == "sendMessage"]


async def test_update_with_a_wrong_secret_is_refused_and_not_handled(webhook, telegram):
    status = await webhook.post(telegram.make_message_update("/start", user_id=ANNA), secret="wrong")

    await asyncio.sleep(SETTLE)
    assert status == 401
    assert sent_messages(telegram) == []


async def test_update_without_the_secret_header_is_refused_and_not_handled(webhook, telegram):
    status = await webhook.post(telegram.make_message_update("/start", user_id=ANNA), secret=None)

    await asyncio.sleep(SETTLE)
    assert status == 401
    assert sent_messages(telegram) == []


async def test_update_with_the_right_secret_is_answered(webhook, telegram):
    status = await webhook.post(telegram.make_message_update("/start", user_id=ANNA))

    assert status == 200
    [consent] = await telegram.wait_for_messages(ANNA, 1)
    assert "Политика конфиденциальности" in consent["text"]


async def test_update_delivered_twice_in_a_row_is_answered_once(webhook, telegram):
    update = telegram.make_message_update("/start", user_id=ANNA)

    assert await webhook.post(update) == 200
    await telegram.wait_for_messages(ANNA, 1)
    assert await webhook.post(update) == 200

    await asyncio.sleep(SETTLE)
    assert len(telegram.messages_to(ANNA)) == 1


async def test_update_delivered_twice_at_once_is_answered_once(webhook, telegram):
    update = telegram.make_message_update("/start", user_id=ANNA)

    statuses = await asyncio.gather(webhook.post(update), webhook.post(update))

    assert statuses == [200, 200]
    await telegram.wait_for_messages(ANNA, 1)
    await asyncio.sleep(SETTLE)
    assert len(telegram.messages_to(ANNA)) == 1


async def test_startup_sets_the_webhook_with_its_secret_and_the_used_update_types(webhook, telegram):
    [params] = [params for method, params in telegram.calls if method == "setWebhook"]

    assert telegram.webhook == {"url": URL, "secret_token": SECRET}
    assert {"message", "callback_query", "my_chat_member"} <= set(params["allowed_updates"])
    assert params["drop_pending_updates"] is False
    assert telegram.commands  # the dispatcher's own startup ran too


async def test_shutdown_leaves_the_webhook_set_so_telegram_keeps_queuing(webhook, telegram):
    await webhook.runner.cleanup()

    assert telegram.webhook.get("url") == URL
    assert "deleteWebhook" not in [method for method, _ in telegram.calls]


@pytest.mark.parametrize("body", [b"{not json", b"\xff\xfe", b""], ids=["broken-json", "not-utf8", "empty"])
async def test_unreadable_body_is_a_bad_request_and_the_next_update_is_answered(webhook, telegram, body):
    assert await webhook.post(body) == 400

    assert await webhook.post(telegram.make_message_update("/start", user_id=ANNA)) == 200
    await telegram.wait_for_messages(ANNA, 1)


async def test_polling_removes_a_leftover_webhook_and_keeps_its_queued_updates(telegram, tiny_model_dir):
    telegram.webhook = {"url": URL, "secret_token": SECRET}  # getUpdates answers 409 while it is set
    telegram.user_sends("/start", user_id=ANNA)  # queued while the webhook was on
    generator = CTranslate2Generator(tiny_model_dir)
    bot = build_bot(telegram.token, api_url=telegram.base_url)
    dispatcher = build_dispatcher(generator=generator, embedder=None)
    polling = asyncio.create_task(run_polling(bot, dispatcher, handle_signals=False, polling_timeout=1))
    try:
        await telegram.wait_for_messages(ANNA, 1)
    finally:
        await dispatcher.stop_polling()
        await asyncio.wait_for(polling, timeout=10)
        generator.close()

    [params] = [params for method, params in telegram.calls if method == "deleteWebhook"]
    assert params["drop_pending_updates"] is False
    assert telegram.webhook == {}
