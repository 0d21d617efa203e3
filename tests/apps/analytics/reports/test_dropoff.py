import pytest

from apps.analytics.reports.dropoff import dropoff_report
from apps.core.exceptions import InvalidInput
from tests.apps.analytics.reports.helpers import at, period, user_with

pytestmark = pytest.mark.django_db

MARCH = period("2024-03-01", "2024-03-31")  # silent: nothing from March 25, 00:00 on


def silent_per_step(result) -> dict[str, int]:
    return {step.label: step.users for step in result.steps if step.users}


def test_silent_users_are_grouped_by_the_deepest_step_they_reached():
    user_with(("bot_start", "2024-03-04 10:00"), ("consent_accepted", "2024-03-04 10:01"))
    user_with(
        ("bot_start", "2024-03-05 10:00"),
        ("consent_accepted", "2024-03-05 10:01"),
        ("module_chosen", "2024-03-05 10:02"),
        ("persona_chosen", "2024-03-05 10:03"),
    )
    user_with(("bot_start", "2024-03-06 10:00"), ("payment_succeeded", "2024-03-06 10:30"))
    user_with(("bot_start", "2024-03-08 10:00"))

    result = dropoff_report(filter=MARCH)

    assert silent_per_step(result) == {"Started the bot": 1, "Accepted the terms": 1, "Chose a persona": 1, "Paid": 1}
    assert (result.started, result.silent) == (4, 4)
    assert [step.share for step in result.steps if step.users] == [0.25] * 4


def test_a_user_with_an_event_in_the_last_seven_days_is_not_silent():
    user_with(("bot_start", "2024-03-04 10:00"), ("message_sent", "2024-03-25 00:00"))  # 7 days before the end
    user_with(("bot_start", "2024-03-05 10:00"), ("message_sent", "2024-03-24 23:59"))

    result = dropoff_report(filter=MARCH)

    assert (result.started, result.silent) == (2, 1)
    assert result.as_of == at("2024-04-01 00:00")


def test_ten_messages_are_needed_for_the_ten_messages_step():
    user_with(
        ("bot_start", "2024-03-04 10:00"), *[("message_sent", f"2024-03-04 11:{minute:02d}") for minute in range(9)]
    )
    user_with(
        ("bot_start", "2024-03-05 10:00"), *[("message_sent", f"2024-03-05 11:{minute:02d}") for minute in range(10)]
    )

    assert silent_per_step(dropoff_report(filter=MARCH)) == {"Sent a message": 1, "Sent 10 messages": 1}


@pytest.mark.parametrize(
    ("start", "message", "step"),
    [
        ("2024-03-04 22:00", "2024-03-05 00:30", "Returned the next day"),  # the same day in UTC
        ("2024-03-06 01:00", "2024-03-06 23:30", "Sent a message"),  # two days in UTC
    ],
)
def test_returning_the_next_day_means_an_event_on_a_later_local_day_than_the_first_start(start, message, step):
    user_with(("bot_start", start), ("message_sent", message))

    assert silent_per_step(dropoff_report(filter=MARCH)) == {step: 1}


def test_what_users_did_after_the_period_does_not_count():
    user_with(
        ("bot_start", "2024-03-04 10:00"),
        ("message_sent", "2024-03-04 10:05"),
        ("payment_succeeded", "2024-04-10 10:00"),
    )

    result = dropoff_report(filter=MARCH)

    assert (result.silent, silent_per_step(result)) == (1, {"Sent a message": 1})


def test_users_who_started_before_the_period_are_left_out():
    user_with(("bot_start", "2024-02-20 10:00"), ("bot_start", "2024-03-04 10:00"))

    assert (dropoff_report(filter=MARCH).started, dropoff_report(filter=MARCH).silent) == (0, 0)


def test_as_table_lists_every_step_of_the_default_funnel():
    user_with(("bot_start", "2024-03-04 10:00"))

    header, rows = dropoff_report(filter=MARCH).as_table()

    assert header == ["Last step reached", "Silent users", "Share of silent users"]
    assert len(rows) == 10
    assert (rows[0], rows[-1]) == (["Started the bot", 1, 1.0], ["Paid", 0, 0.0])


def test_refuses_fewer_than_one_silent_day():
    with pytest.raises(InvalidInput):
        dropoff_report(filter=MARCH, silent_days=0)
