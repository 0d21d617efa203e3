from django.contrib import admin
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from unfold.admin import ModelAdmin
from unfold.contrib.filters.admin import RangeDateTimeFilter

from apps.analytics.models import Event, FunnelDefinition


@admin.register(Event)
class EventAdmin(ModelAdmin):
    """The raw event log, read-only: events are written by services, never by hand."""

    list_display = ("name", "user", "source", "occurred_at")
    list_filter = ("name", "source", ("occurred_at", RangeDateTimeFilter))
    list_filter_submit = True
    search_fields = ("name", "=user__telegram_id")
    list_select_related = ("user",)
    date_hierarchy = "occurred_at"
    show_full_result_count = False  # the table grows large; an exact count on every page is a full scan

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:
        return False


@admin.register(FunnelDefinition)
class FunnelDefinitionAdmin(ModelAdmin):
    """Funnels on the marketing dashboard: steps are edited as JSON and checked before saving."""

    list_display = ("name", "step_count", "window_days", "is_active", "order")
    list_editable = ("is_active", "order")

    @admin.display(description=_("steps"))
    def step_count(self, funnel: FunnelDefinition) -> int:
        return len(funnel.steps or [])
