"""What the bot says about exporting and erasing a person's data, in the user's language (Django i18n)."""

from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from bots.telegram.facade import UserView
from bots.telegram.privacy_facade import EXPORT_INTERVAL_MINUTES, ErasurePreview


def export_button(user: UserView) -> str:
    with translation.override(user.language):
        return _("📦 Export my data")


def erase_button(user: UserView) -> str:
    with translation.override(user.language):
        return _("🗑 Delete my data")


def export_caption(user: UserView) -> str:
    with translation.override(user.language):
        return _("Everything Sputnik stores about you, in one file.")


def export_too_soon(user: UserView) -> str:
    with translation.override(user.language):
        return ngettext(
            "I sent you your data just now. You can ask again in %(minutes)d minute.",
            "I sent you your data just now. You can ask again in %(minutes)d minutes.",
            EXPORT_INTERVAL_MINUTES,
        ) % {"minutes": EXPORT_INTERVAL_MINUTES}


def erase_first_question(user: UserView, preview: ErasurePreview) -> str:
    with translation.override(user.language):
        parts = [
            "<b>" + _("Delete all your data?") + "</b>",
            _(
                "Deleted for good: your conversations, what I remember about you, your feedback and survey "
                "answers, your invitation link, your name and your Telegram id."
            ),
            _(
                "Kept: the records of your payments, because the law requires them. They stay attached to an "
                "anonymous record that nobody can link to you."
            ),
        ]
        if preview.live_subscription:
            parts.append(
                _(
                    "Your PRO subscription (paid until %(date)s) will stop renewing. The paid period is not refunded "
                    "automatically: if you want a refund, write to the team with /feedback before deleting."
                )
                % {"date": preview.period_end}
            )
        return "\n\n".join(parts)


def erase_second_question(user: UserView) -> str:
    with translation.override(user.language):
        return _("This cannot be undone. Delete everything now?")


def continue_button(user: UserView) -> str:
    with translation.override(user.language):
        return _("Continue")


def erase_now_button(user: UserView) -> str:
    with translation.override(user.language):
        return _("Yes, delete everything")


def cancel_button(user: UserView) -> str:
    with translation.override(user.language):
        return _("Cancel")


def erase_cancelled(user: UserView) -> str:
    with translation.override(user.language):
        return _("Cancelled: nothing was deleted.")


def goodbye(user: UserView) -> str:
    with translation.override(user.language):
        return _(
            "Done: your data is deleted. Thank you for the time we spent together. If you ever write to me "
            "again, we will start from scratch."
        )


def button_not_yours(user: UserView) -> str:
    with translation.override(user.language):
        return _("This button is out of date. Send /privacy again.")
