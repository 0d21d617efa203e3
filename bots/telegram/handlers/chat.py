"""Talking with the persona: text goes through the same pipeline as the admin playground.

One turn in flight per user: a message sent while the persona is still writing joins that turn.
"""

import contextlib

from aiogram import F, Router
from aiogram.exceptions import TelegramAPIError
from aiogram.filters import Command
from aiogram.fsm.context import FSMContext
from aiogram.types import CallbackQuery, InaccessibleMessage, InlineKeyboardButton, InlineKeyboardMarkup, Message
from aiogram.utils.chat_action import ChatActionSender
from django.utils import translation

from apps.conversations.services import ReplyResult, reply_compose, reply_regenerate
from apps.conversations.turns import TurnBoard, TurnCancelled
from apps.core.exceptions import LimitExceeded, NotFound
from apps.inference.capacity import CapacityGate
from apps.inference.types import Embedder, TextGenerator
from bots.telegram import facade, limits_texts, texts
from bots.telegram.abuse import FLAG, TEXT
from bots.telegram.callbacks import ReplyAgain, ReplyRate
from bots.telegram.facade import UserView
from bots.telegram.handlers.billing import send_paywall
from bots.telegram.handlers.start import send_menu
from bots.telegram.photos import send_photo_if_fits
from bots.telegram.replies import html_pieces


def make_router() -> Router:
    router = Router(name="chat")
    router.message.filter(F.chat.type == "private")
    router.message.register(on_cancel, Command("cancel"))
    router.message.register(on_text, F.text & ~F.text.startswith("/"), flags={FLAG: TEXT})
    router.callback_query.register(on_again, ReplyAgain.filter())
    return router


async def on_text(
    message: Message,
    user: UserView,
    generator: TextGenerator,
    embedder: Embedder | None,
    turns: TurnBoard,
    capacity: CapacityGate | None = None,
) -> None:
    await answer(message, user, message.text, generator=generator, embedder=embedder, turns=turns, capacity=capacity)


async def answer(
    message: Message,
    user: UserView,
    text: str,
    *,
    generator: TextGenerator,
    embedder: Embedder | None,
    turns: TurnBoard,
    capacity: CapacityGate | None = None,
    from_voice: bool = False,
) -> None:
    """One turn: the persona's reply to `text` (typed or transcribed), with rating buttons. While the model is
    saturated the stored message waits for it under the typing indicator (the user is told when it is long)."""
    if turns.join(user.id, text):
        return  # the reply being written now answers this message too
    if capacity is not None:
        generator = capacity.for_turn(on_long_wait=lambda: message.answer(limits_texts.overload_waiting(user)))
    with turns.open(user.id) as inbox:
        while text:
            try:
                async with ChatActionSender.typing(bot=message.bot, chat_id=message.chat.id):
                    result = await reply_compose(
                        user_id=user.id,
                        text=text,
                        generator=generator,
                        embedder=embedder,
                        viewer=user.viewer,
                        from_voice=from_voice,
                        inbox=inbox,
                    )
            except TurnCancelled:
                return  # /cancel has answered
            except LimitExceeded as error:
                if error.code != "message_quota":
                    raise
                await facade.paywall_shown(user.id, "message_quota")
                with translation.override(user.language):
                    lead = str(error.message)
                await send_paywall(message, user, lead=lead)
                return
            except NotFound as error:
                if error.code != "no_active_dialogue":
                    raise
                await send_menu(message, user)  # nobody chosen yet: offer the menu instead of an error
                return
            await send_reply(message, user, result)
            await send_photo_if_fits(message, user, result, embedder=embedder)
            # Whatever arrived while the reply was stored or sent is the next turn.
            text, from_voice = "\n".join(inbox.take()), False


async def send_reply(message: Message, user: UserView, result: ReplyResult) -> None:
    """The reply, split for Telegram; rating and "another answer" buttons under its last piece (none under
    safety replies, which are not the persona's words)."""
    pieces = html_pieces(result.text)
    for number, piece in enumerate(pieces, start=1):
        last = number == len(pieces) and not result.safety
        await message.answer(piece, reply_markup=reply_keyboard(user, result.reply_message_id) if last else None)


async def on_cancel(message: Message, user: UserView, turns: TurnBoard, state: FSMContext) -> None:
    waiting_for = await state.get_state()
    await state.clear()
    if turns.cancel(user.id):
        await message.answer(texts.turn_cancelled(user))
    elif waiting_for:
        await message.answer(texts.cancelled(user))
    else:
        await message.answer(texts.nothing_to_cancel(user))


async def on_again(
    callback: CallbackQuery,
    callback_data: ReplyAgain,
    user: UserView,
    generator: TextGenerator,
    embedder: Embedder | None,
    turns: TurnBoard,
) -> None:
    """The "another answer" button: the latest reply, written anew; the old message loses its buttons."""
    if turns.busy(user.id):
        await callback.answer(texts.still_writing(user))
        return
    message = callback.message
    with turns.open(user.id):
        async with ChatActionSender.typing(bot=callback.bot, chat_id=message.chat.id):
            result = await reply_regenerate(
                user_id=user.id,
                message_id=callback_data.message,
                generator=generator,
                embedder=embedder,
                viewer=user.viewer,
            )
    # Answered only now: an old button fails fast in the service and the error router shows why in an alert.
    with contextlib.suppress(TelegramAPIError):  # a very slow reply outlives the query
        await callback.answer()
    if not isinstance(message, InaccessibleMessage):
        await message.edit_reply_markup(reply_markup=None)
    await send_reply(message, user, result)


def reply_keyboard(user: UserView, message_id: int) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        inline_keyboard=[
            [
                InlineKeyboardButton(text="👍", callback_data=ReplyRate(message=message_id, value=1).pack()),
                InlineKeyboardButton(text="👎", callback_data=ReplyRate(message=message_id, value=-1).pack()),
            ],
            [
                InlineKeyboardButton(
                    text=texts.another_answer(user), callback_data=ReplyAgain(message=message_id).pack()
                )
            ],
        ]
    )
