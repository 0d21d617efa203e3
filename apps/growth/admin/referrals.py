"""The referral program in the admin: its settings row, who invited whom, and personal codes (read-only)."""

from django.contrib import admin
from django.http import HttpRequest
from unfold.admin import ModelAdmin
from unfold.contrib.filters.admin import RangeDateTimeFilter

from apps.growth.models import Referral, ReferralCode, ReferralProgram


@admin.register(ReferralProgram)
class ReferralProgramAdmin(ModelAdmin):
    """One row: switching it off stops rewards for first messages from then on (joins are still recorded)."""

    list_display = ("__str__", "is_active", "reward_kind", "reward_amount", "updated_at")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return not ReferralProgram.objects.exists()

    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:
        return False


@admin.register(Referral)
class ReferralAdmin(ModelAdmin):
    list_display = ("created_at", "referrer", "referee", "activated_at", "rewarded_at", "reward_kind", "reward_amount")
    list_filter = (
        ("rewarded_at", admin.EmptyFieldListFilter),
        ("activated_at", admin.EmptyFieldListFilter),
        "reward_kind",
        ("created_at", RangeDateTimeFilter),
    )
    list_filter_submit = True
    search_fields = ("=referrer__telegram_id", "=referee__telegram_id", "referrer__username", "referee__username")
    list_select_related = ("referrer", "referee")
    readonly_fields = [field.name for field in Referral._meta.fields]
    date_hierarchy = "created_at"

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # referrals come from /start with a personal link

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        return False


@admin.register(ReferralCode)
class ReferralCodeAdmin(ModelAdmin):
    list_display = ("code", "user", "created_at")
    search_fields = ("=code", "=user__telegram_id", "user__username")
    list_select_related = ("user",)
    readonly_fields = ("code", "user", "created_at", "updated_at")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # made by /invite

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        return False
