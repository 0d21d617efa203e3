"""/feedback: free text to the team, listed in the admin. `/feedback text` sends at once; `/feedback` asks.
Someone who writes to the team is asked once whether the team may contact them for an interview."""

from aiogram import F, Router
from aiogram.dispatcher.event.bases import SkipHandler
from aiogram.filters import Command, CommandObject, StateFilter
from aiogram.fsm.context import FSMContext
from aiogram.types import Message

from bots.telegram import facade, growth_facade, growth_texts, texts
from bots.telegram.facade import UserView
from bots.telegram.keyboards import interview_keyboard
from bots.telegram.states import FeedbackStates


def make_router() -> Router:
    router = Router(name="feedback")
    router.message.filter(F.chat.type == "private")
    router.message.register(on_feedback, Command("feedback"))
    waiting = StateFilter(FeedbackStates.waiting_for_text)
    router.message.register(on_other_command, waiting, F.text.startswith("/") & ~F.text.startswith("/cancel"))
    router.message.register(on_feedback_text, waiting, F.text & ~F.text.startswith("/"))
    router.message.register(on_feedback_other, waiting, ~F.text & ~F.successful_payment)  # money is always honoured
    return router


async def on_feedback(message: Message, command: CommandObject, user: UserView, state: FSMContext) -> None:
    if command.args and command.args.strip():
        await _send(message, user, command.args)
        return
    await state.set_state(FeedbackStates.waiting_for_text)
    await message.answer(texts.feedback_prompt(user))


async def on_other_command(message: Message, state: FSMContext) -> None:
    """Another command means the user moved on: stop waiting and let that command's handler answer."""
    await state.clear()
    raise SkipHandler


async def on_feedback_text(message: Message, user: UserView, state: FSMContext) -> None:
    await state.clear()
    await _send(message, user, message.text)


async def on_feedback_other(message: Message, user: UserView) -> None:
    await message.answer(texts.feedback_text_only(user))


async def _send(message: Message, user: UserView, text: str) -> None:
    await facade.send_feedback(user.id, text)
    if await growth_facade.interview_not_asked(user.id):
        question = f"{texts.feedback_thanks(user)}\n\n{growth_texts.interview_question(user)}"
        await message.answer(question, reply_markup=interview_keyboard(user))
        return
    await message.answer(texts.feedback_thanks(user))
