"""Django's own user and group admins, restyled by unfold like the rest of the admin, and the audit log."""

from django.contrib import admin
from django.contrib.auth.admin import GroupAdmin as BaseGroupAdmin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.contrib.auth.models import Group, User
from django.utils.translation import gettext_lazy as _
from unfold.admin import ModelAdmin
from unfold.contrib.filters.admin import RangeDateTimeFilter
from unfold.forms import AdminPasswordChangeForm, UserChangeForm, UserCreationForm

from apps.core.models import AdminAuditEntry

admin.site.unregister(User)
admin.site.unregister(Group)


@admin.register(User)
class UserAdmin(BaseUserAdmin, ModelAdmin):
    form = UserChangeForm
    add_form = UserCreationForm
    change_password_form = AdminPasswordChangeForm


@admin.register(Group)
class GroupAdmin(BaseGroupAdmin, ModelAdmin):
    pass


@admin.register(AdminAuditEntry)
class AdminAuditEntryAdmin(ModelAdmin):
    """Read only: the log is evidence, nobody edits it from the admin."""

    list_display = ("at", "username", "method", "path", "action", "object_count", "status_code", "ip_address")
    list_filter = ("method", "status_code", ("at", RangeDateTimeFilter))
    search_fields = ("username", "path", "action")
    date_hierarchy = "at"
    readonly_fields = [field.name for field in AdminAuditEntry._meta.fields]

    @admin.display(description=_("objects"))
    def object_count(self, entry: AdminAuditEntry) -> int:
        return len(entry.object_ids)

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False
