"""Building the bot and its dispatcher: models are loaded once here and injected into handlers."""

import asyncio
import logging

from aiogram import Bot, Dispatcher
from aiogram.client.default import DefaultBotProperties
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.client.session.middlewares.base import BaseRequestMiddleware
from aiogram.client.telegram import TelegramAPIServer
from aiogram.enums import ParseMode
from aiogram.exceptions import TelegramRetryAfter, TelegramServerError
from aiogram.fsm.storage.base import BaseStorage
from aiogram.fsm.storage.memory import MemoryStorage
from django.conf import settings

from apps.inference.types import Embedder, TextGenerator, Transcriber
from bots.telegram.handlers import chat, commands, errors, library, media, other, start, voice
from bots.telegram.middlewares import ConsentGateMiddleware, UpdateGuardMiddleware, UserMiddleware

logger = logging.getLogger(__name__)
MAX_API_ATTEMPTS = 4


class RetryMiddleware(BaseRequestMiddleware):
    """aiogram does not retry: wait Telegram's retry_after on 429, back off on 5xx."""

    async def __call__(self, make_request, bot, method):
        for attempt in range(1, MAX_API_ATTEMPTS + 1):
            try:
                return await make_request(bot, method)
            except TelegramRetryAfter as error:
                if attempt == MAX_API_ATTEMPTS:
                    raise
                await asyncio.sleep(error.retry_after)
            except TelegramServerError:
                if attempt == MAX_API_ATTEMPTS:
                    raise
                await asyncio.sleep(0.5 * 2 ** (attempt - 1))
        return None


def build_bot(token: str, *, api_url: str = "") -> Bot:
    session = AiohttpSession(api=TelegramAPIServer.from_base(api_url)) if api_url else AiohttpSession()
    session.middleware(RetryMiddleware())
    return Bot(token=token, session=session, default=DefaultBotProperties(parse_mode=ParseMode.HTML))


def build_storage() -> BaseStorage:
    if settings.REDIS_URL:
        from aiogram.fsm.storage.redis import RedisStorage

        return RedisStorage.from_url(settings.REDIS_URL)
    return MemoryStorage()


COMMANDS = ("menu", "new", "memory", "language", "help")


async def set_commands(bot: Bot) -> None:
    """The command menu in Telegram, in Russian and English."""
    from aiogram.types import BotCommand
    from django.utils import translation
    from django.utils.translation import gettext as _

    for language in ("ru", "en"):
        with translation.override(language):
            descriptions = {
                "menu": _("Choose who to talk to"),
                "new": _("Start the conversation afresh"),
                "memory": _("What I remember about you"),
                "language": _("Language"),
                "help": _("Help"),
            }
        commands = [BotCommand(command=name, description=descriptions[name]) for name in COMMANDS]
        await bot.set_my_commands(commands, language_code=language)


def build_dispatcher(
    *,
    generator: TextGenerator,
    embedder: Embedder | None,
    transcriber: Transcriber | None = None,
    storage: BaseStorage | None = None,
) -> Dispatcher:
    dispatcher = Dispatcher(
        storage=storage or MemoryStorage(), generator=generator, embedder=embedder, transcriber=transcriber
    )
    dispatcher.startup.register(set_commands)
    dispatcher.update.outer_middleware(UpdateGuardMiddleware())
    for observer in (dispatcher.message, dispatcher.callback_query):  # my_chat_member passes without a user view
        observer.outer_middleware(UserMiddleware())
        observer.middleware(ConsentGateMiddleware())
    # Fresh routers per dispatcher: aiogram attaches a router to one parent only.
    dispatcher.include_routers(
        *(module.make_router() for module in (errors, other, start, commands, library, voice, media, chat))
    )
    return dispatcher
