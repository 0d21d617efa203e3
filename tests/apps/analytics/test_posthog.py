import datetime as dt
import hashlib
import hmac
import logging
import socket
import threading
import uuid

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.db import connection, connections
from django.utils import timezone

from apps.analytics import tasks
from apps.analytics.models import Event
from apps.analytics.posthog import SYSTEM_DISTINCT_ID, distinct_id_for, posthog_forward_batch, scrub
from apps.analytics.services import event_track
from apps.analytics.tasks import posthog_forward
from apps.core.exceptions import ServiceUnavailable
from config.celery import app as celery_app
from tests.factories import TelegramUserFactory
from tests.stubs.posthog_server import StubPostHog

pytestmark = pytest.mark.django_db

TELEGRAM_ID = 7_301_245_896
SALT = "test-salt"


@pytest.fixture
def posthog(settings):
    with StubPostHog() as server:
        settings.POSTHOG_API_KEY = "phc_test_key"
        settings.POSTHOG_HOST = server.host
        settings.POSTHOG_ID_SALT = SALT
        settings.POSTHOG_TIMEOUT_S = 2.0
        settings.POSTHOG_BATCH_SIZE = 500
        yield server


def _event(name="persona_chosen", *, user=None, properties=None, occurred_at=None, source="bot") -> Event:
    """Stored directly: event_track would refuse most of what these tests need the scrubber to catch."""
    return Event.objects.create(
        name=name,
        user=user,
        properties=properties or {},
        occurred_at=occurred_at or timezone.now(),
        source=source,
    )


def _unforwarded() -> int:
    return Event.objects.filter(forwarded_at__isnull=True).count()


# --- pseudonymous ids ---------------------------------------------------------------------------------


def test_distinct_id_is_the_hmac_sha256_of_the_telegram_id_under_the_salt(settings):
    settings.POSTHOG_ID_SALT = SALT

    distinct_id = distinct_id_for(TELEGRAM_ID)

    assert distinct_id == hmac.new(SALT.encode(), str(TELEGRAM_ID).encode(), hashlib.sha256).hexdigest()
    assert str(TELEGRAM_ID) not in distinct_id


def test_distinct_id_is_stable_across_calls_and_differs_between_users(settings):
    settings.POSTHOG_ID_SALT = SALT

    assert distinct_id_for(TELEGRAM_ID) == distinct_id_for(TELEGRAM_ID)
    assert distinct_id_for(TELEGRAM_ID) != distinct_id_for(TELEGRAM_ID + 1)


def test_distinct_id_differs_between_salts(settings):
    settings.POSTHOG_ID_SALT = "salt-a"
    under_a = distinct_id_for(TELEGRAM_ID)
    settings.POSTHOG_ID_SALT = "salt-b"

    assert distinct_id_for(TELEGRAM_ID) != under_a


def test_events_without_a_user_share_one_stable_system_id(settings):
    settings.POSTHOG_ID_SALT = SALT

    assert distinct_id_for(None) == SYSTEM_DISTINCT_ID == distinct_id_for(None)


# --- the scrubber -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "key",
    [
        "text", "message", "content", "caption", "transcript", "note", "reply_text", "userMessage",
        "name", "first_name", "last_name", "firstName", "username", "user_name", "phone", "phone_number",
        "email", "e-mail", "actor", "telegram_id", "chat_id",
    ],
)  # fmt: skip
def test_scrub_drops_keys_that_name_content_or_personal_data(key):
    assert scrub({key: "x", "persona_id": 3}) == {"persona_id": 3}


@pytest.mark.parametrize(
    "value",
    [
        "ivan.petrov@example.com",
        "пишите: ivan+tag@mail.ru",
        "+7 (912) 345-67-89",
        "8 912 345 67 89",
        "89123456789",
        "+79123456789",
        "+44 20 7946 0958",
        "+1-202-555-0143",
        "звоните 8-912-345-67-89 вечером",
        "@ivan_petrov",
        "https://t.me/ivan_petrov",
        "x" * 65,
    ],
)
def test_scrub_drops_string_values_holding_an_email_a_phone_a_telegram_handle_or_free_text(value):
    assert scrub({"ref": value, "persona_id": 3}) == {"persona_id": 3}


def test_scrub_keeps_numbers_flags_and_short_codes():
    properties = {
        "persona_id": 3,
        "plan": "pro_month",
        "amount": 499.0,
        "is_beta_tester": True,
        "reason": None,
        "payment_id": "2d5e3f1a-000f-5000-9000-123456789012",
        "at": "2026-11-25 11:48:00",
        "version": "2026-01",
        "message_id": 42,
        "text_length": 120,
        "email_sent": True,
        "tags": ["a", 1],
    }

    assert scrub(properties) == properties


def test_scrub_cleans_nested_dicts_and_lists_without_touching_its_argument():
    properties = {
        "meta": {"first_name": "Анна", "plan": "pro", "deep": {"email": "a@b.co", "ok": 1}},
        "items": [{"caption": "x", "n": 1}, "ivan@example.com", "ok"],
    }

    assert scrub(properties) == {"meta": {"plan": "pro", "deep": {"ok": 1}}, "items": [{"n": 1}, "ok"]}
    assert properties["meta"]["first_name"] == "Анна"


# --- forwarding ---------------------------------------------------------------------------------------


def test_a_batch_arrives_in_one_request_with_hashed_ids_and_nothing_personal(posthog):
    user = TelegramUserFactory(telegram_id=TELEGRAM_ID, username="ivan_petrov", first_name="Иван", last_name="Петров")
    secrets = {
        "text": "Привет, как дела?",
        "message": "секретное сообщение",
        "contact": "ivan.petrov@example.com",
        "ref": "+7 (912) 345-67-89",
        "first_name": "Иван",
        "meta": {"username": "ivan_petrov", "note": "заметка о пользователе", "handle": "@ivan_petrov"},
        "bio": "Люблю длинные прогулки " * 10,
    }
    _event(user=user, properties={**secrets, "persona_id": 3}, occurred_at=timezone.now() - dt.timedelta(seconds=1))
    _event("bot_started", properties={"phone": "89123456789", "caption": "фото"})

    assert posthog_forward_batch(limit=100) == 2

    assert [request.path for request in posthog.requests] == ["/batch/"]
    assert [event["distinct_id"] for event in posthog.events] == [distinct_id_for(TELEGRAM_ID), SYSTEM_DISTINCT_ID]
    assert posthog.events[0]["properties"]["persona_id"] == 3
    forbidden = [
        str(TELEGRAM_ID), f"{TELEGRAM_ID:x}", "Привет", "секретное", "ivan.petrov@example.com", "345-67-89",
        "9123456789", "Иван", "Петров", "ivan_petrov", "заметка", "прогулки", "фото",
    ]  # fmt: skip
    for body in posthog.bodies:
        leaked = [value for value in forbidden if value in body]
        assert not leaked, f"left for PostHog: {leaked}"


def test_the_event_name_timestamp_and_source_survive(posthog):
    moment = dt.datetime(2026, 1, 2, 3, 4, 5, 678_000, tzinfo=dt.UTC)
    _event("payment_succeeded", properties={"plan": "pro_month"}, occurred_at=moment, source="worker")

    posthog_forward_batch(limit=10)

    [received] = posthog.events
    assert received["event"] == "payment_succeeded"
    assert dt.datetime.fromisoformat(received["timestamp"]) == moment
    assert received["properties"]["source"] == "worker"
    assert received["properties"]["$lib"] == "sputnik"
    assert received["properties"]["plan"] == "pro_month"


def test_what_is_added_after_the_first_scrub_is_scrubbed_again_before_sending(posthog):
    _event(source="ivan@mail.ru")  # bypasses the field's choices, as a bad migration or a raw insert could

    posthog_forward_batch(limit=10)

    [received] = posthog.events
    assert "source" not in received["properties"]
    assert not any("ivan@mail.ru" in body for body in posthog.bodies)


def test_events_go_oldest_first_and_no_more_than_the_limit(posthog):
    now = timezone.now()
    newest = _event("c", occurred_at=now)
    _event("a", occurred_at=now - dt.timedelta(minutes=2))
    _event("b", occurred_at=now - dt.timedelta(minutes=1))

    assert posthog_forward_batch(limit=2) == 2

    assert [event["event"] for event in posthog.events] == ["a", "b"]
    assert list(Event.objects.filter(forwarded_at__isnull=True)) == [newest]


def test_events_are_marked_forwarded_once_posthog_accepted_them(posthog):
    event = _event()
    before = timezone.now()

    posthog_forward_batch(limit=10)

    event.refresh_from_db()
    assert event.forwarded_at is not None
    assert before <= event.forwarded_at <= timezone.now()


def test_a_server_error_leaves_events_unforwarded_and_a_later_run_sends_them_once(posthog):
    for name in ("a", "b", "c"):
        _event(name)
    posthog.fail_next(500)

    with pytest.raises(ServiceUnavailable, match="HTTP 500"):
        posthog_forward_batch(limit=10)
    assert _unforwarded() == 3

    assert posthog_forward_batch(limit=10) == 3
    assert posthog_forward_batch(limit=10) == 0
    assert [request.status for request in posthog.requests] == [500, 200]
    accepted = posthog.requests[1].body["batch"]
    assert sorted(event["event"] for event in accepted) == ["a", "b", "c"]
    assert _unforwarded() == 0


def test_a_timeout_leaves_events_unforwarded_and_the_resend_carries_the_same_uuids(posthog, settings):
    _event("a")
    _event("b")
    settings.POSTHOG_TIMEOUT_S = 0.3
    posthog.delay = 2.0  # the stub records the batch but answers too late: the answer is "lost"

    with pytest.raises(ServiceUnavailable, match="Timeout"):
        posthog_forward_batch(limit=10)
    assert _unforwarded() == 2

    posthog.delay = 0.0
    assert posthog_forward_batch(limit=10) == 2
    first, second = (request.body["batch"] for request in posthog.requests)
    assert [event["uuid"] for event in first] == [event["uuid"] for event in second]  # PostHog deduplicates these


def test_an_unreachable_server_leaves_events_unforwarded(posthog, settings):
    with socket.socket() as free:
        free.bind(("127.0.0.1", 0))
        port = free.getsockname()[1]
    settings.POSTHOG_HOST = f"http://127.0.0.1:{port}"
    _event()

    with pytest.raises(ServiceUnavailable, match="could not be reached"):
        posthog_forward_batch(limit=10)

    assert _unforwarded() == 1


def test_a_second_run_sends_only_events_the_first_did_not(posthog):
    _event("a")
    _event("b")
    posthog_forward_batch(limit=10)
    _event("c")

    assert posthog_forward_batch(limit=10) == 1

    assert [[event["event"] for event in request.body["batch"]] for request in posthog.requests] == [["a", "b"], ["c"]]
    uuids = [event["uuid"] for event in posthog.events]
    assert len(set(uuids)) == 3


def test_every_event_gets_its_own_uuid(posthog):
    for _ in range(3):
        _event()

    posthog_forward_batch(limit=10)

    uuids = [uuid.UUID(event["uuid"]) for event in posthog.events]
    assert len(set(uuids)) == 3


@pytest.mark.django_db(transaction=True, serialized_rollback=True)  # as every threaded test: data migrations survive
def test_concurrent_runs_split_the_backlog_instead_of_sending_an_event_twice(posthog):
    if connection.vendor != "postgresql":
        pytest.skip("row locks (SELECT … FOR UPDATE SKIP LOCKED) need PostgreSQL; SQLite serializes writers")
    now = timezone.now()
    for index, name in enumerate("abcd"):
        _event(name, occurred_at=now + dt.timedelta(seconds=index))
    posthog.delay = 1.0  # the first run holds its rows while PostHog "thinks"
    first: list[int] = []

    def first_run() -> None:
        try:
            first.append(posthog_forward_batch(limit=2))
        finally:
            connections.close_all()

    worker = threading.Thread(target=first_run)
    worker.start()
    assert posthog.wait_for_requests(1)
    second = posthog_forward_batch(limit=2)
    worker.join(timeout=10)

    assert (first, second) == ([2], 2)
    batches = [sorted(event["event"] for event in request.body["batch"]) for request in posthog.requests]
    assert sorted(batches) == [["a", "b"], ["c", "d"]]
    # The second run did not wait for the first to finish: it skipped the locked rows.
    assert posthog.requests[1].received_at - posthog.requests[0].received_at < posthog.delay / 2
    assert _unforwarded() == 0


def test_without_an_api_key_nothing_is_sent_and_the_database_is_not_touched(
    posthog, settings, django_assert_num_queries
):
    settings.POSTHOG_API_KEY = ""
    _event()

    with django_assert_num_queries(0):
        assert posthog_forward_batch(limit=10) == 0

    assert posthog.requests == []
    assert _unforwarded() == 1


@pytest.mark.parametrize("host", ["https://us.i.posthog.com", "https://app.posthog.com", "https://us.posthog.com/", ""])
def test_the_us_cloud_and_an_empty_host_are_refused(posthog, settings, host):
    settings.POSTHOG_HOST = host
    _event()

    with pytest.raises(ImproperlyConfigured, match="POSTHOG_HOST"):
        posthog_forward_batch(limit=10)

    assert _unforwarded() == 1


def test_tracking_an_event_only_inserts_it_and_sends_nothing(posthog):
    event = event_track(name="persona_chosen", properties={"persona_id": 3}, source="bot")

    assert posthog.requests == []
    event.refresh_from_db()
    assert event.forwarded_at is None


# --- the beat task ------------------------------------------------------------------------------------


def test_the_task_sends_the_backlog_in_batches_of_the_configured_size(posthog, settings):
    settings.POSTHOG_BATCH_SIZE = 2
    for index in range(5):
        _event(f"e{index}")

    assert posthog_forward.delay().get() == 5

    assert [len(request.body["batch"]) for request in posthog.requests] == [2, 2, 1]
    assert _unforwarded() == 0


def test_the_task_logs_a_failure_without_raising_and_the_next_run_sends_the_events(posthog, caplog):
    _event()
    posthog.fail_next(503)

    with caplog.at_level(logging.WARNING, logger="apps.analytics.tasks"):
        assert posthog_forward.delay().get() == 0
    assert "HTTP 503" in caplog.text
    assert _unforwarded() == 1

    assert posthog_forward.delay().get() == 1
    assert _unforwarded() == 0


def test_the_task_stops_once_its_time_budget_is_spent(posthog, settings, monkeypatch):
    settings.POSTHOG_BATCH_SIZE = 2
    monkeypatch.setattr(tasks, "FORWARD_BUDGET_S", 0)
    for index in range(5):
        _event(f"e{index}")

    assert posthog_forward.delay().get() == 2

    assert _unforwarded() == 3


def test_beat_runs_the_forwarder_every_minute(settings):
    entry = settings.CELERY_BEAT_SCHEDULE["analytics-posthog"]

    assert entry == {"task": "analytics.posthog_forward", "schedule": 60}
    assert posthog_forward.name == entry["task"]
    assert entry["task"] in celery_app.tasks
