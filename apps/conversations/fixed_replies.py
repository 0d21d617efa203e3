"""Lines the engine sends without the model: the crisis reply and the polite refusals."""

from django.utils import translation
from django.utils.translation import gettext as _

from apps.personas.module_defaults import NOT_A_DOCTOR_EN, NOT_A_DOCTOR_RU


def crisis_reply(*, language: str, helplines: list[tuple[str, str]]) -> str:
    """Caring words, the helplines (phone, name) and the disclaimer; no role-play and no paywall."""
    with translation.override(language):
        lines = [
            _("I'm really sorry you're going through this. You don't have to face it alone."),
            _("Please reach out right now to people who can help:"),
            *[f"• {phone} — {name}" for phone, name in helplines],
            _("If you are in danger right now, call 112."),
            "",
            _("I'm here and I'll keep listening if you want to write."),
            NOT_A_DOCTOR_RU if language == "ru" else NOT_A_DOCTOR_EN,
        ]
    return "\n".join(lines)


def refusal_reply(*, language: str) -> str:
    with translation.override(language):
        return _("I won't talk about that. Let's change the subject.")


def adult_decline_reply(*, language: str) -> str:
    with translation.override(language):
        return _("Let's keep it gentle for now 😊 I'd love to just talk with you. How was your day?")


def safe_replacement_reply(*, language: str) -> str:
    with translation.override(language):
        return _("Let's talk about something else. How are you feeling right now?")
