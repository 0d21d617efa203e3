"""Real-format card files for tests, made with Pillow and the project's own writer."""

import base64
import io
import json

from PIL import Image, PngImagePlugin

from apps.personas.cards import CharacterCard, write_png_card


def picture_png(colour=(200, 120, 90), size=(64, 64)) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, colour).save(buffer, format="PNG")
    return buffer.getvalue()


def png_card(card: CharacterCard) -> bytes:
    return write_png_card(picture_png(), card)


def png_with_chunk(keyword: str, text: str) -> bytes:
    info = PngImagePlugin.PngInfo()
    info.add_text(keyword, text)
    buffer = io.BytesIO()
    Image.new("RGB", (32, 32), (10, 20, 30)).save(buffer, format="PNG", pnginfo=info)
    return buffer.getvalue()


def v2_json(**data) -> bytes:
    return json.dumps({"spec": "chara_card_v2", "spec_version": "2.0", "data": data}, ensure_ascii=False).encode()


def b64(value: dict) -> str:
    return base64.b64encode(json.dumps(value, ensure_ascii=False).encode()).decode()
