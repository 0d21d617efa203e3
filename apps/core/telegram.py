"""Telegram from sync code outside the bot process (Celery workers, web requests): one short-lived `Bot` per
call, run on its own event loop and closed after. Not for async code: there, use the bot's own `Bot`."""

import asyncio
import functools
import logging

from django.conf import settings
from django.utils.translation import gettext_lazy as _

from apps.core.exceptions import Forbidden, InvalidInput, ServiceUnavailable

logger = logging.getLogger(__name__)
TIMEOUT_S = 20.0  # aiogram's default is 60 s: too long for a worker slot


def telegram_send_message(*, chat_id: int, text: str, inline_keyboard: list[list[dict]] | None = None) -> None:
    """Send a plain-text message, with inline buttons given as Bot API dicts ({"text": …, "callback_data": …}).
    Raises `Forbidden` (code "bot_blocked") when the user blocked the bot, `ServiceUnavailable` when Telegram
    cannot take it now (worth a retry), `InvalidInput` otherwise."""
    token = _token()

    def send(bot):
        from aiogram.types import InlineKeyboardMarkup

        markup = InlineKeyboardMarkup(inline_keyboard=inline_keyboard) if inline_keyboard else None
        return bot.send_message(chat_id=chat_id, text=text, reply_markup=markup)

    _run(_call(token, send))


def telegram_bot_username() -> str:
    """The bot's @username without the @ (asked once per process); "" when Telegram cannot tell now."""
    try:
        return _username(_token(), settings.TELEGRAM_API_URL)
    except ServiceUnavailable:
        return ""


@functools.lru_cache(maxsize=4)
def _username(token: str, api_url: str) -> str:
    me = _run(_call(token, lambda bot: bot.get_me()))
    return me.username or ""


def _run(coroutine):
    """`asyncio.run` without its side effect: it leaves the thread with no current event loop (set to None),
    which breaks later `get_event_loop()` callers in the same thread (a worker's, or the test runner's)."""
    with asyncio.Runner(loop_factory=asyncio.new_event_loop) as runner:
        return runner.run(coroutine)


def _token() -> str:
    if not settings.TELEGRAM_BOT_TOKEN:
        raise ServiceUnavailable(_("The Telegram bot is not configured."), code="telegram_not_configured")
    return settings.TELEGRAM_BOT_TOKEN


async def _call(token: str, method):
    # aiogram is imported here: it takes seconds to import, and the web process and most tasks never need it.
    from aiogram import Bot
    from aiogram.client.session.aiohttp import AiohttpSession
    from aiogram.client.telegram import PRODUCTION, TelegramAPIServer
    from aiogram.exceptions import (
        TelegramBadRequest,
        TelegramForbiddenError,
        TelegramNetworkError,
        TelegramRetryAfter,
        TelegramServerError,
    )

    api_url = settings.TELEGRAM_API_URL
    api = TelegramAPIServer.from_base(api_url) if api_url else PRODUCTION
    session = AiohttpSession(api=api, timeout=TIMEOUT_S)
    bot = Bot(token=token, session=session)
    try:
        return await method(bot)
    except TelegramForbiddenError as error:
        raise Forbidden(_("The user has blocked the bot."), code="bot_blocked") from error
    except (TelegramRetryAfter, TelegramServerError, TelegramNetworkError) as error:
        logger.warning("Telegram is unavailable: %s", type(error).__name__)
        raise ServiceUnavailable(_("Telegram is unavailable now."), code="telegram_unavailable") from error
    except TelegramBadRequest as error:
        raise InvalidInput(error.message, code="telegram_bad_request") from error
    finally:
        await session.close()
