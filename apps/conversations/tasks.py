"""Background work after a reply: both tasks load by id and are safe to run twice."""

from celery import shared_task
from django.conf import settings

from apps.core.tasks import IDEMPOTENT


@shared_task(name="conversations.memory_extract", **IDEMPOTENT)
def memory_extract(message_id: int) -> int:
    from apps.conversations.memory import memory_extract_from_message  # keeps worker start light

    return memory_extract_from_message(message_id=message_id, use_llm=settings.MEMORY_LLM_EXTRACTION)


@shared_task(name="conversations.summary_refresh", **IDEMPOTENT)
def dialogue_summary_refresh(dialogue_id: int) -> bool:
    from apps.conversations.summary import dialogue_summary_refresh as refresh
    from apps.inference.registry import text_generator

    return refresh(dialogue_id=dialogue_id, generator=text_generator())
