import base64
import dataclasses
import json
from io import BytesIO

import pytest
from PIL import Image, PngImagePlugin

from apps.personas.cards import (
    CardError,
    CharacterCard,
    card_to_v2_dict,
    card_to_v3_dict,
    read_card_file,
    write_png_card,
)

V2_DATA_KEYS = {
    "name",
    "description",
    "personality",
    "scenario",
    "first_mes",
    "mes_example",
    "creator_notes",
    "system_prompt",
    "post_history_instructions",
    "alternate_greetings",
    "tags",
    "creator",
    "character_version",
    "extensions",
}


def picture(chunks: dict[str, str] | None = None) -> bytes:
    info = PngImagePlugin.PngInfo()
    for key, value in (chunks or {}).items():
        info.add_text(key, value)
    out = BytesIO()
    Image.new("RGBA", (5, 3), (10, 20, 30, 128)).save(out, format="PNG", pnginfo=info)
    return out.getvalue()


def full_card(**changes: object) -> CharacterCard:
    card = CharacterCard(
        name="Kylie",
        description="A barista",
        personality="Calm",
        scenario="A cafe",
        first_mes="Hi {{user}}",
        mes_example="<START>\n{{char}}: Hello",
        creator_notes="Test card",
        system_prompt="Stay in character",
        post_history_instructions="Be brief",
        alternate_greetings=["Hey", "Welcome back"],
        tags=["cafe", "sfw"],
        creator="anon",
        character_version="1.2",
        extensions={"talkativeness": "0.5"},
        character_book=None,
        v3_extra={"nickname": "Ky"},
        spec="chara_card_v3",
    )
    return dataclasses.replace(card, **changes)


def round_trip(card: CharacterCard) -> CharacterCard:
    return read_card_file(write_png_card(picture(), card), "kylie.png").card


def chunk_json(png: bytes, key: str) -> dict:
    return json.loads(base64.b64decode(Image.open(BytesIO(png)).text[key]).decode("utf-8"))


def test_v2_dict_has_spec_and_every_v2_data_field():
    result = card_to_v2_dict(full_card())

    assert (result["spec"], result["spec_version"]) == ("chara_card_v2", "2.0")
    assert set(result["data"]) == V2_DATA_KEYS
    assert result["data"]["alternate_greetings"] == ["Hey", "Welcome back"]


def test_v2_dict_includes_character_book_only_when_present():
    book = {"entries": [{"keys": ["cafe"], "content": "Opens at 8"}]}

    assert "character_book" not in card_to_v2_dict(full_card())["data"]
    assert card_to_v2_dict(full_card(character_book=book))["data"]["character_book"] == book


def test_v3_dict_merges_v3_extra_without_overriding_v2_fields():
    card = full_card(v3_extra={"nickname": "Ky", "name": "Impostor", "description": "Impostor"})

    result = card_to_v3_dict(card)

    assert (result["spec"], result["spec_version"]) == ("chara_card_v3", "3.0")
    assert result["data"]["nickname"] == "Ky"
    assert (result["data"]["name"], result["data"]["description"]) == ("Kylie", "A barista")


def test_v3_dict_adds_empty_group_only_greetings_when_absent():
    assert card_to_v3_dict(full_card())["data"]["group_only_greetings"] == []


def test_editing_the_dict_leaves_the_card_unchanged():
    card = full_card(extensions={"vendor": {"list": [1]}})

    card_to_v3_dict(card)["data"]["extensions"]["vendor"]["list"].append(2)

    assert card.extensions == {"vendor": {"list": [1]}}


def test_written_png_carries_v2_in_chara_and_v3_in_ccv3():
    png = write_png_card(picture(), full_card())

    assert chunk_json(png, "chara") == card_to_v2_dict(full_card())
    assert chunk_json(png, "ccv3") == card_to_v3_dict(full_card())


def test_written_png_reads_back_as_an_equal_card():
    card = full_card(character_book={"entries": []})

    assert round_trip(card) == card


def test_v2_card_reads_back_equal_apart_from_spec():
    card = full_card(spec="chara_card_v2", v3_extra={})

    assert round_trip(card) == dataclasses.replace(card, spec="chara_card_v3")


def test_unknown_nested_extensions_survive_a_write_read_round_trip():
    extensions = {
        "depth_prompt": {"depth": 4, "prompt": "{{char}} is tired", "role": "system"},
        "chub": {"id": 12345, "full_path": "anon/kylie", "related_lorebooks": []},
        "vendor_x": {"deep": {"deeper": [1, 2.5, True, None, {"k": "v"}]}},
    }

    assert round_trip(full_card(extensions=extensions)).extensions == extensions


def test_character_book_survives_a_write_read_round_trip():
    book = {
        "name": "Cafe lore",
        "scan_depth": 3,
        "entries": [
            {"keys": ["menu"], "content": "Latte 300₽", "enabled": True, "insertion_order": 10, "extensions": {}},
        ],
        "extensions": {"vendor": {"x": 1}},
    }

    assert round_trip(full_card(character_book=book)).character_book == book


def test_v3_extra_survives_a_write_read_round_trip():
    v3_extra = {
        "nickname": "Ky",
        "group_only_greetings": ["Hello, everyone"],
        "assets": [{"type": "icon", "uri": "ccdefault:", "name": "main", "ext": "png"}],
        "creation_date": 1700000000,
        "source": ["https://example.org/kylie"],
    }

    assert round_trip(full_card(v3_extra=v3_extra)).v3_extra == v3_extra


def test_cyrillic_text_survives_a_write_read_round_trip():
    card = full_card(name="Кайли", first_mes="Привет, {{user}}! Как дела?", tags=["кофейня"])

    assert round_trip(card) == card


def test_text_chunks_already_in_the_picture_are_dropped():
    old_card = base64.b64encode(json.dumps({"spec": "chara_card_v2", "data": {"name": "Old"}}).encode()).decode()

    png = write_png_card(picture({"chara": old_card, "Comment": "private note"}), full_card())

    assert set(Image.open(BytesIO(png)).text) == {"chara", "ccv3"}
    assert chunk_json(png, "chara")["data"]["name"] == "Kylie"


def test_written_png_keeps_the_picture_pixels():
    png = write_png_card(picture(), full_card())

    image = Image.open(BytesIO(png))
    assert (image.format, image.size, image.mode) == ("PNG", (5, 3), "RGBA")
    assert image.getpixel((0, 0)) == (10, 20, 30, 128)


def test_writing_onto_bytes_that_are_not_a_picture_is_refused():
    with pytest.raises(CardError) as caught:
        write_png_card(b"not a picture", full_card())

    assert caught.value.code == "not_an_image"
