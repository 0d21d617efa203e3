import io

import pytest
from django.core.management import call_command

from apps.personas.demo import demo_library_load
from apps.personas.models import Module, Persona

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def test_demo_library_fills_support_and_partner_with_complete_cards():
    demo_library_load()

    personas = Persona.objects.prefetch_related("modules", "photos", "scenarios")
    assert personas.count() >= 8
    assert {module.code for persona in personas for module in persona.modules.all()} == {"support", "partner"}
    assert {persona.gender for persona in personas} == {"female", "male"}
    for persona in personas:
        assert persona.avatar, persona.slug
        assert persona.photos.count() >= 3, persona.slug
        assert all(photo.caption and photo.image for photo in persona.photos.all()), persona.slug
        filled = [persona.first_message, persona.personality, persona.example_dialogues, persona.preview_ru]
        assert all([*filled, persona.preview_en]), persona.slug
    assert sum(1 for persona in personas if persona.scenarios.count() >= 2) >= 3


def test_demo_library_includes_kylie_and_mark_from_the_concept():
    demo_library_load()

    assert Persona.objects.get(slug="kylie").description.startswith("Солнечная мулатка")
    assert Persona.objects.get(slug="mark").description.startswith("Взгляд Марка")


def test_demo_library_has_every_kind_of_lock_to_show():
    demo_library_load()

    assert Persona.objects.filter(is_pro=True, is_adult=False).exists()
    assert Persona.objects.filter(is_adult=True, is_pro=True).exists()
    assert Persona.objects.filter(visibility="beta").exists()


def test_load_demo_twice_changes_nothing_and_keeps_edits():
    call_command("load_demo", stdout=io.StringIO())
    Persona.objects.filter(slug="kylie").update(preview_ru="Отредактировано")
    count = Persona.objects.count()

    summary = demo_library_load()

    assert Persona.objects.count() == count
    assert Persona.objects.get(slug="kylie").preview_ru == "Отредактировано"
    assert summary.startswith("0 demo personas created")


def test_modules_ship_with_support_and_partner_active():
    active = {module.code: module.is_active for module in Module.objects.all()}

    assert active == {"support": True, "partner": True, "practice": False, "celebrity": False}


def test_support_says_it_is_not_a_doctor_in_prompt_and_welcome_in_both_languages():
    support = Module.objects.get(code="support")

    assert "not a doctor or a psychologist" in support.system_prompt_template
    assert "не врач и не психолог" in support.welcome_ru
    assert "not a doctor or a psychologist" in support.welcome_en
