"""Running (and paused) hypotheses side by side: their results, sorted, as a table for the page and for CSV."""

from datetime import date

from django.utils.translation import gettext_lazy as _

from apps.analytics.reports.common import Table, table
from apps.growth.models import Hypothesis
from apps.growth.selectors.results import HypothesisResults, hypotheses_results
from apps.growth.selectors.verdicts import Outcome

COMPARED_STATUSES = (Hypothesis.Status.RUNNING, Hypothesis.Status.PAUSED)
VERDICT_ORDER = {Outcome.VALIDATED: 0, Outcome.NOT_ENOUGH_DATA: 1, Outcome.FAILED: 2}

# Sort keys: a value per row and whether bigger is better. Rows without a value go last either way.
SORT_KEYS = {
    "verdict": (lambda row: -VERDICT_ORDER[row.verdict.outcome], True),
    "ice": (lambda row: row.ice_score, True),
    "users": (lambda row: row.results.users, True),
    "activation": (lambda row: row.results.activation_rate, True),
    "retention": (lambda row: row.results.d7_retention, True),
    "conversion": (lambda row: row.results.paid_conversion, True),
    "revenue": (lambda row: row.results.revenue, True),
    "spend": (lambda row: row.results.spend, True),
    "cac": (lambda row: row.results.cac, False),
    "roi": (lambda row: row.results.roi, True),
}
DEFAULT_SORT = "verdict"


def hypotheses_comparison(
    *,
    sort: str = DEFAULT_SORT,
    statuses: tuple[str, ...] = COMPARED_STATUSES,
    date_from: date | None = None,
    date_to: date | None = None,
    today: date | None = None,
) -> list[HypothesisResults]:
    """Hypotheses in `statuses` with their results, best first by `sort` (ties: the higher ICE first)."""
    hypotheses = list(Hypothesis.objects.filter(status__in=statuses).order_by("-ice_score", "pk"))
    rows = hypotheses_results(hypotheses=hypotheses, date_from=date_from, date_to=date_to, today=today)
    value_of, bigger_is_better = SORT_KEYS.get(sort, SORT_KEYS[DEFAULT_SORT])
    known = [row for row in rows if value_of(row) is not None]
    unknown = [row for row in rows if value_of(row) is None]
    known.sort(key=value_of, reverse=bigger_is_better)  # stable: equal values keep the ICE order
    return known + unknown


def comparison_table(rows: list[HypothesisResults]) -> Table:
    header = [
        _("Hypothesis"), _("Status"), _("Channel"), _("ICE"), _("Users"), _("Activated"), _("Activation rate"),
        _("D7 measurable"), _("D7 retained"), _("D7 retention"), _("Paying users"), _("Paid conversion"),
        _("Revenue, RUB"), _("Stars"), _("Spend, RUB"), _("CPA, RUB"), _("CAC, RUB"), _("ROI"), _("Success metric"),
        _("Threshold"), _("Verdict"), _("Sample"),
    ]  # fmt: skip
    return table(header, [_row(row) for row in rows])


def _row(row: HypothesisResults) -> list:
    results, verdict = row.results, row.verdict
    return [
        row.title, Hypothesis.Status(row.status).label, row.channel, row.ice_score, results.users, results.activated,
        _rounded(results.activation_rate), results.d7_measurable, results.d7_retained, _rounded(results.d7_retention),
        results.payers, _rounded(results.paid_conversion), results.revenue, results.stars, results.spend, results.cpa,
        results.cac, _rounded(results.roi), verdict.metric_label, verdict.threshold, verdict.label, verdict.sample,
    ]  # fmt: skip


def _rounded(value: float | None) -> float | None:
    return None if value is None else round(value, 4)
