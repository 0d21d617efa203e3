"""The marketing dashboard: report panels (a table, a chart and a CSV export each) over one date range and
channel filter. Panels only call the report selectors and shape their tables for display."""

import csv
import io
import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from apps.accounts.models import TelegramUser

Table = tuple[Sequence[str], Sequence[Sequence]]  # (header, rows)
# Columns holding a share (0..1), shown as percentages: matched on the English and Russian headers.
PERCENT_WORDS = ("conversion", "rate", "share", "retained", "lift", "конверс", "доля", "удерж", "разниц")
CHART_COLORS = ("var(--color-primary-600)", "var(--color-primary-300)", "#f59e0b", "#10b981", "#ef4444")


@dataclass(frozen=True)
class ChartSpec:
    kind: str  # "bar" or "line"
    label_column: int  # which column names the bars / points
    value_columns: tuple[int, ...]  # which columns are plotted, one dataset each


@dataclass(frozen=True)
class Panel:
    key: str
    title: str
    report: Callable  # report(report_filter) -> a report result with as_table()
    chart: ChartSpec | None = None
    note: str = ""
    # What the panel computes beyond its key (a funnel's steps and window): a stored snapshot made under
    # another signature is stale.
    signature: str = ""

    def build(self, report_filter) -> Table:
        return self.report(report_filter).as_table()


@dataclass(frozen=True)
class PanelView:
    key: str
    title: str
    note: str
    header: Sequence[str]
    rows: Sequence[Sequence]
    chart_json: str = ""
    extra: dict = field(default_factory=dict)


class DashboardFilterForm(forms.Form):
    date_from = forms.DateField(label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    date_to = forms.DateField(label=_("To"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    channel = forms.ChoiceField(label=_("Channel"), required=False)

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        codes = (
            TelegramUser.objects.exclude(acquisition_code="")
            .values_list("acquisition_code", flat=True)
            .distinct()
            .order_by("acquisition_code")[:200]
        )
        self.fields["channel"].choices = [("", _("All channels")), ("(direct)", _("Direct (no code)"))] + [
            (code, code) for code in codes
        ]

    def period(self) -> tuple[date, date, str]:
        """The chosen range (default: the last 30 days, today included) and channel ("" for all)."""
        today = timezone.localdate()
        data = self.cleaned_data if self.is_valid() else {}
        date_to = data.get("date_to") or today
        date_from = data.get("date_from") or date_to - timedelta(days=29)
        if date_from > date_to:
            date_from, date_to = date_to, date_from
        return date_from, date_to, data.get("channel") or ""


def panel_view(panel: Panel, report_filter=None, *, table: Table | None = None, extra: dict | None = None) -> PanelView:
    """The panel for display, computed now for `report_filter` or from an already computed `table`."""
    header, rows = table if table is not None else panel.build(report_filter)
    header = [str(column) for column in header]
    percent = [any(word in column.lower() for word in PERCENT_WORDS) for column in header]
    shown = [[_shown(value, percent[index]) for index, value in enumerate(row)] for row in rows]
    return PanelView(
        key=panel.key,
        title=str(panel.title),
        note=str(panel.note),
        header=header,
        rows=shown,
        chart_json=chart_json(panel.chart, header, rows) if panel.chart and rows else "",
        extra=extra or {},
    )


def _shown(value, as_percent: bool):
    """Numbers for people: rates as percentages, other fractions with two decimals (CSV keeps them raw)."""
    if isinstance(value, bool) or not isinstance(value, float | Decimal):
        return value
    if as_percent:
        return f"{float(value) * 100:.1f}%"
    return f"{float(value):,.2f}".replace(",", " ")


def chart_json(spec: ChartSpec, header: Sequence[str], rows: Sequence[Sequence]) -> str:
    """Chart.js data for unfold's chart component: labels from one column, a dataset per value column."""
    datasets = [
        {
            "label": str(header[column]),
            "data": [_number(row[column]) for row in rows],
            "backgroundColor": CHART_COLORS[number % len(CHART_COLORS)],
            "borderColor": CHART_COLORS[number % len(CHART_COLORS)],
        }
        for number, column in enumerate(spec.value_columns)
    ]
    return json.dumps({"labels": [str(row[spec.label_column]) for row in rows], "datasets": datasets})


def table_csv(header: Sequence[str], rows: Sequence[Sequence]) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow([str(column) for column in header])
    writer.writerows([["" if value is None else value for value in row] for row in rows])
    return buffer.getvalue()


def _number(value) -> float | None:
    if value is None or value == "":
        return None
    try:
        return float(value)
    except (TypeError, ValueError):
        return None
