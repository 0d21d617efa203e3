"""Results of links and hypotheses, worked out by hand on a small cohort (Moscow time, today 2024-03-20).

Link "ads-a": u1..u5, link "ads-b": u6, u7 (one hypothesis); u8 came through another code.
    user  acquired          message  day-7 event           payments
    u1    03-01 10:00       yes      03-08 (day 7)         399 ₽, 100 ₽ of it refunded
    u2    03-02 23:30       yes      03-09 00:30 (day 7)   999 ₽ and 250 ★
    u3    03-05 09:00       no       03-13 (day 8: no)     100 ★
    u4    03-15 10:00       yes      (day 7 not over yet)  —
    u5    03-03 12:00       no       —                     399 ₽ pending, 399 ₽ canceled
    u6    03-04 10:00       yes      03-11 (day 7)         399 ₽, a refund still pending
    u7    03-12 10:00       yes      03-19 (day 7)         —
Spend: 1000 ₽ on ads-a (03-01), 500 ₽ on ads-b (03-05), 300 ₽ on the hypothesis without a link (03-10).
"""

from datetime import date
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from apps.growth.models import Hypothesis
from apps.growth.selectors.comparison import comparison_table, hypotheses_comparison
from apps.growth.selectors.results import hypotheses_results, hypothesis_results, link_results
from apps.growth.selectors.verdicts import Outcome
from tests.apps.growth.hypothesis_factories import (
    AcquisitionLinkFactory,
    HypothesisFactory,
    SpendFactory,
    acquired,
    at,
)
from tests.factories import PaymentFactory, RefundFactory

pytestmark = pytest.mark.django_db

TODAY = date(2024, 3, 20)


@pytest.fixture(autouse=True)
def moscow_time(settings):
    settings.TIME_ZONE = "Europe/Moscow"


def paid(user, amount: str, *, currency: str = "RUB", status: str = "succeeded"):
    provider = "stars" if currency == "XTR" else "yookassa"
    return PaymentFactory(
        user=user,
        amount=Decimal(amount),
        currency=currency,
        provider=provider,
        status=status,
        paid_at=at("2024-03-10 12:00"),
    )


@pytest.fixture
def hypothesis():
    hypothesis = HypothesisFactory(success_metric="paid_conversion", success_threshold=Decimal("0.5"), min_users=7)
    link_a = AcquisitionLinkFactory(hypothesis=hypothesis, code="ads-a")
    link_b = AcquisitionLinkFactory(hypothesis=hypothesis, code="ads-b")
    u1 = acquired(
        "ads-a", "2024-03-01 10:00", ("message_sent", "2024-03-01 10:05"), ("reply_rated", "2024-03-08 12:00")
    )
    RefundFactory(payment=paid(u1, "399.00"), amount=Decimal("100.00"))
    u2 = acquired(
        "ads-a", "2024-03-02 23:30", ("message_sent", "2024-03-03 08:00"), ("message_sent", "2024-03-09 00:30")
    )
    paid(u2, "999.00")
    paid(u2, "250", currency="XTR")
    u3 = acquired("ads-a", "2024-03-05 09:00", ("bot_start", "2024-03-13 10:00"))
    paid(u3, "100", currency="XTR")
    acquired("ads-a", "2024-03-15 10:00", ("message_sent", "2024-03-15 10:01"))
    u5 = acquired("ads-a", "2024-03-03 12:00")
    paid(u5, "399.00", status="pending")
    paid(u5, "399.00", status="canceled")
    u6 = acquired(
        "ads-b", "2024-03-04 10:00", ("message_sent", "2024-03-04 10:01"), ("message_sent", "2024-03-11 10:00")
    )
    RefundFactory(payment=paid(u6, "399.00"), amount=Decimal("399.00"), status="pending")
    acquired("ads-b", "2024-03-12 10:00", ("message_sent", "2024-03-12 10:01"), ("message_sent", "2024-03-19 22:00"))
    paid(acquired("other", "2024-03-01 10:00", ("message_sent", "2024-03-01 10:01")), "5000.00")
    SpendFactory(hypothesis=hypothesis, link=link_a, amount=Decimal("1000.00"), spent_on=date(2024, 3, 1))
    SpendFactory(hypothesis=hypothesis, link=link_b, amount=Decimal("500.00"), spent_on=date(2024, 3, 5))
    SpendFactory(hypothesis=hypothesis, amount=Decimal("300.00"), spent_on=date(2024, 3, 10))
    return hypothesis


def with_goal(hypothesis: Hypothesis, metric: str, threshold: str, min_users: int = 7) -> Hypothesis:
    hypothesis.success_metric, hypothesis.success_threshold, hypothesis.min_users = (
        metric,
        Decimal(threshold),
        min_users,
    )
    return hypothesis


def test_the_hypothesis_adds_up_its_links(hypothesis):
    results = hypothesis_results(hypothesis=hypothesis, today=TODAY).results

    assert (results.users, results.activated, results.d7_measurable, results.d7_retained) == (7, 5, 6, 4)
    assert results.activation_rate == pytest.approx(5 / 7)
    assert results.d7_retention == pytest.approx(4 / 6)
    assert (results.payers, results.paid_conversion) == (4, pytest.approx(4 / 7))  # the Stars-only payer counts
    assert (results.revenue_gross, results.refunded, results.revenue) == (
        Decimal("1797.00"),
        Decimal("100.00"),
        Decimal("1697.00"),
    )
    assert results.stars == 350
    assert results.spend == Decimal("1800.00")  # the spend without a link counts for the hypothesis
    assert (results.cpa, results.cac) == (Decimal("257.14"), Decimal("450.00"))
    assert results.roi == pytest.approx((1697 - 1800) / 1800)


def test_each_link_has_its_own_numbers(hypothesis):
    links = {item.code: item.results for item in hypothesis_results(hypothesis=hypothesis, today=TODAY).links}

    a, b = links["ads-a"], links["ads-b"]
    assert (a.users, a.activated, a.d7_measurable, a.d7_retained, a.payers) == (5, 3, 4, 2, 3)
    assert (a.revenue, a.stars, a.spend, a.cac) == (Decimal("1298.00"), 350, Decimal("1000.00"), Decimal("333.33"))
    assert (b.users, b.activated, b.d7_measurable, b.d7_retained, b.payers) == (2, 2, 2, 2, 1)
    assert (b.revenue, b.spend, b.roi) == (Decimal("399.00"), Decimal("500.00"), pytest.approx(-101 / 500))


def test_link_results_alone(hypothesis):
    results = link_results(link=hypothesis.links.get(code="ads-b"), today=TODAY).results

    assert (results.users, results.payers, results.spend) == (2, 1, Decimal("500.00"))


def test_a_period_narrows_users_by_the_local_day_they_arrived_and_spend_by_its_day(hypothesis):
    results = hypothesis_results(
        hypothesis=hypothesis, date_from=date(2024, 3, 2), date_to=date(2024, 3, 5), today=TODAY
    ).results

    assert results.users == 4  # u2 (23:30 on 03-02), u5, u6 and u3 (03-05 is included)
    assert results.spend == Decimal("500.00")
    assert results.revenue == Decimal("1398.00")


def test_day_seven_is_not_measured_before_it_is_over(hypothesis):
    on_day_seven_of_u7 = date(2024, 3, 19)

    results = hypothesis_results(hypothesis=hypothesis, today=on_day_seven_of_u7).results

    assert (results.d7_measurable, results.d7_retained) == (5, 3)


def test_rates_are_none_without_users():
    empty = HypothesisFactory()
    AcquisitionLinkFactory(hypothesis=empty, code="nobody")

    results = hypothesis_results(hypothesis=empty, today=TODAY).results

    assert (results.users, results.activation_rate, results.d7_retention, results.paid_conversion) == (
        0,
        None,
        None,
        None,
    )
    assert (results.cpa, results.cac, results.roi) == (None, None, None)


@pytest.mark.parametrize(
    ("metric", "threshold", "min_users", "outcome", "sample"),
    [
        ("paid_conversion", "0.5", 7, Outcome.VALIDATED, 7),  # 4 / 7 ≈ 0.571
        ("paid_conversion", "0.6", 7, Outcome.FAILED, 7),
        ("paid_conversion", "0.5", 8, Outcome.NOT_ENOUGH_DATA, 7),
        ("activation", "0.7142", 7, Outcome.VALIDATED, 7),  # 5 / 7 ≈ 0.71428
        ("activation", "0.7143", 7, Outcome.FAILED, 7),
        ("retention_d7", "0.6", 6, Outcome.VALIDATED, 6),  # 4 / 6
        ("retention_d7", "0.6", 7, Outcome.NOT_ENOUGH_DATA, 6),  # 7 users, but only 6 are old enough
        ("cac", "450", 7, Outcome.VALIDATED, 7),  # at most: exactly the threshold passes
        ("cac", "449.99", 7, Outcome.FAILED, 7),
        ("roi", "-0.06", 7, Outcome.VALIDATED, 7),  # (1697 − 1800) / 1800 ≈ −0.0572
        ("roi", "0", 7, Outcome.FAILED, 7),
    ],
)
def test_the_verdict_compares_the_metric_with_the_threshold(hypothesis, metric, threshold, min_users, outcome, sample):
    verdict = hypothesis_results(hypothesis=with_goal(hypothesis, metric, threshold, min_users), today=TODAY).verdict

    assert (verdict.outcome, verdict.sample, verdict.min_users) == (outcome, sample, min_users)


def test_an_exact_share_meets_its_threshold():
    hypothesis = HypothesisFactory(success_metric="activation", success_threshold=Decimal("0.25"), min_users=4)
    AcquisitionLinkFactory(hypothesis=hypothesis, code="quarter")
    acquired("quarter", "2024-03-01 10:00", ("message_sent", "2024-03-01 10:01"))
    for _ in range(3):
        acquired("quarter", "2024-03-01 10:00")

    assert hypothesis_results(hypothesis=hypothesis, today=TODAY).verdict.outcome == Outcome.VALIDATED


@pytest.mark.parametrize("metric", ["cac", "roi"])
def test_money_metrics_without_spend_have_not_enough_data(metric):
    hypothesis = HypothesisFactory(success_metric=metric, success_threshold=Decimal("500"), min_users=1)
    AcquisitionLinkFactory(hypothesis=hypothesis, code="organic")
    paid(acquired("organic", "2024-03-01 10:00"), "399.00")

    verdict = hypothesis_results(hypothesis=hypothesis, today=TODAY).verdict

    assert (verdict.outcome, verdict.value) == (Outcome.NOT_ENOUGH_DATA, None if metric == "roi" else Decimal("0.00"))


def test_spending_with_nobody_paying_fails_a_cac_goal():
    hypothesis = HypothesisFactory(success_metric="cac", success_threshold=Decimal("500"), min_users=1)
    AcquisitionLinkFactory(hypothesis=hypothesis, code="dud")
    acquired("dud", "2024-03-01 10:00")
    SpendFactory(hypothesis=hypothesis, amount=Decimal("100.00"))

    verdict = hypothesis_results(hypothesis=hypothesis, today=TODAY).verdict

    assert (verdict.outcome, verdict.value) == (Outcome.FAILED, None)


def queries_for(hypotheses) -> int:
    with CaptureQueriesContext(connection) as queries:
        hypotheses_results(hypotheses=hypotheses, today=TODAY)
    return len(queries)


def add_links_with_payers(hypothesis, *, links: int, users: int) -> None:
    for _ in range(links):
        code = AcquisitionLinkFactory(hypothesis=hypothesis).code
        for _ in range(users):
            paid(acquired(code, "2024-03-01 10:00", ("message_sent", "2024-03-01 11:00")), "1.00")


def test_queries_do_not_grow_with_users_or_links():
    hypotheses = [HypothesisFactory(), HypothesisFactory()]
    add_links_with_payers(hypotheses[0], links=1, users=1)
    few = queries_for(hypotheses)

    for hypothesis in hypotheses:
        add_links_with_payers(hypothesis, links=3, users=4)

    assert queries_for(hypotheses) == few
    assert [item.results.users for item in hypotheses_results(hypotheses=hypotheses, today=TODAY)] == [13, 12]


def test_the_comparison_shows_running_and_paused_hypotheses_best_first(hypothesis):
    hypothesis.status = "running"
    hypothesis.save()
    paused = HypothesisFactory(status="paused", title="Paused, no links", min_users=1)
    HypothesisFactory(status="idea", title="Only an idea")

    by_verdict = hypotheses_comparison(today=TODAY)
    by_roi = hypotheses_comparison(sort="roi", today=TODAY)

    assert [row.hypothesis_id for row in by_verdict] == [hypothesis.pk, paused.pk]  # validated, then not enough data
    assert [row.hypothesis_id for row in by_roi] == [hypothesis.pk, paused.pk]  # no ROI goes last
    header, rows = comparison_table(by_verdict)
    assert rows[0][header.index("Users")] == 7
    assert rows[0][header.index("Verdict")] == "Validated"
    assert rows[1][header.index("ROI")] is None
