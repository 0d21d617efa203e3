"""Character Card (SillyTavern V1/V2/V3) codec: pure Python, no models, no database."""

from apps.personas.cards.reader import MAX_CARD_FILE_BYTES, read_card_file
from apps.personas.cards.types import CardError, CardFile, CharacterCard
from apps.personas.cards.writer import card_to_v2_dict, card_to_v3_dict, write_png_card

__all__ = [
    "MAX_CARD_FILE_BYTES",
    "CardError",
    "CardFile",
    "CharacterCard",
    "card_to_v2_dict",
    "card_to_v3_dict",
    "read_card_file",
    "write_png_card",
]
