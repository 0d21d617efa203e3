import pytest

from apps.analytics.reports.conversion import conversion_report
from tests.apps.analytics.reports.helpers import period, user_with

pytestmark = pytest.mark.django_db

MARCH = period("2024-03-01", "2024-03-31")


def payers_per_bucket(result) -> dict[str, int]:
    return {bucket.label: bucket.payers for bucket in result.buckets}


def test_counts_users_who_started_in_the_period_and_how_many_of_them_paid():
    user_with(("bot_start", "2024-03-04 10:00"), ("payment_succeeded", "2024-03-06 10:00"))
    user_with(("bot_start", "2024-03-05 10:00"), ("payment_started", "2024-03-05 11:00"))
    user_with(("bot_start", "2024-03-06 10:00"))
    user_with(("bot_start", "2024-03-07 10:00"))

    result = conversion_report(filter=MARCH)

    assert (result.started, result.paid, result.rate) == (4, 1, 0.25)


def test_users_who_started_before_the_period_do_not_count_even_when_they_pay_in_it():
    user_with(
        ("bot_start", "2024-02-28 10:00"), ("bot_start", "2024-03-04 10:00"), ("payment_succeeded", "2024-03-05 10:00")
    )
    user_with(("bot_start", "2024-03-04 10:00"))

    result = conversion_report(filter=MARCH)

    assert (result.started, result.paid) == (1, 0)


def test_a_payment_after_the_period_still_counts():
    user_with(("bot_start", "2024-03-30 10:00"), ("payment_succeeded", "2024-05-10 10:00"))

    result = conversion_report(filter=MARCH)

    assert (result.paid, payers_per_bucket(result)["31+"]) == (1, 1)


def test_time_to_the_first_payment_falls_in_buckets_of_whole_elapsed_days():
    for day, paid_at in (
        (4, "2024-03-04 12:00"),  # 2 hours: day 0
        (5, "2024-03-06 09:59"),  # 23 h 59 min: still day 0
        (6, "2024-03-07 10:00"),  # exactly 24 hours: day 1
        (7, "2024-03-10 09:00"),  # 2 days 23 hours: 2–3
        (8, "2024-03-18 10:00"),  # 10 days: 8–14
        (9, "2024-04-08 10:00"),  # 30 days: 15–30
        (10, "2024-04-10 10:00"),  # 31 days: 31+
    ):
        user_with(("bot_start", f"2024-03-{day:02d} 10:00"), ("payment_succeeded", paid_at))

    result = conversion_report(filter=MARCH)

    assert payers_per_bucket(result) == {"0": 2, "1": 1, "2–3": 1, "4–7": 0, "8–14": 1, "15–30": 1, "31+": 1}
    assert sum(bucket.share for bucket in result.buckets) == pytest.approx(1.0)


def test_only_the_first_payment_counts_for_the_time_to_pay():
    user_with(
        ("bot_start", "2024-03-04 10:00"),
        ("payment_succeeded", "2024-03-04 11:00"),
        ("payment_succeeded", "2024-04-04 11:00"),  # the renewal
    )

    result = conversion_report(filter=MARCH)

    assert (result.paid, payers_per_bucket(result)["0"], result.median_seconds_to_pay) == (1, 1, 3600.0)


def test_median_time_to_pay_is_the_middle_payer_in_seconds_and_days():
    for day, hours in ((4, 1), (5, 2), (6, 48)):
        user_with(("bot_start", f"2024-03-{day:02d} 10:00"), ("payment_succeeded", f"2024-03-{day:02d} 10:00"))
        user_with(
            ("bot_start", f"2024-03-{day + 10:02d} 10:00"),
            ("payment_succeeded", f"2024-03-{day + 10 + hours // 24:02d} {10 + hours % 24:02d}:00"),
        )

    result = conversion_report(filter=MARCH)

    # gaps: 0, 0, 0, 1 h, 2 h, 48 h → the middle two average (0 + 1 h) / 2
    assert result.median_seconds_to_pay == 1800.0
    assert result.median_days_to_pay == pytest.approx(1800 / 86400)


def test_without_payers_there_is_no_median_and_the_table_still_lists_every_bucket():
    user_with(("bot_start", "2024-03-04 10:00"))

    result = conversion_report(filter=MARCH)
    _header, rows = result.as_table()

    assert (result.paid, result.rate, result.median_seconds_to_pay) == (0, 0.0, None)
    assert [row[0] for row in rows] == ["0", "1", "2–3", "4–7", "8–14", "15–30", "31+"]
    assert rows[0][1:] == [0, None, 0.0]
