"""Surveys end to end: the worker sends one, the user scores it in the bot, answers in words, and is asked
about an interview; /feedback asks about the interview too (once)."""

from datetime import timedelta

import pytest
from asgiref.sync import sync_to_async
from django.utils import timezone

from apps.accounts.models import TelegramUser
from apps.growth.models import InterviewContact, Survey, SurveyResponse
from apps.growth.services.surveys import surveys_send_due
from tests.bots.telegram.steps import ANNA, buttons, eventually
from tests.factories import EventFactory
from tests.stubs.telegram_server import FakeTelegram

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


async def consented_in_english(telegram: FakeTelegram) -> None:
    telegram.user_sends("/start", user_id=ANNA, language_code="en")
    prompt = (await telegram.wait_for_messages(ANNA, 1))[-1]
    telegram.user_presses(buttons(prompt)[0], user_id=ANNA, message_id=prompt["message_id"])
    await telegram.wait_for_messages(ANNA, 2)


@pytest.fixture
async def surveyed(running_bot, settings) -> tuple[FakeTelegram, Survey, dict]:
    """Anna has used the bot for 10 days and the worker has just sent her the NPS survey."""
    settings.TELEGRAM_BOT_TOKEN, settings.TELEGRAM_API_URL = running_bot.token, running_bot.base_url
    await consented_in_english(running_bot)
    anna = await TelegramUser.objects.aget(telegram_id=ANNA)
    anna.acquired_at = timezone.now() - timedelta(days=10)
    await anna.asave()
    await sync_to_async(EventFactory)(user=anna, name="message_sent")
    survey = await Survey.objects.aget(title="NPS")
    survey.is_active = True
    await survey.asave()

    assert await sync_to_async(surveys_send_due)() == 1
    question = running_bot.messages_to(ANNA)[-1]
    return running_bot, survey, question


async def score(telegram: FakeTelegram, survey: Survey, question: dict, value: int, *, strict: bool = True) -> None:
    telegram.user_presses(f"survey:{survey.pk}:{value}", user_id=ANNA, message_id=question["message_id"], strict=strict)


async def test_score_then_answer_then_interview_consent(surveyed):
    telegram, survey, question = surveyed
    assert question["text"].startswith("How likely are you to recommend Sputnik to a friend?")

    await score(telegram, survey, question, 9)
    follow_up = (await telegram.wait_for_messages(ANNA, 4))[-1]
    telegram.user_sends("More personas, please", user_id=ANNA, language_code="en")
    thanks = (await telegram.wait_for_messages(ANNA, 5))[-1]
    telegram.user_presses("interview:1", user_id=ANNA, message_id=thanks["message_id"])
    agreed = (await telegram.wait_for_messages(ANNA, 6))[-1]

    assert follow_up["text"] == "What would make it better?\n\nWrite a few words, or /cancel to skip."
    assert telegram.message(ANNA, question["message_id"]).get("reply_markup") is None  # the scale is gone
    assert thanks["text"].startswith("Thank you! The team reads every answer.")
    assert buttons(thanks) == ["interview:1", "interview:0"]
    assert agreed["text"] == "Thank you! Someone from the team will write to you soon."
    response = await SurveyResponse.objects.aget()
    assert (response.score, response.answer) == (9, "More personas, please")
    assert (await InterviewContact.objects.aget()).agreed is True


async def test_a_second_tap_is_answered_politely_and_changes_nothing(surveyed):
    telegram, survey, question = surveyed
    await score(telegram, survey, question, 9)
    await telegram.wait_for_messages(ANNA, 4)

    await score(telegram, survey, question, 2, strict=False)  # an old copy of the buttons

    async def answered_politely() -> bool:
        answers = [params for method, params in telegram.calls if method == "answerCallbackQuery"]
        return answers[-1].get("text") == "You have already answered this one — thank you!"

    await eventually(answered_politely)
    assert (await SurveyResponse.objects.aget()).score == 9
    assert len(telegram.messages_to(ANNA)) == 4


async def test_cancel_skips_the_answer(surveyed):
    telegram, survey, question = surveyed
    await score(telegram, survey, question, 4)
    await telegram.wait_for_messages(ANNA, 4)

    telegram.user_sends("/cancel", user_id=ANNA, language_code="en")
    cancelled = (await telegram.wait_for_messages(ANNA, 5))[-1]
    telegram.user_sends("just chatting", user_id=ANNA, language_code="en")
    await telegram.wait_for_messages(ANNA, 6)

    assert cancelled["text"] == "Cancelled."
    response = await SurveyResponse.objects.aget()
    assert (response.score, response.answer, response.answered_at) == (4, "", None)


async def test_feedback_asks_about_an_interview_only_once(running_bot):
    await consented_in_english(running_bot)

    running_bot.user_sends("/feedback The voice replies are great", user_id=ANNA, language_code="en")
    first = (await running_bot.wait_for_messages(ANNA, 3))[-1]
    running_bot.user_presses("interview:0", user_id=ANNA, message_id=first["message_id"])
    declined = (await running_bot.wait_for_messages(ANNA, 4))[-1]
    running_bot.user_sends("/feedback And the photos", user_id=ANNA, language_code="en")
    second = (await running_bot.wait_for_messages(ANNA, 5))[-1]

    assert "May the team message you here in Telegram for a short interview" in first["text"]
    assert declined["text"] == "All right — we won't write. Thank you anyway!"
    assert (await InterviewContact.objects.aget()).agreed is False
    assert second["text"] == "Thank you! The team will read it."
    assert buttons(second) == []
