"""The demo library `manage.py load_demo` installs, so a fresh `make run` shows real cards."""

from django.core.files.base import ContentFile
from django.db import transaction

from apps.personas.demo_content import PERSONAS
from apps.personas.images import portrait_png, scene_png
from apps.personas.models import Module, Persona, PersonaPhoto, Scenario

CARD_FIELDS = {
    "name": "name",
    "description": "description",
    "personality": "personality",
    "scenario": "scenario",
    "first_mes": "first_message",
    "alternate_greetings": "alternate_greetings",
    "mes_example": "example_dialogues",
    "system_prompt": "system_prompt",
    "post_history_instructions": "post_history_instructions",
    "creator_notes": "creator_notes",
    "tags": "tags",
    "creator": "creator",
    "character_version": "character_version",
}
LIBRARY_FIELDS = ("gender", "languages", "is_adult", "is_pro", "visibility", "order", "preview_ru", "preview_en")


def demo_library_load() -> str:
    """Create the demo personas that are missing; personas already there (maybe edited) are left alone."""
    created = [data["slug"] for data in PERSONAS if _create_if_missing(data)]
    return f"{len(created)} demo personas created, {len(PERSONAS) - len(created)} already there"


@transaction.atomic
def _create_if_missing(data: dict) -> bool:
    if Persona.objects.filter(slug=data["slug"]).exists():
        return False
    persona = Persona(slug=data["slug"])
    for card_key, field_name in CARD_FIELDS.items():
        setattr(persona, field_name, data.get(card_key, getattr(persona, field_name)))
    for field_name in LIBRARY_FIELDS:
        setattr(persona, field_name, data[field_name])
    persona.full_clean(exclude=["avatar"])
    persona.avatar.save(
        f"{persona.slug}.png", ContentFile(portrait_png(name=persona.name, seed=persona.slug)), save=False
    )
    persona.save()
    persona.modules.set(Module.objects.filter(code__in=data["modules"]))
    for order, photo_data in enumerate(data["photos"], start=1):
        image = scene_png(name=persona.name, scene=photo_data["scene"], seed=persona.slug)
        photo = PersonaPhoto(
            persona=persona,
            caption=photo_data["caption"],
            tags=photo_data["tags"],
            is_adult=photo_data["is_adult"],
            is_pro=photo_data["is_pro"],
            order=order * 10,
        )
        photo.image.save(f"{persona.slug}-{order}.png", ContentFile(image), save=False)
        photo.full_clean()
        photo.save()
    for order, scenario_data in enumerate(data.get("scenarios", []), start=1):
        scenario = Scenario(persona=persona, order=order * 10, **scenario_data)
        scenario.full_clean()
        scenario.save()
    return True
