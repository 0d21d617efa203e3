from django.contrib import admin
from django.utils.translation import gettext_lazy as _
from import_export.admin import ImportExportModelAdmin
from import_export.formats.base_formats import CSV, JSON, XLSX
from unfold.admin import ModelAdmin
from unfold.contrib.import_export.forms import ExportForm, ImportForm

from apps.personas.admin.resources import ModuleResource
from apps.personas.models import Module

TABLE_FORMATS = [CSV, XLSX, JSON]


@admin.register(Module)
class ModuleAdmin(ImportExportModelAdmin, ModelAdmin):
    resource_classes = [ModuleResource]
    import_form_class = ImportForm
    export_form_class = ExportForm
    formats = TABLE_FORMATS
    list_display = ("code", "title_ru", "title_en", "is_active", "requires_pro", "allows_adult", "audience", "order")
    list_editable = ("is_active", "order")
    list_filter = ("is_active", "requires_pro", "allows_adult", "audience")
    search_fields = ("code", "title_ru", "title_en")
    readonly_fields = ("code", "created_at", "updated_at")
    fieldsets = (
        (None, {"fields": ("code", "is_active", "order")}),
        (
            _("Texts"),
            {"fields": ("title_ru", "title_en", "description_ru", "description_en", "welcome_ru", "welcome_en")},
        ),
        (_("Prompt"), {"fields": ("system_prompt_template",)}),
        (_("Rules"), {"fields": ("requires_pro", "allows_adult", "audience")}),
        (_("History"), {"fields": ("created_at", "updated_at")}),
    )

    def has_add_permission(self, request) -> bool:
        return False  # the four modules are part of the product; they are edited, not created

    def has_delete_permission(self, request, obj=None) -> bool:
        return False
