"""Which gallery photo the persona sends in a conversation, and when.

The bot asks `photo_for_turn` once per turn (after the reply), sends the photo, and once Telegram accepted
it calls `photo_delivery_record`. Everything here reads except that last service.
"""

import math
import re
from dataclasses import dataclass

import numpy as np
from django.conf import settings
from django.db import transaction
from django.db.models import Count

from apps.analytics.services import event_track
from apps.billing.selectors import entitlement_get, user_local_midnight
from apps.conversations.models import Dialogue, Message, PhotoDelivery
from apps.conversations.photo_phrases import photo_requested
from apps.core.exceptions import NotFound
from apps.inference.types import Embedder
from apps.personas.models import PersonaPhoto
from apps.personas.selectors import PhotoView, Viewer, persona_photos_for_user

__all__ = [
    "EMBEDDING_MOMENT_THRESHOLD",
    "LEXICAL_MOMENT_THRESHOLD",
    "PhotoChoice",
    "PhotoDecision",
    "photo_delivery_record",
    "photo_for_turn",
    "photo_pick",
    "photo_requested",
    "photos_left_today",
    "photos_per_day",
]

# Thresholds for an unasked photo: the talk must clearly be about what the photo shows.
# Universal Sentence Encoder (the project's embedder): a turn about the beach scored 0.37-0.42 against
# "на пляже у моря" (Russian and English alike), small talk and unrelated photos scored -0.05-0.15.
EMBEDDING_MOMENT_THRESHOLD = 0.3
# Lexical cosine over word stems, shared / sqrt(turn words × caption words): one word shared between a turn of
# 10-30 content words and a 3-word caption scores 0.1-0.18, two score 0.2-0.37 (the beach turn above: 0.41).
# 0.2 asks for two shared words unless the turn is very short; a lone common word is not a clear fit.
LEXICAL_MOMENT_THRESHOLD = 0.2


@dataclass(frozen=True)
class PhotoChoice:
    photo: PhotoView
    score: float


@dataclass(frozen=True)
class PhotoDecision:
    """`trigger` says what the turn was ("asked" or "moment") even when no photo goes out; `quota_exhausted`
    is set only when the user asked, the persona has a photo for them, and today's photos are used up."""

    photo: PhotoView | None
    trigger: str
    quota_exhausted: bool = False


def photos_per_day(*, user_id: int) -> int | None:
    """The daily photo quota of the user's plan or the free tier (None: unlimited)."""
    return entitlement_get(user_id=user_id).photos_per_day


def photos_left_today(*, user_id: int) -> int | None:
    """Photos the user may still receive today (None: unlimited); the day starts at the user's local midnight."""
    limit = photos_per_day(user_id=user_id)
    if limit is None:
        return None
    sent = PhotoDelivery.objects.filter(user_id=user_id, created_at__gte=user_local_midnight(user_id=user_id)).count()
    return max(0, limit - sent)


def photo_pick(
    *, user_id: int, persona_id: int, viewer: Viewer, context: str, embedder: Embedder | None = None
) -> PhotoChoice | None:
    """The gallery photo that best fits `context` (the user's message and the reply), never the one this user
    got last from this persona; None when nothing else is left."""
    return _best(_candidates(user_id=user_id, persona_id=persona_id, viewer=viewer), user_id, context, embedder)


def photo_for_turn(
    *,
    user_id: int,
    persona_id: int,
    dialogue_id: int,
    viewer: Viewer,
    user_text: str,
    reply_text: str,
    embedder: Embedder | None = None,
) -> PhotoDecision:
    """Whether this turn ends with a photo. Asked: the best match while the quota lasts. Unasked: only when the
    talk clearly fits a photo, enough turns have passed since the last photo of this dialogue, and quota is left.
    """
    asked = photo_requested(user_text)
    trigger = (PhotoDelivery.Trigger.ASKED if asked else PhotoDelivery.Trigger.MOMENT).value
    nothing = PhotoDecision(photo=None, trigger=trigger)
    if not asked and _turns_since_last_photo(dialogue_id) < settings.PHOTO_UNASKED_EVERY_TURNS:
        return nothing
    candidates = _candidates(user_id=user_id, persona_id=persona_id, viewer=viewer)
    if not candidates:
        return nothing
    if photos_left_today(user_id=user_id) == 0:
        return PhotoDecision(photo=None, trigger=trigger, quota_exhausted=asked)
    choice = _best(candidates, user_id, f"{user_text}\n{reply_text}", embedder)
    threshold = EMBEDDING_MOMENT_THRESHOLD if embedder is not None else LEXICAL_MOMENT_THRESHOLD
    if choice is None or (not asked and choice.score < threshold):
        return nothing
    return PhotoDecision(photo=choice.photo, trigger=trigger)


@transaction.atomic
def photo_delivery_record(*, user_id: int, photo_id: int, dialogue_id: int | None, trigger: str) -> None:
    """Remember a photo Telegram accepted: it counts towards today's quota and is not sent twice in a row."""
    persona_id = PersonaPhoto.objects.filter(pk=photo_id).values_list("persona_id", flat=True).first()
    if persona_id is None:
        raise NotFound(code="photo_not_found")
    if dialogue_id is not None and not Dialogue.objects.filter(pk=dialogue_id, user_id=user_id).exists():
        raise NotFound(code="dialogue_not_found")
    delivery = PhotoDelivery(
        user_id=user_id, photo_id=photo_id, persona_id=persona_id, dialogue_id=dialogue_id, trigger=trigger
    )
    delivery.full_clean()
    delivery.save()
    event_track(
        name="photo_sent",
        user_id=user_id,
        properties={"persona_id": persona_id, "photo_id": photo_id, "trigger": trigger},
        source="bot",
    )


def _turns_since_last_photo(dialogue_id: int) -> int:
    """User messages in the dialogue after its last photo, or since it began (this turn's message included,
    as the reply pipeline has stored it by the time the bot asks)."""
    last = (
        PhotoDelivery.objects.filter(dialogue_id=dialogue_id)
        .order_by("-created_at")
        .values_list("created_at", flat=True)
        .first()
    )
    messages = Message.objects.filter(dialogue_id=dialogue_id, role=Message.Role.USER)
    if last is not None:
        messages = messages.filter(created_at__gt=last)
    return messages.count()


def _candidates(*, user_id: int, persona_id: int, viewer: Viewer) -> list[PhotoView]:
    photos = persona_photos_for_user(persona_id=persona_id, viewer=viewer)
    last = (
        PhotoDelivery.objects.filter(user_id=user_id, persona_id=persona_id)
        .order_by("-created_at", "-id")
        .values_list("photo_id", flat=True)
        .first()
    )
    return [photo for photo in photos if photo.id != last]


def _best(candidates: list[PhotoView], user_id: int, context: str, embedder: Embedder | None) -> PhotoChoice | None:
    """Highest score; ties go to the photo this user got least often, then to gallery order."""
    if not candidates:
        return None
    scores = _scores(context, [_photo_text(photo) for photo in candidates], embedder)
    counts = dict(
        PhotoDelivery.objects.filter(user_id=user_id, photo_id__in=[photo.id for photo in candidates])
        .values("photo_id")
        .annotate(n=Count("id"))
        .values_list("photo_id", "n")
    )
    # Rounded so that float noise in the embeddings does not override the tie-breakers.
    order = sorted(range(len(candidates)), key=lambda i: (-round(scores[i], 6), counts.get(candidates[i].id, 0), i))
    best = order[0]
    return PhotoChoice(photo=candidates[best], score=scores[best])


def _photo_text(photo: PhotoView) -> str:
    return " ".join([photo.caption, *photo.tags])


def _scores(context: str, texts: list[str], embedder: Embedder | None) -> list[float]:
    if embedder is not None:
        vectors = np.asarray(embedder.embed([context, *texts]), dtype=np.float32)
        return [float(score) for score in vectors[1:] @ vectors[0]]  # rows are L2-normalised: dot is cosine
    query = _stems(context)
    return [_lexical_cosine(query, _stems(text)) for text in texts]


def _lexical_cosine(first: set[str], second: set[str]) -> float:
    if not first or not second:
        return 0.0
    return len(first & second) / math.sqrt(len(first) * len(second))


_WORD = re.compile(r"[^\W\d_]{3,}")
# Common inflection endings, longest first, so "пляж"/"пляже", "море"/"морем", "beach"/"beaches" meet.
_ENDINGS = (
    "ями", "ами", "ого", "его", "ому", "ему", "ыми", "ими", "ing", "ой", "ей", "ий", "ый", "ая", "яя", "ое",
    "ее", "ую", "юю", "ам", "ям", "ах", "ях", "ом", "ем", "ов", "ев", "ed", "es", "ы", "и", "а", "я", "о", "е",
    "у", "ю", "ь", "й", "s",
)  # fmt: skip
_STOP_WORDS = frozenset(
    {
        "это", "эта", "этот", "эти", "что", "как", "так", "там", "тут", "где", "когда", "кто", "чем", "чего", "тебя",
        "тебе", "тобой", "меня", "мне", "мной", "себя", "себе", "она", "они", "оно", "его", "ему", "нас", "вам", "вас",
        "них", "нам", "еще", "уже", "очень", "только", "тоже", "даже", "просто", "было", "была", "был", "были", "будет",
        "буду", "есть", "нет", "или", "для", "без", "над", "под", "при", "про", "через", "после", "перед", "потом",
        "теперь", "сейчас", "вот", "все", "всех", "весь", "вся", "мой", "моя", "мое", "мои", "твой", "твоя", "твое",
        "твои", "свой", "своя", "свои", "наш", "ваш", "который", "которая", "которые", "какой", "какая", "привет",
        "давай", "the", "and", "you", "your", "yours", "are", "was", "were", "with", "for", "that", "this", "these",
        "those", "have", "has", "had", "but", "not", "what", "when", "where", "who", "how", "can", "could", "would",
        "should", "will", "just", "like", "really", "very", "too", "also", "from", "into", "out", "about", "them",
        "they", "she", "him", "her", "his", "our", "its", "there", "here", "then", "than", "some", "any", "all", "one",
        "get", "got", "yes", "well",
    }
)  # fmt: skip


def _stems(text: str) -> set[str]:
    """Lower-case words of three letters or more, minus common words, cut to a 5-letter stem."""
    stems = set()
    for word in _WORD.findall(text.lower().replace("ё", "е")):
        if word in _STOP_WORDS:
            continue
        for ending in _ENDINGS:
            if word.endswith(ending) and len(word) - len(ending) >= 3:
                word = word[: -len(ending)]
                break
        stems.add(word[:5])
    return stems
