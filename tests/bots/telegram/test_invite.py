"""/invite and the referral program end to end: the real aiogram client against the fake Bot API."""

import re
from urllib.parse import parse_qs, urlparse

import pytest
from asgiref.sync import sync_to_async

from apps.accounts.models import TelegramUser
from apps.billing.models import BonusBalance
from apps.growth.models import Referral
from apps.personas.models import Module
from tests.bots.telegram.steps import ANNA, buttons, eventually
from tests.factories import PersonaFactory
from tests.stubs.telegram_server import FakeTelegram

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)
BORIS = 1002


async def consent(telegram: FakeTelegram, user_id: int, start: str = "/start", language: str = "en") -> None:
    telegram.user_sends(start, user_id=user_id, language_code=language)
    prompt = (await telegram.wait_for_messages(user_id, 1))[-1]
    telegram.user_presses(buttons(prompt)[0], user_id=user_id, message_id=prompt["message_id"])
    await telegram.wait_for_messages(user_id, 2)


async def invite(telegram: FakeTelegram, user_id: int = ANNA) -> dict:
    count = len(telegram.messages_to(user_id))
    telegram.user_sends("/invite", user_id=user_id, language_code="en")
    return (await telegram.wait_for_messages(user_id, count + 1))[-1]


def code_in(message: dict, bot_username: str) -> str:
    return re.search(rf"https://t\.me/{bot_username}\?start=(ref-[A-Za-z0-9_-]{{10}})", message["text"]).group(1)


async def test_invite_shows_the_link_the_reward_the_counts_and_a_share_button(running_bot, settings):
    await consent(running_bot, ANNA)

    message = await invite(running_bot)

    code = code_in(message, settings.TELEGRAM_BOT_USERNAME)
    assert "you get 30 bonus messages" in message["text"]
    assert "Friends joined: 0. Rewards received: 0." in message["text"]
    [[share]] = message["reply_markup"]["inline_keyboard"]
    shared = urlparse(share["url"])
    assert (shared.netloc, shared.path) == ("t.me", "/share/url")
    assert parse_qs(shared.query)["url"] == [f"https://t.me/{settings.TELEGRAM_BOT_USERNAME}?start={code}"]
    assert code_in(await invite(running_bot), settings.TELEGRAM_BOT_USERNAME) == code  # the same link every time


async def test_a_friend_who_starts_with_the_code_is_counted(running_bot, settings):
    await consent(running_bot, ANNA)
    code = code_in(await invite(running_bot), settings.TELEGRAM_BOT_USERNAME)

    running_bot.user_sends(f"/start {code}", user_id=BORIS)
    await running_bot.wait_for_messages(BORIS, 1)

    referral = await Referral.objects.select_related("referrer", "referee").aget()
    assert (referral.referrer.telegram_id, referral.referee.telegram_id) == (ANNA, BORIS)
    assert "Friends joined: 1. Rewards received: 0." in (await invite(running_bot))["text"]


async def test_a_user_who_came_before_keeps_the_first_touch(running_bot, settings):
    await consent(running_bot, ANNA)
    code = code_in(await invite(running_bot), settings.TELEGRAM_BOT_USERNAME)
    await consent(running_bot, BORIS, start="/start tgads_spring")

    running_bot.user_sends(f"/start {code}", user_id=BORIS)
    await running_bot.wait_for_messages(BORIS, 3)

    assert not await Referral.objects.aexists()
    assert (await TelegramUser.objects.aget(telegram_id=BORIS)).acquisition_code == "tgads_spring"


async def test_the_friends_first_message_rewards_the_inviter_who_is_told(running_bot, settings):
    settings.TELEGRAM_BOT_TOKEN, settings.TELEGRAM_API_URL = running_bot.token, running_bot.base_url
    support = await Module.objects.aget(code="support")
    await sync_to_async(PersonaFactory)(modules=[support], name="Соня")
    await consent(running_bot, ANNA)
    code = code_in(await invite(running_bot), settings.TELEGRAM_BOT_USERNAME)
    await consent(running_bot, BORIS, start=f"/start {code}", language="ru")
    menu = running_bot.messages_to(BORIS)[-1]
    running_bot.user_presses("module:support", user_id=BORIS, message_id=menu["message_id"])
    await running_bot.wait_for_messages(BORIS, 3)

    running_bot.user_sends("Привет!", user_id=BORIS)
    await running_bot.wait_for_messages(BORIS, 4)
    running_bot.user_sends("Как дела?", user_id=BORIS)  # a second message rewards nobody again
    await running_bot.wait_for_messages(BORIS, 5)

    async def rewarded() -> bool:
        return await BonusBalance.objects.filter(user__telegram_id=ANNA, messages=30).aexists()

    await eventually(rewarded)
    notice = (await running_bot.wait_for_messages(ANNA, 4))[3]
    assert notice["text"].startswith("🎁 A friend you invited has started talking to Sputnik.")
    assert "Friends joined: 1. Rewards received: 1." in (await invite(running_bot))["text"]
    assert await BonusBalance.objects.filter(user__telegram_id=ANNA).acount() == 1
