import io
import zipfile

from django.contrib import admin, messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from django.template.loader import render_to_string
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from import_export.admin import ImportExportModelAdmin
from unfold.admin import ModelAdmin, StackedInline, TabularInline
from unfold.contrib.import_export.forms import ExportForm, ImportForm
from unfold.decorators import action, display

from apps.personas.admin.card_import import CardImportForm
from apps.personas.admin.module import TABLE_FORMATS
from apps.personas.admin.resources import PersonaResource
from apps.personas.cards import MAX_CARD_FILE_BYTES
from apps.personas.models import SUPPORTED_LANGUAGES, Persona, PersonaPhoto, Scenario
from apps.personas.presentation import persona_about_text, persona_card_presentation
from apps.personas.selectors import Viewer, persona_card_preview
from apps.personas.services import persona_export_json, persona_export_png, persona_import_cards

THUMBNAIL = '<img src="{}" alt="" style="width:{}px;height:{}px;object-fit:cover;border-radius:8px">'


def thumbnail(image, size: int = 48) -> str:
    return format_html(THUMBNAIL, image.url, size, size) if image else "—"


class LanguageFilter(admin.SimpleListFilter):
    title = _("language")
    parameter_name = "language"

    def lookups(self, request, model_admin):
        return [(code, code.upper()) for code in SUPPORTED_LANGUAGES]

    def queryset(self, request, queryset):
        # Codes are stored as a JSON list of two-letter codes; a quoted match cannot hit another code.
        return queryset.filter(languages__icontains=f'"{self.value()}"') if self.value() else queryset


class PersonaPhotoInline(TabularInline):
    model = PersonaPhoto
    extra = 0
    fields = ("preview_image", "image", "caption", "tags", "is_adult", "is_pro", "order")
    readonly_fields = ("preview_image",)
    ordering = ("order", "id")

    @admin.display(description=_("Photo"))
    def preview_image(self, photo: PersonaPhoto) -> str:
        return thumbnail(photo.image, 72)


class ScenarioInline(StackedInline):
    model = Scenario
    fk_name = "persona"
    extra = 0
    fields = (
        ("title_ru", "title_en"),
        "situation",
        "first_line",
        "suggested_replies",
        ("is_adult", "is_pro", "is_active", "order"),
    )
    collapsible = True


@admin.register(Persona)
class PersonaAdmin(ImportExportModelAdmin, ModelAdmin):
    resource_classes = [PersonaResource]
    import_form_class = ImportForm
    export_form_class = ExportForm
    formats = TABLE_FORMATS
    list_display = (
        "avatar_thumbnail",
        "name",
        "slug",
        "module_list",
        "gender",
        "is_adult",
        "is_pro",
        "visibility",
        "order",
    )
    list_display_links = ("avatar_thumbnail", "name")
    list_filter = ("modules", "visibility", "is_adult", "is_pro", "gender", LanguageFilter)
    search_fields = ("name", "slug", "description", "preview_ru", "preview_en")
    prepopulated_fields = {"slug": ("name",)}
    filter_horizontal = ("modules",)
    inlines = (PersonaPhotoInline, ScenarioInline)
    readonly_fields = ("avatar_preview", "card_preview", "created_at", "updated_at")
    actions = ("export_png_cards", "export_json_cards")
    actions_list = ("import_cards",)
    actions_detail = ("preview_page", "download_png", "download_json")
    fieldsets = (
        (_("Card"), {"classes": ["tab"], "fields": ("name", "slug", "description", "personality", "scenario")}),
        (
            _("Greetings and examples"),
            {
                "classes": ["tab"],
                "fields": (
                    "first_message",
                    "alternate_greetings",
                    "example_dialogues",
                    "system_prompt",
                    "post_history_instructions",
                ),
            },
        ),
        (
            _("Library"),
            {
                "classes": ["tab"],
                "fields": ("modules", ("avatar", "avatar_preview"), "preview_ru", "preview_en", "gender", "languages"),
            },
        ),
        (_("Access"), {"classes": ["tab"], "fields": ("visibility", "is_adult", "is_pro", "order")}),
        (
            _("Creator metadata"),
            {
                "classes": ["tab"],
                "description": _("Kept for card round trips; never used in prompts."),
                "fields": (
                    "creator_notes",
                    "tags",
                    "creator",
                    "character_version",
                    "extensions",
                    "character_book",
                    "card_v3_extra",
                    "created_at",
                    "updated_at",
                ),
            },
        ),
        (_("Preview in the bot"), {"classes": ["tab"], "fields": ("card_preview",)}),
    )

    def get_queryset(self, request: HttpRequest):
        return super().get_queryset(request).prefetch_related("modules")

    @display(description=_("Avatar"))
    def avatar_thumbnail(self, persona: Persona) -> str:
        return thumbnail(persona.avatar)

    @admin.display(description=_("Avatar"))
    def avatar_preview(self, persona: Persona) -> str:
        return thumbnail(persona.avatar, 160)

    @admin.display(description=_("modules"))
    def module_list(self, persona: Persona) -> str:
        return ", ".join(module.code for module in persona.modules.all()) or "—"

    @admin.display(description=_("Card as the bot shows it"))
    def card_preview(self, persona: Persona) -> str:
        if not persona.pk:
            return _("Save the persona to see its card.")
        return render_to_string("admin/personas/card_preview_pair.html", {"pairs": _previews(persona)})

    # --- Character cards ---------------------------------------------------------------------

    @action(description=_("Import character cards"), url_path="import-cards", permissions=["add"], icon="upload_file")
    def import_cards(self, request: HttpRequest) -> HttpResponse:
        form = CardImportForm(request.POST or None, request.FILES or None)
        result = None
        if request.method == "POST" and form.is_valid():
            # Reading one byte past the limit is enough for the reader to refuse an oversized file.
            files = [(upload.name, upload.read(MAX_CARD_FILE_BYTES + 1)) for upload in form.cleaned_data["files"]]
            result = persona_import_cards(files=files, update_existing=form.cleaned_data["update_existing"])
            if result.imported:
                count = len(result.imported)
                self.message_user(
                    request,
                    ngettext("%(count)d card imported.", "%(count)d cards imported.", count) % {"count": count},
                    messages.SUCCESS,
                )
            if result.failed:
                self.message_user(
                    request,
                    ngettext(
                        "%(count)d file was not imported.", "%(count)d files were not imported.", len(result.failed)
                    )
                    % {"count": len(result.failed)},
                    messages.ERROR,
                )
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": _("Import character cards"),
            "form": form,
            "result": result,
            "changelist_url": reverse("admin:personas_persona_changelist"),
        }
        return TemplateResponse(request, "admin/personas/import_cards.html", context)

    @action(description=_("Preview"), url_path="preview", permissions=["view"], icon="smartphone")
    def preview_page(self, request: HttpRequest, object_id: str) -> HttpResponse:
        persona = get_object_or_404(Persona, pk=object_id)
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "original": persona,
            "title": _("Card preview: %(name)s") % {"name": persona.name},
            "pairs": _previews(persona),
            "change_url": reverse("admin:personas_persona_change", args=[persona.pk]),
        }
        return TemplateResponse(request, "admin/personas/card_preview_page.html", context)

    @action(description=_("PNG card"), url_path="card.png", permissions=["view"], icon="image")
    def download_png(self, request: HttpRequest, object_id: str) -> HttpResponse:
        persona = get_object_or_404(Persona, pk=object_id)
        return _download(persona_export_png(persona=persona), f"{persona.slug}.png", "image/png")

    @action(description=_("JSON card"), url_path="card.json", permissions=["view"], icon="data_object")
    def download_json(self, request: HttpRequest, object_id: str) -> HttpResponse:
        persona = get_object_or_404(Persona, pk=object_id)
        return _download(persona_export_json(persona=persona), f"{persona.slug}.json", "application/json")

    @admin.action(description=_("Export as PNG character cards (ZIP)"), permissions=["view"])
    def export_png_cards(self, request: HttpRequest, queryset) -> HttpResponse:
        return _zip({f"{p.slug}.png": persona_export_png(persona=p) for p in queryset}, "persona-cards-png.zip")

    @admin.action(description=_("Export as JSON character cards (ZIP)"), permissions=["view"])
    def export_json_cards(self, request: HttpRequest, queryset) -> HttpResponse:
        return _zip({f"{p.slug}.json": persona_export_json(persona=p) for p in queryset}, "persona-cards-json.zip")


def _previews(persona: Persona) -> list[dict]:
    """The card for a user who can open it and for one who cannot yet, in both languages."""
    pairs = []
    for language in SUPPORTED_LANGUAGES:
        row = []
        for viewer in (
            Viewer(language=language, is_beta_tester=True, has_pro=True, adult_confirmed=True),
            Viewer(language=language),
        ):
            card = persona_card_preview(persona_id=persona.pk, viewer=viewer)
            row.append(
                {
                    "viewer": viewer,
                    "card": persona_card_presentation(card, language=language, position=1, total=2),
                    "about": persona_about_text(card, language=language),
                    "avatar_url": persona.avatar.url if persona.avatar else "",
                }
            )
        pairs.append({"language": language, "views": row})
    return pairs


def _download(content: bytes, filename: str, content_type: str) -> HttpResponse:
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def _zip(files: dict[str, bytes], filename: str) -> HttpResponse:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in files.items():
            archive.writestr(name, content)
    return _download(buffer.getvalue(), filename, "application/zip")
