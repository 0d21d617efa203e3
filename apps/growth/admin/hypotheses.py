"""The hypothesis bank in the admin: list, workflow actions, results, board and comparison.

Also registers the acquisition link and spend admins (apps/growth/admin/links.py).
"""

from decimal import Decimal

from django.contrib import admin
from django.contrib.auth import get_user_model
from django.db.models import Case, IntegerField, Value, When
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from import_export import fields, resources
from import_export.admin import ImportExportModelAdmin
from import_export.widgets import DateTimeWidget, ForeignKeyWidget
from unfold.admin import ModelAdmin, TabularInline
from unfold.contrib.filters.admin import RangeDateTimeFilter
from unfold.contrib.import_export.forms import ExportForm, ImportForm
from unfold.decorators import action, display

from apps.growth.admin.hypothesis_pages import (
    board_page,
    comparison_page,
    conclusion_step,
    report_batch,
)
from apps.growth.admin.links import (
    COPY_SCRIPT,
    GROWTH_CSS,
    TABLE_FORMATS,
    AcquisitionLinkAdmin,
    AcquisitionLinkForm,
    SpendAdmin,
    deep_link_html,
    link_save,
)
from apps.growth.admin.results_display import STATUS_BADGES, results_panel_html
from apps.growth.models import AcquisitionLink, Hypothesis, Spend
from apps.growth.selectors.hypotheses import hypotheses_with_totals
from apps.growth.selectors.links import links_with_users
from apps.growth.selectors.results import hypothesis_results
from apps.growth.services.hypotheses import (
    EDITABLE_FIELDS,
    hypotheses_pause,
    hypotheses_plan,
    hypotheses_reject,
    hypotheses_start,
    hypotheses_validate,
    hypothesis_create,
    hypothesis_update,
)

__all__ = ["AcquisitionLinkAdmin", "HypothesisAdmin", "SpendAdmin"]

Status = Hypothesis.Status
WORKFLOW_ORDER = Case(
    *[When(status=status, then=Value(position)) for position, status in enumerate(Status.values)],
    output_field=IntegerField(),
)
WORKFLOW_FIELDS = ("ice_score", "status", "planned_at", "started_at", "paused_at", "ended_at")


class HypothesisResource(resources.ModelResource):
    """The bank as a spreadsheet. Imported rows are ideas or edits: status, its dates and ICE are export-only."""

    owner = fields.Field(attribute="owner", column_name="owner", widget=ForeignKeyWidget(get_user_model(), "username"))
    ice_score = fields.Field(attribute="ice_score", column_name="ice_score", readonly=True)
    status = fields.Field(attribute="status", column_name="status", readonly=True)
    planned_at = fields.Field(attribute="planned_at", column_name="planned_at", readonly=True, widget=DateTimeWidget())
    started_at = fields.Field(attribute="started_at", column_name="started_at", readonly=True, widget=DateTimeWidget())
    paused_at = fields.Field(attribute="paused_at", column_name="paused_at", readonly=True, widget=DateTimeWidget())
    ended_at = fields.Field(attribute="ended_at", column_name="ended_at", readonly=True, widget=DateTimeWidget())

    class Meta:
        model = Hypothesis
        fields = ("id", "title", "description", "channel", "target_segment", "impact", "confidence", "ease",
                  "ice_score", "status", "owner", "budget", "success_metric", "success_threshold", "min_users",
                  "conclusion", "planned_at", "started_at", "paused_at", "ended_at")  # fmt: skip
        export_order = fields
        import_id_fields = ("id",)
        clean_model_instances = True
        skip_unchanged = True


class AcquisitionLinkInline(TabularInline):
    model = AcquisitionLink
    form = AcquisitionLinkForm
    fields = ("code", "channel", "placement", "is_active", "users_acquired_count", "deep_link")
    readonly_fields = ("users_acquired_count", "deep_link")
    extra = 0
    can_delete = False  # switch a link off instead: users were counted by its code

    def get_queryset(self, request: HttpRequest):
        return links_with_users(super().get_queryset(request))

    def get_formset(self, request: HttpRequest, obj=None, **kwargs):
        formset = super().get_formset(request, obj, **kwargs)
        if obj is not None:  # new links default to the hypothesis' channel
            formset.form.base_fields["channel"].initial = obj.channel
        return formset

    @admin.display(description=_("users acquired"))
    def users_acquired_count(self, link: AcquisitionLink) -> int:
        return getattr(link, "users_acquired", 0)

    @admin.display(description=_("deep link"))
    def deep_link(self, link: AcquisitionLink) -> str:
        return deep_link_html(link.code) if link.pk else "—"


class SpendInline(TabularInline):
    model = Spend
    fields = ("spent_on", "amount", "link", "note")
    extra = 0

    def get_formset(self, request: HttpRequest, obj=None, **kwargs):
        formset = super().get_formset(request, obj, **kwargs)
        links = AcquisitionLink.objects.filter(hypothesis=obj) if obj else AcquisitionLink.objects.none()
        formset.form.base_fields["link"].queryset = links  # only this hypothesis' links
        return formset


@admin.register(Hypothesis)
class HypothesisAdmin(ImportExportModelAdmin, ModelAdmin):
    resource_classes = [HypothesisResource]
    import_form_class = ImportForm
    export_form_class = ExportForm
    formats = TABLE_FORMATS
    list_display = ("title", "ice_score", "status_badge", "channel", "owner", "budget", "spend", "users", "started_at")
    list_filter = ("status", "channel", "success_metric", "owner", ("started_at", RangeDateTimeFilter))
    list_filter_submit = True
    search_fields = ("title", "description", "target_segment", "conclusion", "links__code")
    list_select_related = ("owner",)
    readonly_fields = (*WORKFLOW_FIELDS, "results_panel", "created_at", "updated_at")
    inlines = (AcquisitionLinkInline, SpendInline)
    actions = ("plan_selected", "start_selected", "pause_selected", "validate_selected", "reject_selected")
    actions_list = ("board", "comparison")
    fieldsets = (
        (None, {"fields": ("title", "description", "channel", "target_segment", "owner")}),
        (_("ICE"), {"fields": (("impact", "confidence", "ease"), "ice_score")}),
        (_("Success"), {"fields": ("success_metric", "success_threshold", "min_users", "budget")}),
        (_("Workflow"), {"fields": ("status", ("planned_at", "started_at"), ("paused_at", "ended_at"), "conclusion")}),
    )

    class Media:
        js = (COPY_SCRIPT,)
        css = {"all": (GROWTH_CSS,)}

    def get_fieldsets(self, request: HttpRequest, obj=None):
        if obj is None:
            return self.fieldsets
        return ((_("Results"), {"fields": ("results_panel",)}), *self.fieldsets)  # what people open it for

    def get_queryset(self, request: HttpRequest):
        return hypotheses_with_totals(super().get_queryset(request))

    def save_model(self, request: HttpRequest, obj: Hypothesis, form, change: bool) -> None:
        names = form.changed_data if change else form.cleaned_data
        data = {name: form.cleaned_data[name] for name in names if name in EDITABLE_FIELDS}
        if change:
            if data:
                hypothesis_update(hypothesis=obj, data=data)
            return
        created = hypothesis_create(title=data.pop("title"), data=data)
        obj.pk = created.pk  # the form's instance: the admin saves the inlines against it
        obj._state.adding = False
        obj.refresh_from_db()

    def save_formset(self, request: HttpRequest, form, formset, change: bool) -> None:
        if formset.model is not AcquisitionLink:
            super().save_formset(request, form, formset, change)
            return
        # Links go through the service, which makes their codes; the lists below feed the admin's history.
        formset.new_objects, formset.changed_objects, formset.deleted_objects = [], [], []
        for link_form in formset.forms:
            if not link_form.has_changed():
                continue
            is_new = link_form.instance.pk is None
            link = link_save(link_form.instance, link_form, hypothesis=form.instance)
            if is_new:
                formset.new_objects.append(link)
            else:
                formset.changed_objects.append((link, link_form.changed_data))

    @display(description=_("status"), ordering=WORKFLOW_ORDER, label=STATUS_BADGES)
    def status_badge(self, hypothesis: Hypothesis) -> tuple[str, str]:
        return hypothesis.status, hypothesis.get_status_display()

    @display(description=_("spend, ₽"), ordering="spend_total")
    def spend(self, hypothesis: Hypothesis) -> Decimal:
        return Decimal(hypothesis.spend_total).quantize(Decimal("0.01"))

    @display(description=_("users acquired"), ordering="users_acquired")
    def users(self, hypothesis: Hypothesis) -> int:
        return hypothesis.users_acquired

    @admin.display(description=_("Results"))
    def results_panel(self, hypothesis: Hypothesis) -> str:
        results = hypothesis_results(hypothesis=hypothesis)
        return results_panel_html(results.results, results.verdict, results.links)

    # --- Workflow ------------------------------------------------------------------------------

    @action(description=pgettext_lazy("hypothesis action", "Plan"), permissions=["change"])
    def plan_selected(self, request: HttpRequest, queryset) -> None:
        batch = hypotheses_plan(hypotheses=queryset, actor=request.user.get_username())
        report_batch(self, request, batch, Status.PLANNED)

    @action(description=_("Start or resume"), permissions=["change"])
    def start_selected(self, request: HttpRequest, queryset) -> None:
        batch = hypotheses_start(hypotheses=queryset, actor=request.user.get_username())
        report_batch(self, request, batch, Status.RUNNING)

    @action(description=_("Pause"), permissions=["change"])
    def pause_selected(self, request: HttpRequest, queryset) -> None:
        batch = hypotheses_pause(hypotheses=queryset, actor=request.user.get_username())
        report_batch(self, request, batch, Status.PAUSED)

    @action(description=_("Mark validated…"), permissions=["change"])
    def validate_selected(self, request: HttpRequest, queryset) -> HttpResponse | None:
        return conclusion_step(
            self,
            request,
            queryset,
            action_name="validate_selected",
            target=Status.VALIDATED,
            service=hypotheses_validate,
        )

    @action(description=_("Mark rejected…"), permissions=["change"])
    def reject_selected(self, request: HttpRequest, queryset) -> HttpResponse | None:
        return conclusion_step(
            self, request, queryset, action_name="reject_selected", target=Status.REJECTED, service=hypotheses_reject
        )

    # --- Pages ---------------------------------------------------------------------------------

    @action(description=_("Board"), url_path="board", permissions=["view"], icon="view_kanban")
    def board(self, request: HttpRequest) -> HttpResponse:
        return board_page(self, request)

    @action(description=_("Compare running"), url_path="compare", permissions=["view"], icon="compare_arrows")
    def comparison(self, request: HttpRequest) -> HttpResponse:
        return comparison_page(self, request)
