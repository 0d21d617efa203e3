from datetime import UTC, date, datetime
from decimal import Decimal

import pytest

from apps.analytics.reports.activity import activity_report
from apps.analytics.reports.conversion import conversion_report
from apps.analytics.reports.filters import DIRECT_CHANNEL, ReportFilter
from apps.analytics.reports.funnel import FunnelStep, funnel_report
from apps.analytics.reports.revenue import revenue_report
from apps.billing.models import Plan
from apps.core.exceptions import InvalidInput
from tests.apps.analytics.reports.helpers import at, period, user_with
from tests.factories import PaymentFactory

pytestmark = pytest.mark.django_db

STARTS = [FunnelStep("bot_start")]


def test_the_period_runs_from_local_midnight_to_the_local_midnight_after_its_last_day():
    march = period("2024-03-01", "2024-03-31")

    assert (march.start, march.end) == (datetime(2024, 2, 29, 21, tzinfo=UTC), datetime(2024, 3, 31, 21, tzinfo=UTC))
    assert (len(march.days()), march.days()[-1]) == (31, date(2024, 3, 31))


def test_a_period_that_ends_before_it_starts_is_refused():
    with pytest.raises(InvalidInput):
        ReportFilter(date_from=date(2024, 3, 2), date_to=date(2024, 3, 1))


def test_a_channel_keeps_the_users_acquired_through_it_and_direct_those_without_a_code():
    user_with(("bot_start", "2024-03-04 10:00"), channel="ads")
    user_with(("bot_start", "2024-03-05 10:00"), channel="blog")
    user_with(("bot_start", "2024-03-06 10:00"), channel="blog")
    user_with(("bot_start", "2024-03-07 10:00"))

    def entered(**segment) -> int:
        return funnel_report(steps=STARTS, filter=period("2024-03-01", "2024-03-31", **segment)).steps[0].users

    assert (entered(), entered(channel="blog"), entered(channel=DIRECT_CHANNEL), entered(channel="none")) == (
        4,
        2,
        1,
        0,
    )


def test_a_module_keeps_the_users_whose_first_module_it_was():
    user_with(
        ("module_chosen", "2024-03-01 10:00", {"module": "partner"}),
        ("module_chosen", "2024-03-01 10:05", {"module": "friend"}),
        ("message_sent", "2024-03-01 10:06"),
    )
    user_with(("module_chosen", "2024-03-01 11:00", {"module": "friend"}), *[("message_sent", "2024-03-01 11:01")] * 2)

    def messages(module: str) -> int:
        return activity_report(filter=period("2024-03-01", "2024-03-01", module=module)).messages

    assert (messages("partner"), messages("friend"), messages("mentor")) == (1, 2, 0)


def test_a_persona_keeps_the_users_whose_first_persona_it_was():
    user_with(
        ("bot_start", "2024-03-04 10:00"),
        ("persona_chosen", "2024-03-04 10:01", {"persona_id": 3}),
        ("payment_succeeded", "2024-03-04 12:00"),
    )
    user_with(
        ("bot_start", "2024-03-05 10:00"),
        ("persona_chosen", "2024-03-05 10:01", {"persona_id": 4}),
        ("persona_chosen", "2024-03-05 10:02", {"persona_id": 3}),
    )

    result = conversion_report(filter=period("2024-03-01", "2024-03-31", persona_id=3))

    assert (result.started, result.paid) == (1, 1)


def test_a_channel_narrows_revenue_to_the_payments_of_its_users():
    ads = user_with(("bot_start", "2024-03-04 10:00"), channel="ads")
    other = user_with(("bot_start", "2024-03-04 10:00"))
    for user in (ads, other):
        PaymentFactory(
            user=user, plan=Plan.objects.get(code="pro-month"), status="succeeded", paid_at=at("2024-03-05 10:00")
        )

    result = revenue_report(filter=period("2024-03-01", "2024-03-31", channel="ads"))

    assert (result.revenue, result.paying_users) == (Decimal("399.00"), 1)
