"""Read a Character Card (V1, V2 or V3) from the bytes of a PNG or JSON file.

The format is told by the content, not by the file name. Every error is a `CardError` whose message
starts with the file name, so a person uploading several files knows which one failed and why.
"""

import base64
import binascii
import json
import struct
from io import BytesIO

from PIL import Image, PngImagePlugin, UnidentifiedImageError

from apps.personas.cards.types import (
    SPEC_V1,
    SPEC_V2,
    SPEC_V3,
    TEXT_FIELDS,
    V2_DATA_FIELDS,
    CardError,
    CardFile,
    CharacterCard,
)

MAX_CARD_FILE_BYTES = 10 * 1024 * 1024
# Far beyond any real card picture; keeps the memory spent decoding an upload bounded (Pillow's own
# bomb check only warns below ~89 megapixels).
MAX_CARD_IMAGE_PIXELS = 40_000_000
MAX_NAME_CHARS = 128
MAX_TEXT_CHARS = 32_000
MAX_GREETINGS = 64
MAX_TAGS = 64
MAX_TAG_CHARS = 64
# Deep enough for any real lorebook or extension; shallow enough that copying never hits the recursion limit.
MAX_NESTING = 100

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
# Pictures people upload by mistake; named in the error so they know what to convert.
_OTHER_IMAGE_SIGNATURES = (
    (b"\xff\xd8\xff", "JPEG"),
    (b"GIF87a", "GIF"),
    (b"GIF89a", "GIF"),
    (b"II*\x00", "TIFF"),
    (b"MM\x00*", "TIFF"),
)
_IMAGE_SUFFIXES = (".png", ".apng", ".jpg", ".jpeg", ".webp", ".gif", ".bmp", ".tif", ".tiff", ".avif", ".heic")
_V1_FIELDS = ("name", "description", "personality", "scenario", "first_mes", "mes_example")


def read_card_file(data: bytes, filename: str) -> CardFile:
    filename = filename or "card"
    if len(data) > MAX_CARD_FILE_BYTES:
        raise CardError(
            f"{filename}: the file is {len(data) / (1024 * 1024):.1f} MB; character cards are limited to "
            f"{MAX_CARD_FILE_BYTES // (1024 * 1024)} MB.",
            code="card_too_large",
        )
    if not data:
        raise CardError(f"{filename}: the file is empty.", code="empty_file")
    if data.startswith(PNG_SIGNATURE):
        image = open_picture(data, filename, formats=("PNG",))
        payload, chunk = _card_chunk(image, filename)
        card = _card_from_object(_parse_json(_decode_base64(payload, chunk, filename), chunk, filename), filename)
        return CardFile(card=card, image_png=encode_plain_png(image, filename), source_format="png")
    other_format = _other_image_format(data)
    if other_format:
        raise CardError(
            f"{filename}: this is a {other_format} picture; character cards must be PNG images or JSON files.",
            code="unsupported_format",
        )
    card = _card_from_object(_parse_json_file(data, filename), filename)
    return CardFile(card=card, image_png=None, source_format="json")


def open_picture(data: bytes, label: str, *, formats: tuple[str, ...] | None = None) -> Image.Image:
    """Open an image with Pillow, turning every way it can fail into a `CardError`."""
    try:
        image = Image.open(BytesIO(data), formats=formats)
    except Image.DecompressionBombError as error:
        raise CardError(f"{label}: the picture has too many pixels to process.", code="image_too_large") from error
    except UnidentifiedImageError as error:
        raise CardError(f"{label}: this file is not a picture that can be read.", code="not_an_image") from error
    except (OSError, ValueError, SyntaxError, EOFError, struct.error) as error:
        raise CardError(f"{label}: the picture is damaged and cannot be opened ({error}).", code="bad_image") from error
    width, height = image.size
    if width * height > MAX_CARD_IMAGE_PIXELS:
        raise CardError(
            f"{label}: the picture is {width}×{height} pixels; the limit is {MAX_CARD_IMAGE_PIXELS:,} pixels.",
            code="image_too_large",
        )
    return image


def encode_plain_png(image: Image.Image, label: str, *, pnginfo: PngImagePlugin.PngInfo | None = None) -> bytes:
    """The picture as PNG with no text chunks but those in `pnginfo`, so card data never leaks into photos."""
    has_alpha = image.mode in ("RGBA", "LA", "PA", "RGBa", "La") or "transparency" in image.info
    try:
        plain = image.convert("RGBA" if has_alpha else "RGB")
    except (OSError, ValueError, SyntaxError, EOFError, struct.error) as error:
        raise CardError(f"{label}: the picture is damaged and cannot be read ({error}).", code="bad_image") from error
    icc_profile = image.info.get("icc_profile")
    # convert() copies `info` (text chunks included); clear it so nothing but pixels and colour profile is saved.
    plain.info = {}
    out = BytesIO()
    plain.save(out, format="PNG", icc_profile=icc_profile, pnginfo=pnginfo)
    return out.getvalue()


def _card_chunk(image: Image.Image, filename: str) -> tuple[str, str]:
    try:
        # `.text` decodes the whole image: text chunks after the pixel data are only seen then.
        text = image.text
    except ValueError as error:
        # Pillow refuses compressed text over 1 MB and text over 64 MB in all.
        raise CardError(
            f"{filename}: the text data in this PNG is too large to read ({error}).", code="card_too_large"
        ) from error
    except (OSError, SyntaxError, EOFError, struct.error) as error:
        raise CardError(f"{filename}: the PNG is damaged and cannot be read ({error}).", code="bad_image") from error
    for chunk in ("ccv3", "chara"):  # V3 wins when a file carries both
        if chunk in text:
            return str(text[chunk]), chunk
    raise CardError(
        f"{filename}: this PNG carries no character card (no 'chara' or 'ccv3' text chunk).", code="no_card_data"
    )


def _decode_base64(payload: str, chunk: str, filename: str) -> str:
    compact = "".join(payload.split())  # some writers wrap base64 at 76 columns
    compact += "=" * (-len(compact) % 4)  # and some drop the padding
    try:
        raw = base64.b64decode(compact, validate=True)
    except (binascii.Error, ValueError) as error:
        raise CardError(
            f"{filename}: the '{chunk}' text chunk is not valid base64 ({error}).", code="bad_base64"
        ) from error
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise CardError(
            f"{filename}: the '{chunk}' text chunk does not decode to UTF-8 text ({error}).", code="bad_base64"
        ) from error


def _parse_json_file(data: bytes, filename: str) -> object:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        _raise_if_named_as_image(filename)
        raise CardError(
            f"{filename}: this file is neither a PNG picture nor a JSON text file.", code="unsupported_format"
        ) from error
    try:
        return _parse_json(text, None, filename)
    except CardError:
        _raise_if_named_as_image(filename)  # "kylie.png" holding text: say it is no picture, not that JSON broke
        raise


def _raise_if_named_as_image(filename: str) -> None:
    if filename.lower().endswith(_IMAGE_SUFFIXES):
        raise CardError(
            f"{filename}: this file is not an image (it has a picture's name but does not contain a PNG picture).",
            code="not_an_image",
        )


def _parse_json(text: str, chunk: str | None, filename: str) -> object:
    where = f"the '{chunk}' text chunk" if chunk else "this file"
    try:
        return json.loads(text)
    except json.JSONDecodeError as error:
        raise CardError(
            f"{filename}: {where} is not valid JSON ({error.msg} at line {error.lineno}, column {error.colno}).",
            code="bad_json",
        ) from error
    except RecursionError as error:
        raise CardError(f"{filename}: {where} holds JSON nested too deeply to read.", code="bad_json") from error


def _other_image_format(data: bytes) -> str | None:
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "WebP"
    if data[4:8] == b"ftyp" and data[8:12] in (b"avif", b"avis", b"heic", b"heix", b"mif1"):
        return "AVIF/HEIC"
    return next((name for signature, name in _OTHER_IMAGE_SIGNATURES if data.startswith(signature)), None)


def _card_from_object(obj: object, filename: str) -> CharacterCard:
    if not isinstance(obj, dict):
        raise CardError(f"{filename}: the card JSON must be an object, not {_type_name(obj)}.", code="bad_json")
    spec = obj.get("spec")
    if spec is None and "data" not in obj and any(key in obj for key in _V1_FIELDS):
        data, spec = obj, SPEC_V1  # V1: the fields sit at the top level
    elif spec in (SPEC_V2, SPEC_V3):
        data = obj.get("data")
        if not isinstance(data, dict):
            raise CardError(
                f"{filename}: the card's 'data' must be an object, not {_type_name(data)}.", code="wrong_type"
            )
    elif spec is None:
        raise CardError(
            f"{filename}: this JSON is not a character card (it has no 'spec' and no character fields).",
            code="no_card_data",
        )
    else:
        raise CardError(
            f"{filename}: the card format {spec!r} is not supported (expected {SPEC_V2} or {SPEC_V3}).",
            code="unsupported_spec",
        )
    return _card_from_data(data, spec, filename)


def _card_from_data(data: dict, spec: str, filename: str) -> CharacterCard:
    texts = {name: _text(data, name, filename) for name in TEXT_FIELDS}
    extensions = _json_object(data, "extensions", filename)
    character_book = _json_object(data, "character_book", filename)
    v3_extra = {}
    if spec == SPEC_V3:
        v3_extra = {key: value for key, value in data.items() if key not in V2_DATA_FIELDS}
        _check_nesting(v3_extra, "V3 fields", filename)
        # The writer always restores an empty list, so dropping it keeps write→read round trips equal.
        if v3_extra.get("group_only_greetings") == []:
            del v3_extra["group_only_greetings"]
    # json.loads built these objects and nothing else holds them, so they are kept as parsed: verbatim, unshared.
    return CharacterCard(
        name=_name(data, filename),
        **texts,
        alternate_greetings=_string_list(data, "alternate_greetings", MAX_GREETINGS, MAX_TEXT_CHARS, filename),
        tags=_string_list(data, "tags", MAX_TAGS, MAX_TAG_CHARS, filename),
        extensions=extensions or {},
        character_book=character_book,
        v3_extra=v3_extra,
        spec=spec,
    )


def _name(data: dict, filename: str) -> str:
    name = data.get("name")
    if name is None:
        raise CardError(f"{filename}: the card has no name.", code="missing_name")
    if not isinstance(name, str):
        raise CardError(f"{filename}: the card name must be text, not {_type_name(name)}.", code="wrong_type")
    name = name.strip()
    if not name:
        raise CardError(f"{filename}: the card name is blank.", code="missing_name")
    if len(name) > MAX_NAME_CHARS:
        raise CardError(
            f"{filename}: the card name is {len(name):,} characters long; the limit is {MAX_NAME_CHARS}.",
            code="field_too_long",
        )
    return name


def _text(data: dict, field_name: str, filename: str) -> str:
    value = data.get(field_name)
    if value is None:
        return ""
    if field_name == "character_version" and isinstance(value, int | float) and not isinstance(value, bool):
        value = str(value)  # cards in the wild write versions as numbers (1.0)
    if not isinstance(value, str):
        raise CardError(
            f"{filename}: the field '{field_name}' must be text, not {_type_name(value)}.", code="wrong_type"
        )
    _check_length(value, field_name, MAX_TEXT_CHARS, filename)
    return value


def _string_list(data: dict, field_name: str, max_items: int, max_chars: int, filename: str) -> list[str]:
    value = data.get(field_name)
    if value is None:
        return []
    if not isinstance(value, list):
        raise CardError(
            f"{filename}: the field '{field_name}' must be a list of texts, not {_type_name(value)}.",
            code="wrong_type",
        )
    if len(value) > max_items:
        raise CardError(
            f"{filename}: the field '{field_name}' has {len(value)} items; the limit is {max_items}.",
            code="too_many_items",
        )
    for index, item in enumerate(value):
        if not isinstance(item, str):
            raise CardError(
                f"{filename}: item {index + 1} of '{field_name}' must be text, not {_type_name(item)}.",
                code="wrong_type",
            )
        _check_length(item, f"{field_name}[{index}]", max_chars, filename)
    return value


def _json_object(data: dict, field_name: str, filename: str) -> dict | None:
    value = data.get(field_name)
    if value is None:
        return None
    if not isinstance(value, dict):
        raise CardError(
            f"{filename}: the field '{field_name}' must be an object, not {_type_name(value)}.", code="wrong_type"
        )
    _check_nesting(value, field_name, filename)
    return value


def _check_length(value: str, field_name: str, limit: int, filename: str) -> None:
    if len(value) > limit:
        raise CardError(
            f"{filename}: the field '{field_name}' is {len(value):,} characters long; the limit is {limit:,}.",
            code="field_too_long",
        )


def _check_nesting(value: object, field_name: str, filename: str) -> None:
    # Iterative, so a hostile file cannot exhaust the stack here or later when the card is copied.
    stack = [(value, 1)]
    while stack:
        current, depth = stack.pop()
        if depth > MAX_NESTING:
            raise CardError(
                f"{filename}: the field '{field_name}' is nested more than {MAX_NESTING} levels deep.",
                code="too_deeply_nested",
            )
        children = current.values() if isinstance(current, dict) else current if isinstance(current, list) else ()
        stack.extend((child, depth + 1) for child in children)


def _type_name(value: object) -> str:
    names = {dict: "an object", list: "a list", str: "text", bool: "true/false", int: "a number", float: "a number"}
    return "null" if value is None else names.get(type(value), type(value).__name__)
