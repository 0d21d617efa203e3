"""Building the bot and its dispatcher: models are loaded once here and injected into handlers."""

import asyncio
import logging
from typing import Any

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

from apps.conversations.turns import TurnBoard
from apps.inference.capacity import CapacityGate
from apps.inference.types import Embedder, TextGenerator, Transcriber
from bots.telegram.abuse import AbuseLimitsMiddleware
from bots.telegram.channel import ChannelGate
from bots.telegram.handlers import (
    billing,
    chat,
    commands,
    errors,
    feedback,
    invite,
    library,
    media,
    other,
    privacy,
    start,
    survey,
    voice,
)
from bots.telegram.middlewares import (
    ChannelGateMiddleware,
    ConsentGateMiddleware,
    UpdateGuardMiddleware,
    UserMiddleware,
)
from bots.telegram.throttling import MemoryRateLimiter, RateLimiter

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
    """FSM state in Redis when configured (any replica can take any update); an outage falls back to memory."""
    if settings.REDIS_URL:
        from aiogram.fsm.storage.redis import RedisStorage

        from bots.telegram.storage import REDIS_TIMEOUTS, FailOpenStorage

        return FailOpenStorage(RedisStorage.from_url(settings.REDIS_URL, connection_kwargs=REDIS_TIMEOUTS))
    return MemoryStorage()


COMMANDS = (
    "menu", "new", "cancel", "memory", "subscribe", "subscription", "invite", "privacy", "language", "feedback", "help",
)  # fmt: skip


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
                "cancel": _("Stop the answer being written"),
                "memory": _("What I remember about you"),
                "subscribe": _("PRO subscription"),
                "subscription": _("My subscription and auto-renew"),
                "invite": _("Invite friends"),
                "privacy": _("Your data and consents"),
                "language": _("Language"),
                "feedback": _("Write to the team"),
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
    required_channel: str | None = None,
    limiter: RateLimiter | None = None,
    capacity: CapacityGate | None = None,
) -> Dispatcher:
    """`required_channel` defaults to settings.REQUIRED_CHANNEL; "" turns the channel gate off. `limiter`
    defaults to one in this process (`throttling.build_rate_limiter()` picks Redis when configured)."""
    channel = settings.REQUIRED_CHANNEL if required_channel is None else required_channel
    gate = ChannelGate(channel) if channel else None
    dispatcher = Dispatcher(
        storage=storage or MemoryStorage(),
        generator=generator,
        embedder=embedder,
        transcriber=transcriber,
        turns=TurnBoard(),
        channel_gate=gate,
        capacity=capacity or CapacityGate.from_settings(generator),
    )
    dispatcher.startup.register(set_commands)
    dispatcher.update.outer_middleware(UpdateGuardMiddleware())
    # my_chat_member and channel posts pass without a user view
    for observer in (dispatcher.message, dispatcher.callback_query, dispatcher.edited_message):
        observer.outer_middleware(UserMiddleware())
        observer.middleware(ConsentGateMiddleware())
        if gate is not None:
            observer.middleware(ChannelGateMiddleware(gate))
    limiter = limiter or MemoryRateLimiter()
    dispatcher.message.middleware(AbuseLimitsMiddleware(limiter))  # after the gates, which answer their own way
    dispatcher.shutdown.register(limiter.close)
    # Fresh routers per dispatcher: aiogram attaches a router to one parent only.
    routers = (errors, other, start, feedback, survey, commands, privacy, billing, invite, library, voice, media, chat)
    dispatcher.include_routers(*(module.make_router() for module in routers))
    return dispatcher


async def run_polling(bot: Bot, dispatcher: Dispatcher, **polling: Any) -> None:
    # A webhook left by webhook mode makes getUpdates fail with 409; its queued updates are kept.
    await bot.delete_webhook(drop_pending_updates=False)
    await dispatcher.start_polling(bot, **polling)
