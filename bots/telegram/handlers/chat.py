"""Talking with the persona: text goes through the same pipeline as the admin playground."""

from aiogram import F, Router
from aiogram.types import InlineKeyboardButton, InlineKeyboardMarkup, Message
from aiogram.utils.chat_action import ChatActionSender

from apps.conversations.services import reply_compose
from apps.core.exceptions import NotFound
from apps.inference.types import Embedder, TextGenerator
from bots.telegram.callbacks import ReplyRate
from bots.telegram.facade import UserView
from bots.telegram.handlers.start import send_menu
from bots.telegram.replies import html_pieces


def make_router() -> Router:
    router = Router(name="chat")
    router.message.filter(F.chat.type == "private")
    router.message.register(on_text, F.text & ~F.text.startswith("/"))
    return router


async def on_text(message: Message, user: UserView, generator: TextGenerator, embedder: Embedder | None) -> None:
    await answer(message, user, message.text, generator=generator, embedder=embedder)


async def answer(
    message: Message,
    user: UserView,
    text: str,
    *,
    generator: TextGenerator,
    embedder: Embedder | None,
    from_voice: bool = False,
) -> None:
    """One turn: the persona's reply to `text` (typed or transcribed), with rating buttons."""
    try:
        async with ChatActionSender.typing(bot=message.bot, chat_id=message.chat.id):
            result = await reply_compose(
                user_id=user.id,
                text=text,
                generator=generator,
                embedder=embedder,
                viewer=user.viewer,
                from_voice=from_voice,
            )
    except NotFound as error:
        if error.code != "no_active_dialogue":
            raise
        await send_menu(message, user)  # nobody chosen yet: offer the menu instead of an error
        return
    pieces = html_pieces(result.text)
    for number, piece in enumerate(pieces, start=1):
        markup = rating_keyboard(result.reply_message_id) if number == len(pieces) and not result.safety else None
        await message.answer(piece, reply_markup=markup)


def rating_keyboard(message_id: int) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        inline_keyboard=[
            [
                InlineKeyboardButton(text="👍", callback_data=ReplyRate(message=message_id, value=1).pack()),
                InlineKeyboardButton(text="👎", callback_data=ReplyRate(message=message_id, value=-1).pack()),
            ]
        ]
    )
