"""Writing the persona library: Character Card import and export."""

import json
import logging
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction

from apps.core.exceptions import InvalidInput
from apps.core.text import has_cyrillic, latin_slug, truncate
from apps.personas.cards import CardError, CharacterCard, card_to_v2_dict, read_card_file, write_png_card
from apps.personas.images import portrait_png
from apps.personas.models import Module, Persona, Scenario, Visibility

logger = logging.getLogger(__name__)

# Our own fields travel inside the card under this one extensions key; every other key is kept verbatim.
EXTENSION_KEY = "sputnik"
EXTENSION_VERSION = 1
PREVIEW_LENGTH = 180
SCENARIO_FIELDS = (
    "title_ru",
    "title_en",
    "situation",
    "first_line",
    "suggested_replies",
    "is_adult",
    "is_pro",
    "order",
)


@dataclass(frozen=True)
class CardImport:
    filename: str
    persona_id: int
    name: str
    created: bool


@dataclass
class CardBatchResult:
    imported: list[CardImport] = field(default_factory=list)
    failed: list[tuple[str, str]] = field(default_factory=list)  # (file name, what is wrong)


def persona_import_card(*, data: bytes, filename: str, update_existing: bool = False) -> CardImport:
    """Create (or, with `update_existing`, update) a persona from a Character Card V1/V2/V3 PNG or JSON.

    All or nothing: a bad card raises InvalidInput naming the file and the problem, and nothing of it
    is saved. Cards from elsewhere arrive hidden, so the product owner reviews them before users see them.
    """
    card_file = read_card_file(data, filename)
    card = card_file.card
    ours = _our_extension(card, filename)
    slug = ours.get("slug") or latin_slug(card.name) or "persona"
    existing = Persona.objects.filter(slug=slug).first() if update_existing else None
    persona = existing or Persona(slug=_free_slug(slug))
    _apply_card(persona, card, ours)
    _clean(persona, filename)
    image = card_file.image_png or portrait_png(name=card.name, seed=persona.slug)
    stored_names: list[str] = []
    try:
        with transaction.atomic():
            old_avatar = persona.avatar.name if existing else ""
            persona.avatar.save(f"{persona.slug}.png", ContentFile(image), save=False)
            stored_names.append(persona.avatar.name)
            persona.save()
            _apply_library_fields(persona, ours, filename)
    except Exception:
        for name in stored_names:
            default_storage.delete(name)
        raise
    if old_avatar and old_avatar != persona.avatar.name:
        default_storage.delete(old_avatar)
    return CardImport(filename=filename, persona_id=persona.pk, name=persona.name, created=existing is None)


def persona_import_cards(*, files: Iterable[tuple[str, bytes]], update_existing: bool = False) -> CardBatchResult:
    """Import each file on its own: good cards land, every bad one is listed with its problem."""
    result = CardBatchResult()
    for filename, data in files:
        try:
            result.imported.append(persona_import_card(data=data, filename=filename, update_existing=update_existing))
        except InvalidInput as error:
            result.failed.append((filename, str(error.message)))
    return result


def persona_card(*, persona: Persona) -> CharacterCard:
    """The persona as a card: V2 fields, the original extensions, and ours under `extensions.sputnik`."""
    ours = {
        "version": EXTENSION_VERSION,
        "slug": persona.slug,
        "preview": {"ru": persona.preview_ru, "en": persona.preview_en},
        "gender": persona.gender,
        "languages": list(persona.languages),
        "is_adult": persona.is_adult,
        "is_pro": persona.is_pro,
        "visibility": persona.visibility,
        "order": persona.order,
        "modules": sorted(persona.modules.values_list("code", flat=True)),
        "scenarios": [
            {name: getattr(scenario, name) for name in SCENARIO_FIELDS} for scenario in persona.scenarios.all()
        ],
    }
    return CharacterCard(
        name=persona.name,
        description=persona.description,
        personality=persona.personality,
        scenario=persona.scenario,
        first_mes=persona.first_message,
        mes_example=persona.example_dialogues,
        creator_notes=persona.creator_notes,
        system_prompt=persona.system_prompt,
        post_history_instructions=persona.post_history_instructions,
        alternate_greetings=list(persona.alternate_greetings),
        tags=list(persona.tags),
        creator=persona.creator,
        character_version=persona.character_version,
        extensions={**persona.extensions, EXTENSION_KEY: ours},
        character_book=persona.character_book,
        v3_extra=dict(persona.card_v3_extra),
    )


def persona_export_png(*, persona: Persona) -> bytes:
    """A PNG card: the avatar (or a drawn portrait) with the card embedded (`chara` V2 and `ccv3` V3)."""
    if persona.avatar:
        with persona.avatar.open("rb") as avatar:
            image = avatar.read()
    else:
        image = portrait_png(name=persona.name, seed=persona.slug)
    return write_png_card(image, persona_card(persona=persona))


def persona_export_json(*, persona: Persona) -> bytes:
    return json.dumps(card_to_v2_dict(persona_card(persona=persona)), ensure_ascii=False, indent=2).encode()


def _our_extension(card: CharacterCard, filename: str) -> dict:
    ours = card.extensions.get(EXTENSION_KEY) or {}
    if not isinstance(ours, dict):
        raise CardError(f"{filename}: extensions.{EXTENSION_KEY} must be an object.", code="bad_extension")
    return ours


def _free_slug(wanted: str) -> str:
    slug, number = wanted, 2
    while Persona.objects.filter(slug=slug).exists():
        suffix = f"-{number}"
        slug = wanted[: 40 - len(suffix)] + suffix
        number += 1
    return slug


def _apply_card(persona: Persona, card: CharacterCard, ours: dict) -> None:
    persona.name = card.name.strip()
    persona.description = card.description
    persona.personality = card.personality
    persona.scenario = card.scenario
    persona.first_message = card.first_mes
    persona.example_dialogues = card.mes_example
    persona.system_prompt = card.system_prompt
    persona.post_history_instructions = card.post_history_instructions
    persona.creator_notes = card.creator_notes
    persona.alternate_greetings = list(card.alternate_greetings)
    persona.tags = list(card.tags)
    persona.creator = card.creator
    persona.character_version = card.character_version
    persona.extensions = {key: value for key, value in card.extensions.items() if key != EXTENSION_KEY}
    persona.character_book = card.character_book
    persona.card_v3_extra = dict(card.v3_extra)
    russian = has_cyrillic(f"{card.description} {card.first_mes}")
    preview = ours.get("preview") if isinstance(ours.get("preview"), dict) else {}
    default_preview = truncate(card.description or card.first_mes, PREVIEW_LENGTH)
    persona.preview_ru = preview.get("ru", default_preview if russian else "")
    persona.preview_en = preview.get("en", "" if russian else default_preview)
    persona.languages = ours.get("languages") or (["ru"] if russian else ["en"])
    persona.gender = ours.get("gender", persona.gender)
    persona.is_adult = bool(ours.get("is_adult", persona.is_adult))
    persona.is_pro = bool(ours.get("is_pro", persona.is_pro))
    persona.order = ours.get("order", persona.order)
    # A card from another tool waits hidden until the product owner has read it.
    persona.visibility = ours.get("visibility", persona.visibility if persona.pk else Visibility.HIDDEN)


def _apply_library_fields(persona: Persona, ours: dict, filename: str) -> None:
    codes = ours.get("modules")
    if codes is None and not persona.modules.exists():
        codes = [Module.Code.PARTNER]
    if codes is not None:
        modules = list(Module.objects.filter(code__in=codes))
        unknown = sorted(set(codes) - {module.code for module in modules})
        if unknown:
            raise CardError(f"{filename}: unknown module code(s): {', '.join(unknown)}.", code="unknown_module")
        persona.modules.set(modules)
    if "scenarios" in ours:
        persona.scenarios.all().delete()
        for number, fields in enumerate(ours["scenarios"] or [], start=1):
            if not isinstance(fields, dict):
                raise CardError(f"{filename}: scenario #{number} must be an object.", code="bad_extension")
            scenario = Scenario(persona=persona, **{name: fields[name] for name in SCENARIO_FIELDS if name in fields})
            _clean(scenario, f"{filename}: scenario #{number}")
            scenario.save()


def _clean(instance, where: str) -> None:
    try:
        instance.full_clean(exclude=["avatar"], validate_unique=False)
    except ValidationError as error:
        problems = "; ".join(
            f"{name}: {' '.join(messages)}" if name != "__all__" else " ".join(messages)
            for name, messages in error.message_dict.items()
        )
        raise CardError(f"{where}: {problems}", code="invalid_card") from error
