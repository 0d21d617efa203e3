"""Turn a `CharacterCard` back into V2/V3 JSON and into a PNG card other tools (SillyTavern) can import."""

import base64
import copy
import json

from PIL import PngImagePlugin

from apps.personas.cards.reader import encode_plain_png, open_picture
from apps.personas.cards.types import SPEC_V2, SPEC_V3, TEXT_FIELDS, V2_DATA_FIELDS, CharacterCard

_LABEL = "card picture"  # errors about the picture start with this, as reader errors start with a file name


def card_to_v2_dict(card: CharacterCard) -> dict:
    # Deep copies: callers may edit the result without changing the card.
    data = {"name": card.name}
    data.update({name: getattr(card, name) for name in TEXT_FIELDS})
    data["alternate_greetings"] = list(card.alternate_greetings)
    data["tags"] = list(card.tags)
    data["extensions"] = copy.deepcopy(card.extensions)
    if card.character_book is not None:
        data["character_book"] = copy.deepcopy(card.character_book)
    return {"spec": SPEC_V2, "spec_version": "2.0", "data": data}


def card_to_v3_dict(card: CharacterCard) -> dict:
    data = card_to_v2_dict(card)["data"]
    for key, value in card.v3_extra.items():
        if key not in V2_DATA_FIELDS:  # V3-only keys never override the card's own fields
            data[key] = copy.deepcopy(value)
    data.setdefault("group_only_greetings", [])  # required by the V3 spec
    return {"spec": SPEC_V3, "spec_version": "3.0", "data": data}


def write_png_card(image_png: bytes, card: CharacterCard) -> bytes:
    """The picture re-encoded as PNG with the card in a `chara` (V2) and a `ccv3` (V3) tEXt chunk.

    Text chunks already in the picture are dropped, so an old card inside it cannot shadow this one.
    """
    info = PngImagePlugin.PngInfo()
    # tEXt holds Latin-1 only; base64 keeps the UTF-8 JSON (Cyrillic included) intact.
    info.add_text("chara", _base64_json(card_to_v2_dict(card)))
    info.add_text("ccv3", _base64_json(card_to_v3_dict(card)))
    return encode_plain_png(open_picture(image_png, _LABEL), _LABEL, pnginfo=info)


def _base64_json(value: dict) -> str:
    return base64.b64encode(json.dumps(value, ensure_ascii=False).encode("utf-8")).decode("ascii")
