"""Conversation states of the bot (kept in Redis when REDIS_URL is set)."""

from aiogram.fsm.state import State, StatesGroup


class FeedbackStates(StatesGroup):
    waiting_for_text = State()


class SurveyStates(StatesGroup):
    waiting_for_answer = State()  # after a score: the follow-up question's free answer
