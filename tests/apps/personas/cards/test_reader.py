import base64
import json
import struct
import zlib
from io import BytesIO

import pytest
from PIL import Image, PngImagePlugin

from apps.core.exceptions import InvalidInput
from apps.personas.cards import MAX_CARD_FILE_BYTES, CardError, read_card_file


def b64_json(value: object) -> str:
    return base64.b64encode(json.dumps(value, ensure_ascii=False).encode("utf-8")).decode("ascii")


def png_bytes(chunks: dict[str, str] | None = None, *, mode: str = "RGBA", size: tuple[int, int] = (4, 6)) -> bytes:
    """A real PNG whose tEXt chunks are `chunks`, written the way card tools write them."""
    info = PngImagePlugin.PngInfo()
    for key, value in (chunks or {}).items():
        info.add_text(key, value)
    out = BytesIO()
    Image.new(mode, size, "red").save(out, format="PNG", pnginfo=info)
    return out.getvalue()


def png_chunk(kind: bytes, payload: bytes) -> bytes:
    return struct.pack(">I", len(payload)) + kind + payload + struct.pack(">I", zlib.crc32(kind + payload))


def v2(**data: object) -> dict:
    return {"spec": "chara_card_v2", "spec_version": "2.0", "data": {"name": "Kylie", **data}}


def v3(**data: object) -> dict:
    return {"spec": "chara_card_v3", "spec_version": "3.0", "data": {"name": "Kylie", **data}}


def json_bytes(value: object) -> bytes:
    return json.dumps(value, ensure_ascii=False).encode("utf-8")


def read_error(data: bytes, filename: str) -> CardError:
    with pytest.raises(CardError) as caught:
        read_card_file(data, filename)
    return caught.value


# Formats


def test_v2_png_card_fields_are_read():
    data = png_bytes({"chara": b64_json(v2(description="A barista", first_mes="Hi {{user}}", tags=["cafe"]))})

    result = read_card_file(data, "kylie.png")

    assert result.source_format == "png"
    assert result.card.spec == "chara_card_v2"
    assert (result.card.name, result.card.description, result.card.first_mes) == ("Kylie", "A barista", "Hi {{user}}")
    assert result.card.tags == ["cafe"]


def test_v3_png_card_is_read_with_v3_only_fields_in_v3_extra():
    data = png_bytes({"ccv3": b64_json(v3(personality="Calm", nickname="Ky", source=["https://example.org/k"]))})

    card = read_card_file(data, "kylie.png").card

    assert card.spec == "chara_card_v3"
    assert card.personality == "Calm"
    assert card.v3_extra == {"nickname": "Ky", "source": ["https://example.org/k"]}


def test_ccv3_chunk_is_preferred_over_chara_chunk():
    data = png_bytes({"chara": b64_json(v2(description="old V2")), "ccv3": b64_json(v3(description="new V3"))})

    card = read_card_file(data, "kylie.png").card

    assert (card.spec, card.description) == ("chara_card_v3", "new V3")


def test_card_chunk_after_the_image_data_is_found():
    # Some tools append the card after IDAT; Pillow only sees such chunks once the image is loaded.
    plain = png_bytes()
    iend = plain.rindex(b"IEND") - 4
    chunk = png_chunk(b"tEXt", b"chara\0" + b64_json(v2(description="late")).encode("ascii"))
    data = plain[:iend] + chunk + plain[iend:]

    assert read_card_file(data, "kylie.png").card.description == "late"


def test_v2_json_card_is_read():
    result = read_card_file(json_bytes(v2(scenario="A rainy evening", creator="anon")), "kylie.json")

    assert result.source_format == "json"
    assert result.image_png is None
    assert (result.card.spec, result.card.scenario, result.card.creator) == ("chara_card_v2", "A rainy evening", "anon")


def test_v3_json_card_keeps_v3_only_fields_verbatim():
    assets = [{"type": "icon", "uri": "ccdefault:", "name": "main", "ext": "png"}]
    data = json_bytes(v3(assets=assets, creation_date=1700000000, group_only_greetings=["Hi all"]))

    card = read_card_file(data, "kylie.json").card

    assert card.spec == "chara_card_v3"
    assert card.v3_extra == {"assets": assets, "creation_date": 1700000000, "group_only_greetings": ["Hi all"]}


def test_v1_flat_json_card_is_read_as_v1():
    flat = {
        "name": "Kylie",
        "description": "A barista",
        "personality": "Calm",
        "scenario": "A cafe",
        "first_mes": "Hello!",
        "mes_example": "<START>",
    }

    card = read_card_file(json_bytes(flat), "kylie.json").card

    assert card.spec == "chara_card_v1"
    assert (card.personality, card.scenario, card.mes_example) == ("Calm", "A cafe", "<START>")


def test_json_card_with_utf8_bom_is_read():
    assert read_card_file(b"\xef\xbb\xbf" + json_bytes(v2()), "kylie.json").card.name == "Kylie"


def test_format_is_told_by_content_not_by_file_name():
    result = read_card_file(png_bytes({"chara": b64_json(v2())}), "kylie.json")

    assert result.source_format == "png"


def test_cyrillic_text_survives_the_png_chunk():
    data = png_bytes({"chara": b64_json(v2(name="Кайли", first_mes="Привет, {{user}}! Как дела?"))})

    card = read_card_file(data, "кайли.png").card

    assert (card.name, card.first_mes) == ("Кайли", "Привет, {{user}}! Как дела?")


def test_unknown_extensions_and_character_book_are_kept_verbatim():
    extensions = {"depth_prompt": {"depth": 4, "prompt": "x"}, "vendor": {"nested": [1, {"deep": None}]}}
    book = {"name": "Lore", "entries": [{"keys": ["cafe"], "content": "Opens at 8", "extensions": {"k": 1}}]}

    card = read_card_file(json_bytes(v2(extensions=extensions, character_book=book)), "kylie.json").card

    assert card.extensions == extensions
    assert card.character_book == book


def test_missing_optional_fields_get_defaults():
    card = read_card_file(json_bytes(v2()), "kylie.json").card

    assert (card.description, card.alternate_greetings, card.tags) == ("", [], [])
    assert (card.extensions, card.character_book, card.v3_extra) == ({}, None, {})


def test_png_card_picture_has_no_text_chunks():
    data = png_bytes({"chara": b64_json(v2()), "Comment": "secret"}, mode="P")

    image_png = read_card_file(data, "kylie.png").image_png

    picture = Image.open(BytesIO(image_png))
    assert picture.format == "PNG"
    assert picture.text == {}
    assert b"tEXt" not in image_png
    assert picture.size == (4, 6)


# Bad input


def test_file_over_the_size_limit_is_refused_before_parsing():
    # A valid card padded with JSON whitespace: only the size check can refuse it.
    data = json_bytes(v2()) + b" " * MAX_CARD_FILE_BYTES

    error = read_error(data, "huge.json")

    assert error.code == "card_too_large"
    assert error.message.startswith("huge.json: ")
    assert "10 MB" in error.message


def test_empty_file_is_refused_as_invalid_input():
    error = read_error(b"", "empty.json")

    assert isinstance(error, InvalidInput)
    assert error.code == "empty_file"
    assert error.message == "empty.json: the file is empty."


def test_text_file_named_png_is_not_an_image():
    error = read_error(b"just some notes, not a picture\n", "kylie.png")

    assert error.code == "not_an_image"
    assert error.message.startswith("kylie.png: ")
    assert "not an image" in error.message


def test_jpeg_is_refused_as_not_png_or_json():
    out = BytesIO()
    Image.new("RGB", (4, 4)).save(out, format="JPEG")

    error = read_error(out.getvalue(), "kylie.jpg")

    assert error.code == "unsupported_format"
    assert error.message.startswith("kylie.jpg: ")
    assert "JPEG" in error.message
    assert "PNG images or JSON files" in error.message


def test_png_without_card_chunk_is_refused():
    error = read_error(png_bytes({"Comment": "made in GIMP"}), "kylie.png")

    assert error.code == "no_card_data"
    assert error.message == "kylie.png: this PNG carries no character card (no 'chara' or 'ccv3' text chunk)."


def test_broken_base64_in_chunk_is_refused():
    error = read_error(png_bytes({"chara": "eyJuYW1lIjog!!!not base64"}), "kylie.png")

    assert error.code == "bad_base64"
    assert error.message.startswith("kylie.png: ")
    assert "base64" in error.message


def test_broken_json_in_chunk_is_refused_with_its_position():
    broken = base64.b64encode(b'{"spec": "chara_card_v2", "data": {"name": }}').decode("ascii")

    error = read_error(png_bytes({"chara": broken}), "kylie.png")

    assert error.code == "bad_json"
    assert error.message.startswith("kylie.png: ")
    assert "not valid JSON" in error.message
    assert "line 1, column 44" in error.message


def test_broken_json_file_is_refused_with_its_position():
    error = read_error(b'{"name": "Kylie",\n "description": oops}', "kylie.json")

    assert error.code == "bad_json"
    assert error.message.startswith("kylie.json: ")
    assert "line 2, column 17" in error.message


def test_card_without_name_is_refused():
    data = json_bytes({"spec": "chara_card_v2", "data": {"description": "nameless"}})

    error = read_error(data, "kylie.json")

    assert error.code == "missing_name"
    assert error.message == "kylie.json: the card has no name."


def test_card_with_blank_name_is_refused():
    error = read_error(json_bytes(v2(name="   \n")), "kylie.json")

    assert error.code == "missing_name"
    assert error.message == "kylie.json: the card name is blank."


def test_name_over_128_characters_is_refused():
    error = read_error(json_bytes(v2(name="K" * 129)), "kylie.json")

    assert error.code == "field_too_long"
    assert "name is 129 characters" in error.message


def test_description_over_the_text_limit_is_refused_naming_field_and_length():
    error = read_error(json_bytes(v2(description="a" * 100_000)), "kylie.json")

    assert error.code == "field_too_long"
    assert error.message.startswith("kylie.json: ")
    assert "'description' is 100,000 characters long" in error.message


def test_alternate_greetings_that_is_not_a_list_is_refused():
    error = read_error(json_bytes(v2(alternate_greetings="Hello!")), "kylie.json")

    assert error.code == "wrong_type"
    assert error.message.startswith("kylie.json: ")
    assert "'alternate_greetings' must be a list" in error.message


def test_extensions_that_is_not_an_object_is_refused():
    error = read_error(json_bytes(v2(extensions=["talkativeness"])), "kylie.json")

    assert error.code == "wrong_type"
    assert "'extensions' must be an object" in error.message


def test_more_than_64_tags_are_refused():
    error = read_error(json_bytes(v2(tags=[f"t{i}" for i in range(65)])), "kylie.json")

    assert error.code == "too_many_items"
    assert "'tags' has 65 items" in error.message


def test_tag_over_64_characters_is_refused():
    error = read_error(json_bytes(v2(tags=["ok", "t" * 65])), "kylie.json")

    assert error.code == "field_too_long"
    assert "'tags[1]' is 65 characters" in error.message


def test_unknown_spec_is_refused_naming_it():
    error = read_error(json_bytes({"spec": "chara_card_v9", "data": {"name": "Kylie"}}), "kylie.json")

    assert error.code == "unsupported_spec"
    assert error.message.startswith("kylie.json: ")
    assert "'chara_card_v9'" in error.message


def test_json_that_is_not_a_card_is_refused():
    error = read_error(json_bytes({"title": "shopping list"}), "list.json")

    assert error.code == "no_card_data"
    assert error.message.startswith("list.json: ")


def test_extensions_nested_too_deeply_are_refused():
    deep: dict = {}
    for _ in range(150):
        deep = {"x": deep}

    error = read_error(json_bytes(v2(extensions=deep)), "kylie.json")

    assert error.code == "too_deeply_nested"


def test_picture_over_the_pixel_limit_is_refused_before_decoding():
    # Only the header is real: a decoder that read the pixels would fail on the missing data instead.
    header = struct.pack(">IIBBBBB", 8_000, 6_000, 8, 6, 0, 0, 0)
    data = b"\x89PNG\r\n\x1a\n" + png_chunk(b"IHDR", header) + png_chunk(b"IDAT", b"") + png_chunk(b"IEND", b"")

    error = read_error(data, "giant.png")

    assert error.code == "image_too_large"
    assert error.message.startswith("giant.png: ")
