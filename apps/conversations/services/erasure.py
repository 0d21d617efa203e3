"""Destroying conversation data: one user's on request, and everyone's old messages under the retention policy."""

from datetime import datetime

from django.db import transaction
from django.db.models import Exists, OuterRef

from apps.conversations.models import Dialogue, DialogueSummary, MemoryFact, Message, PhotoDelivery

RETENTION_BATCH = 1000  # messages deleted per transaction: short locks, and a crash loses only one batch


@transaction.atomic
def conversations_erase(*, user_id: int) -> dict[str, int]:
    """Delete the user's dialogues with their messages and summaries, memory facts and photo deliveries.

    Returns how many rows of each kind went; records no event (the caller records the erasure itself)."""
    _total, facts = MemoryFact.objects.filter(user_id=user_id).delete()
    _total, photos = PhotoDelivery.objects.filter(user_id=user_id).delete()
    _total, dialogues = Dialogue.objects.filter(user_id=user_id).delete()  # messages and summaries cascade
    return {
        "dialogues": dialogues.get(Dialogue._meta.label, 0),
        "messages": dialogues.get(Message._meta.label, 0),
        "summaries": dialogues.get(DialogueSummary._meta.label, 0),
        "memory_facts": facts.get(MemoryFact._meta.label, 0),
        "photo_deliveries": photos.get(PhotoDelivery._meta.label, 0),
    }


def messages_delete_older_than(*, before: datetime, batch_size: int = RETENTION_BATCH) -> dict[str, int]:
    """Retention: delete every message written before `before`, in batches of their own transactions, then
    the summaries of dialogues left without messages (a summary retells only those old messages).

    Dialogue rows stay: they hold no text and keep the user's current persona. Memory facts stay too: the
    user sees and deletes them with /memory, and their source message link simply becomes empty."""
    deleted = 0
    while batch := _messages_delete_batch(before=before, batch_size=batch_size):
        deleted += batch
    summaries = _summaries_delete_orphaned()
    return {"messages": deleted, "summaries": summaries}


@transaction.atomic
def _messages_delete_batch(*, before: datetime, batch_size: int) -> int:
    ids = list(Message.objects.filter(created_at__lt=before).order_by("id").values_list("id", flat=True)[:batch_size])
    if not ids:
        return 0
    _total, per_model = Message.objects.filter(pk__in=ids).delete()
    return per_model.get(Message._meta.label, 0)


@transaction.atomic
def _summaries_delete_orphaned() -> int:
    has_messages = Exists(Message.objects.filter(dialogue_id=OuterRef("dialogue_id")))
    _total, per_model = DialogueSummary.objects.filter(~has_messages).delete()
    return per_model.get(DialogueSummary._meta.label, 0)
