"""Results as the admin shows them: percentages, roubles, and the verdict in words."""

from decimal import Decimal

from django.template.loader import render_to_string
from django.utils.translation import gettext_lazy as _

from apps.growth.models import Hypothesis, SuccessMetric
from apps.growth.selectors.results import AcquisitionResults, HypothesisResults, LinkResults
from apps.growth.selectors.verdicts import Outcome, Verdict

STATUS_BADGES = {
    Hypothesis.Status.PLANNED: "info",
    Hypothesis.Status.RUNNING: "primary",
    Hypothesis.Status.PAUSED: "warning",
    Hypothesis.Status.VALIDATED: "success",
    Hypothesis.Status.REJECTED: "danger",
}  # an idea stays grey
VERDICT_BADGES = {Outcome.VALIDATED: "success", Outcome.FAILED: "danger", Outcome.NOT_ENOUGH_DATA: "warning"}
MONEY_METRICS = frozenset({SuccessMetric.CAC})
EMPTY = "—"


def percent(value: float | Decimal | None, *, signed: bool = False) -> str:
    if value is None:
        return EMPTY
    return f"{float(value) * 100:{'+' if signed else ''}.1f} %"


def money(value: Decimal | None) -> str:
    if value is None:
        return EMPTY
    return f"{value:,.2f} ₽".replace(",", "\u202f")  # a narrow space groups thousands in both languages


def metric_value(metric: str, value: float | Decimal | None) -> str:
    if metric in MONEY_METRICS:
        return money(None if value is None else Decimal(value))
    return percent(value, signed=metric == SuccessMetric.ROI)


def result_cells(results: AcquisitionResults) -> list[tuple[str, str, str]]:
    """(label, value, detail) for each number of the panel."""
    return [
        (_("Users acquired"), str(results.users), ""),
        (_("Activated"), percent(results.activation_rate), f"{results.activated} / {results.users}"),
        (_("D7 retention"), percent(results.d7_retention), f"{results.d7_retained} / {results.d7_measurable}"),
        (_("Paid conversion"), percent(results.paid_conversion), f"{results.payers} / {results.users}"),
        (_("Revenue, net"), money(results.revenue), _("refunded %(sum)s") % {"sum": money(results.refunded)}),
        (_("Spend"), money(results.spend), ""),
        (_("CPA"), money(results.cpa), _("spend / users")),
        (_("CAC"), money(results.cac), _("spend / paying users")),
        (_("ROI"), percent(results.roi, signed=True), _("(revenue − spend) / spend")),
    ]


def verdict_view(verdict: Verdict) -> dict:
    sign = "≤" if verdict.at_most else "≥"
    return {
        "outcome": verdict.outcome,
        "label": verdict.label,
        "badge": VERDICT_BADGES[verdict.outcome],
        "metric": verdict.metric_label,
        "value": metric_value(verdict.metric, verdict.value),
        "target": f"{sign} {metric_value(verdict.metric, verdict.threshold)}",
        "sample": verdict.sample,
        "min_users": verdict.min_users,
        "reason": verdict.reason,
    }


def link_rows(links: tuple[LinkResults, ...]) -> list[dict]:
    return [
        {
            "code": item.code,
            "placement": item.placement,
            "users": item.results.users,
            "activation": percent(item.results.activation_rate),
            "retention": percent(item.results.d7_retention),
            "conversion": percent(item.results.paid_conversion),
            "revenue": money(item.results.revenue),
            "spend": money(item.results.spend),
        }
        for item in links
    ]


def results_panel_html(results: AcquisitionResults, verdict: Verdict | None = None, links=()) -> str:
    return render_to_string(
        "admin/growth/results_panel.html",
        {
            "cells": result_cells(results),
            "stars": results.stars,
            "verdict": verdict_view(verdict) if verdict else None,
            "links": link_rows(links),
        },
    )


def comparison_view(row: HypothesisResults) -> dict:
    results = row.results
    return {
        "id": row.hypothesis_id,
        "title": row.title,
        "status": row.status,
        "status_label": Hypothesis.Status(row.status).label,
        "status_badge": STATUS_BADGES.get(row.status, ""),
        "ice": row.ice_score,
        "users": results.users,
        "activation": percent(results.activation_rate),
        "retention": percent(results.d7_retention),
        "retention_sample": results.d7_measurable,
        "conversion": percent(results.paid_conversion),
        "revenue": money(results.revenue),
        "spend": money(results.spend),
        "cac": money(results.cac),
        "roi": percent(results.roi, signed=True),
        "verdict": verdict_view(row.verdict),
    }
