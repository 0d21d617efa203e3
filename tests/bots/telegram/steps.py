"""Steps of a user's way through the bot, shared by the end-to-end tests."""

import asyncio

from asgiref.sync import sync_to_async

from apps.personas.models import Module
from tests.factories import PersonaFactory
from tests.stubs.telegram_server import FakeTelegram

ANNA = 1001


def buttons(message: dict) -> list[str]:
    markup = message.get("reply_markup") or {}
    return [button.get("callback_data", "") for row in markup.get("inline_keyboard", []) for button in row]


async def consented(telegram: FakeTelegram, user_id: int = ANNA) -> None:
    """/start and the consent button: the user ends at the menu (or the channel gate)."""
    telegram.user_sends("/start", user_id=user_id)
    consent = (await telegram.wait_for_messages(user_id, 1))[-1]
    telegram.user_presses(buttons(consent)[0], user_id=user_id, message_id=consent["message_id"])
    await telegram.wait_for_messages(user_id, 2)


async def talking_to_support(telegram: FakeTelegram, user_id: int = ANNA, **persona) -> int:
    """Consent, then Support's persona greets; returns how many messages the user has received."""
    support = await Module.objects.aget(code="support")
    await sync_to_async(PersonaFactory)(modules=[support], **({"name": "Соня"} | persona))
    await consented(telegram, user_id)
    menu = telegram.messages_to(user_id)[-1]
    telegram.user_presses("module:support", user_id=user_id, message_id=menu["message_id"])
    return len(await telegram.wait_for_messages(user_id, 3))


async def eventually(check, timeout: float = 5.0) -> None:  # noqa: ASYNC109
    """Wait until the async `check()` is true (the bot writes to the database after it answers)."""
    for _ in range(int(timeout / 0.05)):
        if await check():
            return
        await asyncio.sleep(0.05)
    raise AssertionError("the condition did not become true in time")
