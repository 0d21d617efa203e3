"""Dialogue services: starting dialogues, and the reply pipeline shared by the bot and the playground."""

from apps.conversations.services.dialogues import (
    DialogueStart,
    dialogue_new,
    dialogue_start,
    message_rate,
    message_store,
)
from apps.conversations.services.erasure import conversations_erase, messages_delete_older_than
from apps.conversations.services.replies import (
    ReplyResult,
    length_bucket,
    reply_compose,
    reply_prepare,
    reply_regenerate,
    reply_store,
)

__all__ = [
    "DialogueStart",
    "ReplyResult",
    "conversations_erase",
    "dialogue_new",
    "dialogue_start",
    "length_bucket",
    "message_rate",
    "message_store",
    "messages_delete_older_than",
    "reply_compose",
    "reply_prepare",
    "reply_regenerate",
    "reply_store",
]
