"""Marketing reports: one selector per module, each returning frozen dataclasses with an as_table()."""

from apps.analytics.reports.activity import ActivityResult, activity_report
from apps.analytics.reports.conversion import ConversionResult, conversion_report
from apps.analytics.reports.drivers import DriversResult, drivers_report
from apps.analytics.reports.dropoff import DropoffResult, dropoff_report
from apps.analytics.reports.filters import DIRECT_CHANNEL, ReportFilter
from apps.analytics.reports.funnel import (
    DEFAULT_FUNNEL,
    RETURNED_NEXT_DAY,
    FunnelResult,
    FunnelStep,
    funnel_report,
)
from apps.analytics.reports.retention import RetentionResult, retention_report
from apps.analytics.reports.revenue import RevenueResult, revenue_report

__all__ = [
    "DEFAULT_FUNNEL",
    "DIRECT_CHANNEL",
    "RETURNED_NEXT_DAY",
    "ActivityResult",
    "ConversionResult",
    "DriversResult",
    "DropoffResult",
    "FunnelResult",
    "FunnelStep",
    "ReportFilter",
    "RetentionResult",
    "RevenueResult",
    "activity_report",
    "conversion_report",
    "drivers_report",
    "dropoff_report",
    "funnel_report",
    "retention_report",
    "revenue_report",
]
