"""Chatting through the real bot: one turn in flight, /cancel, the reply buttons, photos, events."""

import asyncio

import pytest
from asgiref.sync import sync_to_async

from apps.analytics.models import Event
from apps.conversations.models import Message
from apps.inference.openai_generator import OpenAIGenerator
from tests.bots.telegram.conftest import polling_bot
from tests.bots.telegram.steps import ANNA, buttons, eventually, talking_to_support
from tests.stubs.openai_server import StubOpenAIServer

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


@pytest.fixture
def model_server():
    with StubOpenAIServer() as server:
        server.reply = "Я рядом и слушаю."
        yield server


@pytest.fixture
async def slow_bot(telegram, tiny_model_dir, model_server, settings, tmp_path):
    """The bot on a real OpenAI client whose server takes its time, so messages can arrive mid-reply."""
    settings.MEDIA_ROOT = tmp_path / "media"
    generator = OpenAIGenerator(base_url=model_server.base_url, model="stub", timeout_s=10, max_retries=0)
    async with polling_bot(telegram, tiny_model_dir, generator=generator):
        yield telegram


async def _model_requests(server, count):
    for _ in range(300):
        if len(server.requests) >= count:
            return
        await asyncio.sleep(0.01)
    raise AssertionError(f"the model got {len(server.requests)} requests, expected {count}")


async def test_messages_sent_while_waiting_join_one_turn(slow_bot, model_server):
    sent = await talking_to_support(slow_bot)
    model_server.delay = 0.8

    slow_bot.user_sends("Привет!", user_id=ANNA)
    await _model_requests(model_server, 1)
    slow_bot.user_sends("У меня был тяжёлый день", user_id=ANNA)

    replies = await slow_bot.wait_for_messages(ANNA, sent + 1, timeout=15)
    await asyncio.sleep(1.2)  # no second reply follows
    assert len(slow_bot.messages_to(ANNA)) == sent + 1
    assert replies[-1]["text"] == "Я рядом и слушаю."
    answered = model_server.requests[-1]["messages"][-1]["content"]
    assert answered == "Привет!\nУ меня был тяжёлый день"


async def test_cancel_stops_the_reply_being_written(slow_bot, model_server):
    sent = await talking_to_support(slow_bot)
    model_server.delay = 1.0

    slow_bot.user_sends("Расскажи длинную историю", user_id=ANNA)
    await _model_requests(model_server, 1)
    slow_bot.user_sends("/cancel", user_id=ANNA)

    stopped = (await slow_bot.wait_for_messages(ANNA, sent + 1))[-1]
    await asyncio.sleep(1.5)  # the abandoned reply never arrives
    assert "Остановлено" in stopped["text"]
    assert len(slow_bot.messages_to(ANNA)) == sent + 1
    replies = [m async for m in Message.objects.filter(role="assistant", dialogue__user__telegram_id=ANNA)]
    assert all(reply.text != "Я рядом и слушаю." for reply in replies)


async def test_cancel_with_nothing_in_flight_says_so(slow_bot):
    sent = await talking_to_support(slow_bot)

    slow_bot.user_sends("/cancel", user_id=ANNA)

    assert "нечего" in (await slow_bot.wait_for_messages(ANNA, sent + 1))[-1]["text"].lower()


async def test_another_answer_rewrites_the_latest_reply(slow_bot, model_server):
    sent = await talking_to_support(slow_bot)
    slow_bot.user_sends("Как дела?", user_id=ANNA)
    first = (await slow_bot.wait_for_messages(ANNA, sent + 1))[-1]
    again = next(data for data in buttons(first) if data.startswith("again:"))
    assert {"rate:" + again.split(":")[1] + ":1", "rate:" + again.split(":")[1] + ":-1"} <= set(buttons(first))
    model_server.reply = "Всё хорошо, а у тебя?"

    slow_bot.user_presses(again, user_id=ANNA, message_id=first["message_id"])

    second = (await slow_bot.wait_for_messages(ANNA, sent + 2))[-1]
    assert second["text"] == "Всё хорошо, а у тебя?"
    assert buttons(slow_bot.message(ANNA, first["message_id"])) == []  # the old reply lost its buttons
    stored = await Message.objects.aget(pk=int(again.split(":")[1]))
    assert stored.text == "Всё хорошо, а у тебя?"


async def test_another_answer_under_an_older_reply_explains_itself(slow_bot, model_server):
    sent = await talking_to_support(slow_bot)
    slow_bot.user_sends("Как дела?", user_id=ANNA)
    first = (await slow_bot.wait_for_messages(ANNA, sent + 1))[-1]
    slow_bot.user_sends("А погода?", user_id=ANNA)
    await slow_bot.wait_for_messages(ANNA, sent + 2)

    again = next(data for data in buttons(first) if data.startswith("again:"))
    slow_bot.user_presses(again, user_id=ANNA, message_id=first["message_id"])

    async def alerted():
        return any(
            method == "answerCallbackQuery" and "последний" in (params.get("text") or "")
            for method, params in slow_bot.calls
        )

    await eventually(alerted)
    assert len(slow_bot.messages_to(ANNA)) == sent + 2


async def test_asking_for_a_photo_sends_the_best_fitting_one(slow_bot, model_server):
    from tests.factories import PersonaPhotoFactory

    sent = await talking_to_support(slow_bot, name="Соня")
    persona_id = (
        await Message.objects.filter(dialogue__user__telegram_id=ANNA)
        .values_list("dialogue__persona_id", flat=True)
        .afirst()
    )
    await sync_to_async(PersonaPhotoFactory)(persona_id=persona_id, caption="В кафе с книгой", order=1)
    beach = await sync_to_async(PersonaPhotoFactory)(persona_id=persona_id, caption="На пляже у моря", order=2)
    model_server.reply = "Вот я сегодня на море!"

    slow_bot.user_sends("Пришли фото с пляжа", user_id=ANNA)

    await slow_bot.wait_for_messages(ANNA, sent + 2)
    photos = [params for method, params in slow_bot.calls if method == "sendPhoto"]
    assert len(photos) == 1
    await eventually(Event.objects.filter(name="photo_sent", user__telegram_id=ANNA).aexists)  # written after sending
    event = await Event.objects.aget(name="photo_sent", user__telegram_id=ANNA)
    assert event.properties["photo_id"] == beach.pk
    assert event.properties["trigger"] == "asked"


async def test_when_todays_photos_are_used_up_the_bot_says_so(slow_bot, model_server, settings):
    from apps.billing.models import FreeTier
    from tests.factories import PersonaPhotoFactory

    await FreeTier.objects.aupdate_or_create(pk=1, defaults={"photos_per_day": 0})
    sent = await talking_to_support(slow_bot)
    persona_id = (
        await Message.objects.filter(dialogue__user__telegram_id=ANNA)
        .values_list("dialogue__persona_id", flat=True)
        .afirst()
    )
    await sync_to_async(PersonaPhotoFactory)(persona_id=persona_id, caption="На пляже у моря")

    slow_bot.user_sends("Пришли фото", user_id=ANNA)

    used_up = (await slow_bot.wait_for_messages(ANNA, sent + 2))[-1]
    assert "/subscribe" in used_up["text"]
    assert not [call for call in slow_bot.calls if call[0] == "sendPhoto"]
    assert await Event.objects.filter(name="paywall_shown", properties__reason="photo_quota").aexists()


async def test_the_funnel_steps_are_recorded(slow_bot, model_server):
    await talking_to_support(slow_bot)
    slow_bot.user_sends("Привет", user_id=ANNA)
    await slow_bot.wait_for_messages(ANNA, 4)

    async def names():
        return [name async for name in Event.objects.filter(user__telegram_id=ANNA).values_list("name", flat=True)]

    async def all_there():
        return {"bot_start", "consent_accepted", "module_chosen", "persona_chosen", "message_sent"} <= set(
            await names()
        )

    await eventually(all_there)
    sent = await Event.objects.aget(name="message_sent", user__telegram_id=ANNA)
    assert sent.properties["length"] == "1-20"
