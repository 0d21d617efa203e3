import pytest

from apps.analytics.reports.funnel import DEFAULT_FUNNEL, RETURNED_NEXT_DAY, FunnelStep, funnel_report
from apps.core.exceptions import InvalidInput
from tests.apps.analytics.reports.helpers import period, user_with

pytestmark = pytest.mark.django_db

MARCH = period("2024-03-01", "2024-03-31")
START_CONSENT_MODULE = [FunnelStep("bot_start"), FunnelStep("consent_accepted"), FunnelStep("module_chosen")]


def users_per_step(result) -> list[int]:
    return [step.users for step in result.steps]


def test_counts_users_through_each_step_with_conversions_and_drop_off():
    user_with(
        ("bot_start", "2024-03-04 10:00"),
        ("consent_accepted", "2024-03-04 10:01"),
        ("module_chosen", "2024-03-04 10:02"),
    )
    user_with(("bot_start", "2024-03-05 10:00"), ("consent_accepted", "2024-03-05 10:01"))
    user_with(("bot_start", "2024-03-06 10:00"))
    user_with(("bot_start", "2024-03-07 10:00"))

    steps = funnel_report(steps=START_CONSENT_MODULE, filter=MARCH).steps

    assert [step.users for step in steps] == [4, 2, 1]
    assert [step.conversion_from_first for step in steps] == [1.0, 0.5, 0.25]
    assert [step.conversion_from_previous for step in steps] == [None, 0.5, 0.5]
    assert [step.drop_off for step in steps] == [0, 2, 1]
    assert [step.drop_off_rate for step in steps] == [None, 0.5, 0.5]


def test_a_step_done_before_the_previous_one_does_not_count():
    user_with(
        ("bot_start", "2024-03-04 10:00"),
        ("module_chosen", "2024-03-04 10:01"),
        ("consent_accepted", "2024-03-04 10:02"),
    )

    assert users_per_step(funnel_report(steps=START_CONSENT_MODULE, filter=MARCH)) == [1, 1, 0]


def test_a_step_repeated_after_the_previous_one_counts_from_its_later_occurrence():
    user_with(
        ("bot_start", "2024-03-04 10:00"),
        ("module_chosen", "2024-03-04 10:01"),
        ("consent_accepted", "2024-03-04 10:02"),
        ("module_chosen", "2024-03-04 10:12"),
    )

    step = funnel_report(steps=START_CONSENT_MODULE, filter=MARCH).steps[2]

    assert (step.users, step.median_seconds_from_previous) == (1, 600.0)


def test_the_window_runs_from_entry_not_from_the_previous_step():
    user_with(
        ("bot_start", "2024-03-01 10:00"),
        ("consent_accepted", "2024-03-21 10:00"),
        ("module_chosen", "2024-04-05 10:00"),
    )

    assert users_per_step(funnel_report(steps=START_CONSENT_MODULE, filter=MARCH, window_days=30)) == [1, 1, 0]
    assert users_per_step(funnel_report(steps=START_CONSENT_MODULE, filter=MARCH, window_days=40)) == [1, 1, 1]


def test_a_step_exactly_at_the_end_of_the_window_counts_and_one_second_later_does_not():
    user_with(("bot_start", "2024-03-01 10:00:00"), ("consent_accepted", "2024-03-08 10:00:00"))
    user_with(("bot_start", "2024-03-02 10:00:00"), ("consent_accepted", "2024-03-09 10:00:01"))

    assert users_per_step(funnel_report(steps=START_CONSENT_MODULE[:2], filter=MARCH, window_days=7)) == [2, 1]


def test_users_enter_with_their_first_ever_first_step_when_it_falls_in_the_period():
    user_with(
        ("bot_start", "2024-02-20 10:00"), ("bot_start", "2024-03-04 10:00"), ("consent_accepted", "2024-03-04 10:01")
    )
    user_with(("bot_start", "2024-03-31 23:30"), ("consent_accepted", "2024-04-01 00:10"))
    user_with(("bot_start", "2024-04-01 00:30"))

    steps = funnel_report(steps=START_CONSENT_MODULE, filter=MARCH).steps

    assert [step.users for step in steps] == [1, 1, 0]  # the late-March starter, whose consent came in April


def test_a_minimum_count_needs_that_many_events_after_the_previous_step():
    three_messages = [FunnelStep("bot_start"), FunnelStep("persona_chosen"), FunnelStep("message_sent", min_count=3)]
    user_with(
        ("bot_start", "2024-03-04 10:00"),
        ("message_sent", "2024-03-04 10:01"),  # before the persona: does not count
        ("persona_chosen", "2024-03-04 10:02"),
        ("message_sent", "2024-03-04 10:03"),
        ("message_sent", "2024-03-04 10:04"),
    )
    user_with(
        ("bot_start", "2024-03-05 10:00"),
        ("persona_chosen", "2024-03-05 10:02"),
        ("message_sent", "2024-03-05 10:03"),
        ("message_sent", "2024-03-05 10:04"),
        ("message_sent", "2024-03-05 10:09"),
    )

    steps = funnel_report(steps=three_messages, filter=MARCH).steps

    assert (steps[2].users, steps[2].median_seconds_from_previous) == (1, 420.0)  # the third message, 7 minutes on


def test_one_then_ten_messages_means_ten_messages_in_all():
    one_then_ten = [FunnelStep("bot_start"), FunnelStep("message_sent"), FunnelStep("message_sent", min_count=10)]
    ten = [("message_sent", f"2024-03-04 11:{minute:02d}") for minute in range(10)]
    user_with(("bot_start", "2024-03-04 10:00"), *ten)
    user_with(
        ("bot_start", "2024-03-05 10:00"), *[("message_sent", f"2024-03-05 11:{minute:02d}") for minute in range(9)]
    )

    steps = funnel_report(steps=one_then_ten, filter=MARCH).steps

    assert [step.users for step in steps] == [2, 2, 1]
    assert steps[2].median_seconds_from_previous == 540.0  # from the first message (11:00) to the tenth (11:09)


def test_returned_next_day_needs_an_event_on_a_later_local_day_than_the_first_start():
    returned = [FunnelStep("bot_start"), FunnelStep(RETURNED_NEXT_DAY)]
    # 23:50 and 00:20 Moscow time are 20:50 and 21:20 UTC of the same UTC day: only the local date differs.
    user_with(
        ("bot_start", "2024-03-04 23:00"), ("message_sent", "2024-03-04 23:50"), ("message_sent", "2024-03-05 00:20")
    )
    user_with(("bot_start", "2024-03-06 10:00"), ("message_sent", "2024-03-06 23:59"))

    steps = funnel_report(steps=returned, filter=MARCH).steps

    assert (steps[1].users, steps[1].median_seconds_from_previous) == (1, 4800.0)


def test_returned_next_day_is_measured_from_the_first_start_even_when_the_funnel_begins_later():
    paywall_then_returned = [FunnelStep("paywall_shown"), FunnelStep(RETURNED_NEXT_DAY)]
    user_with(
        ("bot_start", "2024-03-04 10:00"), ("paywall_shown", "2024-03-05 09:00"), ("message_sent", "2024-03-05 10:00")
    )

    assert users_per_step(funnel_report(steps=paywall_then_returned, filter=MARCH)) == [1, 1]


def test_the_median_gap_averages_the_two_middle_users():
    for day, minutes in ((4, 1), (5, 2), (6, 4), (7, 10)):
        user_with(
            ("bot_start", f"2024-03-{day:02d} 10:00"), ("consent_accepted", f"2024-03-{day:02d} 10:{minutes:02d}")
        )

    steps = funnel_report(steps=START_CONSENT_MODULE, filter=MARCH).steps

    assert steps[1].median_seconds_from_previous == 180.0  # (2 + 4) / 2 minutes
    assert (steps[0].median_seconds_from_previous, steps[2].median_seconds_from_previous) == (None, None)


def test_the_default_funnel_follows_a_user_who_did_everything():
    user_with(
        ("bot_start", "2024-03-04 10:00"),
        ("consent_accepted", "2024-03-04 10:01"),
        ("module_chosen", "2024-03-04 10:02"),
        ("persona_chosen", "2024-03-04 10:03"),
        *[("message_sent", f"2024-03-04 11:{minute:02d}") for minute in range(10)],
        ("message_sent", "2024-03-05 09:00"),
        ("paywall_shown", "2024-03-05 09:01"),
        ("payment_started", "2024-03-05 09:02"),
        ("payment_succeeded", "2024-03-05 09:03"),
    )
    user_with(("bot_start", "2024-03-06 10:00"), ("consent_accepted", "2024-03-06 10:01"))

    result = funnel_report(steps=DEFAULT_FUNNEL, filter=MARCH)

    assert users_per_step(result) == [2, 2, 1, 1, 1, 1, 1, 1, 1, 1]
    assert result.steps[-1].conversion_from_first == 0.5


def test_breakdown_by_channel_gives_a_funnel_per_acquisition_code_and_the_total():
    user_with(("bot_start", "2024-03-04 10:00"), ("consent_accepted", "2024-03-04 10:01"), channel="ads")
    user_with(("bot_start", "2024-03-05 10:00"), channel="ads")
    user_with(("bot_start", "2024-03-06 10:00"), ("consent_accepted", "2024-03-06 10:01"))

    result = funnel_report(steps=START_CONSENT_MODULE[:2], filter=MARCH, breakdown="channel")

    assert {group.key: [step.users for step in group.steps] for group in result.groups} == {
        "ads": [2, 1],
        "(direct)": [1, 1],
    }
    assert [group.key for group in result.groups] == ["ads", "(direct)"]  # most entries first
    assert users_per_step(result) == [3, 2]


def test_breakdown_by_module_uses_the_first_module_the_user_chose():
    user_with(
        ("bot_start", "2024-03-04 10:00"),
        ("module_chosen", "2024-03-04 10:01", {"module": "partner"}),
        ("module_chosen", "2024-03-04 10:05", {"module": "friend"}),
    )
    user_with(("bot_start", "2024-03-05 10:00"), ("module_chosen", "2024-03-05 10:01", {"module": "friend"}))
    user_with(("bot_start", "2024-03-06 10:00"))

    result = funnel_report(steps=START_CONSENT_MODULE[:1], filter=MARCH, breakdown="module")

    assert {group.key: group.steps[0].users for group in result.groups} == {"partner": 1, "friend": 1, "(none)": 1}


def test_breakdown_by_persona_uses_the_first_persona_the_user_chose():
    user_with(
        ("bot_start", "2024-03-04 10:00"),
        ("persona_chosen", "2024-03-04 10:01", {"persona_id": 7}),
        ("persona_chosen", "2024-03-04 10:02", {"persona_id": 9}),
    )

    result = funnel_report(steps=START_CONSENT_MODULE[:1], filter=MARCH, breakdown="persona")

    assert [(group.key, group.steps[0].users) for group in result.groups] == [("7", 1)]


def test_breakdown_by_hypothesis_groups_users_by_the_hypothesis_of_their_first_link():
    from apps.growth.models import AcquisitionLink, Hypothesis

    ads = Hypothesis.objects.create(title="Telegram Ads, autumn")
    AcquisitionLink.objects.create(code="ads-1", hypothesis=ads)
    AcquisitionLink.objects.create(code="ads-2", hypothesis=ads)
    AcquisitionLink.objects.create(code="loose")  # a link that tests no hypothesis
    user_with(("bot_start", "2024-03-04 10:00"), ("consent_accepted", "2024-03-04 10:01"), channel="ads-1")
    user_with(("bot_start", "2024-03-05 10:00"), channel="ads-2")
    user_with(("bot_start", "2024-03-06 10:00"), ("consent_accepted", "2024-03-06 10:01"), channel="loose")
    user_with(("bot_start", "2024-03-07 10:00"))

    result = funnel_report(steps=START_CONSENT_MODULE[:2], filter=MARCH, breakdown="hypothesis")

    assert {group.key: [step.users for step in group.steps] for group in result.groups} == {
        "Telegram Ads, autumn": [2, 1],
        "(none)": [2, 1],
    }


def test_as_table_has_one_row_per_step_and_a_group_column_with_a_breakdown():
    user_with(("bot_start", "2024-03-04 10:00"), ("consent_accepted", "2024-03-04 10:01"), channel="ads")

    header, rows = funnel_report(steps=START_CONSENT_MODULE[:2], filter=MARCH).as_table()
    grouped_header, grouped_rows = funnel_report(
        steps=START_CONSENT_MODULE[:2], filter=MARCH, breakdown="channel"
    ).as_table()

    assert (len(header), rows) == (
        6,
        [["bot_start", 1, 1.0, None, 0, None], ["consent_accepted", 1, 1.0, 1.0, 0, 60.0]],
    )
    assert len(grouped_header) == 7
    assert [row[:3] for row in grouped_rows] == [
        ["All", "bot_start", 1],
        ["All", "consent_accepted", 1],
        ["ads", "bot_start", 1],
        ["ads", "consent_accepted", 1],
    ]


def test_nobody_entering_gives_zeros_and_no_rates():
    steps = funnel_report(steps=START_CONSENT_MODULE, filter=MARCH).steps

    assert [(step.users, step.conversion_from_first, step.median_seconds_from_previous) for step in steps] == [
        (0, None, None)
    ] * 3


@pytest.mark.parametrize(
    ("steps", "arguments"),
    [
        ([], {}),
        ([FunnelStep(RETURNED_NEXT_DAY)], {}),
        ([FunnelStep("message_sent", min_count=2)], {}),
        (START_CONSENT_MODULE, {"breakdown": "language"}),
        (START_CONSENT_MODULE, {"window_days": 0}),
    ],
)
def test_refuses_funnels_it_cannot_compute(steps, arguments):
    with pytest.raises(InvalidInput):
        funnel_report(steps=steps, filter=MARCH, **arguments)


def test_a_step_cannot_need_zero_events():
    with pytest.raises(InvalidInput):
        FunnelStep("message_sent", min_count=0)
