"""/start, the consent step and the main menu."""

from aiogram import F, Router
from aiogram.filters import Command, CommandStart
from aiogram.types import CallbackQuery, Message

from bots.telegram import facade, texts
from bots.telegram.callbacks import ChannelCheck, ConsentAccept
from bots.telegram.channel import ChannelGate
from bots.telegram.facade import UserView
from bots.telegram.keyboards import consent_keyboard, modules_keyboard


def make_router() -> Router:
    router = Router(name="start")
    router.message.filter(F.chat.type == "private")
    router.message.register(on_start, CommandStart())
    router.callback_query.register(on_consent, ConsentAccept.filter())
    router.message.register(on_menu, Command("menu"))
    router.callback_query.register(on_channel_check, ChannelCheck.filter())
    return router


async def on_start(message: Message, user: UserView) -> None:
    if not user.consented:
        await message.answer(texts.consent_prompt(user), reply_markup=consent_keyboard(user))
        return
    await send_menu(message, user)


async def on_consent(
    callback: CallbackQuery, callback_data: ConsentAccept, user: UserView, channel_gate: ChannelGate | None
) -> None:
    ids = [int(part) for part in callback_data.documents.split(",") if part.isdigit()]
    user = await facade.accept_documents(user_id=user.id, document_ids=ids)
    await callback.answer()
    if not user.consented:  # a newer version was published meanwhile: show it
        await callback.message.answer(texts.consent_prompt(user), reply_markup=consent_keyboard(user))
        return
    await callback.message.edit_reply_markup(reply_markup=None)
    if channel_gate is not None and not await channel_gate.admits(callback.bot, user):
        text, markup = await channel_gate.prompt(callback.bot, user)
        await callback.message.answer(text, reply_markup=markup)
        return
    await send_menu(callback.message, user)


async def on_channel_check(callback: CallbackQuery, user: UserView, channel_gate: ChannelGate | None) -> None:
    """The "I have subscribed" button: checked with Telegram right away, then the menu."""
    if channel_gate is not None and not await channel_gate.admits(callback.bot, user, fresh=True):
        await callback.answer(texts.channel_not_yet(user), show_alert=True)
        return
    await callback.answer()
    await callback.message.edit_reply_markup(reply_markup=None)
    await send_menu(callback.message, user)


async def on_menu(message: Message, user: UserView) -> None:
    await send_menu(message, user)


async def send_menu(message: Message, user: UserView) -> None:
    modules = await facade.modules_for(user.viewer)
    await message.answer(texts.menu_title(user), reply_markup=modules_keyboard(modules))
