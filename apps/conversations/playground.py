"""Forms and page data for the admin playground (the admin view itself stays thin)."""

from django import forms
from django.utils.translation import gettext_lazy as _
from unfold.widgets import (
    UnfoldAdminSelectWidget,
    UnfoldAdminTextareaWidget,
    UnfoldAdminTextInputWidget,
    UnfoldBooleanSwitchWidget,
)

from apps.accounts.models import TelegramUser
from apps.conversations.models import Dialogue
from apps.conversations.services import ReplyResult
from apps.personas.models import Module, Persona, Scenario
from apps.personas.selectors import Viewer


class PlaygroundForm(forms.Form):
    module = forms.ModelChoiceField(Module.objects.all(), label=_("Module"), widget=UnfoldAdminSelectWidget)
    persona = forms.ModelChoiceField(Persona.objects.all(), label=_("Persona"), widget=UnfoldAdminSelectWidget)
    scenario = forms.ModelChoiceField(
        Scenario.objects.filter(is_active=True), label=_("Scene"), required=False, widget=UnfoldAdminSelectWidget
    )
    memory_user = forms.ModelChoiceField(
        TelegramUser.objects.filter(telegram_id__gt=0),
        label=_("Use the memory of"),
        required=False,
        help_text=_("Optional: a user whose remembered facts the persona may use."),
        widget=UnfoldAdminSelectWidget,
    )
    adult_confirmed = forms.BooleanField(
        label=_("Confirmed 18+"), required=False, initial=True, widget=UnfoldBooleanSwitchWidget
    )
    has_pro = forms.BooleanField(label=_("Has PRO"), required=False, initial=True, widget=UnfoldBooleanSwitchWidget)
    text = forms.CharField(label=_("Message"), widget=UnfoldAdminTextareaWidget(attrs={"rows": 3}), max_length=4096)

    def viewer(self) -> Viewer:
        return Viewer(
            is_beta_tester=True,
            has_pro=self.cleaned_data["has_pro"],
            adult_confirmed=self.cleaned_data["adult_confirmed"],
        )


class SaveScriptForm(forms.Form):
    name = forms.CharField(label=_("Script name"), max_length=120, widget=UnfoldAdminTextInputWidget)
    must_recall = forms.CharField(
        label=_("Must be recalled"),
        required=False,
        help_text=_("Comma-separated words a reply must mention."),
        widget=UnfoldAdminTextInputWidget,
    )
    must_not_contain = forms.CharField(
        label=_("Must not appear"),
        required=False,
        help_text=_("Comma-separated words no reply may contain."),
        widget=UnfoldAdminTextInputWidget,
    )

    def clean_must_recall(self) -> list[str]:
        return [word.strip() for word in self.cleaned_data["must_recall"].split(",") if word.strip()]

    def clean_must_not_contain(self) -> list[str]:
        return [word.strip() for word in self.cleaned_data["must_not_contain"].split(",") if word.strip()]


def playground_context(*, user_id: int, form, save_form, last: ReplyResult | None) -> dict:
    dialogue = Dialogue.objects.select_related("persona", "module").filter(user_id=user_id, is_active=True).first()
    history = list(dialogue.messages.order_by("id")) if dialogue else []
    return {
        "form": form,
        "save_form": save_form,
        "dialogue": dialogue,
        "history": history,
        "last": last,
        "last_prompt": [{"role": message.role, "content": message.content} for message in last.prompt] if last else [],
    }
