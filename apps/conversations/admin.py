from asgiref.sync import async_to_sync
from django.contrib import admin, messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from unfold.admin import ModelAdmin
from unfold.decorators import action

from apps.conversations.models import Dialogue, Helpline, MemoryFact, Message, PhotoDelivery, RegressionScript
from apps.conversations.playground import PlaygroundForm, SaveScriptForm, playground_context
from apps.conversations.regression import playground_reset, playground_user, regression_run, regression_script_save
from apps.conversations.services import dialogue_start, message_rate, reply_compose
from apps.core.exceptions import ApplicationError
from apps.inference.registry import embedder_or_none, text_generator


@admin.register(Helpline)
class HelplineAdmin(ModelAdmin):
    list_display = ("phone", "name_ru", "name_en", "is_active", "order")
    list_editable = ("is_active", "order")


@admin.register(Dialogue)
class DialogueAdmin(ModelAdmin):
    """Who talks with whom and how much; message texts stay out of the admin lists."""

    list_display = ("id", "user", "persona", "module", "is_active", "last_message_at", "created_at")
    list_filter = ("module", "is_active", "persona")
    list_select_related = ("user", "persona", "module")
    search_fields = ("=user__telegram_id",)
    readonly_fields = ("user", "persona", "module", "scenario", "is_active", "last_message_at", "created_at")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False


@admin.register(Message)
class MessageAdmin(ModelAdmin):
    list_display = (
        "id",
        "dialogue",
        "role",
        "backend",
        "latency_ms",
        "completion_tokens",
        "quality_score",
        "safety",
        "rating",
        "created_at",
    )
    list_filter = ("role", "safety", "rating", "backend", "from_voice")
    exclude = ("text",)
    readonly_fields = [field.name for field in Message._meta.fields if field.name != "text"]
    show_full_result_count = False

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        return False


@admin.register(MemoryFact)
class MemoryFactAdmin(ModelAdmin):
    list_display = ("id", "user", "category", "status", "pinned", "is_sensitive", "confidence", "updated_at")
    list_filter = ("category", "status", "pinned", "is_sensitive")
    exclude = ("text", "embedding", "slot")
    readonly_fields = (
        "user",
        "persona",
        "category",
        "language",
        "source_message",
        "confidence",
        "is_sensitive",
        "status",
        "superseded_by",
    )

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False


@admin.register(PhotoDelivery)
class PhotoDeliveryAdmin(ModelAdmin):
    """Photos the bot sent; written only by the bot, so the admin just reads them."""

    list_display = ("created_at", "user", "persona", "trigger", "photo_caption")
    list_filter = ("trigger", "persona")
    list_select_related = ("user", "persona", "photo")
    search_fields = ("=user__telegram_id",)
    readonly_fields = ("user", "persona", "dialogue", "photo", "trigger", "created_at")
    show_full_result_count = False

    @admin.display(description=_("photo"))
    def photo_caption(self, delivery: PhotoDelivery) -> str | None:
        return str(delivery.photo) if delivery.photo else None  # None: the admin's empty-value dash

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        return False


@admin.register(RegressionScript)
class RegressionScriptAdmin(ModelAdmin):
    list_display = ("name", "persona", "module", "turn_count", "last_passed", "last_run_at")
    list_filter = ("persona", "module", "last_passed")
    readonly_fields = ("last_run_at", "last_passed", "last_report", "created_by")
    actions_list = ("playground",)
    actions_detail = ("run_one",)
    actions = ("run_selected",)

    @admin.display(description=_("turns"))
    def turn_count(self, script: RegressionScript) -> int:
        return len(script.turns)

    @action(description=_("Playground"), url_path="playground", permissions=["add"], icon="forum")
    def playground(self, request: HttpRequest) -> HttpResponse:
        user = playground_user(staff_user_id=request.user.pk, staff_username=request.user.get_username())
        form = PlaygroundForm(request.POST or None)
        save_form = SaveScriptForm(request.POST if "save_script" in request.POST else None, prefix="script")
        last = None
        if request.method == "POST":
            try:
                last = self._playground_post(request, user, form, save_form)
            except ApplicationError as error:
                self.message_user(request, str(error.message), messages.ERROR)
            if isinstance(last, HttpResponse):
                return last
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": _("Playground"),
            **playground_context(user_id=user.pk, form=form, save_form=save_form, last=last),
        }
        return TemplateResponse(request, "admin/conversations/playground.html", context)

    def _playground_post(self, request: HttpRequest, user, form: PlaygroundForm, save_form: SaveScriptForm):
        if "reset" in request.POST:
            playground_reset(user_id=user.pk)
            return redirect("admin:conversations_regressionscript_playground")
        if "rate" in request.POST:
            message_rate(user_id=user.pk, message_id=int(request.POST["message_id"]), rating=int(request.POST["rate"]))
            return None
        if "save_script" in request.POST and save_form.is_valid():
            dialogue = Dialogue.objects.filter(user=user, is_active=True).first()
            if dialogue is None:
                raise ApplicationError(_("Talk first, then save the conversation."))
            script = regression_script_save(
                name=save_form.cleaned_data["name"],
                dialogue_id=dialogue.pk,
                must_recall=save_form.cleaned_data["must_recall"],
                must_not_contain=save_form.cleaned_data["must_not_contain"],
                created_by_id=request.user.pk,
            )
            return redirect("admin:conversations_regressionscript_change", script.pk)
        if "send" in request.POST and form.is_valid():
            data = form.cleaned_data
            current = Dialogue.objects.filter(user=user, is_active=True).first()
            wanted = (data["persona"].pk, data["module"].pk, data["scenario"].pk if data["scenario"] else None)
            if current is None or (current.persona_id, current.module_id, current.scenario_id) != wanted:
                dialogue_start(
                    user_id=user.pk, persona_id=wanted[0], module_code=data["module"].code, scenario_id=wanted[2]
                )
            return async_to_sync(reply_compose)(
                user_id=user.pk,
                text=data["text"],
                generator=text_generator(),
                embedder=embedder_or_none(),
                viewer=form.viewer(),
                memory_user_id=data["memory_user"].pk if data["memory_user"] else None,
                metered=False,  # the team's playground never runs into a user's daily limit
            )
        return None

    @action(description=_("Run"), url_path="run", permissions=["change"], icon="play_arrow")
    def run_one(self, request: HttpRequest, object_id: str) -> HttpResponse:
        self._run(request, [int(object_id)])
        return redirect(reverse("admin:conversations_regressionscript_change", args=[object_id]))

    @admin.action(description=_("Run selected scripts"), permissions=["change"])
    def run_selected(self, request: HttpRequest, queryset) -> None:
        self._run(request, list(queryset.values_list("pk", flat=True)))

    def _run(self, request: HttpRequest, ids: list[int]) -> None:
        try:
            generator, vectors = text_generator(), embedder_or_none()
            for script_id in ids:
                outcome = async_to_sync(regression_run)(script_id=script_id, generator=generator, embedder=vectors)
                level = messages.SUCCESS if outcome.passed else messages.ERROR
                failed = [check.name for check in outcome.checks if not check.passed]
                summary = _("passed") if outcome.passed else _("failed: %(checks)s") % {"checks": ", ".join(failed)}
                self.message_user(request, f"{outcome.name}: {summary}", level)
        except ApplicationError as error:
            self.message_user(request, str(error.message), messages.ERROR)
