"""Which reports the marketing dashboard shows, in what order, with which chart."""

from datetime import date

from django.utils.translation import gettext_lazy as _

from apps.analytics.dashboard import ChartSpec, Panel


def report_filter_for(date_from: date, date_to: date, channel: str):
    from apps.analytics.reports.filters import ReportFilter

    return ReportFilter(date_from=date_from, date_to=date_to, channel=channel or None)


def dashboard_panels() -> list[Panel]:
    from apps.analytics.reports import activity, conversion, drivers, dropoff, funnel, retention, revenue

    return [
        Panel(
            "funnel",
            _("Funnel"),
            lambda report_filter: funnel.funnel_report(steps=funnel.DEFAULT_FUNNEL, filter=report_filter).as_table(),
            ChartSpec("bar", 0, (1,)),
            _("Users entering with their first /start in the period; every step within 30 days of that start."),
        ),
        Panel(
            "funnel_by_channel",
            _("Funnel by channel"),
            lambda report_filter: funnel.funnel_report(
                steps=funnel.DEFAULT_FUNNEL, filter=report_filter, breakdown="channel"
            ).as_table(),
        ),
        Panel(
            "conversion",
            _("Free → paid"),
            lambda report_filter: conversion.conversion_report(filter=report_filter).as_table(),
            ChartSpec("bar", 0, (1,)),
        ),
        Panel(
            "retention",
            _("Retention by weekly cohort"),
            lambda report_filter: retention.retention_report(filter=report_filter).as_table(),
        ),
        Panel(
            "activity",
            _("Activity"),
            lambda report_filter: activity.activity_report(filter=report_filter).as_table(),
            ChartSpec("line", 0, (1,)),
        ),
        Panel(
            "revenue",
            _("Revenue"),
            lambda report_filter: revenue.revenue_report(filter=report_filter).as_table(),
            ChartSpec("bar", 0, (1,)),
        ),
        Panel(
            "dropoff",
            _("Where silent users stopped"),
            lambda report_filter: dropoff.dropoff_report(filter=report_filter).as_table(),
            ChartSpec("bar", 0, (1,)),
        ),
        Panel(
            "drivers",
            _("What payers did in their first week"),
            lambda report_filter: drivers.drivers_report(filter=report_filter).as_table(),
        ),
    ]
