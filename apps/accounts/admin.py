from django import forms
from django.contrib import admin, messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from unfold.admin import ModelAdmin
from unfold.contrib.filters.admin import RangeDateTimeFilter
from unfold.decorators import action

from apps.accounts.models import Consent, DataErasure, Feedback, LegalDocument, TelegramUser
from apps.accounts.privacy import export_file_name, export_to_json, user_data_erase, user_data_export_request
from apps.accounts.services import feedback_mark_resolved, telegram_users_set_beta_tester
from apps.core.exceptions import ApplicationError


class EraseForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason"),
        max_length=200,
        help_text=_("Kept in the destruction record: no names or contacts, e.g. “request in the bot chat #42”."),
    )


@admin.register(TelegramUser)
class TelegramUserAdmin(ModelAdmin):
    list_display = (
        "telegram_id",
        "__str__",
        "language",
        "is_beta_tester",
        "has_blocked_bot",
        "acquisition_code",
        "created_at",
        "last_seen_at",
    )
    list_filter = (
        ("erased_at", admin.EmptyFieldListFilter),
        "language",
        "is_beta_tester",
        "has_blocked_bot",
        ("created_at", RangeDateTimeFilter),
        ("last_seen_at", RangeDateTimeFilter),
    )
    list_filter_submit = True
    search_fields = ("=telegram_id", "username", "acquisition_code")
    readonly_fields = (
        "telegram_id",
        "username",
        "first_name",
        "last_name",
        "acquisition_code",
        "acquired_at",
        "channel_joined_at",
        "last_seen_at",
        "has_blocked_bot",
        "blocked_bot_at",
        "erased_at",
        "created_at",
        "updated_at",
    )
    fieldsets = (
        (None, {"fields": ("telegram_id", "username", "first_name", "last_name")}),
        (_("Settings"), {"fields": ("language", "timezone", "is_beta_tester")}),
        (_("Acquisition"), {"fields": ("acquisition_code", "acquired_at", "channel_joined_at")}),
        (
            _("Activity"),
            {"fields": ("created_at", "last_seen_at", "has_blocked_bot", "blocked_bot_at", "erased_at", "updated_at")},
        ),
    )
    date_hierarchy = "created_at"
    actions = ("make_beta_testers", "remove_beta_testers")
    actions_detail = ("export_data", "erase_data")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # users register themselves through the bot

    @admin.action(description=_("Make beta testers"), permissions=["change"])
    def make_beta_testers(self, request: HttpRequest, queryset) -> None:
        self._report_beta(request, telegram_users_set_beta_tester(users=queryset, is_beta_tester=True))

    @admin.action(description=_("Remove from beta testers"), permissions=["change"])
    def remove_beta_testers(self, request: HttpRequest, queryset) -> None:
        self._report_beta(request, telegram_users_set_beta_tester(users=queryset, is_beta_tester=False))

    def _report_beta(self, request: HttpRequest, changed: int) -> None:
        message = ngettext("%(count)d user updated.", "%(count)d users updated.", changed) % {"count": changed}
        self.message_user(request, message, messages.SUCCESS)

    def has_export_user_data_permission(self, request: HttpRequest, obj=None) -> bool:
        return request.user.has_perm("accounts.export_user_data")

    def has_erase_user_data_permission(self, request: HttpRequest, obj=None) -> bool:
        return request.user.has_perm("accounts.erase_user_data")

    # The URL says "export": the audit middleware records every download (POSTs are recorded anyway).
    @action(
        description=_("Export data (JSON)"),
        url_path="export-data",
        permissions=["export_user_data"],
        icon="download",
    )
    def export_data(self, request: HttpRequest, object_id: str) -> HttpResponse:
        user = get_object_or_404(TelegramUser, pk=object_id)
        try:
            data = user_data_export_request(user_id=user.pk, actor=request.user.get_username())
        except ApplicationError as error:
            self.message_user(request, str(error.message), messages.ERROR)
            return redirect(reverse("admin:accounts_telegramuser_change", args=[user.pk]))
        response = HttpResponse(export_to_json(data), content_type="application/json; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="{export_file_name()}"'
        return response

    @action(
        description=_("Erase data…"),
        url_path="erase-data",
        permissions=["erase_user_data"],
        icon="delete_forever",
    )
    def erase_data(self, request: HttpRequest, object_id: str) -> HttpResponse:
        user = get_object_or_404(TelegramUser, pk=object_id)
        back = reverse("admin:accounts_telegramuser_change", args=[user.pk])
        form = EraseForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            try:
                user_data_erase(user_id=user.pk, actor=request.user.get_username(), reason=form.cleaned_data["reason"])
            except ApplicationError as error:
                form.add_error(None, str(error.message))
            else:
                self.message_user(request, _("The user's data was erased."), messages.SUCCESS)
                return redirect(back)
        context = {
            **self.admin_site.each_context(request),
            "opts": TelegramUser._meta,
            "original": user,
            "title": _("Erase the user's data"),
            "form": form,
            "back_url": back,
        }
        return TemplateResponse(request, "admin/accounts/erase_data.html", context)


@admin.register(LegalDocument)
class LegalDocumentAdmin(ModelAdmin):
    list_display = ("kind", "version", "title_ru", "published_at", "updated_at")
    list_filter = ("kind",)
    fieldsets = (
        (None, {"fields": ("kind", "version", "published_at")}),
        (_("Russian"), {"fields": ("title_ru", "body_ru")}),
        (_("English"), {"fields": ("title_en", "body_en")}),
    )

    def get_readonly_fields(self, request: HttpRequest, obj=None):
        # A published version is what users agreed to: change it by publishing a new version.
        return ("kind", "version", "title_ru", "title_en", "body_ru", "body_en") if obj and obj.published_at else ()


@admin.register(Consent)
class ConsentAdmin(ModelAdmin):
    list_display = ("user", "document", "accepted_at")
    list_filter = ("document",)
    search_fields = ("=user__telegram_id",)
    readonly_fields = ("user", "document", "accepted_at")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False


@admin.register(Feedback)
class FeedbackAdmin(ModelAdmin):
    list_display = ("created_at", "user", "language", "short_text", "is_resolved")
    list_filter = ("is_resolved", "language", ("created_at", RangeDateTimeFilter))
    list_filter_submit = True
    search_fields = ("=user__telegram_id", "user__username")
    readonly_fields = ("user", "text", "language", "created_at")
    fields = ("user", "language", "created_at", "text", "is_resolved", "team_note")
    date_hierarchy = "created_at"
    actions = ("mark_resolved",)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # feedback comes from users through /feedback

    @admin.display(description=_("text"))
    def short_text(self, feedback: Feedback) -> str:
        return feedback.text if len(feedback.text) <= 80 else feedback.text[:79] + "…"

    @admin.action(description=_("Mark as handled"), permissions=["change"])
    def mark_resolved(self, request: HttpRequest, queryset) -> None:
        changed = feedback_mark_resolved(feedback=queryset)
        message = ngettext("%(count)d message marked.", "%(count)d messages marked.", changed) % {"count": changed}
        self.message_user(request, message, messages.SUCCESS)


@admin.register(DataErasure)
class DataErasureAdmin(ModelAdmin):
    """Destruction records: read only, and kept when the user row goes."""

    list_display = ("erased_at", "user", "actor", "reason", "removed_summary")
    list_filter = ("actor", ("erased_at", RangeDateTimeFilter))
    list_filter_submit = True
    readonly_fields = ("user", "erased_at", "actor", "reason", "removed")
    date_hierarchy = "erased_at"

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    @admin.display(description=_("removed"))
    def removed_summary(self, erasure: DataErasure) -> str:
        return ", ".join(f"{kind}: {count}" for kind, count in erasure.removed.items() if count)
