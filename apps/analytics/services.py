import json
import re
from datetime import datetime

from django.core.exceptions import ValidationError
from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction

from apps.analytics.models import Event, EventSource
from apps.core.exceptions import InvalidInput

EVENT_NAME_PATTERN = re.compile(r"^[a-z][a-z0-9_]*(\.[a-z0-9_]+)*$")
# Property keys that name conversation content. A key is refused when any of its words is one of these
# (`reply_text`, `userMessage`), except for words that only describe content (`message_id`, `text_length`).
CONTENT_WORDS = frozenset(
    {
        "text", "message", "msg", "content", "transcript", "transcription", "caption", "body", "prompt",
        "reply", "answer", "utterance", "comment", "feedback", "note", "summary", "fact", "memory",
    }
)  # fmt: skip
DESCRIPTIVE_WORDS = frozenset(
    {
        "id", "ids", "count", "length", "len", "chars", "tokens", "bytes", "size", "type", "kind", "category",
        "lang", "language", "rating", "score", "status", "code", "source", "ms", "seconds", "at", "sent", "enabled",
    }
)  # fmt: skip
MAX_STRING_VALUE = 120  # longer strings are free text, not an attribute
MAX_PROPERTIES_BYTES = 4096
MAX_DEPTH = 3


def event_track(
    *,
    name: str,
    user_id: int | None = None,
    properties: dict | None = None,
    source: str = EventSource.WEB,
    occurred_at: datetime | None = None,
) -> Event:
    """Record one event. Properties are attributes (ids, codes, counts, flags), never what anyone wrote."""
    if not isinstance(name, str) or len(name) > 64 or not EVENT_NAME_PATTERN.match(name):
        raise InvalidInput(f"Event name {name!r} must be lower_snake_case words joined by dots, at most 64 characters.")
    properties = {} if properties is None else properties
    _check_properties(properties, path="properties", depth=0)
    encoded = json.dumps(properties, cls=DjangoJSONEncoder, ensure_ascii=False)
    if len(encoded.encode()) > MAX_PROPERTIES_BYTES:
        raise InvalidInput(f"Event {name!r}: properties exceed {MAX_PROPERTIES_BYTES} bytes.")
    event = Event(name=name, user_id=user_id, properties=json.loads(encoded), source=source)
    if occurred_at is not None:
        event.occurred_at = occurred_at
    try:
        event.full_clean()
    except ValidationError as error:
        raise InvalidInput(f"Event {name!r}: {'; '.join(error.messages)}") from error
    with transaction.atomic():
        event.save()
    return event


def _check_properties(value, *, path: str, depth: int) -> None:
    if isinstance(value, dict):
        if depth >= MAX_DEPTH:
            raise InvalidInput(f"{path}: nested deeper than {MAX_DEPTH} levels.")
        for key, item in value.items():
            if not isinstance(key, str):
                raise InvalidInput(f"{path}: keys must be strings, not {type(key).__name__}.")
            if looks_like_content_key(key):
                raise InvalidInput(
                    f"{path}.{key}: looks like conversation content, which never goes into analytics. "
                    "Record an id, a length or a category instead."
                )
            _check_properties(item, path=f"{path}.{key}", depth=depth + 1)
    elif isinstance(value, list | tuple):
        for index, item in enumerate(value):
            _check_properties(item, path=f"{path}[{index}]", depth=depth + 1)
    elif isinstance(value, str) and len(value) > MAX_STRING_VALUE:
        raise InvalidInput(
            f"{path}: a string of {len(value)} characters looks like free text; at most {MAX_STRING_VALUE} are allowed."
        )


def looks_like_content_key(key: str) -> bool:
    words = [word.lower() for word in re.findall(r"[A-Z]?[a-z]+|[A-Z]+(?![a-z])|\d+", key)]
    if not words or words[-1] in DESCRIPTIVE_WORDS:
        return False
    return any(word in CONTENT_WORDS for word in words)


@transaction.atomic
def events_erase_for_user(*, user_id: int) -> int:
    """Remove a user's events entirely (test and playground users, whose activity is not product usage)."""
    deleted, _ = Event.objects.filter(user_id=user_id).delete()
    return deleted


# Properties that lead back to a person: the deep link of their first touch (a referral code names the friend
# who invited them, a campaign code narrows down who they are) and ids of the other side of a referral.
IDENTIFYING_KEYS = ("payload", "acquisition_code", "referrer_id", "referee_id")


@transaction.atomic
def events_anonymise_for_user(*, user_id: int) -> int:
    """Detach a user's events from them (their data was erased) and drop identifying properties.

    The events stay for the aggregate numbers (how many started, paid, wrote), belonging to nobody; those
    not yet forwarded go to PostHog under the system id. Returns how many events were detached."""
    events = Event.objects.filter(user_id=user_id)
    changed = []
    for event in events.filter(properties__has_any_keys=IDENTIFYING_KEYS).only("id", "properties"):
        event.properties = {key: value for key, value in event.properties.items() if key not in IDENTIFYING_KEYS}
        changed.append(event)
    Event.objects.bulk_update(changed, ["properties"], batch_size=500)
    return events.update(user=None)
