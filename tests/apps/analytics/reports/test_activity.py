from datetime import date

import pytest

from apps.analytics.reports.activity import activity_report
from tests.apps.analytics.reports.helpers import period, user_with

pytestmark = pytest.mark.django_db

VOICE = {"from_voice": True}
TEXT = {"from_voice": False}


def test_dau_counts_distinct_message_senders_per_local_day_with_quiet_days_as_zero():
    user_with(
        ("message_sent", "2024-03-01 10:00"),
        ("message_sent", "2024-03-01 11:00"),
        ("message_sent", "2024-03-03 00:30"),  # 21:30 UTC on March 2: a March 3 message locally
    )
    user_with(("message_sent", "2024-03-03 12:00"))

    result = activity_report(filter=period("2024-03-01", "2024-03-03"))

    assert [(day.day, day.active_users, day.messages) for day in result.days] == [
        (date(2024, 3, 1), 1, 2),
        (date(2024, 3, 2), 0, 0),
        (date(2024, 3, 3), 2, 2),
    ]
    assert (result.active_users, result.messages) == (2, 4)


def test_other_events_do_not_make_a_user_active():
    user_with(
        ("bot_start", "2024-03-01 10:00"), ("reply_rated", "2024-03-01 10:05"), ("voice_sent", "2024-03-01 10:06")
    )

    result = activity_report(filter=period("2024-03-01", "2024-03-01"))

    assert (result.active_users, result.days[0].active_users, result.messages) == (0, 0, 0)


def test_wau_and_mau_count_the_7_and_30_days_ending_with_the_last_day():
    user_with(("message_sent", "2024-03-31 23:59"))  # last day: in both
    user_with(("message_sent", "2024-03-25 00:01"))  # 7th day back: in both
    user_with(("message_sent", "2024-03-24 23:59"))  # 8th day back: MAU only
    user_with(("message_sent", "2024-03-02 00:00"))  # 30th day back: MAU only
    user_with(("message_sent", "2024-03-01 23:59"))  # 31st day back: neither
    user_with(("message_sent", "2024-04-01 00:00"))  # after the period: neither

    result = activity_report(filter=period("2024-03-31", "2024-03-31"))

    assert (result.active_users, result.wau, result.mau) == (1, 2, 4)


def test_messages_per_active_user_and_the_share_sent_by_voice():
    user_with(
        ("message_sent", "2024-03-01 10:00", VOICE),
        ("message_sent", "2024-03-01 10:01", TEXT),
        ("message_sent", "2024-03-01 10:02", TEXT),
    )
    user_with(("message_sent", "2024-03-02 10:00", VOICE), ("message_sent", "2024-03-02 10:01", {}))

    result = activity_report(filter=period("2024-03-01", "2024-03-02"))

    assert (result.messages, result.voice_messages) == (5, 2)
    assert (result.messages_per_active_user, result.voice_share) == (2.5, 0.4)
    assert [day.voice_messages for day in result.days] == [1, 1]


def test_an_empty_period_has_no_rates():
    result = activity_report(filter=period("2024-03-01", "2024-03-02"))

    assert (result.active_users, result.messages_per_active_user, result.voice_share) == (0, None, None)


def test_as_table_has_a_row_per_day():
    user_with(("message_sent", "2024-03-02 10:00", VOICE))

    header, rows = activity_report(filter=period("2024-03-01", "2024-03-02")).as_table()

    assert header == ["Day", "Active users", "Messages", "Voice messages"]
    assert rows == [["2024-03-01", 0, 0, 0], ["2024-03-02", 1, 1, 1]]
