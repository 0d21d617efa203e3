"""A fake Telegram Bot API server on 127.0.0.1 for end-to-end tests of the real aiogram client.

    fake = FakeTelegram()
    await fake.start()                      # or fake.start_in_thread() when the bot runs elsewhere
    bot = Bot(fake.token, session=AiohttpSession(api=TelegramAPIServer.from_base(fake.base_url)))
    fake.user_sends("/start")
    [reply] = await fake.wait_for_messages(1001, 1)

It keeps Telegram's rules that bots trip over: text/caption limits, callback_data size, HTML entities,
offsets of getUpdates, "chat not found" for users who never wrote to the bot, "message is not modified",
409 when two pollers compete. Bodies come as aiogram sends them: every value a form field (plain strings
as is, everything else JSON-encoded), url-encoded without files and multipart with files, whose fields
are referenced as "attach://<key>".
"""

from __future__ import annotations

import asyncio
import contextlib
import contextvars
import copy
import html
import itertools
import json
import re
import threading
import time
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from http import HTTPStatus

from aiogram.types import ChatMemberAdministrator, ChatMemberRestricted
from aiohttp import web

TEXT_LIMIT = 4096
CAPTION_LIMIT = 1024
DOWNLOAD_LIMIT = 20 * 1024 * 1024  # bots cannot download bigger files from the public Bot API
_HTML_TAGS = {"b", "strong", "i", "em", "u", "ins", "s", "strike", "del", "a", "code", "pre", "span"}
_HTML_TAGS |= {"tg-spoiler", "tg-emoji", "blockquote"}
_TAG = re.compile(r"<(/?)([a-zA-Z][\w-]*)(\s[^<>]*)?>")
_JSON_FIELDS = {"reply_markup", "allowed_updates", "commands", "scope", "entities", "caption_entities", "media"}
_JSON_FIELDS |= {"link_preview_options", "reply_parameters", "prices"}
_INT_FIELDS = {"chat_id", "user_id", "message_id", "offset", "limit", "timeout", "duration", "cache_time"}
_BOOL_PREFIXES = ("is_", "has_", "disable_", "show_", "protect_", "allow_", "drop_", "ok")
_BUTTON_ACTIONS = {"callback_data", "url", "web_app", "login_url", "switch_inline_query", "copy_text", "pay"}
_BUTTON_ACTIONS |= {"switch_inline_query_current_chat", "switch_inline_query_chosen_chat", "callback_game"}
_NOT_BY_DEFAULT = {"chat_member", "message_reaction", "message_reaction_count"}  # need explicit allowed_updates
_CHAT_ACTIONS = {"typing", "upload_photo", "record_video", "upload_video", "record_voice", "upload_voice"}
_CHAT_ACTIONS |= {"upload_document", "choose_sticker", "find_location", "record_video_note", "upload_video_note"}
# Flags a ChatMember of that status must carry; taken from aiogram so they follow its Bot API version.
_ADMIN_RIGHTS = [name for name in ChatMemberAdministrator.model_fields if name.startswith("can_")]
_RESTRICTED_RIGHTS = [name for name in ChatMemberRestricted.model_fields if name.startswith("can_")]
_arrived_at: contextvars.ContextVar[float] = contextvars.ContextVar("arrived_at")  # of the request being served


class _Upload(bytes):
    """An uploaded file's content with the name the client gave it (a document keeps it in Telegram)."""

    def __new__(cls, content: bytes, filename: str | None) -> _Upload:
        upload = super().__new__(cls, content)
        upload.filename = filename
        return upload


class ApiError(Exception):
    def __init__(self, status: int, description: str, parameters: dict | None = None) -> None:
        super().__init__(description)
        self.status, self.description, self.parameters = status, description, parameters


@dataclass
class _Pending:
    update: dict
    forced: bool  # a re-delivery (id not above those handed out): offsets do not drop it before it is delivered
    delivered: bool = False


class FakeTelegram:
    def __init__(self, token: str = "123456:TEST", bot_username: str = "sputnik_test_bot") -> None:  # noqa: S107
        self.token, self.bot_username, self.base_url = token, bot_username, ""
        self.bot_user = {"id": int(token.split(":")[0]), "is_bot": True, "first_name": "Sputnik"}
        self.bot_user["username"] = bot_username
        self.sent: list[dict] = []  # new bot messages only; edits and deletions are in `calls` and `message()`
        self._sent_by_chat: dict[int | str, list[dict]] = defaultdict(list)  # the same entries, by chat
        self.calls: list[tuple[str, dict]] = []
        self.errors: list[tuple[str, str]] = []  # (method, description) of every error answered
        self.members: dict[tuple[str | int, int], str] = {}
        self.blocked_by: set[int] = set()  # users who blocked the bot: sends to them get 403
        self.commands: dict[tuple[str, str], list[dict]] = {}  # (scope type, language code) -> commands
        self.webhook: dict = {}
        self.invoices: dict[tuple[int, int], dict] = {}  # (chat, message id) -> sendInvoice parameters
        self.pre_checkout_answers: dict[str, dict] = {}  # query id -> answerPreCheckoutQuery parameters
        self.updates: dict[int, dict] = {}  # every update enqueued, by id
        # Timings for load tests, on time.monotonic(): when getUpdates first handed an update out, and when the
        # request that sent a message arrived, by (chat, message id).
        self.handed_out_at: dict[int, float] = {}
        self.sent_at: dict[tuple[int | str, int], float] = {}
        # Called in the server's loop with each new `sent` entry and the time its request arrived.
        self.on_sent: list[Callable[[dict, float], None]] = []
        self._lock = threading.Lock()
        self._changed = threading.Condition(self._lock)
        self._pending: list[_Pending] = []
        self._last_update_id = 0
        self._ids = itertools.count(1)
        self._message_ids: dict[int | str, int] = defaultdict(int)
        self._messages: dict[tuple[int | str, int], dict] = {}  # current state of every message, by chat
        self._raw: dict[tuple[int | str, int], tuple] = {}  # what the bot sent, for "message is not modified"
        self._chats: dict[int | str, dict] = {}
        self._users: dict[int, dict] = {}
        self._files: dict[str, dict] = {}  # file_id -> {"content", "file_path", "file_unique_id"}
        self._callbacks: dict[str, bool] = {}  # callback query id -> answered
        self._failures: dict[str, list[ApiError]] = defaultdict(list)
        self._allowed_updates: set[str] | None = None
        self._poll_generation = 0
        self._loop: asyncio.AbstractEventLoop | None = None
        self._loop_thread: int | None = None
        self._wakeup: asyncio.Event | None = None
        self._runner: web.AppRunner | None = None
        self._thread: threading.Thread | None = None
        self._closing = False
        self._methods = {
            name.lower(): (name, handler)
            for name, handler in {
                "getMe": lambda p: self.bot_user | {"can_join_groups": True, "supports_inline_queries": False},
                "getUpdates": self._get_updates,
                "setWebhook": self._set_webhook,
                "deleteWebhook": self._delete_webhook,
                "getWebhookInfo": self._webhook_info,
                "setMyCommands": self._set_commands,
                "getMyCommands": lambda p: self.commands.get(_scope_key(p), []),
                "deleteMyCommands": lambda p: bool(self.commands.pop(_scope_key(p), None) or True),
                "sendMessage": lambda p: self._send("sendMessage", p, None),
                "sendPhoto": lambda p: self._send("sendPhoto", p, "photo"),
                "sendVoice": lambda p: self._send("sendVoice", p, "voice"),
                "sendDocument": lambda p: self._send("sendDocument", p, "document"),
                "editMessageText": self._edit_text,
                "editMessageReplyMarkup": self._edit_markup,
                "deleteMessage": self._delete,
                "sendChatAction": self._chat_action,
                "answerCallbackQuery": self._answer_callback,
                "getFile": self._get_file,
                "getChatMember": self._chat_member,
                "sendInvoice": self._send_invoice,
                "answerPreCheckoutQuery": self._answer_pre_checkout,
                "close": lambda p: True,
                "logOut": lambda p: True,
            }.items()
        }

    # --- lifecycle ---------------------------------------------------------------------------------
    async def start(self) -> None:
        self._loop, self._loop_thread = asyncio.get_running_loop(), threading.get_ident()
        self._wakeup, self._closing = asyncio.Event(), False
        app = web.Application(client_max_size=50 * 1024 * 1024)
        app.router.add_route("*", "/bot{token}/{method}", self._api)
        app.router.add_get("/file/bot{token}/{path:.+}", self._download)
        app.router.add_route("*", "/{tail:.*}", _not_found)
        self._runner = web.AppRunner(app, access_log=None, shutdown_timeout=1.0)
        await self._runner.setup()
        await web.TCPSite(self._runner, "127.0.0.1", 0).start()
        self.base_url = f"http://127.0.0.1:{self._runner.addresses[0][1]}"

    async def stop(self) -> None:
        self._closing = True
        self._wake()  # long polls answer at once instead of holding the shutdown
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    def start_in_thread(self) -> None:
        loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=loop.run_forever, name="fake-telegram", daemon=True)
        self._thread.start()
        asyncio.run_coroutine_threadsafe(self.start(), loop).result(timeout=10)

    def stop_thread(self) -> None:
        loop = self._loop
        asyncio.run_coroutine_threadsafe(self.stop(), loop).result(timeout=10)
        loop.call_soon_threadsafe(loop.stop)
        self._thread.join(timeout=10)
        loop.close()

    # --- the user's side ---------------------------------------------------------------------------
    def user_sends(
        self,
        text: str,
        *,
        user_id: int = 1001,
        first_name: str = "Anna",
        language_code: str = "ru",
        chat_type: str = "private",
        chat_id: int | None = None,
    ) -> int:
        with self._lock:
            message = self._text_message(text, user_id, first_name, language_code, chat_type, chat_id)
            return self._enqueue({"message": message})

    def make_message_update(
        self, text: str, *, user_id: int = 1001, first_name: str = "Anna", language_code: str = "ru"
    ) -> dict:
        """A private-chat text update as Telegram would post it to a webhook: the chat becomes known and the
        update gets the next id, but nothing is queued for getUpdates."""
        with self._lock:
            message = self._text_message(text, user_id, first_name, language_code, "private", None)
            self._last_update_id += 1
            self.updates[self._last_update_id] = {"update_id": self._last_update_id, "message": message}
            return copy.deepcopy(self.updates[self._last_update_id])

    def user_presses(
        self, callback_data: str, *, user_id: int = 1001, message_id: int | None = None, strict: bool = True
    ) -> int:
        """A press on the newest bot message to the user that carries this button (or on `message_id`).
        `strict=False` allows data that no button carries (a forged or stale press)."""
        with self._lock:
            if message_id is None:
                mine = [m["message_id"] for m in self._sent_by_chat.get(user_id, ())]
                carrying = [i for i in mine if callback_data in _buttons(self._messages.get((user_id, i)))]
                message_id = (carrying or mine or [None])[-1]
            message = self._messages.get((user_id, message_id))
            if message is None:
                raise AssertionError(f"no message {message_id} in chat {user_id} to press a button on")
            if strict and callback_data not in _buttons(message):
                raise AssertionError(f"no button {callback_data!r} on message {message_id}: {_buttons(message)}")
            query_id = str(next(self._ids))
            self._callbacks[query_id] = False
            query = {"id": query_id, "from": self._user(user_id), "message": copy.deepcopy(message)}
            return self._enqueue({"callback_query": query | {"chat_instance": str(user_id), "data": callback_data}})

    def user_sends_voice(self, ogg_bytes: bytes, *, duration: int, user_id: int = 1001) -> int:
        with self._lock:
            user = self._user(user_id)
            file = self._add_file(ogg_bytes, "voice")
            voice = {k: file[k] for k in ("file_id", "file_unique_id", "file_size")}
            message = self._new_message(self._chat(user_id, "private", user), user)
            message["voice"] = voice | {"duration": duration, "mime_type": "audio/ogg"}
            return self._enqueue({"message": message})

    def user_sends_update(self, update: dict) -> int:
        """Any raw update. Chats and users in it become known; my_chat_member "kicked"/"member" in a private
        chat is how Telegram reports that a user blocked/unblocked the bot, so `blocked_by` follows it."""
        with self._lock:
            for event in update.values():
                if isinstance(event, dict) and isinstance(event.get("from"), dict):
                    self._users.setdefault(event["from"]["id"], event["from"])
                if isinstance(event, dict) and isinstance(event.get("chat"), dict):
                    self._chats.setdefault(event["chat"]["id"], event["chat"])
            change = update.get("my_chat_member", {})
            if change.get("chat", {}).get("type") == "private":
                status, chat_id = change["new_chat_member"]["status"], change["chat"]["id"]
                (self.blocked_by.add if status == "kicked" else self.blocked_by.discard)(chat_id)
            return self._enqueue(copy.deepcopy(update))

    def duplicate_update(self, update_id: int) -> None:
        with self._lock:
            self._enqueue(copy.deepcopy(self.updates[update_id]))

    def add_file(self, content: bytes, *, kind: str = "photo") -> str:
        """Registers a file (say, a persona photo uploaded earlier) and returns its file_id."""
        with self._lock:
            return self._add_file(content, kind)["file_id"]

    # --- what the bot did --------------------------------------------------------------------------
    def messages_to(self, user_id: int) -> list[dict]:
        return list(self._sent_by_chat.get(user_id, ()))

    def message(self, chat_id: int, message_id: int) -> dict | None:
        """The message as the user sees it now (after edits); None once deleted."""
        with self._lock:
            return copy.deepcopy(self._messages.get((chat_id, message_id)))

    def wait_for_messages_sync(self, user_id: int, count: int, timeout: float = 10.0) -> list[dict]:
        if threading.get_ident() == self._loop_thread and self._runner is not None:
            raise RuntimeError("this would block the server's own loop: await wait_for_messages() instead")
        with self._changed:
            if not self._changed.wait_for(lambda: len(self.messages_to(user_id)) >= count, timeout):
                sent = json.dumps(self.messages_to(user_id), ensure_ascii=False, default=repr, indent=1)
                raise AssertionError(
                    f"expected {count} messages to {user_id} within {timeout}s, got: {sent}\n"
                    f"API errors answered: {self.errors}\nlast calls: {[c[0] for c in self.calls[-20:]]}"
                )
            return self.messages_to(user_id)

    async def wait_for_messages(self, user_id: int, count: int, timeout: float = 10.0) -> list[dict]:  # noqa: ASYNC109
        # A thread keeps the event loop free: the server may be serving the bot in this same loop.
        return await asyncio.to_thread(self.wait_for_messages_sync, user_id, count, timeout)

    # --- fault injection ---------------------------------------------------------------------------
    def fail_next(
        self, method: str, *, status: int, retry_after: int | None = None, times: int = 1, description: str = ""
    ) -> None:
        """The next `times` calls of `method` fail: 429 with parameters.retry_after, 5xx, or any status
        with a description (403 "Forbidden: bot was blocked by the user", 400 "Bad Request: ...")."""
        parameters = {"retry_after": retry_after} if retry_after is not None else None
        if not description:
            description = f"Too Many Requests: retry after {retry_after}" if status == 429 else ""
            description = description or HTTPStatus(status).phrase
        with self._lock:
            self._failures[method.lower()] += [ApiError(status, description, parameters) for _ in range(times)]

    # --- HTTP --------------------------------------------------------------------------------------
    async def _api(self, request: web.Request) -> web.Response:
        _arrived_at.set(time.monotonic())
        if request.match_info["token"] != self.token:
            return _error(401, "Unauthorized")
        if (found := self._methods.get(request.match_info["method"].lower())) is None:
            return _error(404, "Not Found")
        name, handler = found
        params: dict = {}
        try:
            params = await _read_params(request)
            with self._lock:
                self.calls.append((name, params))
                if self._failures[name.lower()]:
                    raise self._failures[name.lower()].pop(0)
            result = handler(params)
            if asyncio.iscoroutine(result):
                result = await result
        except ApiError as error:
            with self._lock:
                self.errors.append((name, error.description))
            return _error(error.status, error.description, error.parameters)
        return web.json_response({"ok": True, "result": result})

    async def _download(self, request: web.Request) -> web.Response:
        with self._lock:
            files = {f["file_path"]: f for f in self._files.values()}
        file = files.get(request.match_info["path"])
        if request.match_info["token"] != self.token or file is None:
            return _error(404, "Not Found")
        return web.Response(body=file["content"], content_type="application/octet-stream")

    def _wake(self) -> None:
        """Wakes every waiting getUpdates; safe from any thread."""

        def wake() -> None:
            self._wakeup.set()
            self._wakeup = asyncio.Event()

        if self._loop is not None and not self._loop.is_closed():
            self._loop.call_soon_threadsafe(wake)

    # --- updates -----------------------------------------------------------------------------------
    def _enqueue(self, update: dict) -> int:  # under the lock
        if "update_id" not in update:
            update = {"update_id": self._last_update_id + 1, **update}
        update_id = update["update_id"]
        self._pending.append(_Pending(update, forced=update_id <= self._last_update_id))
        self._last_update_id = max(self._last_update_id, update_id)
        self.updates[update_id] = update
        self._wake()
        return update_id

    async def _get_updates(self, params: dict) -> list[dict]:
        if self.webhook.get("url"):
            raise ApiError(409, "Conflict: can't use getUpdates method while webhook is active; use deleteWebhook")
        loop = asyncio.get_running_loop()
        deadline = loop.time() + min(max(params.get("timeout", 0), 0), 50)
        with self._lock:
            self._poll_generation += 1
            generation = self._poll_generation
            if "allowed_updates" in params:
                self._allowed_updates = set(params["allowed_updates"]) or None
            if (offset := params.get("offset")) is not None:  # confirms everything below the offset
                self._pending = [
                    p for p in self._pending if p.update["update_id"] >= offset or (p.forced and not p.delivered)
                ]
        self._wake()  # an older long poll of another bot instance ends with 409, as on Telegram
        while True:
            with self._lock:
                if generation != self._poll_generation:
                    raise ApiError(
                        409,
                        "Conflict: terminated by other getUpdates request; make sure that only one "
                        "bot instance is running",
                    )
                batch = self._take(min(max(params.get("limit", 100), 1), 100))
                wakeup = self._wakeup  # taken with the batch, so a wake-up after it cannot be missed
            remaining = deadline - loop.time()
            if batch or remaining <= 0 or self._closing:
                return batch
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(wakeup.wait(), remaining)

    def _take(self, limit: int) -> list[dict]:  # under the lock
        batch: list[_Pending] = []
        for pending in list(self._pending):
            kind = next(key for key in pending.update if key != "update_id")
            allowed = self._allowed_updates
            if (kind not in allowed) if allowed else (kind in _NOT_BY_DEFAULT):
                self._pending.remove(pending)  # Telegram would not have queued it for this bot
                continue
            if pending.forced and batch:
                break  # a re-delivery goes alone: the offset the bot sends after it moves backwards
            pending.delivered = True
            self.handed_out_at.setdefault(pending.update["update_id"], time.monotonic())
            batch.append(pending)
            if pending.forced or len(batch) == limit:
                break
        return [p.update for p in batch]

    def _set_webhook(self, params: dict) -> bool:
        self.webhook = {"url": params.get("url", ""), "secret_token": params.get("secret_token")}
        return True

    def _delete_webhook(self, params: dict) -> bool:
        self.webhook = {}
        if params.get("drop_pending_updates"):
            with self._lock:
                self._pending.clear()
        return True

    def _webhook_info(self, params: dict) -> dict:
        url = self.webhook.get("url", "")
        return {"url": url, "has_custom_certificate": False, "pending_update_count": len(self._pending)}

    # --- messages ----------------------------------------------------------------------------------
    def _send(self, method: str, params: dict, kind: str | None) -> dict:
        markup, parse_mode = params.get("reply_markup"), params.get("parse_mode")
        entry = {"method": method, "chat_id": params.get("chat_id"), "reply_markup": markup, "parse_mode": parse_mode}
        with self._lock:
            chat = self._target_chat(params.get("chat_id"))
            _check_markup(markup)
            fields = {}
            if kind is None:
                entry["text"] = params.get("text", "")
                fields["text"] = _visible(entry["text"], parse_mode)
            else:
                file = self._media_file(params.get(kind), kind)
                entry |= {kind: params[kind], "file_id": file["file_id"]}
                described = {k: file[k] for k in ("file_id", "file_unique_id", "file_size")}
                fields[kind] = {
                    "photo": [described | {"width": 640, "height": 640}],
                    "voice": described | {"duration": params.get("duration", 1)},
                    "document": described | {"file_name": file["file_name"] or file["file_path"].rsplit("/")[-1]},
                }[kind]
                if caption := params.get("caption"):
                    entry["caption"] = caption
                    fields["caption"] = _visible(caption, parse_mode, caption=True)
            message = self._new_message(chat, self.bot_user, **fields)
            if markup and "inline_keyboard" in markup:  # Telegram echoes only inline keyboards
                message["reply_markup"] = markup
            self._raw[(chat["id"], message["message_id"])] = (entry.get("text"), parse_mode, markup)
            entry["message_id"] = message["message_id"]
            arrived = self._record_sent(entry)
            self._changed.notify_all()
            reply = copy.deepcopy(message)
        for hook in self.on_sent:
            hook(entry, arrived)
        return reply

    def _record_sent(self, entry: dict) -> float:  # under the lock
        self.sent.append(entry)
        self._sent_by_chat[entry["chat_id"]].append(entry)
        arrived = self.sent_at[(entry["chat_id"], entry["message_id"])] = _arrived_at.get(None) or time.monotonic()
        return arrived

    def _send_invoice(self, params: dict) -> dict:
        """Stars invoices: currency XTR, one price, an empty provider token (Telegram's rules for Stars)."""
        prices = params.get("prices") or []
        if params.get("currency") != "XTR" or len(prices) != 1 or params.get("provider_token"):
            raise ApiError(400, "Bad Request: Stars invoices take currency XTR, one price and no provider token")
        if not 1 <= len(params.get("payload", "").encode()) <= 128:
            raise ApiError(400, "Bad Request: invoice payload must be 1-128 bytes")
        entry = {"method": "sendInvoice", "chat_id": params.get("chat_id"), "reply_markup": params.get("reply_markup")}
        invoice = {"title": params["title"], "description": params["description"], "currency": "XTR",
                   "total_amount": prices[0]["amount"], "start_parameter": ""}  # fmt: skip
        with self._lock:
            chat = self._target_chat(params.get("chat_id"))
            message = self._new_message(chat, self.bot_user, invoice=invoice)
            self.invoices[(chat["id"], message["message_id"])] = params
            self._record_sent(entry | {"invoice": invoice, "message_id": message["message_id"]})
            self._changed.notify_all()
            return copy.deepcopy(message)

    def _answer_pre_checkout(self, params: dict) -> bool:
        with self._lock:
            self.pre_checkout_answers[params["pre_checkout_query_id"]] = params
            self._changed.notify_all()
        return True

    def user_pays_invoice(self, message_id: int, *, user_id: int = 1001, timeout: float = 10.0) -> dict:
        """The user taps Pay on an invoice: Telegram asks the bot (pre_checkout_query) and, when the bot says
        ok, charges and sends the successful_payment message. Returns the bot's pre-checkout answer. It waits
        for the bot: from async tests call it through asyncio.to_thread."""
        with self._lock:
            params = self.invoices[(user_id, message_id)]
            query_id = str(next(self._ids))
            amount = params["prices"][0]["amount"]
            query = {"id": query_id, "from": self._user(user_id), "currency": "XTR", "total_amount": amount,
                     "invoice_payload": params["payload"]}  # fmt: skip
            self._enqueue({"pre_checkout_query": query})
            if not self._changed.wait_for(lambda: query_id in self.pre_checkout_answers, timeout=timeout):
                raise AssertionError("the bot did not answer the pre-checkout query")
            answer = self.pre_checkout_answers[query_id]
            if answer.get("ok"):
                payment = {"currency": "XTR", "total_amount": amount, "invoice_payload": params["payload"],
                           "telegram_payment_charge_id": f"stars-charge-{query_id}",
                           "provider_payment_charge_id": ""}  # fmt: skip
                chat = self._chats[user_id]
                message = self._new_message(chat, self._user(user_id), successful_payment=payment)
                self._enqueue({"message": message})
            return answer

    def _edit_text(self, params: dict) -> dict:
        markup, parse_mode, text = params.get("reply_markup"), params.get("parse_mode"), params.get("text", "")
        with self._lock:
            key, message = self._own_message(params, "message to edit not found")
            if "text" not in message:
                raise ApiError(400, "Bad Request: there is no text in the message to edit")
            _check_markup(markup)
            visible = _visible(text, parse_mode)
            return self._apply_edit(key, message, (text, parse_mode, markup), text=visible)

    def _edit_markup(self, params: dict) -> dict:
        markup = params.get("reply_markup")
        with self._lock:
            key, message = self._own_message(params, "message to edit not found")
            _check_markup(markup)
            return self._apply_edit(key, message, (*self._raw[key][:2], markup))

    def _apply_edit(self, key: tuple, message: dict, raw: tuple, **fields: str) -> dict:  # under the lock
        if raw == self._raw[key]:
            raise ApiError(
                400,
                "Bad Request: message is not modified: specified new message content and reply "
                "markup are exactly the same as a current content and reply markup of the message",
            )
        self._raw[key] = raw
        message.update(fields, edit_date=int(time.time()))
        message.pop("reply_markup", None)
        if raw[2] and "inline_keyboard" in raw[2]:
            message["reply_markup"] = raw[2]
        return copy.deepcopy(message)

    def _delete(self, params: dict) -> bool:
        with self._lock:
            if self._messages.pop((params.get("chat_id"), params.get("message_id")), None) is None:
                raise ApiError(400, "Bad Request: message to delete not found")
        return True

    def _chat_action(self, params: dict) -> bool:
        with self._lock:
            self._target_chat(params.get("chat_id"))
        if params.get("action") not in _CHAT_ACTIONS:
            raise ApiError(400, "Bad Request: wrong parameter action in request")
        return True

    def _answer_callback(self, params: dict) -> bool:
        with self._lock:
            if self._callbacks.get(params.get("callback_query_id")) is not False:
                raise ApiError(400, "Bad Request: query is too old and response timeout expired or query ID is invalid")
            self._callbacks[params["callback_query_id"]] = True
        return True

    def _set_commands(self, params: dict) -> bool:
        for command in params.get("commands", []):
            if not re.fullmatch(r"[a-z0-9_]{1,32}", command.get("command", "")):
                raise ApiError(400, "Bad Request: BOT_COMMAND_INVALID")
            if not 1 <= len(command.get("description", "")) <= 256:
                raise ApiError(400, "Bad Request: command description is empty or too long")
        self.commands[_scope_key(params)] = params.get("commands", [])
        return True

    # --- files and members -------------------------------------------------------------------------
    def _get_file(self, params: dict) -> dict:
        with self._lock:
            file = self._files.get(params.get("file_id", ""))
        if file is None:
            raise ApiError(400, "Bad Request: invalid file_id")
        if file["file_size"] > DOWNLOAD_LIMIT:
            raise ApiError(400, "Bad Request: file is too big")
        return {k: file[k] for k in ("file_id", "file_unique_id", "file_size", "file_path")}

    def _chat_member(self, params: dict) -> dict:
        chat_id, user_id = params.get("chat_id"), params.get("user_id")
        status = self.members.get((chat_id, user_id)) or self.members.get((str(chat_id), user_id), "left")
        member = {
            "status": status,
            "user": self._users.get(user_id, {"id": user_id, "is_bot": False, "first_name": "U"}),
        }
        if status == "creator":
            member["is_anonymous"] = False
        elif status == "administrator":
            member |= {"can_be_edited": False, "is_anonymous": False} | dict.fromkeys(_ADMIN_RIGHTS, True)
        elif status == "restricted":
            member |= {"is_member": True, "until_date": 0} | dict.fromkeys(_RESTRICTED_RIGHTS, False)
        elif status == "kicked":
            member["until_date"] = 0
        return member

    def _add_file(self, content: bytes, kind: str, *, file_name: str | None = None) -> dict:  # under the lock
        number = next(self._ids)
        extension = {"photo": "jpg", "voice": "oga"}.get(kind, "bin")
        file = {"file_id": f"{kind}-{number}", "file_unique_id": f"u{number}", "file_size": len(content)}
        path = f"{kind}s/file_{number}.{extension}"
        self._files[file["file_id"]] = file | {"content": content, "file_path": path, "file_name": file_name}
        return self._files[file["file_id"]]

    def _media_file(self, value: bytes | str | None, kind: str) -> dict:  # under the lock
        if isinstance(value, bytes):  # an upload
            return self._add_file(value, kind, file_name=getattr(value, "filename", None))
        if isinstance(value, str) and value.startswith(("http://", "https://")):
            return self._add_file(b"", kind)  # Telegram would fetch the URL; the fake cannot
        if value in self._files:
            return self._files[value]
        raise ApiError(400, "Bad Request: wrong file identifier/HTTP URL specified")

    # --- chats, users, messages --------------------------------------------------------------------
    def _user(self, user_id: int, **names: str) -> dict:  # under the lock
        user = self._users.setdefault(user_id, {"id": user_id, "is_bot": False, "first_name": "Anna"})
        user.update(names)
        return user

    def _chat(self, chat_id: int, chat_type: str, user: dict) -> dict:  # under the lock
        chat = {"id": chat_id, "type": chat_type}
        chat |= {"first_name": user["first_name"]} if chat_type == "private" else {"title": f"Chat {chat_id}"}
        self._chats[chat_id] = chat
        return chat

    def _text_message(  # under the lock
        self, text: str, user_id: int, first_name: str, language_code: str, chat_type: str, chat_id: int | None
    ) -> dict:
        user = self._user(user_id, first_name=first_name, language_code=language_code)
        chat = self._chat(chat_id or (user_id if chat_type == "private" else -user_id), chat_type, user)
        message = self._new_message(chat, user, text=text)
        if command := re.match(r"/\w+(@\w+)?", text):
            message["entities"] = [{"type": "bot_command", "offset": 0, "length": len(command.group())}]
        return message

    def _target_chat(self, chat_id: int | str | None) -> dict:  # under the lock
        if chat_id in self.blocked_by:
            raise ApiError(403, "Forbidden: bot was blocked by the user")
        if chat_id not in self._chats:  # Telegram: a user must have written to the bot first
            raise ApiError(400, "Bad Request: chat not found")
        return self._chats[chat_id]

    def _new_message(self, chat: dict, sender: dict, **fields: object) -> dict:  # under the lock
        self._message_ids[chat["id"]] += 1  # one sequence per chat, shared by the user and the bot
        message = {"message_id": self._message_ids[chat["id"]], "date": int(time.time()), "chat": chat}
        message |= {"from": sender, **fields}
        self._messages[(chat["id"], message["message_id"])] = message
        return message

    def _own_message(self, params: dict, missing: str) -> tuple[tuple, dict]:  # under the lock
        key = (params.get("chat_id"), params.get("message_id"))
        if (message := self._messages.get(key)) is None:
            raise ApiError(400, f"Bad Request: {missing}")
        if message["from"]["id"] != self.bot_user["id"]:
            raise ApiError(400, "Bad Request: message can't be edited")
        return key, message


def _error(status: int, description: str, parameters: dict | None = None) -> web.Response:
    body = {"ok": False, "error_code": status, "description": description}
    return web.json_response(body | ({"parameters": parameters} if parameters else {}), status=status)


async def _not_found(request: web.Request) -> web.Response:
    return _error(404, "Not Found")


async def _read_params(request: web.Request) -> dict:
    """Query string plus a JSON, url-encoded or multipart body; uploads become bytes under their field."""
    params: dict = dict(request.query)
    files: dict[str, bytes] = {}
    if request.content_type == "application/json":
        params |= await request.json()
    else:
        for key, value in (await request.post()).items():
            if isinstance(value, web.FileField):
                files[key] = _Upload(value.file.read(), value.filename)
            else:
                params[key] = value
    decoded = {}
    for key, value in params.items():
        decoded[key] = value = _decode(key, value)
        if isinstance(value, str) and value.startswith("attach://"):
            decoded[key] = files.pop(value.removeprefix("attach://"), value)
    return decoded | files  # files under their own field name, as other clients send them


def _decode(key: str, value: object) -> object:
    if not isinstance(value, str):
        return value
    if key in _JSON_FIELDS:
        try:
            return json.loads(value)
        except ValueError:
            raise ApiError(400, f"Bad Request: can't parse {key} JSON object") from None
    if key in _INT_FIELDS and re.fullmatch(r"-?\d+", value):
        return int(value)
    if key.startswith(_BOOL_PREFIXES) and value in ("true", "false"):
        return value == "true"
    return value


def _visible(text: str, parse_mode: str | None, *, caption: bool = False) -> str:
    """The text as the user sees it; refuses what Telegram refuses (bad HTML, empty, over the limit)."""
    if (parse_mode or "").lower() == "html":
        stack, parts, position = [], [], 0
        while (start := text.find("<", position)) != -1:
            parts.append(text[position:start])
            offset = len(text[:start].encode())
            tag = _TAG.match(text, start)
            name = tag.group(2).lower() if tag else text[start + 1 : start + 8]
            if tag is None or name not in _HTML_TAGS or (name == "span" and "tg-spoiler" not in (tag.group(3) or "")):
                raise _entities_error(f'Unsupported start tag "{name}" at byte offset {offset}')
            if not tag.group(1):
                stack.append(name)
            elif not stack:
                raise _entities_error(f"Unexpected end tag at byte offset {offset}")
            elif (expected := stack.pop()) != name:
                raise _entities_error(f'Unmatched end tag at byte offset {offset}, expected "</{expected}>"')
            position = tag.end()
        if stack:
            raise _entities_error(f'Can\'t find end tag corresponding to start tag "{stack[-1]}"')
        text = html.unescape("".join([*parts, text[position:]]))
    text = text.strip()
    if not text and not caption:  # an empty caption is simply no caption
        raise ApiError(400, "Bad Request: message text is empty")
    if len(text) > (CAPTION_LIMIT if caption else TEXT_LIMIT):  # characters after entity parsing
        raise ApiError(400, f"Bad Request: message {'caption ' if caption else ''}is too long")
    return text


def _entities_error(detail: str) -> ApiError:
    return ApiError(400, f"Bad Request: can't parse entities: {detail}")


def _check_markup(markup: dict | None) -> None:
    for row in (markup or {}).get("inline_keyboard", []):
        for button in row:
            if not _BUTTON_ACTIONS & button.keys():
                raise ApiError(400, "Bad Request: text buttons are unallowed in the inline keyboard")
            if "callback_data" in button and not 1 <= len(button["callback_data"].encode()) <= 64:
                raise ApiError(400, "Bad Request: BUTTON_DATA_INVALID")


def _buttons(message: dict | None) -> list[str]:
    rows = ((message or {}).get("reply_markup") or {}).get("inline_keyboard", [])
    return [button["callback_data"] for row in rows for button in row if "callback_data" in button]


def _scope_key(params: dict) -> tuple[str, str]:
    return (params.get("scope") or {}).get("type", "default"), params.get("language_code", "")
