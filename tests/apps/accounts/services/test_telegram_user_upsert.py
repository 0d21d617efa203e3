import pytest

from apps.accounts.models import TelegramUser
from apps.accounts.services import language_from_telegram, telegram_user_mark_blocked, telegram_user_upsert
from apps.analytics.models import Event

pytestmark = pytest.mark.django_db


def test_first_touch_registers_the_user_with_the_acquisition_code():
    user, created = telegram_user_upsert(telegram_id=42, username="anna", first_name="Анна", start_payload="tgads_q4")

    assert created
    assert (user.acquisition_code, user.username, user.first_name) == ("tgads_q4", "anna", "Анна")
    assert user.acquired_at is not None
    event = Event.objects.get(name="user_registered")
    assert (event.user_id, event.properties["acquisition_code"]) == (user.pk, "tgads_q4")


def test_a_later_start_with_another_link_does_not_reattribute():
    telegram_user_upsert(telegram_id=42, start_payload="first_channel")

    user, created = telegram_user_upsert(telegram_id=42, start_payload="second_channel")

    assert not created
    assert user.acquisition_code == "first_channel"
    assert TelegramUser.objects.get(telegram_id=42).acquisition_code == "first_channel"


def test_malformed_payload_registers_the_user_without_attribution():
    user, created = telegram_user_upsert(telegram_id=7, start_payload="bad payload!")

    assert created
    assert user.acquisition_code == ""
    assert Event.objects.get(name="user_registered").properties["malformed_start_payload"] is True


def test_profile_follows_telegram_but_the_chosen_language_is_kept():
    user, _ = telegram_user_upsert(telegram_id=5, username="old", language_code="ru")
    user.language = "en"
    user.save()

    user, _ = telegram_user_upsert(telegram_id=5, username="new", language_code="ru")

    assert (user.username, user.language) == ("new", "en")


def test_overlong_names_from_telegram_are_trimmed_not_refused():
    user, _ = telegram_user_upsert(telegram_id=9, first_name="Я" * 100, username="u" * 40)

    assert len(user.first_name) == 64
    assert len(user.username) == 32


def test_writing_again_after_blocking_clears_the_flag():
    telegram_user_upsert(telegram_id=11)
    telegram_user_mark_blocked(telegram_id=11)
    assert TelegramUser.objects.get(telegram_id=11).has_blocked_bot

    user, _ = telegram_user_upsert(telegram_id=11)

    assert not user.has_blocked_bot
    assert user.blocked_bot_at is None


@pytest.mark.parametrize(
    ("code", "language"),
    [(None, "ru"), ("ru", "ru"), ("uk", "ru"), ("kk-KZ", "ru"), ("en", "en"), ("en-GB", "en"), ("de", "en")],
)
def test_language_from_telegram(code, language):
    assert language_from_telegram(code) == language


def test_last_seen_is_refreshed_at_most_once_a_minute_and_nothing_is_written_in_between():
    from datetime import timedelta

    from django.db import connection
    from django.test.utils import CaptureQueriesContext
    from django.utils import timezone

    user, _ = telegram_user_upsert(telegram_id=42, first_name="Anna")
    seen = TelegramUser.objects.get(pk=user.pk).last_seen_at

    with CaptureQueriesContext(connection) as queries:
        telegram_user_upsert(telegram_id=42, first_name="Anna")
    TelegramUser.objects.filter(pk=user.pk).update(last_seen_at=timezone.now() - timedelta(minutes=2))
    telegram_user_upsert(telegram_id=42, first_name="Anna")

    assert not any(query["sql"].lstrip().upper().startswith("UPDATE") for query in queries.captured_queries)
    assert TelegramUser.objects.get(pk=user.pk).last_seen_at > seen
