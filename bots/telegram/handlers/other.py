"""Groups and channels: one polite line per chat, then silence (the bot talks in private chats only)."""

from aiogram import F, Router
from aiogram.types import Message
from django.core.cache import cache

from bots.telegram import texts
from bots.telegram.channel import ChannelGate

NOTICE_KEY = "bot:private-only-notice:{chat_id}"


def make_router() -> Router:
    router = Router(name="other")
    router.message.register(on_group, F.chat.type != "private")
    router.channel_post.register(on_channel_post)
    return router


async def on_group(message: Message) -> None:
    language = (message.from_user.language_code or "ru")[:2] if message.from_user else "ru"
    await _notice_once(message, "en" if language == "en" else "ru")


async def on_channel_post(message: Message, channel_gate: ChannelGate | None) -> None:
    if channel_gate is not None and channel_gate.is_channel(message.chat):
        return  # the project's own info channel, where the bot is an admin: never write there
    await _notice_once(message, "ru")


async def _notice_once(message: Message, language: str) -> None:
    if await cache.aadd(NOTICE_KEY.format(chat_id=message.chat.id), 1, timeout=None):
        await message.answer(texts.private_only(language))
