"""Surveys the worker sent (a 0–10 score, then the follow-up question's free answer) and the interview question.

The score's buttons come from apps.growth.services.surveys; the answer is the next text message, unless it is
a command (/cancel skips it)."""

import contextlib

from aiogram import F, Router
from aiogram.exceptions import TelegramAPIError
from aiogram.filters import StateFilter
from aiogram.fsm.context import FSMContext
from aiogram.types import CallbackQuery, InaccessibleMessage, Message

from bots.telegram import growth_facade, growth_texts, texts
from bots.telegram.callbacks import InterviewAnswer, SurveyScore
from bots.telegram.facade import UserView
from bots.telegram.handlers.feedback import on_other_command
from bots.telegram.keyboards import interview_keyboard
from bots.telegram.states import SurveyStates


def make_router() -> Router:
    router = Router(name="survey")
    router.message.filter(F.chat.type == "private")
    router.callback_query.register(on_score, SurveyScore.filter())
    router.callback_query.register(on_interview, InterviewAnswer.filter())
    waiting = StateFilter(SurveyStates.waiting_for_answer)
    router.message.register(on_other_command, waiting, F.text.startswith("/") & ~F.text.startswith("/cancel"))
    router.message.register(on_answer_text, waiting, F.text & ~F.text.startswith("/"))
    router.message.register(on_answer_other, waiting, ~F.text & ~F.successful_payment)  # money is always honoured
    return router


async def on_score(callback: CallbackQuery, callback_data: SurveyScore, user: UserView, state: FSMContext) -> None:
    outcome = await growth_facade.survey_score(user.id, callback_data.survey, callback_data.score, user.language)
    if not outcome.stored:
        await callback.answer(growth_texts.survey_already_scored(user))
        return
    await callback.answer(texts.thanks(user))
    await _drop_buttons(callback)
    await state.set_state(SurveyStates.waiting_for_answer)
    await state.update_data(survey_id=callback_data.survey)
    await callback.bot.send_message(user.telegram_id, growth_texts.survey_follow_up(user, outcome.follow_up))


async def on_answer_text(message: Message, user: UserView, state: FSMContext) -> None:
    survey_id = (await state.get_data()).get("survey_id")
    if survey_id is None:  # state left without its data (storage lost it): nothing to attach the answer to
        await state.clear()
        return
    ask_interview = await growth_facade.survey_answer(user.id, survey_id, message.text)
    await state.clear()  # only once stored: a refused answer (too long) may be sent again
    if ask_interview:
        text = f"{growth_texts.survey_answer_thanks(user)}\n\n{growth_texts.interview_question(user)}"
        await message.answer(text, reply_markup=interview_keyboard(user))
        return
    await message.answer(growth_texts.survey_answer_thanks(user))


async def on_answer_other(message: Message, user: UserView) -> None:
    await message.answer(growth_texts.survey_text_only(user))


async def on_interview(callback: CallbackQuery, callback_data: InterviewAnswer, user: UserView) -> None:
    agreed = bool(callback_data.agreed)
    await growth_facade.interview_answer(user.id, agreed)
    await callback.answer()
    await _drop_buttons(callback)
    reply = growth_texts.interview_agreed(user) if agreed else growth_texts.interview_declined(user)
    await callback.bot.send_message(user.telegram_id, reply)


async def _drop_buttons(callback: CallbackQuery) -> None:
    """The question is answered: its buttons go (an old message may no longer be editable)."""
    if callback.message is None or isinstance(callback.message, InaccessibleMessage):
        return
    with contextlib.suppress(TelegramAPIError):
        await callback.message.edit_reply_markup(reply_markup=None)
