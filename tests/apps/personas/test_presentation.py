import pytest

from apps.personas.presentation import (
    CAPTION_LIMIT,
    CardAction,
    persona_about_text,
    persona_card_presentation,
)
from apps.personas.selectors import LockReason, PersonaCardView, ScenarioView


def card(**overrides) -> PersonaCardView:
    fields = {
        "id": 1,
        "slug": "kylie",
        "name": "Кайли",
        "preview": "Солнечная и тёплая.",
        "description": "Длинное описание.",
        "gender": "female",
        "languages": ("ru",),
        "avatar_name": "personas/avatars/kylie.png",
        "is_adult": False,
        "is_pro": False,
        "lock": None,
    }
    return PersonaCardView(**{**fields, **overrides})


def test_open_card_offers_talk_and_navigation():
    shown = persona_card_presentation(card(), language="en", position=2, total=5)

    assert shown.caption.startswith("<b>Кайли</b>\n\nСолнечная и тёплая.")
    assert "2 / 5" in shown.caption
    assert [[b.action for b in row] for row in shown.buttons] == [
        [CardAction.CHOOSE],
        [CardAction.PREVIOUS, CardAction.ABOUT, CardAction.NEXT],
    ]
    assert shown.image_name == "personas/avatars/kylie.png"


def test_locked_card_says_why_and_offers_unlock_in_the_users_language():
    shown = persona_card_presentation(
        card(is_pro=True, lock=LockReason.PRO_REQUIRED), language="ru", position=1, total=1
    )

    assert "🔒 Доступно с PRO." in shown.caption
    assert shown.buttons[0][0].action == CardAction.UNLOCK
    assert shown.buttons[0][0].label == "🔓 Как открыть"


def test_caption_escapes_html_and_fits_telegrams_limit():
    shown = persona_card_presentation(
        card(name="<Kylie & co>", preview="<b>" + "очень " * 400), language="en", position=1, total=3
    )

    assert shown.caption.startswith("<b>&lt;Kylie &amp; co&gt;</b>")
    assert "<b>очень" not in shown.caption
    assert len(shown.caption) <= CAPTION_LIMIT


@pytest.mark.parametrize("lock", list(LockReason))
def test_every_lock_reason_has_text(lock):
    assert "🔒" in persona_card_presentation(card(lock=lock), language="en", position=1, total=1).caption


def test_about_lists_scenes_and_marks_locked_ones():
    scenes = (
        ScenarioView(1, "Walk", "", "", (), False, False, None),
        ScenarioView(2, "Date", "", "", (), False, True, LockReason.PRO_REQUIRED),
    )

    text = persona_about_text(card(scenarios=scenes), language="en")

    assert "<b>Scenes</b>\n• Walk\n• Date 🔒" in text
