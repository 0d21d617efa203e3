"""The bot end to end: the real aiogram client and polling loop against the fake Bot API on 127.0.0.1."""

import asyncio

import pytest

from apps.accounts.models import TelegramUser
from apps.analytics.models import Event
from apps.conversations.models import Message
from tests.bots.telegram.steps import ANNA, buttons, consented
from tests.factories import PersonaFactory

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)
BOT_USER = {"id": 123456, "is_bot": True, "first_name": "Sputnik"}


async def test_start_consent_menu_support_and_a_reply(running_bot):
    from asgiref.sync import sync_to_async

    from apps.personas.models import Module

    support = await Module.objects.aget(code="support")
    await sync_to_async(PersonaFactory)(name="Соня", modules=[support], first_message="Привет, {{user}}! Я Соня.")
    telegram = running_bot
    telegram.user_sends("/start tgads_spring", user_id=ANNA)
    consent = (await telegram.wait_for_messages(ANNA, 1))[-1]
    assert "Политика конфиденциальности" in consent["text"]
    assert any(data.startswith("consent:") for data in buttons(consent))

    telegram.user_sends("привет", user_id=ANNA)  # before consent: a gentle reminder, nothing else
    reminder = (await telegram.wait_for_messages(ANNA, 3))[1]
    assert "прими" in reminder["text"]

    telegram.user_presses(next(data for data in buttons(consent) if data.startswith("consent:")), user_id=ANNA,
                          message_id=consent["message_id"])  # fmt: skip
    menu = (await telegram.wait_for_messages(ANNA, 4))[-1]
    assert "module:support" in buttons(menu)

    telegram.user_presses("module:support", user_id=ANNA, message_id=menu["message_id"])
    greeting = (await telegram.wait_for_messages(ANNA, 5))[-1]
    assert greeting["text"] == "Привет, Anna! Я Соня."

    telegram.user_sends("Меня зовут Анна, расскажи что-нибудь", user_id=ANNA)
    reply = (await telegram.wait_for_messages(ANNA, 6))[-1]
    assert reply["text"]

    user = await TelegramUser.objects.aget(telegram_id=ANNA)
    assert user.acquisition_code == "tgads_spring"
    assert await Event.objects.filter(user=user, name="consent_accepted").acount() == 2
    assert await Message.objects.filter(dialogue__user=user, role="assistant", backend="ctranslate2:tiny").aexists()


async def test_partner_opens_the_library_as_cards(running_bot):
    from asgiref.sync import sync_to_async

    from apps.personas.models import Module

    partner = await Module.objects.aget(code="partner")
    await sync_to_async(PersonaFactory)(name="Кайли", modules=[partner], order=1)
    await sync_to_async(PersonaFactory)(name="Марк", modules=[partner], order=2)
    telegram = running_bot
    telegram.user_sends("/start", user_id=ANNA)
    consent = (await telegram.wait_for_messages(ANNA, 1))[-1]
    telegram.user_presses(buttons(consent)[0], user_id=ANNA, message_id=consent["message_id"])
    menu = (await telegram.wait_for_messages(ANNA, 2))[-1]

    telegram.user_presses("module:partner", user_id=ANNA, message_id=menu["message_id"])

    card = (await telegram.wait_for_messages(ANNA, 3))[-1]
    assert "Кайли" in (card.get("caption") or card.get("text"))
    assert any(data.endswith(":choose") for data in buttons(card))


async def test_a_redelivered_update_is_answered_once(running_bot):
    telegram = running_bot
    update_id = telegram.user_sends("/start", user_id=ANNA)
    await telegram.wait_for_messages(ANNA, 1)

    telegram.duplicate_update(update_id)
    telegram.user_sends("/start", user_id=ANNA)  # a fresh update proves the loop kept going

    await telegram.wait_for_messages(ANNA, 2)
    await asyncio.sleep(0.5)
    assert len(telegram.messages_to(ANNA)) == 2


async def test_groups_get_one_polite_line(running_bot):
    from django.core.cache import cache

    await cache.aclear()
    telegram = running_bot

    telegram.user_sends("всем привет", user_id=ANNA, chat_type="group", chat_id=-500)
    message = (await telegram.wait_for_messages(-500, 1))[-1]
    telegram.user_sends("ау, бот?", user_id=ANNA, chat_type="group", chat_id=-500)
    telegram.user_sends("/start", user_id=ANNA)  # a later private update proves the group one was handled
    await telegram.wait_for_messages(ANNA, 1)

    assert "личных" in message["text"]
    assert len(telegram.messages_to(-500)) == 1  # once, then silence
    assert await TelegramUser.objects.filter(telegram_id=ANNA).acount() == 1  # registered by /start only


async def test_an_edited_message_gets_one_note_a_day(running_bot):
    from django.core.cache import cache

    await cache.aclear()
    telegram = running_bot
    await consented(telegram)
    sender = {"id": ANNA, "is_bot": False, "first_name": "Anna", "language_code": "ru"}
    edit = {"message_id": 1, "date": 0, "edit_date": 1, "chat": {"id": ANNA, "type": "private"}, "from": sender}
    edit["text"] = "привет!"

    telegram.user_sends_update({"edited_message": edit})
    note = (await telegram.wait_for_messages(ANNA, 3))[-1]
    telegram.user_sends_update({"edited_message": edit | {"text": "привет!!"}})
    telegram.user_sends("/help", user_id=ANNA)
    await telegram.wait_for_messages(ANNA, 4)

    assert "отредактировал" in note["text"]
    assert len(telegram.messages_to(ANNA)) == 4


async def test_commands_are_registered_in_both_languages(running_bot):
    telegram = running_bot
    await consented(telegram)

    languages = {params.get("language_code") for method, params in telegram.calls if method == "setMyCommands"}

    assert languages == {"ru", "en"}


async def test_memory_lists_facts_and_forgets_on_request(running_bot):
    from asgiref.sync import sync_to_async

    from apps.conversations.memory import memory_facts_store
    from apps.conversations.memory_extract import ExtractedFact

    telegram = running_bot
    await consented(telegram)
    user = await TelegramUser.objects.aget(telegram_id=ANNA)
    fact = ExtractedFact("city", "city", "Казань", "Живёт в Казани", "ru", 0.9, False)
    await sync_to_async(memory_facts_store)(user_id=user.pk, facts=[fact], embedder=None)

    telegram.user_sends("/memory", user_id=ANNA)
    listing = (await telegram.wait_for_messages(ANNA, 3))[-1]
    assert "Живёт в Казани" in listing["text"]

    telegram.user_presses("memory:clear:0", user_id=ANNA, message_id=listing["message_id"])
    telegram.user_sends("/memory", user_id=ANNA)
    empty = (await telegram.wait_for_messages(ANNA, 4))[-1]
    assert "ничего" in empty["text"]


async def test_stickers_get_a_friendly_line_and_blocking_marks_the_user(running_bot):
    telegram = running_bot
    await consented(telegram)

    telegram.user_sends_update(
        {"message": {"message_id": 900, "date": 0, "chat": {"id": ANNA, "type": "private"},
                     "from": {"id": ANNA, "is_bot": False, "first_name": "Anna", "language_code": "ru"},
                     "sticker": {"file_id": "s1", "file_unique_id": "s1", "width": 1, "height": 1,
                                 "is_animated": False, "is_video": False, "type": "regular"}}}
    )  # fmt: skip
    line = (await telegram.wait_for_messages(ANNA, 3))[-1]
    assert "словами" in line["text"]

    telegram.user_sends_update(
        {"my_chat_member": {"chat": {"id": ANNA, "type": "private"}, "date": 0,
                            "from": {"id": ANNA, "is_bot": False, "first_name": "Anna"},
                            "old_chat_member": {"status": "member", "user": BOT_USER},
                            "new_chat_member": {"status": "kicked", "until_date": 0,
                                                "user": BOT_USER}}}
    )  # fmt: skip
    for _ in range(50):
        if (await TelegramUser.objects.aget(telegram_id=ANNA)).has_blocked_bot:
            break
        await asyncio.sleep(0.1)
    assert (await TelegramUser.objects.aget(telegram_id=ANNA)).has_blocked_bot


async def _partner_card(telegram, **persona):
    from asgiref.sync import sync_to_async

    from apps.personas.models import Module

    partner = await Module.objects.aget(code="partner")
    created = await sync_to_async(PersonaFactory)(modules=[partner], **persona)
    await consented(telegram)
    menu = telegram.messages_to(ANNA)[-1]
    telegram.user_presses("module:partner", user_id=ANNA, message_id=menu["message_id"])
    card = (await telegram.wait_for_messages(ANNA, 3))[-1]
    return created, card


async def test_an_adult_persona_asks_for_age_and_then_says_pro_is_needed(running_bot):
    telegram = running_bot
    diana, card = await _partner_card(telegram, name="Диана", is_adult=True, is_pro=True)

    telegram.user_presses(next(data for data in buttons(card) if data.endswith(":unlock")), user_id=ANNA,
                          message_id=card["message_id"])  # fmt: skip
    question = (await telegram.wait_for_messages(ANNA, 4))[-1]
    assert "18" in question["text"]
    telegram.user_presses(f"age:1:partner:{diana.pk}", user_id=ANNA, message_id=question["message_id"])

    for _ in range(50):
        user = await TelegramUser.objects.aget(telegram_id=ANNA)
        if user.adult_confirmed_at:
            break
        await asyncio.sleep(0.1)
    assert user.adult_confirmed_at is not None
    alerts = [params for method, params in telegram.calls if method == "answerCallbackQuery" and params.get("text")]
    assert any("PRO" in alert["text"] for alert in alerts)
    assert await Event.objects.filter(user=user, name="age_confirmed").aexists()


async def test_declining_the_age_question_keeps_safe_content(running_bot):
    telegram = running_bot
    diana, card = await _partner_card(telegram, name="Диана", is_adult=True, is_pro=True)
    telegram.user_presses(next(data for data in buttons(card) if data.endswith(":unlock")), user_id=ANNA,
                          message_id=card["message_id"])  # fmt: skip
    question = (await telegram.wait_for_messages(ANNA, 4))[-1]

    telegram.user_presses(f"age:0:partner:{diana.pk}", user_id=ANNA, message_id=question["message_id"])

    answer = (await telegram.wait_for_messages(ANNA, 5))[-1]
    assert "/menu" in answer["text"]
    assert (await TelegramUser.objects.aget(telegram_id=ANNA)).adult_confirmed_at is None


async def test_choosing_a_persona_greets_and_offers_its_scenes(running_bot):
    from asgiref.sync import sync_to_async

    from tests.factories import ScenarioFactory

    telegram = running_bot
    kylie, card = await _partner_card(telegram, name="Кайли", first_message="Привет! Я Кайли.")
    scene = await sync_to_async(ScenarioFactory)(persona=kylie, title_ru="Прогулка", first_line="Смотри, листья!")

    telegram.user_presses(next(data for data in buttons(card) if data.endswith(":choose")), user_id=ANNA,
                          message_id=card["message_id"])  # fmt: skip
    greeting, offer = (await telegram.wait_for_messages(ANNA, 5))[-2:]
    assert greeting["text"] == "Привет! Я Кайли."
    assert f"scene:partner:{kylie.pk}:{scene.pk}" in buttons(offer)

    telegram.user_presses(f"scene:partner:{kylie.pk}:{scene.pk}", user_id=ANNA, message_id=offer["message_id"])
    situation, first_line = (await telegram.wait_for_messages(ANNA, 7))[-2:]
    assert situation["text"] == "<i>Вы гуляете по парку.</i>"  # the opening situation, in italics
    assert first_line["text"] == "Смотри, листья!"


async def test_privacy_lists_accepted_documents_and_subscribe_is_polite(running_bot):
    telegram = running_bot
    await consented(telegram)

    telegram.user_sends("/privacy", user_id=ANNA)
    privacy = (await telegram.wait_for_messages(ANNA, 3))[-1]
    telegram.user_sends("/subscribe", user_id=ANNA)
    subscribe = (await telegram.wait_for_messages(ANNA, 4))[-1]

    assert "Политика конфиденциальности v1" in privacy["text"]
    assert "Условия использования v1" in privacy["text"]
    assert "PRO" in subscribe["text"]


async def test_a_send_refused_because_the_user_blocked_the_bot_marks_them_inactive(running_bot):
    from tests.bots.telegram.steps import eventually

    telegram = running_bot
    await consented(telegram)
    telegram.blocked_by.add(ANNA)  # blocked, and Telegram's my_chat_member update got lost

    telegram.user_sends("/help", user_id=ANNA)

    async def blocked():
        return (await TelegramUser.objects.aget(telegram_id=ANNA)).has_blocked_bot

    await eventually(blocked)
