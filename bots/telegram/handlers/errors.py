"""One place where failures become a friendly, translated reply; the polling loop never dies."""

import logging

from aiogram import Router
from aiogram.types import ErrorEvent

from apps.core.exceptions import ApplicationError
from apps.inference.exceptions import BackendUnavailable
from bots.telegram import texts

logger = logging.getLogger(__name__)


def make_router() -> Router:
    router = Router(name="errors")
    router.errors.register(on_error)
    return router


async def on_error(event: ErrorEvent, user=None) -> bool:
    error = event.exception
    message = event.update.message or (event.update.callback_query.message if event.update.callback_query else None)
    if isinstance(error, BackendUnavailable):
        reply = texts.busy(user)
    elif isinstance(error, ApplicationError):
        reply = str(error.message)
    else:
        logger.exception("handler failed on update %s", event.update.update_id, exc_info=error)
        reply = texts.failure(user)
    if message is not None:
        await message.answer(reply)
    return True
