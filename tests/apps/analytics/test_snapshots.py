"""Dashboard panels computed ahead by Celery: stored per preset range and language, shown while fresh."""

import csv
import io
import logging
from datetime import timedelta

import pytest
from django.utils import timezone, translation

from apps.analytics.demo import analytics_demo_generate
from apps.analytics.models import FunnelDefinition, ReportSnapshot
from apps.analytics.panels import dashboard_panels, report_filter_for
from apps.analytics.snapshots import PRESET_DAYS, dashboard_snapshots_refresh, preset_periods
from apps.analytics.tasks import dashboard_refresh

pytestmark = pytest.mark.django_db
URL = "/admin/analytics/dashboard/"


@pytest.fixture
def history():
    analytics_demo_generate(users=60, days=20, seed=3)


def _month(today):
    return today - timedelta(days=29), today


def _marked(panel: str, marker: str) -> None:
    """Put a value no report can produce into a stored table, to see which one the page shows."""
    for snapshot in ReportSnapshot.objects.filter(panel=panel):
        snapshot.table["rows"][0][0] = marker
        snapshot.save()


def test_refresh_stores_every_panel_for_every_preset_in_every_language(history):
    stored = dashboard_snapshots_refresh()

    panels = dashboard_panels()
    assert stored == len(panels) * len(PRESET_DAYS)
    assert ReportSnapshot.objects.count() == stored * 2
    assert set(ReportSnapshot.objects.values_list("language", flat=True)) == {"ru", "en"}
    today = timezone.localdate()
    assert {(row.date_from, row.date_to) for row in ReportSnapshot.objects.all()} == set(preset_periods(today))


def test_stored_tables_equal_the_live_reports_in_each_language(history):
    dashboard_snapshots_refresh()
    date_from, date_to = _month(timezone.localdate())
    report_filter = report_filter_for(date_from, date_to, "")

    for panel in dashboard_panels():
        for language in ("ru", "en"):
            with translation.override(language):
                header, rows = panel.build(report_filter)
            stored = ReportSnapshot.objects.get(panel=panel.key, date_from=date_from, language=language).table
            assert stored["header"] == header
            assert len(stored["rows"]) == len(rows)


def test_the_dashboard_shows_a_fresh_snapshot_and_live_mode_ignores_it(admin_client, history):
    dashboard_snapshots_refresh()
    _marked("conversion", "STORED-MARKER")

    page = admin_client.get(URL).content.decode()
    live = admin_client.get(URL + "?live=1").content.decode()

    assert "STORED-MARKER" in page
    assert 'data-snapshot="conversion"' in page
    assert "STORED-MARKER" not in live
    assert "data-snapshot=" not in live


def test_a_snapshot_older_than_two_refresh_intervals_is_not_shown(admin_client, history, settings):
    settings.ANALYTICS_SNAPSHOT_EVERY_MINUTES = 15
    dashboard_snapshots_refresh()
    _marked("conversion", "STORED-MARKER")
    ReportSnapshot.objects.update(computed_at=timezone.now() - timedelta(minutes=31))

    page = admin_client.get(URL).content.decode()

    assert "STORED-MARKER" not in page


def test_editing_a_funnel_makes_its_snapshot_stale(admin_client, history):
    dashboard_snapshots_refresh()
    _marked("funnel", "STORED-MARKER")
    main = FunnelDefinition.objects.order_by("order", "name").first()
    main.window_days = 7
    main.save()

    page = admin_client.get(URL).content.decode()

    assert "STORED-MARKER" not in page


def test_a_range_that_is_no_preset_is_computed_live(admin_client, history):
    dashboard_snapshots_refresh()
    _marked("conversion", "STORED-MARKER")
    today = timezone.localdate()

    page = admin_client.get(URL, {"date_from": today - timedelta(days=10), "date_to": today}).content.decode()

    assert "STORED-MARKER" not in page


def test_csv_export_from_a_snapshot_keeps_money_and_numbers(admin_client, history):
    dashboard_snapshots_refresh()

    stored = admin_client.get(URL, {"export": "revenue"}).content.decode()
    live = admin_client.get(URL, {"export": "revenue", "live": "1"}).content.decode()

    assert list(csv.reader(io.StringIO(stored))) == list(csv.reader(io.StringIO(live)))


def test_a_failing_report_is_logged_and_the_others_are_stored(history, monkeypatch, caplog):
    from apps.analytics.reports import drivers

    def broken(**kwargs):
        raise RuntimeError("report broke")

    monkeypatch.setattr(drivers, "drivers_report", broken)
    with caplog.at_level(logging.ERROR, logger="apps.analytics.snapshots"):
        stored = dashboard_snapshots_refresh()

    assert stored == (len(dashboard_panels()) - 1) * len(PRESET_DAYS)
    assert not ReportSnapshot.objects.filter(panel="drivers").exists()
    assert "drivers" in caplog.text


def test_old_snapshots_are_removed_by_the_next_refresh(history):
    dashboard_snapshots_refresh()
    ReportSnapshot.objects.update(computed_at=timezone.now() - timedelta(days=3))
    yesterday = timezone.localdate() - timedelta(days=1)
    ReportSnapshot.objects.update(date_to=yesterday)

    dashboard_refresh.apply()

    assert not ReportSnapshot.objects.filter(date_to=yesterday).exists()
    assert ReportSnapshot.objects.filter(date_to=timezone.localdate()).exists()
