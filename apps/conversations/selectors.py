"""Reading conversations for other apps: a user's own conversations, decrypted, for their data export."""

from apps.conversations.models import Dialogue, DialogueSummary, MemoryFact, Message, PhotoDelivery


def conversations_export(*, user_id: int) -> dict:
    """Everything the user said and was told, with what the bot remembers about them (texts decrypted).

    Personas are named, never described: their cards are the product's, not the user's data."""
    summaries = dict(DialogueSummary.objects.filter(dialogue__user_id=user_id).values_list("dialogue_id", "text"))
    messages: dict[int, list[dict]] = {}
    for message in Message.objects.filter(dialogue__user_id=user_id).order_by("dialogue_id", "id").iterator():
        messages.setdefault(message.dialogue_id, []).append(
            {
                "role": message.role,
                "text": message.text,
                "at": message.created_at.isoformat(),
                "from_voice": message.from_voice,
                "rating": message.rating,
            }
        )
    dialogues = [
        {
            "persona": dialogue.persona.name if dialogue.persona else None,
            "module": dialogue.module.code if dialogue.module else None,
            "started_at": dialogue.created_at.isoformat(),
            "last_message_at": dialogue.last_message_at.isoformat() if dialogue.last_message_at else None,
            "summary": summaries.get(dialogue.pk),
            "messages": messages.get(dialogue.pk, []),
        }
        for dialogue in Dialogue.objects.filter(user_id=user_id).select_related("persona", "module").order_by("id")
    ]
    facts = [
        {
            "category": fact.category,
            "text": fact.text,
            "status": fact.status,
            "pinned": fact.pinned,
            "persona": fact.persona.name if fact.persona else None,
            "remembered_at": fact.created_at.isoformat(),
        }
        for fact in MemoryFact.objects.filter(user_id=user_id).select_related("persona").order_by("id")
        if fact.text  # a fact the user deleted keeps no text
    ]
    photos = [
        {"persona": name, "trigger": trigger, "at": at.isoformat()}
        for name, trigger, at in PhotoDelivery.objects.filter(user_id=user_id)
        .order_by("id")
        .values_list("persona__name", "trigger", "created_at")
    ]
    return {"dialogues": dialogues, "memory_facts": facts, "photos_received": photos}
