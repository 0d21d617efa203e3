"""What the bot says when a limit stops a message or the model is overloaded, in the user's language."""

import math

from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from bots.telegram.facade import UserView


def _when(seconds: float) -> str:
    """A wait as people say it: seconds under a minute and a half, whole minutes (rounded up) beyond."""
    seconds = max(1, math.ceil(seconds))
    if seconds < 90:
        return ngettext("%(count)d second", "%(count)d seconds", seconds) % {"count": seconds}
    minutes = math.ceil(seconds / 60)
    return ngettext("%(count)d minute", "%(count)d minutes", minutes) % {"count": minutes}


def slow_down(user: UserView, rule: str, retry_after_s: float) -> str:
    """One reply per window during a flood: why the messages are not answered, and when to write again."""
    with translation.override(user.language):
        when = _when(retry_after_s)
        if rule == "voice_seconds":
            return _(
                "That's a lot of voice messages for me to listen to. You can send the next one in %(when)s — "
                "or just write to me."
            ) % {"when": when}
        if rule.startswith("voice"):
            return _("Too many voice messages at once. Please send the next one in %(when)s.") % {"when": when}
        return _(
            "You're writing faster than I can read 🙂 I skipped the last messages — please write again in %(when)s."
        ) % {"when": when}


def message_too_long(user: UserView, limit: int) -> str:
    with translation.override(user.language):
        return _("That message is too long for me: up to {limit} characters, please.").format(limit=limit)


def overloaded(user: UserView) -> str:
    """The waiting room for the model is full: the message is refused (and not stored)."""
    with translation.override(user.language):
        return _(
            "Too many people are talking to me right now and I couldn't take your message. "
            "Please write again in a minute."
        )


def overload_waiting(user: UserView) -> str:
    """The message is stored and waits for the model: said once when the wait gets long."""
    with translation.override(user.language):
        return _("Lots of people are talking to me right now. Your message is kept — I'll answer as soon as I can.")
