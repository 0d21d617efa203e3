import pytest

from apps.core.exceptions import NotFound
from apps.personas.models import Module, PersonaPhoto
from apps.personas.selectors import LockReason, Viewer, persona_card_get, persona_photos_for_user
from tests.factories import PersonaFactory, ScenarioFactory

pytestmark = pytest.mark.django_db

ADULT_PRO = Viewer(has_pro=True, adult_confirmed=True)


def add_photo(persona, caption: str, **flags) -> PersonaPhoto:
    return PersonaPhoto.objects.create(
        persona=persona, image=f"personas/photos/{caption}.png", caption=caption, **flags
    )


def test_card_lists_active_scenarios_with_their_locks():
    persona = PersonaFactory()
    ScenarioFactory(persona=persona, title_en="Walk", order=1)
    ScenarioFactory(persona=persona, title_en="Date", is_pro=True, order=2)
    ScenarioFactory(persona=persona, title_en="Old", is_active=False, order=3)

    card = persona_card_get(persona_id=persona.pk, viewer=Viewer(language="en"), module_code="partner")

    assert [(s.title, s.lock) for s in card.scenarios] == [("Walk", None), ("Date", LockReason.PRO_REQUIRED)]


def test_module_scenarios_are_offered_with_every_persona_of_the_module():
    partner = Module.objects.get(code="partner")
    persona = PersonaFactory(modules=[partner])
    ScenarioFactory(persona=None, module=partner, title_en="Shared scene")

    card = persona_card_get(persona_id=persona.pk, viewer=Viewer(language="en"), module_code="partner")

    assert [s.title for s in card.scenarios] == ["Shared scene"]


def test_adult_scenes_are_dropped_in_a_module_without_18_plus():
    support = Module.objects.get(code="support")
    persona = PersonaFactory(modules=[support])
    ScenarioFactory(persona=persona, is_adult=True)

    card = persona_card_get(persona_id=persona.pk, viewer=ADULT_PRO, module_code="support")

    assert card.scenarios == ()


def test_hidden_persona_has_no_card():
    persona = PersonaFactory(visibility="hidden")

    with pytest.raises(NotFound):
        persona_card_get(persona_id=persona.pk, viewer=ADULT_PRO)


def test_persona_outside_the_module_has_no_card_there():
    persona = PersonaFactory(modules=[Module.objects.get(code="support")])

    with pytest.raises(NotFound):
        persona_card_get(persona_id=persona.pk, viewer=ADULT_PRO, module_code="partner")


def test_free_user_receives_only_free_safe_photos():
    persona = PersonaFactory()
    add_photo(persona, "coffee")
    add_photo(persona, "beach", is_pro=True)
    add_photo(persona, "night", is_adult=True, is_pro=True)

    assert [p.caption for p in persona_photos_for_user(persona_id=persona.pk, viewer=Viewer())] == ["coffee"]
    assert [p.caption for p in persona_photos_for_user(persona_id=persona.pk, viewer=Viewer(has_pro=True))] == [
        "coffee",
        "beach",
    ]
    assert len(persona_photos_for_user(persona_id=persona.pk, viewer=ADULT_PRO)) == 3


def test_no_photos_of_a_persona_the_user_cannot_open():
    persona = PersonaFactory(is_pro=True)
    add_photo(persona, "coffee")

    assert persona_photos_for_user(persona_id=persona.pk, viewer=Viewer()) == []
