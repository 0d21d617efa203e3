"""Around every update: close stale connections, drop redeliveries, know the user, keep the consent gate."""

import logging
from collections.abc import Awaitable, Callable
from typing import Any

from aiogram import BaseMiddleware
from aiogram.types import CallbackQuery, Message, TelegramObject, Update

from bots.telegram import facade, texts
from bots.telegram.callbacks import ChannelCheck, ConsentAccept, LanguageSet, PrivacyAction
from bots.telegram.channel import ChannelGate
from bots.telegram.keyboards import consent_keyboard

logger = logging.getLogger(__name__)
Handler = Callable[[TelegramObject, dict[str, Any]], Awaitable[Any]]


class UpdateGuardMiddleware(BaseMiddleware):
    """Outer middleware on updates: a long-running process has no request cycle to tidy connections, and
    Telegram may deliver the same update twice."""

    async def __call__(self, handler: Handler, event: Update, data: dict[str, Any]) -> Any:
        await facade.close_connections()
        try:
            if not await facade.update_is_new(event.update_id):
                logger.info("skipped redelivered update %s", event.update_id)
                return None
            return await handler(event, data)
        finally:
            await facade.close_connections()


class UserMiddleware(BaseMiddleware):
    """Registers or refreshes the user behind a message or button press and injects a UserView as `user`."""

    async def __call__(self, handler: Handler, event: TelegramObject, data: dict[str, Any]) -> Any:
        sender = data.get("event_from_user")
        if sender is None or sender.is_bot:
            return await handler(event, data)
        chat = data.get("event_chat")
        if chat is not None and chat.type != "private":
            return await handler(event, data)  # the group handler answers politely
        payload, is_start = None, False
        if isinstance(event, Message) and event.text and event.text.split(maxsplit=1)[0] == "/start":
            parts = event.text.split(maxsplit=1)
            payload, is_start = (parts[1].strip() if len(parts) > 1 else None), True
        data["user"] = await facade.user_enter(
            telegram_id=sender.id,
            username=sender.username,
            first_name=sender.first_name,
            last_name=sender.last_name,
            language_code=sender.language_code,
            start_payload=payload,
            is_start=is_start,
        )
        return await handler(event, data)


# Seeing, exporting and erasing one's data never waits for new terms or a channel subscription.
PRIVACY_COMMAND = "/privacy"
PRIVACY_CALLBACKS = PrivacyAction.__prefix__ + ":"


def _command(message: Message) -> str:
    return (message.text or "").split(maxsplit=1)[0].split("@")[0] if message.text else ""


class ConsentGateMiddleware(BaseMiddleware):
    """Until the current documents are accepted, only /start, the accept button and /privacy work."""

    async def __call__(self, handler: Handler, event: TelegramObject, data: dict[str, Any]) -> Any:
        user = data.get("user")
        if user is None or user.consented or (isinstance(event, Message) and event.successful_payment is not None):
            return await handler(event, data)
        if isinstance(event, Message) and _command(event) in ("/start", PRIVACY_COMMAND):
            return await handler(event, data)
        if isinstance(event, CallbackQuery) and (event.data or "").startswith(
            (ConsentAccept.__prefix__ + ":", PRIVACY_CALLBACKS)
        ):
            return await handler(event, data)
        if isinstance(event, CallbackQuery):
            await event.answer(texts.consent_reminder(user), show_alert=True)
            return None
        if isinstance(event, Message):
            await event.answer(texts.consent_reminder(user))
            await event.answer(texts.consent_prompt(user), reply_markup=consent_keyboard(user))
        return None


class ChannelGateMiddleware(BaseMiddleware):
    """With REQUIRED_CHANNEL set: after consent, only channel members chat. Help, language and privacy
    stay open to everyone."""

    OPEN_COMMANDS = ("/help", "/language", PRIVACY_COMMAND)
    OPEN_CALLBACKS = (
        ChannelCheck.__prefix__,
        LanguageSet.__prefix__ + ":",
        ConsentAccept.__prefix__ + ":",
        PRIVACY_CALLBACKS,
    )

    def __init__(self, gate: ChannelGate) -> None:
        self.gate = gate

    async def __call__(self, handler: Handler, event: TelegramObject, data: dict[str, Any]) -> Any:
        user = data.get("user")
        if user is None or not user.consented or self._open(event):
            return await handler(event, data)
        bot = data["bot"]
        if await self.gate.admits(bot, user):
            return await handler(event, data)
        text, markup = await self.gate.prompt(bot, user)
        if isinstance(event, CallbackQuery):
            await event.answer()
            if event.message is not None:
                await bot.send_message(event.message.chat.id, text, reply_markup=markup)
        elif isinstance(event, Message):
            await event.answer(text, reply_markup=markup)
        return None

    def _open(self, event: TelegramObject) -> bool:
        if isinstance(event, Message) and event.successful_payment is not None:
            return True  # money taken is always honoured
        if isinstance(event, Message):
            return _command(event) in self.OPEN_COMMANDS
        if isinstance(event, CallbackQuery):
            return (event.data or "").startswith(self.OPEN_CALLBACKS)
        return False
