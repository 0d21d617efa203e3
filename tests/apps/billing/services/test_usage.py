"""Daily message counters: the limit holds under concurrency and resets at the user's midnight."""

from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime

import pytest
from django.db import connection
from django.utils import timezone

from apps.billing.models import DailyUsage, FreeTier
from apps.billing.services.usage import usage_consume
from tests.factories import TelegramUserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def three_a_day():
    FreeTier.objects.update_or_create(pk=1, defaults={"messages_per_day": 3})


def test_messages_are_counted_up_to_the_limit_then_refused():
    user = TelegramUserFactory()

    results = [usage_consume(user_id=user.pk, counter="messages") for _ in range(5)]

    assert results == [True, True, True, False, False]
    assert DailyUsage.objects.get(user=user).messages == 3


def test_the_count_starts_again_after_local_midnight(monkeypatch):
    user = TelegramUserFactory()
    monkeypatch.setattr(timezone, "now", lambda: datetime(2026, 3, 9, 20, 50, tzinfo=UTC))  # 23:50 Moscow
    for _ in range(3):
        usage_consume(user_id=user.pk, counter="messages")
    assert not usage_consume(user_id=user.pk, counter="messages")

    monkeypatch.setattr(timezone, "now", lambda: datetime(2026, 3, 9, 21, 5, tzinfo=UTC))  # 00:05 Moscow

    assert usage_consume(user_id=user.pk, counter="messages")


def test_an_unknown_counter_is_a_programming_error():
    with pytest.raises(ValueError, match="unknown counter"):
        usage_consume(user_id=TelegramUserFactory().pk, counter="hugs")


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_concurrent_messages_never_pass_the_limit():
    if connection.vendor != "postgresql":
        pytest.skip("SQLite serialises writers; the race needs PostgreSQL")
    FreeTier.objects.update_or_create(pk=1, defaults={"messages_per_day": 5})
    user = TelegramUserFactory()

    def consume(_):
        from django.db import connections

        try:
            return usage_consume(user_id=user.pk, counter="messages")
        finally:
            connections.close_all()

    with ThreadPoolExecutor(max_workers=8) as pool:
        results = list(pool.map(consume, range(20)))

    assert results.count(True) == 5
    assert DailyUsage.objects.get(user=user).messages == 5
