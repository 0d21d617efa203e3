"""/feedback: free text to the team, stored encrypted and listed in the admin."""

import pytest

from apps.accounts.models import Feedback
from apps.analytics.models import Event
from tests.bots.telegram.steps import ANNA, consented, eventually

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


async def test_feedback_asks_for_the_text_then_thanks(running_bot):
    await consented(running_bot)

    running_bot.user_sends("/feedback", user_id=ANNA)
    prompt = (await running_bot.wait_for_messages(ANNA, 3))[-1]
    running_bot.user_sends("Хочу больше персонажей-учёных", user_id=ANNA)
    thanks = (await running_bot.wait_for_messages(ANNA, 4))[-1]

    assert "команде" in prompt["text"]
    assert "Спасибо" in thanks["text"]
    feedback = await Feedback.objects.select_related("user").aget()
    assert (feedback.text, feedback.user.telegram_id, feedback.language) == (
        "Хочу больше персонажей-учёных",
        ANNA,
        "ru",
    )
    event = await Event.objects.aget(name="feedback_sent")
    assert "учён" not in str(event.properties)


async def test_feedback_with_the_text_in_the_command_is_sent_at_once(running_bot):
    await consented(running_bot)

    running_bot.user_sends("/feedback Бот отвечает медленно", user_id=ANNA)

    assert "Спасибо" in (await running_bot.wait_for_messages(ANNA, 3))[-1]["text"]
    assert (await Feedback.objects.aget()).text == "Бот отвечает медленно"


async def test_cancel_while_feedback_is_awaited_sends_nothing(running_bot):
    await consented(running_bot)
    running_bot.user_sends("/feedback", user_id=ANNA)
    await running_bot.wait_for_messages(ANNA, 3)

    running_bot.user_sends("/cancel", user_id=ANNA)
    cancelled = (await running_bot.wait_for_messages(ANNA, 4))[-1]

    assert "Отменено" in cancelled["text"]
    assert not await Feedback.objects.aexists()


async def test_another_command_while_feedback_is_awaited_is_answered_and_ends_the_wait(running_bot):
    await consented(running_bot)
    running_bot.user_sends("/feedback", user_id=ANNA)
    await running_bot.wait_for_messages(ANNA, 3)

    running_bot.user_sends("/help", user_id=ANNA)
    help_text = (await running_bot.wait_for_messages(ANNA, 4))[-1]
    running_bot.user_sends("привет", user_id=ANNA)
    await running_bot.wait_for_messages(ANNA, 5)

    assert "/menu" in help_text["text"]
    assert not await Feedback.objects.aexists()


async def test_feedback_is_listed_in_the_admin(admin_client, running_bot):
    from asgiref.sync import sync_to_async

    await consented(running_bot)
    running_bot.user_sends("/feedback Спасибо за Соню!", user_id=ANNA)
    await eventually(Feedback.objects.aexists)

    page = await sync_to_async(admin_client.get)("/admin/accounts/feedback/")

    assert page.status_code == 200
    assert "Спасибо за Соню!" in page.content.decode()
