"""Forwarding events to PostHog: pseudonymous ids, a scrubber, and the batch sender the beat task calls.

What leaves: the event name, its time, its source and scrubbed attributes, under an HMAC of the Telegram id.
Never message text, names, usernames, phone numbers or e-mail addresses, even when an event holds them.
"""

import hashlib
import hmac
import re
import uuid
from urllib.parse import urlsplit

import requests
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import transaction
from django.utils import timezone
from posthog.request import EVENTS_ENDPOINT, APIError, batch_post, determine_server_host

from apps.analytics.models import Event
from apps.analytics.services import CONTENT_WORDS, DESCRIPTIVE_WORDS
from apps.core.exceptions import ServiceUnavailable

SYSTEM_DISTINCT_ID = "sputnik-system"  # events without a user (or whose user was erased)
LIBRARY = "sputnik"
EU_CLOUD_HOSTS = frozenset({"eu.i.posthog.com", "eu.posthog.com"})  # any other *.posthog.com is the US cloud

# Keys naming a person or an account; dropped unless a descriptive last word says they only describe one
# (`email_sent`, `username_length`). `actor` carries an admin's login.
PERSONAL_WORDS = frozenset(
    {
        "name", "firstname", "lastname", "fullname", "surname", "username", "nickname", "nick", "login", "handle",
        "actor", "phone", "telephone", "tel", "mobile", "msisdn", "email", "mail", "address", "ip", "passport",
        "birthday", "birthdate", "password", "token", "secret",
    }
)  # fmt: skip
# Keys holding a Telegram id, the very thing the distinct_id hides: dropped even as `chat_id`.
IDENTITY_WORDS = frozenset({"telegram", "tg", "chat"})
MAX_STRING_VALUE = 64  # longer strings are free text, not an attribute

_WORDS = re.compile(r"[A-Z]?[a-z]+|[A-Z]+(?![a-z])|\d+")
_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
# 10 to 15 digits with spaces, dashes or brackets between: +7 (912) 345-67-89, 89123456789, +44 20 7946 0958.
# Not inside a longer token, so UUID groups, dates and times ("2026-11-25 11:48") are not taken for one.
_PHONE = re.compile(r"(?<![\w.+-])\+?\d(?:[\s()\-–]*\d){9,14}(?![\w:]|[.\-]\d)")
_TELEGRAM_HANDLE = re.compile(r"(?<![\w@])@[A-Za-z]\w{4,31}(?!\w)|\bt(?:elegram)?\.me/", re.IGNORECASE)


def distinct_id_for(telegram_id: int | None) -> str:
    """PostHog's distinct_id for a user: HMAC-SHA256 of the Telegram id, hex; stable while POSTHOG_ID_SALT is."""
    if telegram_id is None:
        return SYSTEM_DISTINCT_ID
    return hmac.new(settings.POSTHOG_ID_SALT.encode(), str(telegram_id).encode(), hashlib.sha256).hexdigest()


def scrub(properties: dict) -> dict:
    """A copy without anything that looks like content or personal data; numbers, flags and short codes stay."""
    clean = {}
    for key, value in properties.items():
        if not isinstance(key, str) or _is_sensitive_key(key):
            continue
        kept, value = _scrub_value(value)
        if kept:
            clean[key] = value
    return clean


def _is_sensitive_key(key: str) -> bool:
    words = [word.lower() for word in _WORDS.findall(key)]
    if any(word in IDENTITY_WORDS for word in words):
        return True
    if not words or words[-1] in DESCRIPTIVE_WORDS:
        return False
    return any(word in CONTENT_WORDS or word in PERSONAL_WORDS for word in words)


def _scrub_value(value) -> tuple[bool, object]:
    if isinstance(value, dict):
        return True, scrub(value)
    if isinstance(value, list | tuple):
        items = [_scrub_value(item) for item in value]
        return True, [item for kept, item in items if kept]
    if isinstance(value, str):
        sensitive = (
            len(value) > MAX_STRING_VALUE
            or _EMAIL.search(value)
            or _PHONE.search(value)
            or _TELEGRAM_HANDLE.search(value)
        )
        return not sensitive, value
    if value is None or isinstance(value, bool | int | float):
        return True, value
    return False, None  # JSON holds nothing else; anything else is a surprise, not an attribute


def posthog_forward_batch(*, limit: int) -> int:
    """Send up to `limit` unforwarded events, oldest first, in one /batch/ request; mark them after a 200.

    Raises ServiceUnavailable when PostHog is unreachable or refuses the batch: nothing is marked and the next
    run sends the same events again, with the same uuids, so PostHog drops any it already stored. Without
    POSTHOG_API_KEY it returns 0 and touches nothing.
    """
    if not settings.POSTHOG_API_KEY:
        return 0
    host = _ingestion_host()
    with transaction.atomic():
        # The rows stay locked until the request is answered; another worker skips them instead of sending
        # them twice. Locks only events (`of`), never the users joined for their Telegram id.
        rows = list(
            Event.objects.select_for_update(skip_locked=True, of=("self",))
            .filter(forwarded_at__isnull=True)
            .order_by("occurred_at", "id")
            .values_list("id", "name", "properties", "occurred_at", "source", "user__telegram_id")[:limit]
        )
        if not rows:
            return 0
        _send([_before_send(_message(*row)) for row in rows], host=host)
        Event.objects.filter(pk__in=[row[0] for row in rows]).update(forwarded_at=timezone.now())
    return len(rows)


def _ingestion_host() -> str:
    configured = settings.POSTHOG_HOST.strip()
    if not configured:  # the SDK would fall back to its default, the US cloud
        raise ImproperlyConfigured("POSTHOG_HOST is empty: set https://eu.i.posthog.com or a self-hosted PostHog.")
    host = determine_server_host(configured)  # app hosts (eu.posthog.com) → their ingestion hosts
    parts = urlsplit(host)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ImproperlyConfigured(f"POSTHOG_HOST must be a URL such as https://eu.i.posthog.com, not {configured!r}.")
    cloud = parts.hostname == "posthog.com" or parts.hostname.endswith(".posthog.com")
    if cloud and parts.hostname not in EU_CLOUD_HOSTS:
        raise ImproperlyConfigured(
            f"POSTHOG_HOST {configured!r} is not PostHog's EU cloud; user data must not go to the US cloud. "
            "Use https://eu.i.posthog.com or a self-hosted PostHog."
        )
    return host


def _message(event_id, name, properties, occurred_at, source, telegram_id) -> dict:
    properties = {
        **scrub(properties if isinstance(properties, dict) else {}),
        "source": source,
        "$lib": LIBRARY,
        "$geoip_disable": True,  # the request comes from our server, not from the user
    }
    if telegram_id is None:
        properties["$process_person_profile"] = False
    return {
        "event": name,
        "distinct_id": distinct_id_for(telegram_id),
        "timestamp": occurred_at.isoformat(),
        "uuid": _event_uuid(event_id),
        "properties": properties,
    }


def _event_uuid(event_id: int) -> str:
    """Stable per event, so a batch resent after a lost answer is deduplicated by PostHog."""
    digest = hmac.new(settings.POSTHOG_ID_SALT.encode(), f"event:{event_id}".encode(), hashlib.sha256).digest()
    return str(uuid.UUID(bytes=digest[:16], version=4))


def _before_send(message: dict) -> dict:
    """The last look at each finished message, as the SDK's `before_send` hook would be: scrubs again after
    our own additions, so a property added after the first scrub cannot slip through."""
    return {**message, "properties": scrub(message["properties"])}


def _send(batch: list[dict], *, host: str) -> None:
    # Why not `Posthog(..., sync_mode=True).capture()`: in posthog 7.91 sync mode posts one /batch/ request per
    # event, and `capture` is wrapped in `no_throw`, which logs a failed upload and returns None (`on_error`
    # is only called by the background consumers). We call the SDK's own `batch_post`, which the client uses
    # for /batch/: one request for the whole batch, and it raises, so failure is detected reliably:
    # APIError for any answer but 200 (5xx, 4xx), requests' exceptions for refused connections and timeouts.
    try:
        batch_post(
            settings.POSTHOG_API_KEY,
            host,
            gzip=True,
            timeout=settings.POSTHOG_TIMEOUT_S,
            path=EVENTS_ENDPOINT,
            batch=batch,
            historical_migration=False,
        )
    except APIError as error:
        raise ServiceUnavailable(f"PostHog refused a batch of {len(batch)} events: HTTP {error.status}.") from error
    except requests.RequestException as error:
        raise ServiceUnavailable(f"PostHog could not be reached: {type(error).__name__}.") from error
