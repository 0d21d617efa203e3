"""One turn in flight: messages that arrive while the reply is written join it; /cancel stops it; "another
answer" replaces the latest reply."""

import asyncio

import pytest

from apps.analytics.models import Event
from apps.conversations.models import Message
from apps.conversations.services import reply_compose, reply_regenerate
from apps.conversations.turns import TurnBoard, TurnCancelled
from apps.core.exceptions import InvalidInput

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


async def _wait_for_request(stub_server, count: int) -> None:
    for _ in range(200):
        if len(stub_server.requests) >= count:
            return
        await asyncio.sleep(0.01)
    raise AssertionError(f"the model got {len(stub_server.requests)} requests, expected {count}")


async def test_a_message_sent_while_waiting_joins_the_same_turn(anna, scripted, stub_server):
    stub_server.delay, stub_server.reply = 0.5, "Поняла тебя."
    board = TurnBoard()
    with board.open(anna.pk) as inbox:
        turn = asyncio.create_task(reply_compose(user_id=anna.pk, text="Привет!", generator=scripted, inbox=inbox))
        await _wait_for_request(stub_server, 1)
        assert board.join(anna.pk, "Я сегодня устала")
        result = await turn

    last_prompt = stub_server.requests[-1]["messages"][-1]["content"]
    assert last_prompt == "Привет!\nЯ сегодня устала"
    texts = [(m.role, m.text) async for m in Message.objects.filter(dialogue_id=result.dialogue_id).order_by("id")]
    assert texts[-2:] == [("user", "Привет!\nЯ сегодня устала"), ("assistant", "Поняла тебя.")]
    assert await Event.objects.filter(user=anna, name="message_sent").acount() == 2


async def test_cancel_stops_the_turn_and_stores_no_reply(anna, scripted, stub_server):
    stub_server.delay = 0.5
    board = TurnBoard()
    with board.open(anna.pk) as inbox:
        turn = asyncio.create_task(reply_compose(user_id=anna.pk, text="Привет!", generator=scripted, inbox=inbox))
        await _wait_for_request(stub_server, 1)
        assert board.cancel(anna.pk)
        with pytest.raises(TurnCancelled):
            await turn

    stored = [(m.role, m.text) async for m in Message.objects.filter(dialogue__user=anna).order_by("id")]
    assert stored[-1] == ("user", "Привет!")  # the user's words are kept; no reply was written


async def test_cancel_with_nothing_in_flight_says_so():
    board = TurnBoard()

    assert not board.cancel(7)
    assert not board.join(7, "hello")


async def test_messages_that_cannot_join_wait_for_the_next_turn(anna, scripted, stub_server):
    stub_server.delay = 0.3
    board = TurnBoard()
    with board.open(anna.pk) as inbox:
        turn = asyncio.create_task(reply_compose(user_id=anna.pk, text="Привет!", generator=scripted, inbox=inbox))
        await _wait_for_request(stub_server, 1)
        board.join(anna.pk, "я" * 4095)  # together over Telegram's 4096 characters
        await turn
        assert inbox.take() == ["я" * 4095]


async def test_another_answer_replaces_the_latest_reply(anna, scripted, stub_server):
    stub_server.reply = "Первый ответ."
    first = await reply_compose(user_id=anna.pk, text="Как дела?", generator=scripted)
    stub_server.reply = "Второй ответ."

    again = await reply_regenerate(user_id=anna.pk, message_id=first.reply_message_id, generator=scripted)

    assert again.reply_message_id == first.reply_message_id
    stored = await Message.objects.aget(pk=first.reply_message_id)
    assert stored.text == "Второй ответ."
    prompt = stub_server.requests[-1]["messages"]
    assert prompt[-1]["content"] == "Как дела?"
    assert all(message["content"] != "Первый ответ." for message in prompt)  # the replaced reply is not history
    assert await Event.objects.filter(user=anna, name="reply_regenerated").aexists()


async def test_only_the_latest_reply_can_be_regenerated(anna, scripted, stub_server):
    first = await reply_compose(user_id=anna.pk, text="Как дела?", generator=scripted)
    await reply_compose(user_id=anna.pk, text="А у тебя?", generator=scripted)

    with pytest.raises(InvalidInput) as error:
        await reply_regenerate(user_id=anna.pk, message_id=first.reply_message_id, generator=scripted)

    assert error.value.code == "not_the_latest_reply"


async def test_message_events_carry_a_length_range_not_the_length_or_text(anna, scripted, stub_server):
    await reply_compose(user_id=anna.pk, text="Привет, как ты?", generator=scripted)

    event = await Event.objects.aget(user=anna, name="message_sent")
    assert event.properties["length"] == "1-20"
    assert "text_length" not in event.properties
