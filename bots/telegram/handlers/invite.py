"""/invite: the personal referral link, the reward, how many friends came, and a button to share it."""

from aiogram import F, Router
from aiogram.filters import Command
from aiogram.types import InlineKeyboardButton, InlineKeyboardMarkup, Message

from bots.telegram import growth_facade, growth_texts
from bots.telegram.facade import UserView


def make_router() -> Router:
    router = Router(name="invite")
    router.message.filter(F.chat.type == "private")
    router.message.register(on_invite, Command("invite"))
    return router


async def on_invite(message: Message, user: UserView) -> None:
    invite = await growth_facade.invite(user.id)
    share = InlineKeyboardButton(
        text=growth_texts.invite_share_button(user), url=growth_texts.invite_share_url(user, invite)
    )
    await message.answer(
        growth_texts.invite_text(user, invite),
        reply_markup=InlineKeyboardMarkup(inline_keyboard=[[share]]),
    )
