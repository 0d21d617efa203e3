"""Choosing, starting and renewing dialogues; storing and rating their messages."""

from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

from apps.accounts.models import TelegramUser
from apps.analytics.services import event_track
from apps.conversations.models import Dialogue, Message
from apps.conversations.prompt import fill_placeholders
from apps.core.exceptions import InvalidInput, NotFound
from apps.personas.models import Module, Persona, Scenario


@dataclass(frozen=True)
class DialogueStart:
    dialogue_id: int
    greeting: str
    resumed: bool


@transaction.atomic
def dialogue_start(*, user_id: int, persona_id: int, module_code: str, scenario_id: int | None = None) -> DialogueStart:
    """Make this persona the user's current dialogue (resuming an earlier one) and return what it says first."""
    user = TelegramUser.objects.select_for_update().get(pk=user_id)
    persona = Persona.objects.get(pk=persona_id)
    module = Module.objects.get(code=module_code)
    Dialogue.objects.filter(user=user, is_active=True).exclude(persona=persona, module=module).update(is_active=False)
    dialogue = Dialogue.objects.filter(user=user, persona=persona, module=module).order_by("-id").first()
    resumed = dialogue is not None
    if dialogue is None:
        dialogue = Dialogue.objects.create(user=user, persona=persona, module=module)
    scenario = Scenario.objects.filter(pk=scenario_id).first() if scenario_id else None
    dialogue.is_active = True
    dialogue.scenario = scenario
    dialogue.save(update_fields=["is_active", "scenario", "updated_at"])
    user_name = user.first_name or ("друг" if user.language == "ru" else "friend")
    if scenario:
        greeting = fill_placeholders(scenario.first_line, char=persona.name, user=user_name)
    elif not resumed:
        greeting = fill_placeholders(persona.first_message or "", char=persona.name, user=user_name)
    else:
        greeting = ""
    if greeting:
        message_store(dialogue, Message.Role.ASSISTANT, greeting)
    event_track(
        name="persona_chosen",
        user_id=user.pk,
        properties={"persona_id": persona.pk, "module": module.code, "scenario_id": scenario_id, "resumed": resumed},
        source="bot",
    )
    return DialogueStart(dialogue_id=dialogue.pk, greeting=greeting, resumed=resumed)


@transaction.atomic
def dialogue_new(*, user_id: int) -> DialogueStart:
    """/new: a fresh dialogue with the same persona (the old one stays; memory is kept)."""
    current = (
        Dialogue.objects.select_for_update(of=("self",))
        .select_related("module")
        .filter(user_id=user_id, is_active=True)
        .first()
    )
    if current is None or current.persona_id is None or current.module is None:
        raise NotFound(code="no_active_dialogue")
    current.is_active = False
    current.save(update_fields=["is_active", "updated_at"])
    fresh = Dialogue.objects.create(user_id=user_id, persona_id=current.persona_id, module=current.module)
    persona = Persona.objects.get(pk=current.persona_id)
    user = TelegramUser.objects.get(pk=user_id)
    greeting = fill_placeholders(persona.first_message or "", char=persona.name, user=user.first_name or "")
    if greeting:
        message_store(fresh, Message.Role.ASSISTANT, greeting)
    event_track(name="dialogue_renewed", user_id=user_id, properties={"persona_id": persona.pk}, source="bot")
    return DialogueStart(dialogue_id=fresh.pk, greeting=greeting, resumed=False)


@transaction.atomic
def message_rate(*, user_id: int, message_id: int, rating: int) -> None:
    """The user's 👍 (1) or 👎 (-1) on one of the persona's replies."""
    if rating not in (1, -1):
        raise InvalidInput(code="bad_rating")
    updated = Message.objects.filter(pk=message_id, dialogue__user_id=user_id, role=Message.Role.ASSISTANT).update(
        rating=rating
    )
    if not updated:
        raise NotFound(code="message_not_found")
    event_track(
        name="reply_rated", user_id=user_id, properties={"rating": rating, "message_id": message_id}, source="bot"
    )


def message_store(dialogue: Dialogue, role: str, text: str, **fields) -> Message:
    """Store one message and touch the dialogue; the caller holds the transaction."""
    message = Message(dialogue=dialogue, role=role, text=text, **fields)
    message.full_clean(exclude=["dialogue"])  # the caller holds the dialogue: no query to prove it exists
    message.save()
    dialogue.last_message_at = timezone.now()
    dialogue.save(update_fields=["last_message_at", "updated_at"])
    return message
