"""One place where failures become a friendly, translated reply; the polling loop never dies."""

import contextlib
import logging

from aiogram import Router
from aiogram.exceptions import TelegramAPIError, TelegramForbiddenError
from aiogram.types import ErrorEvent
from django.utils import translation

from apps.core.exceptions import ApplicationError
from apps.inference.exceptions import BackendUnavailable
from bots.telegram import facade, texts

logger = logging.getLogger(__name__)


def make_router() -> Router:
    router = Router(name="errors")
    router.errors.register(on_error)
    return router


async def on_error(event: ErrorEvent, user=None) -> bool:
    error = event.exception
    message = event.update.message or (event.update.callback_query.message if event.update.callback_query else None)
    if isinstance(error, TelegramForbiddenError) and "blocked" in error.message:
        chat = event.update.message.chat if event.update.message else None
        sender = event.update.callback_query.from_user if event.update.callback_query else None
        telegram_id = chat.id if chat else (sender.id if sender else None)
        if telegram_id is not None:
            await facade.mark_blocked(telegram_id)  # nobody to answer: the user blocked the bot meanwhile
        return True
    if isinstance(error, BackendUnavailable):
        reply = texts.busy(user)
    elif isinstance(error, ApplicationError):
        with translation.override(user.language if user else "ru"):
            reply = str(error.message)  # services raise lazy texts: rendered in the user's language
    else:
        logger.exception("handler failed on update %s", event.update.update_id, exc_info=error)
        reply = texts.failure(user)
    callback = event.update.callback_query
    if callback is not None:  # a button: the answer closes its spinner too
        with contextlib.suppress(TelegramAPIError):  # an old button's query may have expired
            await callback.answer(reply[:200], show_alert=True)
            return True
    if message is not None:
        await message.answer(reply)
    return True
