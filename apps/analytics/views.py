"""The marketing dashboard page in the admin (staff only, wrapped by admin_view in config/urls.py)."""

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from django.utils.translation import gettext as _

from apps.analytics.dashboard import DashboardFilterForm, panel_view, table_csv
from apps.analytics.panels import dashboard_panels, report_filter_for

VIEW_PERMISSION = "analytics.view_event"


def analytics_dashboard(request: HttpRequest) -> HttpResponse:
    if not request.user.has_perm(VIEW_PERMISSION):
        raise PermissionDenied
    form = DashboardFilterForm(request.GET or None)
    date_from, date_to, channel = form.period()
    report_filter = report_filter_for(date_from, date_to, channel)
    panels = dashboard_panels()
    export = request.GET.get("export")
    if export:
        panel = next((panel for panel in panels if panel.key == export), None)
        if panel is None:
            raise Http404
        header, rows = panel.build(report_filter)
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
        "panels": [panel_view(panel, report_filter) for panel in panels],
        "query": request.GET.urlencode(),
    }
    return TemplateResponse(request, "admin/analytics/dashboard.html", context)
