"""What the bot cannot read yet gets a short friendly line; edits a note; a blocked bot marks the user inactive."""

from aiogram import F, Router
from aiogram.types import ChatMemberUpdated, Message
from django.core.cache import cache

from bots.telegram import facade, texts
from bots.telegram.facade import UserView

EDIT_NOTICE_KEY = "bot:edit-notice:{user_id}"
EDIT_NOTICE_EVERY_S = 24 * 3600


def make_router() -> Router:
    router = Router(name="media")
    router.message.filter(F.chat.type == "private")
    router.message.register(on_unreadable, F.sticker | F.photo | F.document | F.location | F.contact | F.video)
    router.my_chat_member.register(on_membership, F.chat.type == "private")
    router.edited_message.register(on_edited, F.chat.type == "private")
    return router


async def on_unreadable(message: Message, user: UserView) -> None:
    await message.answer(texts.cannot_read(user))


async def on_edited(message: Message, user: UserView) -> None:
    """Replies answer what was sent; an edit gets one short note a day, so fixing typos does not spam."""
    if await cache.aadd(EDIT_NOTICE_KEY.format(user_id=user.id), 1, timeout=EDIT_NOTICE_EVERY_S):
        await message.answer(texts.edited_noticed(user))


async def on_membership(event: ChatMemberUpdated) -> None:
    if event.new_chat_member.status == "kicked":
        await facade.mark_blocked(event.from_user.id)
