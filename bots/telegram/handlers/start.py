"""/start, the consent step and the main menu."""

from aiogram import F, Router
from aiogram.filters import Command, CommandStart
from aiogram.types import CallbackQuery, Message

from bots.telegram import facade, texts
from bots.telegram.callbacks import ConsentAccept
from bots.telegram.facade import UserView
from bots.telegram.keyboards import consent_keyboard, modules_keyboard


def make_router() -> Router:
    router = Router(name="start")
    router.message.filter(F.chat.type == "private")
    router.message.register(on_start, CommandStart())
    router.callback_query.register(on_consent, ConsentAccept.filter())
    router.message.register(on_menu, Command("menu"))
    return router


async def on_start(message: Message, user: UserView) -> None:
    if not user.consented:
        await message.answer(texts.consent_prompt(user), reply_markup=consent_keyboard(user))
        return
    await send_menu(message, user)


async def on_consent(callback: CallbackQuery, callback_data: ConsentAccept, user: UserView) -> None:
    ids = [int(part) for part in callback_data.documents.split(",") if part.isdigit()]
    user = await facade.accept_documents(user_id=user.id, document_ids=ids)
    await callback.answer()
    if not user.consented:  # a newer version was published meanwhile: show it
        await callback.message.answer(texts.consent_prompt(user), reply_markup=consent_keyboard(user))
        return
    await callback.message.edit_reply_markup(reply_markup=None)
    await send_menu(callback.message, user)


async def on_menu(message: Message, user: UserView) -> None:
    await send_menu(message, user)


async def send_menu(message: Message, user: UserView) -> None:
    modules = await facade.modules_for(user.viewer)
    await message.answer(texts.menu_title(user), reply_markup=modules_keyboard(modules))
