"""/help, /new, /memory, /language and the buttons under replies (/privacy has its own router)."""

from aiogram import F, Router
from aiogram.filters import Command
from aiogram.types import CallbackQuery, InlineKeyboardButton, InlineKeyboardMarkup, Message

from bots.telegram import facade, texts
from bots.telegram.callbacks import LanguageSet, MemoryAction, ReplyRate
from bots.telegram.facade import UserView
from bots.telegram.handlers.start import send_menu
from bots.telegram.replies import html_pieces

MEMORY_SHOWN = 20  # facts listed with a delete button each; Telegram keyboards stay usable at this size


def make_router() -> Router:
    router = Router(name="commands")
    router.message.filter(F.chat.type == "private")
    router.message.register(on_help, Command("help"))
    router.message.register(on_new, Command("new"))
    router.message.register(on_persona, Command("persona"))
    router.message.register(on_memory, Command("memory"))
    router.message.register(on_language, Command("language"))
    router.callback_query.register(on_memory_action, MemoryAction.filter())
    router.callback_query.register(on_language_set, LanguageSet.filter())
    router.callback_query.register(on_rate, ReplyRate.filter())
    return router


async def on_help(message: Message, user: UserView) -> None:
    await message.answer(texts.help_text(user))


async def on_persona(message: Message, user: UserView) -> None:
    await send_menu(message, user)


async def on_new(message: Message, user: UserView) -> None:
    start = await facade.fresh_dialogue(user.id)
    await message.answer(texts.new_dialogue(user))
    for piece in html_pieces(start.greeting):
        await message.answer(piece)


async def on_memory(message: Message, user: UserView) -> None:
    facts = await facade.memory_list(user.id)
    if not facts:
        await message.answer(texts.memory_empty(user))
        return
    shown = facts[:MEMORY_SHOWN]
    lines = "\n".join(f"{number}. {fact.text}" for number, fact in enumerate(shown, start=1))
    rows = [
        [InlineKeyboardButton(text=f"🗑 {number}", callback_data=MemoryAction(action="delete", fact=fact.id).pack())]
        for number, fact in enumerate(shown, start=1)
    ]
    rows.append(
        [InlineKeyboardButton(text=texts.memory_clear_button(user), callback_data=MemoryAction(action="clear").pack())]
    )
    for piece in html_pieces(f"{texts.memory_title(user)}\n\n{lines}"):
        await message.answer(piece, reply_markup=InlineKeyboardMarkup(inline_keyboard=rows))


async def on_memory_action(callback: CallbackQuery, callback_data: MemoryAction, user: UserView) -> None:
    if callback_data.action == "clear":
        await facade.memory_forget_all(user.id)
    else:
        await facade.memory_delete(user.id, callback_data.fact)
    await callback.answer(texts.memory_forgotten(user))


async def on_language(message: Message, user: UserView) -> None:
    keyboard = InlineKeyboardMarkup(
        inline_keyboard=[
            [
                InlineKeyboardButton(text="Русский", callback_data=LanguageSet(code="ru").pack()),
                InlineKeyboardButton(text="English", callback_data=LanguageSet(code="en").pack()),
            ]
        ]
    )
    await message.answer(texts.language_prompt(user), reply_markup=keyboard)


async def on_language_set(callback: CallbackQuery, callback_data: LanguageSet, user: UserView) -> None:
    await facade.set_language(user.id, callback_data.code)
    await callback.answer()
    await callback.message.answer(texts.language_changed(callback_data.code))


async def on_rate(callback: CallbackQuery, callback_data: ReplyRate, user: UserView) -> None:
    await facade.rate_reply(user.id, callback_data.message, callback_data.value)
    await callback.answer(texts.thanks(user))
