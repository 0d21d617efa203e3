"""Dashboard panels computed ahead: a Celery beat job computes every panel for the preset ranges (the last
7, 30, 90 and 180 days, all channels) and stores each table in every admin language; the dashboard shows a
fresh snapshot instead of running the report, so the presets open at once however many events there are.
Other ranges and channels are computed live (a month's range stays under a second at a million events)."""

import logging
import time
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal

from django.conf import settings
from django.utils import timezone, translation

from apps.analytics.dashboard import Panel, Table
from apps.analytics.models import ReportSnapshot

logger = logging.getLogger(__name__)

PRESET_DAYS = (7, 30, 90, 180)
KEEP_FOR = timedelta(days=2)  # older snapshots are for past dates: nobody will ask for them


@dataclass(frozen=True)
class StoredTable:
    table: Table
    computed_at: datetime


def preset_periods(today: date) -> list[tuple[date, date]]:
    """(date_from, date_to) of each preset: the last N days, today included."""
    return [(today - timedelta(days=days - 1), today) for days in PRESET_DAYS]


def snapshot_max_age() -> timedelta:
    """A snapshot stays in use for two refresh intervals: one missed beat run does not send the
    dashboard back to computing live."""
    return timedelta(minutes=2 * settings.ANALYTICS_SNAPSHOT_EVERY_MINUTES)


def dashboard_snapshots_refresh(*, today: date | None = None) -> int:
    """Compute every dashboard panel for each preset range and store it; returns how many panels were stored.

    A panel whose report fails is logged and skipped (its older snapshot ages out, and the dashboard then
    computes it live and shows the error there). Each report runs in its own transaction: no long one.
    """
    from apps.analytics.panels import dashboard_panels, report_filter_for

    today = today or timezone.localdate()
    languages = [code for code, _name in settings.LANGUAGES]
    panels = dashboard_panels()
    stored = 0
    for date_from, date_to in preset_periods(today):
        report_filter = report_filter_for(date_from, date_to, "")
        for panel in panels:
            started = time.perf_counter()
            try:
                result = panel.report(report_filter)
            except Exception:
                logger.exception("dashboard snapshot of %s for %s…%s failed", panel.key, date_from, date_to)
                continue
            seconds = time.perf_counter() - started
            for language in languages:
                with translation.override(language):
                    header, rows = result.as_table()
                ReportSnapshot.objects.update_or_create(
                    panel=panel.key,
                    date_from=date_from,
                    date_to=date_to,
                    channel="",
                    language=language,
                    defaults={
                        "signature": panel.signature,
                        "table": {"header": [str(column) for column in header], "rows": _encoded(rows)},
                        "computed_at": timezone.now(),
                        "seconds": seconds,
                    },
                )
            stored += 1
    ReportSnapshot.objects.filter(computed_at__lt=timezone.now() - KEEP_FOR).delete()
    return stored


def snapshot_tables(
    *, panels: list[Panel], date_from: date, date_to: date, channel: str, language: str
) -> dict[str, StoredTable]:
    """The fresh snapshots of these panels for exactly this range, channel and language, by panel key.

    A snapshot made under another panel signature (a funnel edited since) or older than the maximum age is
    left out, and so is any for a range that is not a preset (there are none)."""
    signatures = {panel.key: panel.signature for panel in panels}
    snapshots = ReportSnapshot.objects.filter(
        panel__in=signatures,
        date_from=date_from,
        date_to=date_to,
        channel=channel,
        language=language,
        computed_at__gte=timezone.now() - snapshot_max_age(),
    )
    return {
        snapshot.panel: StoredTable(
            table=(snapshot.table["header"], _decoded(snapshot.table["rows"])), computed_at=snapshot.computed_at
        )
        for snapshot in snapshots
        if snapshot.signature == signatures[snapshot.panel]
    }


# JSON keeps numbers and text; money (Decimal) and dates come back as themselves through a tag.
def _encoded(rows) -> list[list]:
    return [[_encode(value) for value in row] for row in rows]


def _encode(value):
    if isinstance(value, Decimal):
        return {"decimal": str(value)}
    if isinstance(value, datetime | date):
        return {"date": value.isoformat()}
    return value


def _decoded(rows) -> list[list]:
    return [[_decode(value) for value in row] for row in rows]


def _decode(value):
    if isinstance(value, dict) and "decimal" in value:
        return Decimal(value["decimal"])
    if isinstance(value, dict) and "date" in value:
        text = value["date"]
        return datetime.fromisoformat(text) if "T" in text else date.fromisoformat(text)
    return value
