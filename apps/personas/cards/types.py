"""What a Character Card is once read, whatever file it came from."""

from dataclasses import dataclass, field

from apps.core.exceptions import InvalidInput

SPEC_V1 = "chara_card_v1"
SPEC_V2 = "chara_card_v2"
SPEC_V3 = "chara_card_v3"

# Plain text fields of the V2 `data` object, in the order the spec lists them.
TEXT_FIELDS = (
    "description",
    "personality",
    "scenario",
    "first_mes",
    "mes_example",
    "creator_notes",
    "system_prompt",
    "post_history_instructions",
    "creator",
    "character_version",
)
# Every key of the V2 `data` object; anything else under a V3 `data` is V3-only and kept in `v3_extra`.
V2_DATA_FIELDS = frozenset(
    {"name", *TEXT_FIELDS, "alternate_greetings", "tags", "extensions", "character_book"},
)


class CardError(InvalidInput):
    """A card file that cannot be read; the message starts with the file name and says what is wrong."""

    code = "invalid_card"


@dataclass
class CharacterCard:
    name: str
    description: str = ""
    personality: str = ""
    scenario: str = ""
    first_mes: str = ""
    mes_example: str = ""
    creator_notes: str = ""
    system_prompt: str = ""
    post_history_instructions: str = ""
    alternate_greetings: list[str] = field(default_factory=list)
    tags: list[str] = field(default_factory=list)
    creator: str = ""
    character_version: str = ""
    extensions: dict = field(default_factory=dict)  # verbatim, every key kept
    character_book: dict | None = None  # verbatim
    v3_extra: dict = field(default_factory=dict)  # V3-only `data` keys (nickname, assets, source, ...) verbatim
    spec: str = SPEC_V2  # what the source was: chara_card_v1 / chara_card_v2 / chara_card_v3


@dataclass(frozen=True)
class CardFile:
    card: CharacterCard
    image_png: bytes | None  # the PNG card's picture re-encoded with no text chunks; None for JSON cards
    source_format: str  # "png" or "json"
