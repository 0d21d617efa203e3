"""What the bot cannot read yet gets a short friendly line; a blocked bot marks the user inactive."""

from aiogram import F, Router
from aiogram.types import ChatMemberUpdated, Message

from bots.telegram import facade, texts
from bots.telegram.facade import UserView


def make_router() -> Router:
    router = Router(name="media")
    router.message.filter(F.chat.type == "private")
    router.message.register(on_unreadable, F.sticker | F.photo | F.document | F.location | F.contact | F.video)
    router.my_chat_member.register(on_membership, F.chat.type == "private")
    return router


async def on_unreadable(message: Message, user: UserView) -> None:
    await message.answer(texts.cannot_read(user))


async def on_membership(event: ChatMemberUpdated) -> None:
    if event.new_chat_member.status == "kicked":
        await facade.mark_blocked(event.from_user.id)
