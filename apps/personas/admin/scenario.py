from django.contrib import admin
from unfold.admin import ModelAdmin

from apps.personas.models import Scenario


@admin.register(Scenario)
class ScenarioAdmin(ModelAdmin):
    """All scenes in one list; a persona's own scenes are also edited inline on the persona."""

    list_display = ("title_ru", "title_en", "persona", "module", "is_adult", "is_pro", "is_active", "order")
    list_filter = ("module", "is_adult", "is_pro", "is_active")
    list_select_related = ("persona", "module")
    search_fields = ("title_ru", "title_en", "persona__name")
    autocomplete_fields = ("persona",)
