"""The marketing dashboard page in the admin (staff only, wrapped by admin_view in config/urls.py)."""

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from apps.analytics.dashboard import DashboardFilterForm, panel_view, table_csv
from apps.analytics.panels import dashboard_panels, report_filter_for
from apps.analytics.snapshots import PRESET_DAYS, preset_periods, snapshot_tables

VIEW_PERMISSION = "analytics.view_event"


def analytics_dashboard(request: HttpRequest) -> HttpResponse:
    if not request.user.has_perm(VIEW_PERMISSION):
        raise PermissionDenied
    form = DashboardFilterForm(request.GET or None)
    date_from, date_to, channel = form.period()
    report_filter = report_filter_for(date_from, date_to, channel)
    panels = dashboard_panels()
    # ?live=1 recomputes everything now; otherwise a preset range shows the snapshots Celery made ahead.
    live = request.GET.get("live") == "1"
    stored = (
        {}
        if live
        else snapshot_tables(
            panels=panels, date_from=date_from, date_to=date_to, channel=channel, language=get_language()
        )
    )
    export = request.GET.get("export")
    if export:
        panel = next((panel for panel in panels if panel.key == export), None)
        if panel is None:
            raise Http404
        header, rows = stored[export].table if export in stored else panel.build(report_filter)
        response = HttpResponse(table_csv(header, rows), content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="{panel.key}-{date_from}-{date_to}.csv"'
        return response
    from django.contrib import admin

    context = {
        **admin.site.each_context(request),
        "title": _("Marketing dashboard"),
        "form": form,
        "period": (date_from, date_to),
        "channel": channel,
        "panels": [_panel_view(panel, report_filter, stored.get(panel.key)) for panel in panels],
        "query": request.GET.urlencode(),
        "presets": [
            {"days": days, "date_from": start, "date_to": end, "current": (start, end) == (date_from, date_to)}
            for days, (start, end) in zip(PRESET_DAYS, preset_periods(timezone.localdate()), strict=True)
        ],
        "live": live,
    }
    return TemplateResponse(request, "admin/analytics/dashboard.html", context)


def _panel_view(panel, report_filter, stored):
    if stored is None:
        return panel_view(panel, report_filter)
    return panel_view(panel, table=stored.table, extra={"computed_at": stored.computed_at})
