"""Which reports the marketing dashboard shows, in what order, with which chart."""

import hashlib
import json
from datetime import date

from django.utils import translation
from django.utils.translation import gettext_lazy as _

from apps.analytics.dashboard import ChartSpec, Panel


def report_filter_for(date_from: date, date_to: date, channel: str):
    from apps.analytics.reports.filters import ReportFilter

    return ReportFilter(date_from=date_from, date_to=date_to, channel=channel or None)


def dashboard_panels() -> list[Panel]:
    from apps.analytics.reports import activity, conversion, drivers, dropoff, retention, revenue
    from apps.analytics.selectors import funnels_on_dashboard

    funnels = funnels_on_dashboard()
    main = funnels[0]
    panels = [
        Panel(
            "funnel" if number == 0 else f"funnel-{funnel.id}",
            funnel.name,
            _funnel_report(funnel),
            ChartSpec("bar", 0, (1,)),
            _("Users entering with their first /start in the period; every step within %(days)d days of that start.")
            % {"days": funnel.window_days},
            signature=_funnel_signature(funnel),
        )
        for number, funnel in enumerate(funnels)
    ]
    return [
        *panels,
        Panel(
            "funnel_by_channel",
            _("%(funnel)s by channel") % {"funnel": main.name},
            _funnel_report(main, breakdown="channel"),
            signature=_funnel_signature(main),
        ),
        Panel(
            "funnel_by_hypothesis",
            _("%(funnel)s by hypothesis") % {"funnel": main.name},
            _funnel_report(main, breakdown="hypothesis"),
            note=_("Users are counted under the hypothesis of the link of their first /start; “(none)”: no such link."),
            signature=_funnel_signature(main),
        ),
        Panel(
            "conversion",
            _("Free → paid"),
            lambda report_filter: conversion.conversion_report(filter=report_filter),
            ChartSpec("bar", 0, (1,)),
        ),
        Panel(
            "retention",
            _("Retention by weekly cohort"),
            lambda report_filter: retention.retention_report(filter=report_filter),
        ),
        Panel(
            "activity",
            _("Activity"),
            lambda report_filter: activity.activity_report(filter=report_filter),
            ChartSpec("line", 0, (1,)),
        ),
        Panel(
            "revenue",
            _("Revenue"),
            lambda report_filter: revenue.revenue_report(filter=report_filter),
            ChartSpec("bar", 0, (1,)),
        ),
        Panel(
            "dropoff",
            _("Where silent users stopped"),
            lambda report_filter: dropoff.dropoff_report(filter=report_filter),
            ChartSpec("bar", 0, (1,)),
        ),
        Panel(
            "drivers",
            _("What payers did in their first week"),
            lambda report_filter: drivers.drivers_report(filter=report_filter),
        ),
    ]


def _funnel_signature(funnel_view) -> str:
    """Changes whenever the funnel's steps or window are edited."""
    with translation.override("en"):  # labels are lazy: one language, so the signature is the same in every one
        steps = [(step.event, step.min_count, str(step.label)) for step in funnel_view.steps]
    text = json.dumps([funnel_view.id, steps, funnel_view.window_days], ensure_ascii=False)
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def _funnel_report(funnel_view, *, breakdown: str | None = None):
    from apps.analytics.reports.funnel import funnel_report

    def report(report_filter):
        return funnel_report(
            steps=funnel_view.steps, filter=report_filter, window_days=funnel_view.window_days, breakdown=breakdown
        )

    return report
