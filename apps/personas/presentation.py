"""How a persona card looks in the bot: one function that the bot and the admin preview both call.

Captions use Telegram's HTML parse mode and stay within Telegram's limits, so what the product owner
previews is byte for byte what users receive.
"""

from dataclasses import dataclass
from html import escape

from django.utils import translation
from django.utils.translation import gettext as _

from apps.core.text import truncate
from apps.personas.selectors import LockReason, PersonaCardView

CAPTION_LIMIT = 1024  # Telegram's limit for a photo caption
MESSAGE_LIMIT = 4096  # and for a text message


class CardAction:
    """What a button asks for; the bot maps these to callback data."""

    CHOOSE = "choose"
    PREVIOUS = "previous"
    NEXT = "next"
    ABOUT = "about"
    UNLOCK = "unlock"


@dataclass(frozen=True)
class CardButton:
    label: str
    action: str


@dataclass(frozen=True)
class CardPresentation:
    image_name: str | None
    caption: str
    buttons: tuple[tuple[CardButton, ...], ...]


def lock_reason_text(reason: LockReason) -> str:
    return {
        LockReason.BETA_ONLY: _("Open to beta testers for now."),
        LockReason.AGE_CONFIRMATION_REQUIRED: _("18+: confirm that you are 18 or older, and PRO is needed."),
        LockReason.PRO_REQUIRED: _("Available with PRO."),
    }[reason]


def persona_card_presentation(card: PersonaCardView, *, language: str, position: int, total: int) -> CardPresentation:
    """The card as a photo with a caption and buttons: choose (or unlock), previous / more / next."""
    with translation.override(language):
        badges = " ".join(badge for flag, badge in ((card.is_adult, "🔞"), (card.is_pro, "⭐ PRO")) if flag)
        header = f"<b>{escape(card.name)}</b>" + (f"  {badges}" if badges else "")
        footer = f"\n\n🔒 {escape(lock_reason_text(card.lock))}" if card.lock else ""
        counter = f"\n\n{position} / {total}" if total > 1 else ""
        room = CAPTION_LIMIT - len(header) - len(footer) - len(counter) - 2
        caption = f"{header}\n\n{_escaped_within(card.preview, room)}{footer}{counter}"
        first_row = (
            (CardButton(_("🔓 How to unlock"), CardAction.UNLOCK),)
            if card.locked
            else (CardButton(_("💬 Talk"), CardAction.CHOOSE),)
        )
        navigation = (
            CardButton("◀", CardAction.PREVIOUS),
            CardButton(_("More"), CardAction.ABOUT),
            CardButton("▶", CardAction.NEXT),
        )
        buttons = (first_row, navigation) if total > 1 else (first_row, (navigation[1],))
    return CardPresentation(image_name=card.avatar_name, caption=caption, buttons=buttons)


def persona_about_text(card: PersonaCardView, *, language: str) -> str:
    """The "more" message: the full description and the scenes on offer, within one Telegram message."""
    with translation.override(language):
        scenes = "".join(
            f"\n• {escape(scenario.title)}" + (" 🔒" if scenario.locked else "") for scenario in card.scenarios
        )
        scenes_title = _("Scenes")
        scenes_block = f"\n\n<b>{scenes_title}</b>{scenes}" if scenes else ""
        header = f"<b>{escape(card.name)}</b>\n\n"
        room = MESSAGE_LIMIT - len(header) - len(scenes_block)
        return header + _escaped_within(card.description or card.preview, room) + scenes_block


def _escaped_within(text: str, room: int) -> str:
    """HTML-escaped text cut to fit `room` characters after escaping (entities make it longer)."""
    limit = room
    while True:
        escaped = escape(truncate(text, limit))
        if len(escaped) <= room or limit <= 1:
            return escaped
        limit -= len(escaped) - room
