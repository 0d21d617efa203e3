from django.contrib import admin, messages
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from unfold.admin import ModelAdmin
from unfold.contrib.filters.admin import RangeDateTimeFilter

from apps.accounts.models import Consent, Feedback, LegalDocument, TelegramUser
from apps.accounts.services import feedback_mark_resolved, telegram_users_set_beta_tester


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
        "created_at",
        "updated_at",
    )
    fieldsets = (
        (None, {"fields": ("telegram_id", "username", "first_name", "last_name")}),
        (_("Settings"), {"fields": ("language", "timezone", "is_beta_tester")}),
        (_("Acquisition"), {"fields": ("acquisition_code", "acquired_at", "channel_joined_at")}),
        (_("Activity"), {"fields": ("created_at", "last_seen_at", "has_blocked_bot", "blocked_bot_at", "updated_at")}),
    )
    date_hierarchy = "created_at"
    actions = ("make_beta_testers", "remove_beta_testers")

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
