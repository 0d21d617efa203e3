"""REQUIRED_CHANNEL: after consent, only members of the info channel chat; "I have subscribed" re-checks."""

import pytest

from apps.accounts.models import TelegramUser
from apps.analytics.models import Event
from tests.bots.telegram.conftest import polling_bot
from tests.bots.telegram.steps import ANNA, buttons, consented, eventually

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)
CHANNEL = "@sputnik_news"


@pytest.fixture
async def gated_bot(telegram, tiny_model_dir):
    async with polling_bot(telegram, tiny_model_dir, required_channel=CHANNEL):
        yield telegram


async def test_a_non_member_is_asked_to_join_after_consent(gated_bot):
    await consented(gated_bot)

    prompt = gated_bot.messages_to(ANNA)[-1]
    assert CHANNEL in prompt["text"]
    urls = [b.get("url") for row in prompt["reply_markup"]["inline_keyboard"] for b in row if b.get("url")]
    assert urls == ["https://t.me/sputnik_news"]
    assert "joined" in buttons(prompt)


async def test_messages_of_a_non_member_get_the_channel_prompt_not_a_reply(gated_bot):
    await consented(gated_bot)

    gated_bot.user_sends("/menu", user_id=ANNA)

    prompt = (await gated_bot.wait_for_messages(ANNA, 3))[-1]
    assert CHANNEL in prompt["text"]
    assert ("getChatMember", {"chat_id": CHANNEL, "user_id": ANNA}) in gated_bot.calls


async def test_help_stays_open_to_non_members(gated_bot):
    await consented(gated_bot)

    gated_bot.user_sends("/help", user_id=ANNA)

    assert "/menu" in (await gated_bot.wait_for_messages(ANNA, 3))[-1]["text"]


async def test_pressing_subscribed_before_joining_shows_an_alert(gated_bot):
    await consented(gated_bot)
    prompt = gated_bot.messages_to(ANNA)[-1]

    gated_bot.user_presses("joined", user_id=ANNA, message_id=prompt["message_id"])

    async def alerted():
        return any(m == "answerCallbackQuery" and "канале" in (p.get("text") or "") for m, p in gated_bot.calls)

    await eventually(alerted)
    assert len(gated_bot.messages_to(ANNA)) == 2


async def test_after_joining_the_button_opens_the_menu_and_records_the_step(gated_bot):
    await consented(gated_bot)
    prompt = gated_bot.messages_to(ANNA)[-1]
    gated_bot.members[(CHANNEL, ANNA)] = "member"

    gated_bot.user_presses("joined", user_id=ANNA, message_id=prompt["message_id"])

    menu = (await gated_bot.wait_for_messages(ANNA, 3))[-1]
    assert "module:support" in buttons(menu)
    user = await TelegramUser.objects.aget(telegram_id=ANNA)
    assert user.channel_joined_at is not None
    assert await Event.objects.filter(user=user, name="channel_joined").acount() == 1


async def test_a_member_goes_straight_to_the_menu(gated_bot):
    gated_bot.members[(CHANNEL, ANNA)] = "member"

    await consented(gated_bot)

    assert "module:support" in buttons(gated_bot.messages_to(ANNA)[-1])
    await eventually(Event.objects.filter(name="channel_joined").aexists)


async def test_a_gate_telegram_cannot_check_lets_users_through(gated_bot):
    gated_bot.fail_next("getChatMember", status=400, description="Bad Request: member list is inaccessible")

    await consented(gated_bot)

    assert "module:support" in buttons(gated_bot.messages_to(ANNA)[-1])
    assert not await Event.objects.filter(name="channel_joined").aexists()  # not confirmed, only let through
