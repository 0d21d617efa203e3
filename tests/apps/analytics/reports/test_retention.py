from datetime import date

import pytest

from apps.analytics.reports.retention import retention_report
from apps.core.exceptions import InvalidInput
from tests.apps.analytics.reports.helpers import period, user_with

pytestmark = pytest.mark.django_db

MARCH = period("2024-03-01", "2024-03-31")
LONG_AFTER = date(2024, 6, 1)


def cohort_sizes(result) -> dict[date, int]:
    return {cohort.week: cohort.size for cohort in result.cohorts}


def retained(result, week: date) -> dict[int, int | None]:
    cohort = next(cohort for cohort in result.cohorts if cohort.week == week)
    return {day.day: day.users for day in cohort.days}


def test_cohorts_are_the_local_weeks_of_the_first_start_from_monday():
    user_with(("bot_start", "2024-03-04 00:30"))  # Monday (Sunday 21:30 UTC)
    user_with(("bot_start", "2024-03-10 23:30"))  # Sunday
    user_with(("bot_start", "2024-03-11 00:10"))  # the next Monday

    result = retention_report(filter=MARCH, today=LONG_AFTER)

    assert cohort_sizes(result) == {date(2024, 3, 4): 2, date(2024, 3, 11): 1}


def test_a_user_belongs_to_the_week_of_their_first_start_only():
    user_with(("bot_start", "2024-03-05 10:00"), ("bot_start", "2024-03-20 10:00"))
    user_with(("bot_start", "2024-02-20 10:00"), ("bot_start", "2024-03-12 10:00"))  # started before March

    result = retention_report(filter=MARCH, today=LONG_AFTER)

    assert cohort_sizes(result) == {date(2024, 3, 4): 1}


def test_day_n_counts_an_event_on_exactly_that_local_day():
    user_with(("bot_start", "2024-03-04 10:00"), ("message_sent", "2024-03-05 18:00"))  # day 1
    user_with(("bot_start", "2024-03-04 11:00"), ("message_sent", "2024-03-06 09:00"))  # day 2 only: neither
    user_with(("bot_start", "2024-03-04 12:00"), ("reply_rated", "2024-03-11 12:00"))  # day 7, any event
    user_with(("bot_start", "2024-03-04 13:00"), ("message_sent", "2024-04-03 23:59"))  # day 30
    user_with(("bot_start", "2024-03-04 14:00"), ("message_sent", "2024-04-04 00:01"))  # day 31: neither

    result = retention_report(filter=MARCH, today=LONG_AFTER)

    assert retained(result, date(2024, 3, 4)) == {1: 1, 7: 1, 30: 1}


def test_day_one_starts_at_local_midnight_not_utc_midnight():
    # 22:00 on day 0 and 01:00 on day 1 in Moscow are 19:00 and 22:00 UTC of the same UTC day: retained
    user_with(("bot_start", "2024-03-04 22:00"), ("message_sent", "2024-03-05 01:00"))
    # 02:00 and 23:00 on the same Moscow day are 23:00 and 20:00 UTC of two UTC days: not retained
    user_with(("bot_start", "2024-03-12 02:00"), ("message_sent", "2024-03-12 23:00"))

    result = retention_report(filter=MARCH, today=LONG_AFTER)

    assert (retained(result, date(2024, 3, 4))[1], retained(result, date(2024, 3, 11))[1]) == (1, 0)


def test_rates_are_shares_of_the_cohort():
    user_with(("bot_start", "2024-03-04 10:00"), ("message_sent", "2024-03-05 10:00"))
    user_with(("bot_start", "2024-03-05 10:00"), ("message_sent", "2024-03-06 10:00"))
    user_with(("bot_start", "2024-03-06 10:00"))
    user_with(("bot_start", "2024-03-07 10:00"))

    cohort = retention_report(filter=MARCH, today=LONG_AFTER).cohorts[0]

    assert (cohort.size, cohort.day(1).users, cohort.day(1).rate, cohort.day(7).rate) == (4, 2, 0.5, 0.0)


def test_a_cohort_too_young_for_a_day_reports_none_instead_of_zero():
    user_with(("bot_start", "2024-03-18 10:00"), ("message_sent", "2024-03-19 10:00"))
    user_with(("bot_start", "2024-03-20 10:00"))  # the cohort's last starter: day 7 is March 27

    result = retention_report(filter=MARCH, today=date(2024, 3, 27))

    week = result.cohorts[0]
    assert [(day.day, day.users, day.rate) for day in week.days] == [(1, 1, 0.5), (7, None, None), (30, None, None)]


def test_a_day_counts_once_it_is_over_for_the_cohorts_last_starter():
    user_with(("bot_start", "2024-03-20 10:00"))

    assert retention_report(filter=MARCH, today=date(2024, 3, 28)).cohorts[0].day(7).users == 0


def test_as_table_has_users_and_rate_per_day_and_cohorts_oldest_first():
    user_with(("bot_start", "2024-03-12 10:00"), ("message_sent", "2024-03-13 10:00"))
    user_with(("bot_start", "2024-03-04 10:00"))

    header, rows = retention_report(filter=MARCH, today=LONG_AFTER).as_table()

    assert header[:4] == ["Cohort (week of)", "Users", "Day 1 users", "Day 1 rate"]
    assert rows == [["2024-03-04", 1, 0, 0.0, 0, 0.0, 0, 0.0], ["2024-03-11", 1, 1, 1.0, 0, 0.0, 0, 0.0]]


def test_refuses_days_before_day_one():
    with pytest.raises(InvalidInput):
        retention_report(filter=MARCH, days=(0, 7))
