"""Modules and the persona library as cards."""

from dataclasses import replace
from html import escape

from aiogram import Router
from aiogram.types import (
    BufferedInputFile,
    CallbackQuery,
    InaccessibleMessage,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    InputMediaPhoto,
)

from apps.personas.presentation import CardAction as Action
from apps.personas.presentation import lock_reason_text, persona_about_text, persona_card_presentation
from apps.personas.selectors import LockReason
from bots.telegram import facade, texts
from bots.telegram.callbacks import AgeAnswer, CardAction, ModuleOpen, SceneStart
from bots.telegram.facade import UserView
from bots.telegram.keyboards import age_keyboard, card_keyboard
from bots.telegram.replies import html_pieces

SINGLE_PERSONA_MODULES = {"support"}  # Support starts right away with its persona


def make_router() -> Router:
    router = Router(name="library")
    router.callback_query.register(on_module, ModuleOpen.filter())
    router.callback_query.register(on_card, CardAction.filter())
    router.callback_query.register(on_age, AgeAnswer.filter())
    router.callback_query.register(on_scene, SceneStart.filter())
    return router


async def on_module(callback: CallbackQuery, callback_data: ModuleOpen, user: UserView) -> None:
    await callback.answer()
    await facade.module_chosen(user.id, callback_data.code)
    page = await facade.persona_page(callback_data.code, user.viewer, 1)
    if not page.items:
        await callback.message.answer(texts.module_empty(user))
        return
    if callback_data.code in SINGLE_PERSONA_MODULES:
        await _start(callback, user, page.items[0].id, callback_data.code)
        return
    await _show_card(callback, user, callback_data.code, 1, edit=False)


async def on_card(callback: CallbackQuery, callback_data: CardAction, user: UserView) -> None:
    action, module = callback_data.action, callback_data.module
    if action in (Action.PREVIOUS, Action.NEXT):
        await callback.answer()
        step = -1 if action == Action.PREVIOUS else 1
        await _show_card(callback, user, module, callback_data.page + step, edit=True)
    elif action == Action.ABOUT:
        await callback.answer()
        card = await facade.persona_card(callback_data.persona, user.viewer, module)
        await callback.message.answer(persona_about_text(card, language=user.language))
    elif action in (Action.UNLOCK, Action.CHOOSE):
        card = await facade.persona_card(callback_data.persona, user.viewer, module)
        if card.lock == LockReason.AGE_CONFIRMATION_REQUIRED:
            await callback.answer()
            await callback.message.answer(texts.age_question(user), reply_markup=age_keyboard(user, module, card.id))
        elif card.lock:
            if card.lock == LockReason.PRO_REQUIRED:
                await facade.paywall_shown(user.id, "pro_persona")
            await callback.answer(texts.locked(user, lock_reason_text(card.lock)), show_alert=True)
        else:
            await callback.answer()
            await _start(callback, user, card.id, module)


async def on_age(callback: CallbackQuery, callback_data: AgeAnswer, user: UserView) -> None:
    """The explicit 18+ answer, stored with its time; then the card opens, or says what else it needs."""
    confirmed = bool(callback_data.adult)
    await facade.confirm_adult(user.id, confirmed)
    await callback.message.edit_reply_markup(reply_markup=None)
    if not confirmed:
        await callback.answer()
        await callback.message.answer(texts.age_declined(user))
        return
    user = replace(user, adult_confirmed=True)
    card = await facade.persona_card(callback_data.persona, user.viewer, callback_data.module)
    if card.lock:
        if card.lock == LockReason.PRO_REQUIRED:
            await facade.paywall_shown(user.id, "pro_persona")
        await callback.answer(texts.locked(user, lock_reason_text(card.lock)), show_alert=True)
        return
    await callback.answer()
    await _start(callback, user, card.id, callback_data.module)


async def on_scene(callback: CallbackQuery, callback_data: SceneStart, user: UserView) -> None:
    card = await facade.persona_card(callback_data.persona, user.viewer, callback_data.module)
    scene = next((scene for scene in card.scenarios if scene.id == callback_data.scenario), None)
    if scene is None or scene.lock:
        await callback.answer(texts.locked(user, lock_reason_text(scene.lock)) if scene else "", show_alert=True)
        return
    await callback.answer()
    start = await facade.start_dialogue(user.id, card.id, callback_data.module, scene.id)
    await callback.message.answer(f"<i>{escape(scene.situation)}</i>")
    for piece in html_pieces(start.greeting):
        await callback.message.answer(piece)


async def _start(callback: CallbackQuery, user: UserView, persona_id: int, module: str) -> None:
    start = await facade.start_dialogue(user.id, persona_id, module)
    for piece in html_pieces(start.greeting or "👋"):
        await callback.message.answer(piece)
    card = await facade.persona_card(persona_id, user.viewer, module)
    if card.scenarios:  # the persona's scenes, offered as buttons
        rows = [
            [
                InlineKeyboardButton(
                    text=("🔒 " if scene.lock else "🎬 ") + scene.title,
                    callback_data=SceneStart(module=module, persona=persona_id, scenario=scene.id).pack(),
                )
            ]
            for scene in card.scenarios
        ]
        await callback.message.answer(texts.scenes_offer(user), reply_markup=InlineKeyboardMarkup(inline_keyboard=rows))


async def _show_card(callback: CallbackQuery, user: UserView, module: str, page_number: int, *, edit: bool) -> None:
    page = await facade.persona_page(module, user.viewer, page_number if page_number >= 1 else 10**6)
    if not page.items:
        return
    if page_number > page.page_count:  # past the end: wrap around to the first card
        page = await facade.persona_page(module, user.viewer, 1)
    card = page.items[0]
    shown = persona_card_presentation(card, language=user.language, position=page.page, total=page.page_count)
    markup = card_keyboard(shown, module=module, page=page.page, persona_id=card.id)
    photo = BufferedInputFile(await facade.read_media_async(shown.image_name), "card.png") if shown.image_name else None
    message = callback.message
    if edit and photo is not None and not isinstance(message, InaccessibleMessage):
        await message.edit_media(InputMediaPhoto(media=photo, caption=shown.caption), reply_markup=markup)
    elif photo is not None:
        await message.answer_photo(photo, caption=shown.caption, reply_markup=markup)
    else:
        await message.answer(shown.caption, reply_markup=markup)
