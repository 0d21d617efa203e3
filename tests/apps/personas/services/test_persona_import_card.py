import io

import pytest
from django.core.files.storage import default_storage
from PIL import Image

from apps.core.exceptions import InvalidInput
from apps.personas.cards import CharacterCard, read_card_file
from apps.personas.models import Persona
from apps.personas.services import (
    persona_export_json,
    persona_export_png,
    persona_import_card,
    persona_import_cards,
)
from tests.apps.personas.card_files import b64, png_card, png_with_chunk, v2_json
from tests.factories import PersonaFactory, ScenarioFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


def stored_files(media_root) -> list[str]:
    return sorted(str(path.relative_to(media_root)) for path in media_root.rglob("*") if path.is_file())


def test_a_foreign_png_card_becomes_a_hidden_partner_persona_with_its_picture_as_avatar():
    card = CharacterCard(name="Лея", description="Тихая художница из Казани.", first_mes="Привет, {{user}}!")

    result = persona_import_card(data=png_card(card), filename="leia.png")

    persona = Persona.objects.get(pk=result.persona_id)
    assert result.created
    assert (persona.name, persona.slug, persona.visibility) == ("Лея", "leya", "hidden")
    assert list(persona.modules.values_list("code", flat=True)) == ["partner"]
    assert (persona.languages, persona.preview_ru) == (["ru"], "Тихая художница из Казани.")
    with persona.avatar.open("rb") as avatar:
        assert Image.open(avatar).text == {}  # the card itself never reaches pictures sent to users


def test_a_json_card_gets_a_drawn_avatar_and_english_when_written_in_english():
    result = persona_import_card(data=v2_json(name="Nova", description="A calm astronomer."), filename="nova.json")

    persona = Persona.objects.get(pk=result.persona_id)
    assert persona.avatar.name.endswith(".png")
    assert (persona.languages, persona.preview_en) == (["en"], "A calm astronomer.")


def test_same_name_twice_makes_two_personas_with_distinct_slugs():
    first = persona_import_card(data=v2_json(name="Nova"), filename="a.json")
    second = persona_import_card(data=v2_json(name="Nova"), filename="b.json")

    slugs = set(Persona.objects.filter(pk__in=[first.persona_id, second.persona_id]).values_list("slug", flat=True))
    assert slugs == {"nova", "nova-2"}


def test_export_then_import_keeps_foreign_extensions_and_our_fields():
    persona = PersonaFactory(
        slug="kylie",
        name="Кайли",
        extensions={"depth_prompt": {"prompt": "x", "depth": 4}, "talkativeness": "0.5"},
        is_pro=True,
        visibility="everyone",
        tags=["лето"],
    )
    ScenarioFactory(persona=persona, title_ru="Кафе", title_en="Café", suggested_replies=["Привет!"])

    exported = persona_export_png(persona=persona)
    result = persona_import_card(data=exported, filename="kylie.png")

    copy = Persona.objects.get(pk=result.persona_id)
    assert copy.slug == "kylie-2"
    assert copy.extensions == {"depth_prompt": {"prompt": "x", "depth": 4}, "talkativeness": "0.5"}
    assert (copy.is_pro, copy.visibility, copy.tags) == (True, "everyone", ["лето"])
    assert list(copy.scenarios.values_list("title_en", "suggested_replies")) == [("Café", ["Привет!"])]


def test_exported_card_carries_our_fields_under_one_namespaced_key():
    persona = PersonaFactory(extensions={"other_tool": {"keep": True}})

    card = read_card_file(persona_export_png(persona=persona), "x.png").card

    assert set(card.extensions) == {"other_tool", "sputnik"}
    assert card.extensions["sputnik"]["slug"] == persona.slug
    assert card.extensions["other_tool"] == {"keep": True}


def test_json_export_is_a_v2_card():
    persona = PersonaFactory(name="Марк")

    card_file = read_card_file(persona_export_json(persona=persona), "mark.json")

    assert (card_file.card.name, card_file.card.spec) == ("Марк", "chara_card_v2")


def test_update_existing_replaces_the_exported_persona_in_place():
    persona = PersonaFactory(slug="mark", name="Марк", description="old")
    exported = persona_export_json(persona=persona).replace(b'"old"', b'"new"')

    result = persona_import_card(data=exported, filename="mark.json", update_existing=True)

    assert (result.persona_id, result.created) == (persona.pk, False)
    assert Persona.objects.get(pk=persona.pk).description == "new"
    assert Persona.objects.count() == 1


def test_a_bad_card_saves_nothing_not_even_its_picture(media_root):
    broken = png_with_chunk(
        "chara", b64({"spec": "chara_card_v2", "data": {"name": "X", "extensions": {"sputnik": {"modules": ["nope"]}}}})
    )

    with pytest.raises(InvalidInput, match=r"broken\.png: unknown module code\(s\): nope"):
        persona_import_card(data=broken, filename="broken.png")

    assert not Persona.objects.exists()
    assert stored_files(media_root) == []


def test_invalid_values_in_our_extension_name_the_field():
    bad = v2_json(name="X", extensions={"sputnik": {"gender": "robot"}})

    with pytest.raises(InvalidInput, match=r"bad\.json: gender"):
        persona_import_card(data=bad, filename="bad.json")


@pytest.mark.parametrize(
    ("filename", "data", "problem"),
    [
        ("plain.png", png_with_chunk("Comment", "hello"), "no character card"),
        ("base64.png", png_with_chunk("chara", "%%%not base64%%%"), "base64"),
        ("json.png", png_with_chunk("chara", "bm90IGpzb24="), "JSON"),
        ("noname.json", v2_json(description="nameless"), "name"),
        ("text.png", b"just some text, not an image", "not an image"),
        ("huge.json", b" " * (10 * 1024 * 1024 + 1), "10"),
        ("long.json", v2_json(name="X", description="a" * 100_000), "description"),
    ],
)
def test_bad_files_in_a_batch_are_listed_while_good_ones_import(filename, data, problem):
    result = persona_import_cards(files=[("good.json", v2_json(name="Good")), (filename, data)])

    assert [item.name for item in result.imported] == ["Good"]
    assert len(result.failed) == 1
    failed_name, message = result.failed[0]
    assert failed_name == filename
    assert message.startswith(filename)
    assert problem in message
    assert list(Persona.objects.values_list("name", flat=True)) == ["Good"]


def test_an_avatar_replaced_by_update_is_removed_from_storage(media_root):
    persona = PersonaFactory(slug="mark", name="Марк")
    first = persona_import_card(data=persona_export_png(persona=persona), filename="m.png", update_existing=True)
    old_avatar = Persona.objects.get(pk=first.persona_id).avatar.name

    persona_import_card(data=persona_export_png(persona=persona), filename="m.png", update_existing=True)

    new_avatar = Persona.objects.get(pk=first.persona_id).avatar.name
    assert new_avatar != old_avatar
    assert not default_storage.exists(old_avatar)
    assert default_storage.exists(new_avatar)


def test_exported_png_shows_the_avatar_picture():
    persona = PersonaFactory()

    image = Image.open(io.BytesIO(persona_export_png(persona=persona)))

    assert image.format == "PNG"
    assert {"chara", "ccv3"} <= set(image.text)
