"""Remembering the user: storing extracted facts (newer ones supersede older), retrieving the relevant ones,
and the /memory actions (list, delete, pin, clear)."""

import base64
import hashlib
import hmac
from dataclasses import dataclass

import numpy as np
from django.conf import settings
from django.db import transaction
from django.db.models import Q

from apps.accounts.models import TelegramUser
from apps.analytics.services import event_track
from apps.conversations.memory_extract import SINGLE_VALUED, ExtractedFact
from apps.conversations.models import MemoryFact, Message
from apps.conversations.prompt import FactLine
from apps.core.exceptions import NotFound
from apps.inference.types import Embedder

CORE_CATEGORIES = frozenset({MemoryFact.Category.NAME})  # always given to the persona, like pinned facts
RELEVANT_FACTS = 5


@dataclass(frozen=True)
class MemoryFactView:
    id: int
    category: str
    text: str
    pinned: bool
    persona_id: int | None
    created_at: str


def fact_slot(fact: ExtractedFact) -> str:
    """The category for single-valued facts; otherwise the category and a keyed digest of the subject."""
    if fact.category in SINGLE_VALUED:
        return fact.category
    digest = hmac.new(settings.SECRET_KEY.encode(), fact.slot.lower().encode(), hashlib.sha256).hexdigest()[:24]
    return f"{fact.category}:{digest}"


def encode_embedding(vector: np.ndarray) -> str:
    return base64.b64encode(np.asarray(vector, dtype=np.float16).tobytes()).decode()


def decode_embedding(text: str) -> np.ndarray | None:
    if not text:
        return None
    return np.frombuffer(base64.b64decode(text), dtype=np.float16).astype(np.float32)


@transaction.atomic
def memory_facts_store(
    *,
    user_id: int,
    facts: list[ExtractedFact],
    embedder: Embedder | None,
    source_message_id: int | None = None,
    persona_id: int | None = None,
    allow_sensitive: bool = False,
) -> list[MemoryFact]:
    """Save new facts. A fact for a taken single-valued slot (a new city) supersedes the old one; the same
    fact again only refreshes it. Health facts are kept only when the user allowed it."""
    kept = [fact for fact in facts if allow_sensitive or not fact.sensitive]
    vectors = embedder.embed([fact.text for fact in kept]) if embedder and kept else None
    saved = []
    for index, fact in enumerate(kept):
        slot = fact_slot(fact)
        current = list(
            MemoryFact.objects.select_for_update().filter(
                user_id=user_id, slot=slot, status=MemoryFact.Status.ACTIVE, persona_id=persona_id
            )
        )
        same = next((old for old in current if old.text.casefold() == fact.text.casefold()), None)
        if same:
            same.confidence = max(same.confidence, fact.confidence)
            same.save(update_fields=["confidence", "updated_at"])
            continue
        new = MemoryFact(
            user_id=user_id,
            persona_id=persona_id,
            category=fact.category,
            slot=slot,
            text=fact.text,
            language=fact.language,
            source_message_id=source_message_id,
            confidence=fact.confidence,
            embedding=encode_embedding(vectors[index]) if vectors is not None else "",
            is_sensitive=fact.sensitive,
        )
        new.full_clean()
        new.save()
        for old in current:
            old.status = MemoryFact.Status.SUPERSEDED
            old.superseded_by = new
            old.save(update_fields=["status", "superseded_by", "updated_at"])
        event_track(
            name="memory_fact_saved",
            user_id=user_id,
            properties={"category": fact.category, "replaced": len(current)},
            source="worker",
        )
        saved.append(new)
    return saved


def memory_facts_for_user(*, user_id: int) -> list[MemoryFactView]:
    facts = MemoryFact.objects.filter(user_id=user_id, status=MemoryFact.Status.ACTIVE)
    return [
        MemoryFactView(
            id=fact.pk,
            category=fact.category,
            text=fact.text,
            pinned=fact.pinned,
            persona_id=fact.persona_id,
            created_at=fact.created_at.isoformat(),
        )
        for fact in facts
    ]


def memory_relevant_facts(
    *, user_id: int, persona_id: int | None, query: str, embedder: Embedder | None, limit: int = RELEVANT_FACTS
) -> list[FactLine]:
    """Core facts (name, pinned) first, then the `limit` facts closest in meaning to the message."""
    facts = list(
        MemoryFact.objects.filter(user_id=user_id, status=MemoryFact.Status.ACTIVE).filter(
            Q(persona__isnull=True) | Q(persona_id=persona_id)
        )
    )
    core = [fact for fact in facts if fact.pinned or fact.category in CORE_CATEGORIES]
    rest = [fact for fact in facts if fact not in core]
    if embedder and rest and query.strip():
        query_vector = embedder.embed([query])[0]
        scored = []
        for fact in rest:
            vector = decode_embedding(fact.embedding)
            score = float(vector @ query_vector) if vector is not None and vector.shape == query_vector.shape else 0.0
            scored.append((score, fact.updated_at.timestamp(), fact))
        rest = [fact for _, _, fact in sorted(scored, key=lambda item: (item[0], item[1]), reverse=True)]
    else:
        rest.sort(key=lambda fact: fact.updated_at, reverse=True)
    return [FactLine(id=fact.pk, text=fact.text, core=True) for fact in core] + [
        FactLine(id=fact.pk, text=fact.text, core=False) for fact in rest[:limit]
    ]


@transaction.atomic
def memory_fact_delete(*, user_id: int, fact_id: int) -> None:
    updated = MemoryFact.objects.filter(user_id=user_id, pk=fact_id, status=MemoryFact.Status.ACTIVE).update(
        status=MemoryFact.Status.DELETED, text="", embedding=""
    )
    if not updated:
        raise NotFound(code="memory_fact_not_found")
    event_track(name="memory_fact_deleted", user_id=user_id, source="bot")


@transaction.atomic
def memory_clear(*, user_id: int) -> int:
    """Forget everything about the user: the facts are erased, not just hidden."""
    removed, _ = MemoryFact.objects.filter(user_id=user_id).delete()
    event_track(name="memory_cleared", user_id=user_id, properties={"facts": removed}, source="bot")
    return removed


@transaction.atomic
def memory_fact_pin(*, user_id: int, fact_id: int, pinned: bool = True) -> None:
    if not MemoryFact.objects.filter(user_id=user_id, pk=fact_id, status=MemoryFact.Status.ACTIVE).update(
        pinned=pinned
    ):
        raise NotFound(code="memory_fact_not_found")


def memory_source_text(*, message_id: int) -> tuple[int, int | None, str] | None:
    """(user id, persona id, text) of a user's message, for extraction in a worker."""
    message = Message.objects.select_related("dialogue").filter(pk=message_id, role=Message.Role.USER).first()
    if message is None:
        return None
    return message.dialogue.user_id, message.dialogue.persona_id, message.text


def memory_extract_from_message(*, message_id: int, use_llm: bool = False) -> int:
    """Extract facts from one user message and remember them; returns how many were saved."""
    from apps.conversations.memory_extract import (
        extract_facts_rules,
        fact_extraction_messages,
        parse_llm_facts,
    )
    from apps.inference.registry import embedder_or_none

    source = memory_source_text(message_id=message_id)
    if source is None:
        return 0
    user_id, _persona_id, text = source
    facts = extract_facts_rules(text)
    if use_llm:
        facts += _llm_facts(text, facts, fact_extraction_messages, parse_llm_facts)
    if not facts:
        return 0
    vectors = embedder_or_none()  # without it facts are still kept, ranked by recency
    allow = TelegramUser.objects.filter(pk=user_id, remembers_health=True).exists()
    return len(
        memory_facts_store(
            user_id=user_id, facts=facts, embedder=vectors, source_message_id=message_id, allow_sensitive=allow
        )
    )


def _llm_facts(text, rule_facts, messages_for, parse) -> list[ExtractedFact]:
    from asgiref.sync import async_to_sync

    from apps.inference.exceptions import BackendUnavailable
    from apps.inference.registry import text_generator
    from apps.inference.types import GenerationParams

    language = rule_facts[0].language if rule_facts else ("ru" if any("а" <= c <= "я" for c in text.lower()) else "en")
    try:
        reply = async_to_sync(text_generator().generate)(
            messages_for(text, language=language), GenerationParams(max_new_tokens=200, temperature=0)
        )
    except BackendUnavailable:
        return []
    known = {fact.slot for fact in rule_facts}
    return [fact for fact in parse(reply.text, language=language) if fact.slot not in known]
