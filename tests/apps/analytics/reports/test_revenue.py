from datetime import date
from decimal import Decimal

import pytest

from apps.analytics.reports.revenue import revenue_report
from apps.billing.models import Plan, Refund
from tests.apps.analytics.reports.helpers import at, period, user_with
from tests.factories import PaymentFactory, RefundFactory, SubscriptionFactory, TelegramUserFactory

pytestmark = pytest.mark.django_db

MARCH = period("2024-03-01", "2024-03-31")


def paid(user=None, *, plan="pro-month", when="2024-03-10 10:00", **fields):
    return PaymentFactory(
        user=user or TelegramUserFactory(),
        plan=Plan.objects.get(code=plan),
        status="succeeded",
        paid_at=at(when),
        **fields,
    )


def subscription(*, plan="pro-month", status="active", start="2024-02-01 10:00", end="2024-04-01 10:00", **fields):
    return SubscriptionFactory(
        plan=Plan.objects.get(code=plan),
        status=status,
        current_period_start=at(start),
        current_period_end=at(end),
        **fields,
    )


def test_revenue_per_month_counts_succeeded_rouble_payments_by_local_paid_at():
    regular = TelegramUserFactory()
    paid(regular, when="2024-02-10 10:00")
    paid(regular, when="2024-03-10 10:00", kind="renewal")
    paid(plan="pro-quarter", when="2024-03-01 00:30")  # 21:30 UTC on February 29
    PaymentFactory(status="pending")
    PaymentFactory(status="canceled", paid_at=None)
    paid(when="2024-04-01 00:10")

    result = revenue_report(filter=period("2024-02-01", "2024-03-31"))

    assert [(month.month, month.revenue, month.payments, month.paying_users) for month in result.months] == [
        (date(2024, 2, 1), Decimal("399.00"), 1, 1),
        (date(2024, 3, 1), Decimal("1398.00"), 2, 2),
    ]
    assert (result.revenue, result.payments, result.paying_users) == (Decimal("1797.00"), 3, 2)


def test_telegram_stars_are_counted_apart_from_roubles():
    paid(amount=Decimal("250"), currency="XTR", provider="stars")
    paid(amount=Decimal("600"), currency="XTR", provider="stars", plan="pro-quarter")
    paid()

    result = revenue_report(filter=MARCH)

    assert (result.revenue, result.payments, result.stars_payments, result.stars) == (Decimal("399.00"), 1, 2, 850)


def test_arpu_divides_by_users_who_sent_a_message_and_arppu_by_paying_users():
    payers = [user_with(("message_sent", "2024-03-02 10:00")) for _ in range(2)]
    for payer in payers:
        paid(payer)
    user_with(("message_sent", "2024-03-03 10:00"))
    user_with(("message_sent", "2024-03-04 10:00"), ("message_sent", "2024-03-05 10:00"))
    user_with(("bot_start", "2024-03-04 10:00"))
    user_with(("message_sent", "2024-02-28 10:00"))

    result = revenue_report(filter=MARCH)

    assert (result.revenue, result.active_users, result.paying_users) == (Decimal("798.00"), 4, 2)
    assert (result.arpu, result.arppu) == (Decimal("199.50"), Decimal("399.00"))


def test_arpu_and_arppu_are_none_without_users():
    result = revenue_report(filter=MARCH)

    assert (result.revenue, result.arpu, result.arppu, result.mrr) == (Decimal("0.00"), None, None, Decimal("0.00"))


def test_mrr_spreads_the_price_of_each_subscription_live_at_the_end_over_its_months():
    subscription(plan="pro-month", start="2024-03-10 10:00", end="2024-04-10 10:00")  # 399
    subscription(plan="pro-quarter", start="2024-02-01 10:00", end="2024-05-01 10:00")  # 999 / 3 = 333
    subscription(plan="pro-year", status="past_due", start="2023-03-30 10:00", end="2024-03-30 10:00")  # 249.17
    subscription(status="expired", start="2024-03-15 10:00", end="2024-04-15 10:00")  # live then, expired since: 399
    subscription(status="expired", start="2024-02-20 10:00", end="2024-03-20 10:00")  # ended before the end
    subscription(status="canceled", canceled_at=at("2024-03-25 10:00"), end="2024-03-25 10:00")
    subscription(start="2024-04-05 10:00", end="2024-05-05 10:00")  # began after the end

    result = revenue_report(filter=MARCH)

    assert result.mrr == Decimal("1380.17")


def test_churn_is_the_share_of_subscriptions_live_at_the_start_that_ended_in_the_period():
    subscription(start="2024-02-15 10:00", end="2024-04-15 10:00")  # still live
    subscription(status="expired", start="2024-02-05 10:00", end="2024-03-05 10:00")  # churned
    subscription(
        status="canceled", start="2024-02-10 10:00", end="2024-03-10 10:00", canceled_at=at("2024-03-10 10:00")
    )
    subscription(status="expired", start="2024-01-25 10:00", end="2024-02-25 10:00")  # ended before: not live at start
    subscription(status="expired", start="2024-03-15 10:00", end="2024-03-25 10:00")  # began after the start

    result = revenue_report(filter=MARCH)

    assert (result.live_at_start, result.churned) == (3, 2)
    assert result.churn_rate == pytest.approx(2 / 3)


def test_an_expired_subscription_in_grace_ends_when_its_grace_ends():
    subscription(status="expired", start="2024-01-28 10:00", end="2024-02-28 10:00", grace_until=at("2024-03-02 10:00"))

    result = revenue_report(filter=MARCH)

    assert (result.live_at_start, result.churned) == (1, 1)


def test_refunds_count_succeeded_rouble_refunds_created_in_the_period():
    payment = paid(when="2024-03-02 10:00")
    inside = RefundFactory(payment=payment, amount=Decimal("150.00"))
    pending = RefundFactory(payment=payment, amount=Decimal("100.00"), status="pending")
    earlier = RefundFactory(payment=paid(when="2024-02-02 10:00"))
    stars = RefundFactory(payment=paid(amount=Decimal("250"), currency="XTR", provider="stars"))
    for refund, when in ((inside, "2024-03-05 10:00"), (pending, "2024-03-06 10:00"), (earlier, "2024-02-05 10:00")):
        Refund.objects.filter(pk=refund.pk).update(created_at=at(when))
    Refund.objects.filter(pk=stars.pk).update(created_at=at("2024-03-07 10:00"))

    result = revenue_report(filter=MARCH)

    assert (result.refunds, result.refunded) == (1, Decimal("150.00"))
    assert result.net_revenue == Decimal("249.00")


def test_per_plan_breakdown_has_revenue_payers_and_refunds_most_revenue_first():
    buyer = TelegramUserFactory()
    paid(buyer)
    paid(buyer, when="2024-03-20 10:00")
    yearly = paid(plan="pro-year")
    refund = RefundFactory(payment=yearly, amount=Decimal("2990.00"))
    Refund.objects.filter(pk=refund.pk).update(created_at=at("2024-03-15 10:00"))

    result = revenue_report(filter=MARCH)

    assert [
        (plan.plan, plan.payments, plan.revenue, plan.paying_users, plan.refunds, plan.refunded)
        for plan in result.plans
    ] == [
        ("pro-year", 1, Decimal("2990.00"), 1, 1, Decimal("2990.00")),
        ("pro-month", 2, Decimal("798.00"), 1, 0, Decimal("0.00")),
    ]
    assert result.plans_table()[1][0] == ["pro-year", 1, Decimal("2990.00"), 1, 1, Decimal("2990.00")]


def test_as_table_has_a_row_per_month():
    paid(when="2024-03-02 10:00")

    header, rows = revenue_report(filter=MARCH).as_table()

    assert header == ["Month", "Revenue, RUB", "Payments", "Paying users"]
    assert rows == [["2024-03", Decimal("399.00"), 1, 1]]
