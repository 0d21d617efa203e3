"""/privacy: the consents the user gave, a copy of their data as a file, and erasing it after two questions."""

import contextlib

from aiogram import F, Router
from aiogram.exceptions import TelegramBadRequest
from aiogram.filters import Command
from aiogram.fsm.context import FSMContext
from aiogram.types import BufferedInputFile, CallbackQuery, InlineKeyboardButton, InlineKeyboardMarkup, Message

from apps.core.exceptions import LimitExceeded
from bots.telegram import facade, privacy_facade, privacy_texts, texts
from bots.telegram.callbacks import PrivacyAction
from bots.telegram.facade import UserView


def make_router() -> Router:
    router = Router(name="privacy")
    router.message.filter(F.chat.type == "private")
    router.message.register(on_privacy, Command("privacy"))
    router.callback_query.register(on_privacy_action, PrivacyAction.filter())
    return router


async def on_privacy(message: Message, user: UserView) -> None:
    consents = await facade.consents_of(user.id)
    rows = [
        [_button(privacy_texts.export_button(user), "export", user)],
        [_button(privacy_texts.erase_button(user), "erase", user)],
    ]
    await message.answer(texts.privacy_status(user, consents), reply_markup=InlineKeyboardMarkup(inline_keyboard=rows))


async def on_privacy_action(
    callback: CallbackQuery, callback_data: PrivacyAction, user: UserView, state: FSMContext
) -> None:
    if callback_data.user != user.id:  # another account's button, or one from before an erasure
        await callback.answer(privacy_texts.button_not_yours(user), show_alert=True)
        return
    step = STEPS.get(callback_data.action)
    if step is None or callback.message is None:
        await callback.answer()
        return
    await step(callback, user, state)


async def _export(callback: CallbackQuery, user: UserView, state: FSMContext) -> None:
    await callback.answer()
    try:
        file = await privacy_facade.export(user.id)
    except LimitExceeded:
        await callback.message.answer(privacy_texts.export_too_soon(user))
        return
    document = BufferedInputFile(file.content, filename=file.name)
    await callback.message.answer_document(document, caption=privacy_texts.export_caption(user))


async def _erase_asked(callback: CallbackQuery, user: UserView, state: FSMContext) -> None:
    preview = await privacy_facade.erasure_preview(user.id)
    await callback.answer()
    keyboard = _choice(privacy_texts.continue_button(user), "erase_sure", user)
    await callback.message.answer(privacy_texts.erase_first_question(user, preview), reply_markup=keyboard)


async def _erase_confirmed_once(callback: CallbackQuery, user: UserView, state: FSMContext) -> None:
    await callback.answer()
    keyboard = _choice(privacy_texts.erase_now_button(user), "erase_now", user)
    await callback.message.edit_text(privacy_texts.erase_second_question(user), reply_markup=keyboard)


async def _erase_now(callback: CallbackQuery, user: UserView, state: FSMContext) -> None:
    await callback.answer()
    await privacy_facade.erase(user.id)
    await state.clear()  # nothing half-done (a feedback prompt, say) outlives the person's data
    with contextlib.suppress(TelegramBadRequest):  # the question may be gone already; the goodbye still goes
        await callback.message.edit_reply_markup(reply_markup=None)
    await callback.message.answer(privacy_texts.goodbye(user))


async def _cancelled(callback: CallbackQuery, user: UserView, state: FSMContext) -> None:
    await callback.answer()
    await callback.message.edit_text(privacy_texts.erase_cancelled(user))


STEPS = {
    "export": _export,
    "erase": _erase_asked,
    "erase_sure": _erase_confirmed_once,
    "erase_now": _erase_now,
    "cancel": _cancelled,
}


def _button(text: str, action: str, user: UserView) -> InlineKeyboardButton:
    return InlineKeyboardButton(text=text, callback_data=PrivacyAction(action=action, user=user.id).pack())


def _choice(go_text: str, go_action: str, user: UserView) -> InlineKeyboardMarkup:
    """Going on, or stopping: every step of erasure can be cancelled."""
    cancel = _button(privacy_texts.cancel_button(user), "cancel", user)
    return InlineKeyboardMarkup(inline_keyboard=[[_button(go_text, go_action, user)], [cancel]])
