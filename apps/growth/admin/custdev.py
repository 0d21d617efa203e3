"""CustDev in the admin: interview contacts (with the segments page) and surveys (with their results)."""

from django.contrib import admin, messages
from django.db.models import Count, Q, QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from unfold.admin import ModelAdmin
from unfold.contrib.filters.admin import RangeDateTimeFilter
from unfold.decorators import action

from apps.growth.admin.custdev_pages import segments_page, survey_results_page
from apps.growth.models import InterviewContact, Survey
from apps.growth.selectors.custdev import DETRACTORS, PROMOTERS, nps_from_counts
from apps.growth.services.custdev import interview_contacts_mark_contacted


@admin.register(InterviewContact)
class InterviewContactAdmin(ModelAdmin):
    list_display = ("user", "agreed", "answered_at", "contacted_at", "team_note")
    list_filter = ("agreed", ("contacted_at", admin.EmptyFieldListFilter), ("answered_at", RangeDateTimeFilter))
    list_filter_submit = True
    search_fields = ("=user__telegram_id", "user__username")
    list_select_related = ("user",)
    readonly_fields = ("user", "agreed", "answered_at", "contacted_at", "created_at", "updated_at")
    fields = ("user", "agreed", "answered_at", "contacted_at", "team_note")
    actions = ("mark_contacted",)
    actions_list = ("segments",)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # users answer in the bot

    @admin.action(description=_("Mark as contacted"), permissions=["change"])
    def mark_contacted(self, request: HttpRequest, queryset: QuerySet[InterviewContact]) -> None:
        changed = interview_contacts_mark_contacted(contacts=queryset, actor=request.user.get_username())
        self.message_user(
            request,
            ngettext("%(count)d contact marked.", "%(count)d contacts marked.", changed) % {"count": changed},
            messages.SUCCESS,
        )

    @action(description=_("CustDev segments"), url_path="segments", permissions=["view"], icon="groups")
    def segments(self, request: HttpRequest) -> HttpResponse:
        return segments_page(self, request)


@admin.register(Survey)
class SurveyAdmin(ModelAdmin):
    list_display = ("title", "is_active", "send_after_days", "sent", "scored", "nps", "results_link")
    list_editable = ("is_active",)
    fieldsets = (
        (None, {"fields": ("title", "is_active", "send_after_days")}),
        (_("Questions"), {"fields": ("question_ru", "question_en", "follow_up_ru", "follow_up_en")}),
    )
    actions_detail = ("results",)

    def get_queryset(self, request: HttpRequest) -> QuerySet[Survey]:
        return (
            super()
            .get_queryset(request)
            .annotate(
                sent_count=Count("responses"),
                scored_count=Count("responses", filter=Q(responses__score__isnull=False)),
                promoters=Count("responses", filter=Q(responses__score__in=PROMOTERS)),
                detractors=Count("responses", filter=Q(responses__score__in=DETRACTORS)),
            )
        )

    @admin.display(description=_("sent"), ordering="sent_count")
    def sent(self, survey: Survey) -> int:
        return survey.sent_count

    @admin.display(description=_("scored"), ordering="scored_count")
    def scored(self, survey: Survey) -> int:
        return survey.scored_count

    @admin.display(description=_("NPS"))
    def nps(self, survey: Survey) -> str:
        score = nps_from_counts(promoters=survey.promoters, detractors=survey.detractors, scored=survey.scored_count)
        return "—" if score is None else f"{score:+.1f}"

    @admin.display(description=_("results"))
    def results_link(self, survey: Survey) -> str:
        url = reverse("admin:growth_survey_results", args=[survey.pk])
        return format_html('<a class="underline" href="{}">{}</a>', url, _("Results →"))

    def has_view_responses_permission(self, request: HttpRequest, obj=None) -> bool:
        """The results show what users wrote (decrypted): only for those who may view the responses themselves."""
        return request.user.has_perm("growth.view_surveyresponse")

    @action(description=_("Results"), url_path="results", permissions=["view_responses"], icon="insights")
    def results(self, request: HttpRequest, object_id: str) -> HttpResponse:
        return survey_results_page(self, request, get_object_or_404(Survey, pk=object_id))
