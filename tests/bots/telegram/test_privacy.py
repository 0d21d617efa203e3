"""/privacy in the real bot: the export arrives as a JSON document; erasure takes two confirmations."""

import json

import pytest
from asgiref.sync import sync_to_async
from django.utils import timezone

from apps.accounts.models import DataErasure, TelegramUser
from apps.analytics.models import Event
from apps.conversations.models import MemoryFact
from tests.bots.telegram.steps import buttons, eventually
from tests.factories import SubscriptionFactory

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

# An English-speaking user: the texts checked here are the source strings, whatever the catalogs translate.
ERIK = 2002


async def privacy_opened(telegram) -> tuple[int, dict]:
    """/start, consent, then /privacy; returns the user's id and the /privacy message."""
    telegram.user_sends("/start", user_id=ERIK, first_name="Erik", language_code="en")
    consent = (await telegram.wait_for_messages(ERIK, 1))[-1]
    telegram.user_presses(buttons(consent)[0], user_id=ERIK, message_id=consent["message_id"])
    await telegram.wait_for_messages(ERIK, 2)
    telegram.user_sends("/privacy", user_id=ERIK)
    privacy = (await telegram.wait_for_messages(ERIK, 3))[-1]
    user = await TelegramUser.objects.aget(telegram_id=ERIK)
    await MemoryFact.objects.acreate(user=user, category="pets", slot="pets:x", text="Erik has a cat called Tofu")
    return user.pk, privacy


async def text_becomes(telegram, message_id: int, start: str) -> dict:
    async def changed() -> bool:
        return (telegram.message(ERIK, message_id) or {}).get("text", "").startswith(start)

    await eventually(changed)
    return telegram.message(ERIK, message_id)


async def test_privacy_shows_the_consents_and_both_buttons(running_bot):
    user_id, privacy = await privacy_opened(running_bot)

    assert "You accepted:" in privacy["text"]
    assert buttons(privacy) == [f"privacy:export:{user_id}", f"privacy:erase:{user_id}"]


async def test_the_export_arrives_as_a_json_document_once_per_ten_minutes(running_bot):
    user_id, privacy = await privacy_opened(running_bot)

    running_bot.user_presses(f"privacy:export:{user_id}", user_id=ERIK, message_id=privacy["message_id"])
    sent = (await running_bot.wait_for_messages(ERIK, 4))[-1]
    running_bot.user_presses(f"privacy:export:{user_id}", user_id=ERIK, message_id=privacy["message_id"])
    refused = (await running_bot.wait_for_messages(ERIK, 5))[-1]

    assert sent["method"] == "sendDocument"
    document = running_bot.message(ERIK, sent["message_id"])["document"]
    assert document["file_name"] == f"sputnik-data-{timezone.localdate():%Y-%m-%d}.json"
    data = json.loads(bytes(sent["document"]).decode("utf-8"))
    assert data["profile"]["telegram_id"] == ERIK
    assert data["conversations"]["memory_facts"][0]["text"] == "Erik has a cat called Tofu"
    assert "10 minutes" in refused["text"]
    event = await Event.objects.aget(name="data_exported")
    assert event.properties == {"by": "user"}


async def test_erasure_takes_two_confirmations_then_says_goodbye(running_bot):
    user_id, privacy = await privacy_opened(running_bot)

    running_bot.user_presses(f"privacy:erase:{user_id}", user_id=ERIK, message_id=privacy["message_id"])
    question = (await running_bot.wait_for_messages(ERIK, 4))[-1]
    running_bot.user_presses(f"privacy:erase_sure:{user_id}", user_id=ERIK, message_id=question["message_id"])
    second = await text_becomes(running_bot, question["message_id"], "This cannot be undone")
    assert await TelegramUser.objects.filter(telegram_id=ERIK).aexists()  # nothing happens before the last press
    running_bot.user_presses(f"privacy:erase_now:{user_id}", user_id=ERIK, message_id=question["message_id"])
    goodbye = (await running_bot.wait_for_messages(ERIK, 5))[-1]

    assert "Deleted for good" in question["text"]
    assert "payments" in question["text"]
    assert buttons(question) == [f"privacy:erase_sure:{user_id}", f"privacy:cancel:{user_id}"]
    assert buttons(second) == [f"privacy:erase_now:{user_id}", f"privacy:cancel:{user_id}"]
    assert "your data is deleted" in goodbye["text"]
    assert not await TelegramUser.objects.filter(telegram_id=ERIK).aexists()
    assert not await MemoryFact.objects.aexists()
    erasure = await DataErasure.objects.aget()
    assert (erasure.user_id, erasure.actor) == (user_id, "user")


async def test_writing_again_after_erasure_starts_as_a_new_user(running_bot):
    user_id, privacy = await privacy_opened(running_bot)
    running_bot.user_presses(
        f"privacy:erase_now:{user_id}", user_id=ERIK, message_id=privacy["message_id"], strict=False
    )
    await running_bot.wait_for_messages(ERIK, 4)

    running_bot.user_sends("/start", user_id=ERIK, first_name="Erik", language_code="en")
    welcome = (await running_bot.wait_for_messages(ERIK, 5))[-1]

    again = await TelegramUser.objects.aget(telegram_id=ERIK)
    assert again.pk != user_id
    assert buttons(welcome)[0].startswith("consent:")  # asked to accept the documents like anyone new


@pytest.mark.parametrize("at_step", [1, 2])
async def test_cancel_at_either_question_deletes_nothing(running_bot, at_step):
    user_id, privacy = await privacy_opened(running_bot)
    running_bot.user_presses(f"privacy:erase:{user_id}", user_id=ERIK, message_id=privacy["message_id"])
    question = (await running_bot.wait_for_messages(ERIK, 4))[-1]
    if at_step == 2:
        running_bot.user_presses(f"privacy:erase_sure:{user_id}", user_id=ERIK, message_id=question["message_id"])
        await text_becomes(running_bot, question["message_id"], "This cannot be undone")

    running_bot.user_presses(f"privacy:cancel:{user_id}", user_id=ERIK, message_id=question["message_id"])
    cancelled = await text_becomes(running_bot, question["message_id"], "Cancelled")

    assert "reply_markup" not in cancelled
    assert (await TelegramUser.objects.aget(telegram_id=ERIK)).erased_at is None
    assert await MemoryFact.objects.aexists()
    assert not await DataErasure.objects.aexists()


async def test_a_button_carrying_another_users_id_is_refused(running_bot):
    user_id, privacy = await privacy_opened(running_bot)

    forged = f"privacy:erase_now:{user_id + 1}"
    running_bot.user_presses(forged, user_id=ERIK, message_id=privacy["message_id"], strict=False)

    async def answered() -> bool:
        return any(name == "answerCallbackQuery" and params.get("show_alert") for name, params in running_bot.calls)

    await eventually(answered)
    alert = next(params for name, params in running_bot.calls if params.get("show_alert"))
    assert "out of date" in alert["text"]
    assert (await TelegramUser.objects.aget(telegram_id=ERIK)).erased_at is None
    assert not await DataErasure.objects.aexists()


async def test_a_live_subscription_is_mentioned_before_erasing(running_bot):
    user_id, privacy = await privacy_opened(running_bot)
    await sync_to_async(SubscriptionFactory)(user_id=user_id)

    running_bot.user_presses(f"privacy:erase:{user_id}", user_id=ERIK, message_id=privacy["message_id"])
    question = (await running_bot.wait_for_messages(ERIK, 4))[-1]

    assert "stop renewing" in question["text"]
    assert "not refunded automatically" in question["text"]


async def test_privacy_and_its_buttons_work_before_the_terms_are_accepted(running_bot):
    running_bot.user_sends("/start", user_id=ERIK, first_name="Erik", language_code="en")
    await running_bot.wait_for_messages(ERIK, 1)  # the consent prompt, left unanswered
    user = await TelegramUser.objects.aget(telegram_id=ERIK)

    running_bot.user_sends("/privacy", user_id=ERIK)
    privacy = (await running_bot.wait_for_messages(ERIK, 2))[-1]
    running_bot.user_presses(f"privacy:erase:{user.pk}", user_id=ERIK, message_id=privacy["message_id"])
    question = (await running_bot.wait_for_messages(ERIK, 3))[-1]

    assert buttons(privacy) == [f"privacy:export:{user.pk}", f"privacy:erase:{user.pk}"]
    assert "Deleted for good" in question["text"]  # the erasure question, not the consent reminder
