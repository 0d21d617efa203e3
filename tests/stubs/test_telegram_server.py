"""The fake Bot API server speaks well enough for the real aiogram client (tests/stubs/telegram_server.py)."""

import asyncio
import threading
import time

import aiohttp
import pytest
from aiogram import Bot, Dispatcher, F
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.client.telegram import TelegramAPIServer
from aiogram.exceptions import (
    TelegramBadRequest,
    TelegramConflictError,
    TelegramForbiddenError,
    TelegramRetryAfter,
    TelegramServerError,
    TelegramUnauthorizedError,
)
from aiogram.types import BufferedInputFile, CallbackQuery, InlineKeyboardButton, InlineKeyboardMarkup, Message, Update

from tests.stubs.telegram_server import FakeTelegram

USER = 1001


def make_bot(fake: FakeTelegram, token: str | None = None) -> Bot:
    return Bot(token or fake.token, session=AiohttpSession(api=TelegramAPIServer.from_base(fake.base_url)))


def keyboard(*data: str) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(inline_keyboard=[[InlineKeyboardButton(text=d, callback_data=d) for d in data]])


@pytest.fixture
async def fake():
    server = FakeTelegram()
    await server.start()
    yield server
    await server.stop()


@pytest.fixture
async def bot(fake):
    bot = make_bot(fake)
    yield bot
    await bot.session.close()


@pytest.fixture
async def echo_bot(fake, bot):
    """A dispatcher polling the fake in this loop: echoes text, answers presses by editing the message."""
    dp = Dispatcher()
    seen: list[int] = []

    @dp.message(F.text == "/menu")
    async def menu(message: Message) -> None:
        await message.answer("Pick one", reply_markup=keyboard("like", "skip"))

    @dp.message(F.text)
    async def echo(message: Message, event_update: Update) -> None:
        seen.append(event_update.update_id)
        await message.answer(message.text)

    @dp.callback_query()
    async def pressed(query: CallbackQuery) -> None:
        await query.answer()
        await query.message.edit_text(f"You chose {query.data}")

    task = asyncio.create_task(dp.start_polling(bot, handle_signals=False, handle_as_tasks=False, polling_timeout=5))
    yield seen
    await dp.stop_polling()
    await task


async def test_get_me_describes_the_bot(bot, fake):
    me = await bot.get_me()

    assert (me.id, me.username, me.is_bot) == (123456, "sputnik_test_bot", True)
    assert fake.calls[-1] == ("getMe", {})


async def test_a_wrong_token_is_unauthorized(fake):
    stranger = make_bot(fake, token="999:WRONG")
    with pytest.raises(TelegramUnauthorizedError):
        await stranger.get_me()
    await stranger.session.close()


async def test_an_unknown_method_is_a_json_404(fake):
    async with aiohttp.ClientSession() as http, http.post(f"{fake.base_url}/bot{fake.token}/sendNothing") as resp:
        assert (resp.status, await resp.json()) == (404, {"ok": False, "error_code": 404, "description": "Not Found"})


async def test_sent_messages_are_recorded_with_their_ids(bot, fake):
    fake.user_sends("/start")  # message 1 in the chat; a bot may only write to users who wrote first

    reply = await bot.send_message(USER, "<b>Hi</b> &amp; welcome", parse_mode="HTML", reply_markup=keyboard("go"))

    assert (reply.message_id, reply.text, reply.reply_markup.inline_keyboard[0][0].callback_data) == (
        2,
        "Hi & welcome",
        "go",
    )
    assert fake.messages_to(USER) == [
        {
            "method": "sendMessage",
            "chat_id": USER,
            "text": "<b>Hi</b> &amp; welcome",
            "parse_mode": "HTML",
            "reply_markup": {"inline_keyboard": [[{"text": "go", "callback_data": "go"}]]},
            "message_id": 2,
        }
    ]


@pytest.mark.parametrize(
    ("text", "parse_mode", "markup", "error"),
    [
        ("", None, None, "message text is empty"),
        ("<b> </b>", "HTML", None, "message text is empty"),
        ("x" * 4097, None, None, "message is too long"),
        ("<b>bold", "HTML", None, "can't parse entities"),
        ("<b>bold</i>", "HTML", None, "can't parse entities"),
        ("<div>block</div>", "HTML", None, "can't parse entities"),
        ("1 < 2", "HTML", None, "can't parse entities"),
        ("ok", None, keyboard("x" * 65), "BUTTON_DATA_INVALID"),
        ("ok", None, keyboard(""), "BUTTON_DATA_INVALID"),
    ],
)
async def test_invalid_messages_are_bad_requests(bot, fake, text, parse_mode, markup, error):
    fake.user_sends("/start")

    with pytest.raises(TelegramBadRequest, match=error):
        await bot.send_message(USER, text, parse_mode=parse_mode, reply_markup=markup)
    assert fake.sent == []


async def test_limits_themselves_are_allowed(bot, fake):
    fake.user_sends("/start")

    await bot.send_message(USER, "я" * 4096, reply_markup=keyboard("d" * 64))
    await bot.send_message(USER, '<tg-spoiler>a</tg-spoiler> <a href="https://x.io">b</a> <pre><code>c</code></pre>')

    assert len(fake.messages_to(USER)) == 2


async def test_unknown_chats_and_blocked_users_are_refused(bot, fake):
    with pytest.raises(TelegramBadRequest, match="chat not found"):
        await bot.send_message(USER, "hello")
    fake.user_sends("/start")
    fake.blocked_by.add(USER)
    with pytest.raises(TelegramForbiddenError, match="blocked"):
        await bot.send_message(USER, "hello")


async def test_an_edit_without_changes_is_not_modified(bot, fake):
    fake.user_sends("/start")
    sent = await bot.send_message(USER, "Pick", reply_markup=keyboard("a"))

    await bot.edit_message_text(chat_id=USER, message_id=sent.message_id, text="Picked")
    with pytest.raises(TelegramBadRequest, match="message is not modified"):
        await bot.edit_message_text(chat_id=USER, message_id=sent.message_id, text="Picked")
    assert fake.message(USER, sent.message_id)["text"] == "Picked"


async def test_photo_upload_is_recorded_and_its_file_id_can_be_reused(bot, fake):
    fake.user_sends("/start")

    first = await bot.send_photo(USER, BufferedInputFile(b"\xff\xd8jpeg", "p.jpg"), caption="A <i>view</i>")
    await bot.send_photo(USER, first.photo[-1].file_id)
    with pytest.raises(TelegramBadRequest, match="wrong file identifier"):
        await bot.send_photo(USER, "no-such-file")
    with pytest.raises(TelegramBadRequest, match="caption is too long"):
        await bot.send_photo(USER, first.photo[-1].file_id, caption="c" * 1025)

    upload, reuse = fake.messages_to(USER)
    assert (upload["photo"], upload["caption"], reuse["photo"]) == (b"\xff\xd8jpeg", "A <i>view</i>", upload["file_id"])


async def test_a_document_keeps_the_file_name_it_was_uploaded_with(bot, fake):
    fake.user_sends("/start")

    sent = await bot.send_document(USER, BufferedInputFile(b'{"a": 1}', "data-2026.json"))

    assert sent.document.file_name == "data-2026.json"
    assert fake.messages_to(USER)[-1]["document"] == b'{"a": 1}'


async def test_polling_echoes_and_delivers_each_update_once(fake, echo_bot):
    first = fake.user_sends("hello")
    second = fake.user_sends("again")
    assert [m["text"] for m in await fake.wait_for_messages(USER, 2)] == ["hello", "again"]

    fake.duplicate_update(first)  # only a re-delivery comes twice
    third = fake.user_sends("third")
    await fake.wait_for_messages(USER, 4)

    assert echo_bot == [first, second, first, third]
    offsets = [params.get("offset") for method, params in fake.calls if method == "getUpdates"]
    assert offsets[0] is None
    assert first + 1 in offsets[offsets.index(second + 1) :]  # the re-delivery moved the offset back


async def test_a_press_reaches_the_callback_handler(fake, echo_bot):
    fake.user_sends("/menu")
    [menu] = await fake.wait_for_messages(USER, 1)

    fake.user_presses("like")

    deadline = time.monotonic() + 5
    while fake.message(USER, menu["message_id"])["text"] != "You chose like":
        assert time.monotonic() < deadline, fake.calls
        await asyncio.sleep(0.02)
    assert "answerCallbackQuery" in [method for method, _ in fake.calls]
    with pytest.raises(AssertionError, match="no button 'nope'"):
        fake.user_presses("nope")


async def test_long_poll_returns_as_soon_as_an_update_arrives(bot, fake):
    poll = asyncio.create_task(bot.get_updates(timeout=10))
    await asyncio.sleep(0.2)
    started = time.monotonic()
    fake.user_sends("hi")

    [update] = await poll

    assert update.message.text == "hi"
    assert time.monotonic() - started < 2
    assert await bot.get_updates(offset=update.update_id + 1, timeout=0) == []


async def test_a_second_poller_ends_the_first_with_a_conflict(bot, fake):
    first = asyncio.create_task(bot.get_updates(timeout=10))
    await asyncio.sleep(0.2)

    assert await bot.get_updates(timeout=0) == []
    with pytest.raises(TelegramConflictError, match="terminated by other getUpdates"):
        await first


async def test_updates_outside_allowed_updates_are_not_delivered(bot, fake):
    fake.user_sends_update({"edited_message": {"message_id": 1, "date": 0, "chat": {"id": 5, "type": "private"}}})
    fake.user_sends("plain")

    updates = await bot.get_updates(allowed_updates=["message"], timeout=0)

    assert [u.message.text for u in updates] == ["plain"]


async def test_429_raises_retry_after_once(bot, fake):
    fake.user_sends("/start")
    fake.fail_next("sendMessage", status=429, retry_after=7)

    with pytest.raises(TelegramRetryAfter) as caught:
        await bot.send_message(USER, "hi")
    await bot.send_message(USER, "hi")

    assert caught.value.retry_after == 7
    assert [m for m, _ in fake.calls].count("sendMessage") == 2


async def test_5xx_raises_server_error(bot, fake):
    fake.fail_next("getMe", status=502)

    with pytest.raises(TelegramServerError, match="Bad Gateway"):
        await bot.get_me()


async def test_voice_is_served_through_get_file_and_download(bot, fake):
    fake.user_sends_voice(b"OggS voice bytes", duration=3)
    [update] = await bot.get_updates(timeout=0)

    downloaded = await bot.download(update.message.voice.file_id)

    assert (update.message.voice.duration, downloaded.read()) == (3, b"OggS voice bytes")


async def test_chat_member_defaults_to_left(bot, fake):
    fake.members[("@sputnik_news", USER)] = "member"

    assert (await bot.get_chat_member("@sputnik_news", USER)).status == "member"
    assert (await bot.get_chat_member("@sputnik_news", 2002)).status == "left"


def test_thread_mode_serves_a_bot_running_in_another_loop():
    fake = FakeTelegram()
    fake.start_in_thread()
    stop = threading.Event()

    async def run_bot() -> None:  # as a bot process would: its own loop, polling the fake
        dp, bot = Dispatcher(), make_bot(fake)
        dp.message(F.text)(lambda message: message.answer(message.text.upper()))
        polling = asyncio.create_task(dp.start_polling(bot, handle_signals=False, polling_timeout=5))
        await asyncio.to_thread(stop.wait)
        await dp.stop_polling()
        await polling

    runner = threading.Thread(target=asyncio.run, args=(run_bot(),))
    runner.start()
    try:
        fake.user_sends("ping")
        assert fake.wait_for_messages_sync(USER, 1)[0]["text"] == "PING"
    finally:
        stop.set()
        runner.join(timeout=10)
        fake.stop_thread()


async def test_load_timings_mark_when_an_update_went_out_and_when_its_reply_came_in(fake, echo_bot):
    replies: list[tuple[dict, float]] = []
    fake.on_sent.append(lambda entry, arrived_at: replies.append((entry, arrived_at)))
    before = time.monotonic()

    update_id = fake.user_sends("hello")
    [reply] = await fake.wait_for_messages(USER, 1)

    assert [entry for entry, _arrived in replies] == [reply]
    arrived_at = replies[0][1]
    assert before <= fake.handed_out_at[update_id] <= arrived_at <= time.monotonic()
    assert fake.sent_at[(USER, reply["message_id"])] == arrived_at
