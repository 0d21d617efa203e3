"""Everything else: groups and channels get one polite line; stickers and media a short friendly one."""

from aiogram import F, Router
from aiogram.types import Message

from bots.telegram import texts


def make_router() -> Router:
    router = Router(name="other")
    router.message.register(on_group, F.chat.type != "private")
    return router


async def on_group(message: Message) -> None:
    language = (message.from_user.language_code or "ru")[:2] if message.from_user else "ru"
    await message.answer(texts.private_only("en" if language == "en" else "ru"))
