import pytest

from apps.analytics.reports.drivers import drivers_report
from tests.apps.analytics.reports.helpers import period, user_with

pytestmark = pytest.mark.django_db

MARCH = period("2024-03-01", "2024-03-31")


def partner(day: int) -> tuple:
    return ("module_chosen", f"2024-03-{day:02d} 10:01", {"module": "partner"})


def friend(day: int) -> tuple:
    return ("module_chosen", f"2024-03-{day:02d} 10:01", {"module": "friend"})


def persona(day: int, persona_id: int, scenario_id: int | None = None) -> tuple:
    return ("persona_chosen", f"2024-03-{day:02d} 10:02", {"persona_id": persona_id, "scenario_id": scenario_id})


def messages(day: int, count: int) -> list[tuple]:
    return [("message_sent", f"2024-03-{day:02d} 11:{minute:02d}") for minute in range(count)]


@pytest.fixture
def two_payers_three_others():
    """Payers: both opened partner and chose persona 7 and used voice; one started a scene, the other got a
    photo. Others: one opened friend, chose persona 9 and used voice; one opened partner and rated a reply;
    one opened friend and chose persona 7, and used voice and paid only after their first week / 30 days."""
    user_with(
        ("bot_start", "2024-03-04 10:00"),
        partner(4),
        persona(4, 7, scenario_id=5),
        ("voice_sent", "2024-03-05 10:00"),
        *messages(4, 4),
        ("payment_succeeded", "2024-03-06 10:00"),
    )
    user_with(
        ("bot_start", "2024-03-05 10:00"),
        partner(5),
        persona(5, 7),
        ("voice_sent", "2024-03-05 12:00"),
        ("photo_sent", "2024-03-06 12:00"),
        *messages(5, 2),
        ("payment_succeeded", "2024-04-03 10:00"),  # 29 days after the start
    )
    user_with(
        ("bot_start", "2024-03-06 10:00"), friend(6), persona(6, 9), ("voice_sent", "2024-03-06 12:00"), *messages(6, 1)
    )
    user_with(("bot_start", "2024-03-07 10:00"), partner(7), ("reply_rated", "2024-03-07 12:00"))
    user_with(
        ("bot_start", "2024-03-08 10:00"),
        friend(8),
        persona(8, 7),
        ("voice_sent", "2024-03-15 10:00"),  # 7 days after the start: outside the first week
        *messages(8, 3),
        ("payment_succeeded", "2024-04-08 10:01"),  # 31 days after the start
    )


def rows_by_feature(result) -> dict[str, tuple]:
    return {row.feature: (row.payers_rate, row.non_payers_rate, row.lift) for row in result.rows}


@pytest.mark.usefixtures("two_payers_three_others")
def test_compares_payers_with_non_payers_as_rates_with_their_difference():
    result = drivers_report(filter=MARCH)

    assert (result.payers, result.non_payers) == (2, 3)
    assert rows_by_feature(result) == {
        "Used voice": (1.0, pytest.approx(1 / 3), pytest.approx(2 / 3)),
        "Opened module partner": (1.0, pytest.approx(1 / 3), pytest.approx(2 / 3)),
        "Opened module friend": (0.0, pytest.approx(2 / 3), pytest.approx(-2 / 3)),
        "Chose persona 7": (1.0, pytest.approx(1 / 3), pytest.approx(2 / 3)),
        "Chose persona 9": (0.0, pytest.approx(1 / 3), pytest.approx(-1 / 3)),
        "Started a scene": (0.5, 0.0, 0.5),
        "Received a photo": (0.5, 0.0, 0.5),
        "Rated a reply": (0.0, pytest.approx(1 / 3), pytest.approx(-1 / 3)),
    }


@pytest.mark.usefixtures("two_payers_three_others")
def test_rows_are_sorted_by_lift_largest_first():
    result = drivers_report(filter=MARCH)

    assert [row.feature for row in result.rows] == [
        "Chose persona 7",
        "Opened module partner",
        "Used voice",
        "Received a photo",
        "Started a scene",
        "Chose persona 9",
        "Rated a reply",
        "Opened module friend",
    ]


@pytest.mark.usefixtures("two_payers_three_others")
def test_messages_mean_and_median_per_group_count_users_without_messages_as_zero():
    result = drivers_report(filter=MARCH)

    assert (result.messages_mean_payers, result.messages_median_payers) == (3.0, 3.0)  # 4 and 2
    assert (result.messages_mean_non_payers, result.messages_median_non_payers) == (
        pytest.approx(4 / 3),
        1.0,
    )  # 1, 0, 3


def test_only_the_first_seven_days_after_the_start_count():
    user_with(("bot_start", "2024-03-04 10:00"), ("photo_sent", "2024-03-11 09:59"), *messages(4, 1), *messages(11, 1))
    user_with(("bot_start", "2024-03-05 10:00"), ("photo_sent", "2024-03-12 10:00"), *messages(12, 2))

    result = drivers_report(filter=MARCH)

    assert rows_by_feature(result)["Received a photo"] == (None, 0.5, None)
    assert (result.messages_mean_non_payers, result.messages_median_non_payers) == (0.5, 0.5)


def test_payers_are_users_whose_first_payment_came_within_thirty_days_of_their_start():
    user_with(("bot_start", "2024-03-04 10:00"), ("payment_succeeded", "2024-04-03 10:00"))
    user_with(("bot_start", "2024-03-05 10:00"), ("payment_succeeded", "2024-04-04 10:01"))
    user_with(
        ("bot_start", "2024-02-25 10:00"), ("bot_start", "2024-03-06 10:00"), ("payment_succeeded", "2024-03-07 10:00")
    )

    result = drivers_report(filter=MARCH)

    assert (result.payers, result.non_payers) == (1, 1)


@pytest.mark.usefixtures("two_payers_three_others")
def test_groups_under_thirty_users_are_flagged_as_small():
    result = drivers_report(filter=MARCH)

    assert (result.payers_small, result.non_payers_small, result.small_sample) == (True, True, True)


def test_thirty_users_in_each_group_are_not_a_small_sample():
    for number in range(60):
        day = 1 + number % 28
        events = [("bot_start", f"2024-03-{day:02d} 10:00")]
        if number % 2:
            events.append(("payment_succeeded", f"2024-03-{day:02d} 12:00"))
        user_with(*events)

    result = drivers_report(filter=MARCH)

    assert (result.payers, result.non_payers, result.small_sample) == (30, 30, False)


def test_only_the_ten_personas_chosen_by_most_users_are_listed():
    for persona_id in range(1, 13):
        for copy in range(1 + (persona_id <= 10)):
            day = 1 + (persona_id + copy) % 28
            user_with(("bot_start", f"2024-03-{day:02d} 10:00"), persona(day, persona_id))

    features = [row.feature for row in drivers_report(filter=MARCH).rows if row.feature.startswith("Chose persona")]

    assert sorted(features) == sorted(f"Chose persona {persona_id}" for persona_id in range(1, 11))


@pytest.mark.usefixtures("two_payers_three_others")
def test_as_table_has_the_rates_then_the_message_numbers():
    header, rows = drivers_report(filter=MARCH).as_table()

    assert header[:4] == ["In the first week", "Payers", "Non-payers", "Lift"]
    assert rows[0][:2] == ["Chose persona 7", 1.0]
    assert [row[0] for row in rows[-2:]] == ["Messages, mean", "Messages, median"]
    assert rows[-1][1:4] == [3.0, 1.0, 2.0]
