from django import forms
from django.utils.translation import gettext_lazy as _
from unfold.widgets import UnfoldBooleanSwitchWidget

from apps.personas.cards import MAX_CARD_FILE_BYTES

MAX_FILES_PER_BATCH = 50


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    widget = MultipleFileInput

    def clean(self, data, initial=None):
        single = super().clean
        if isinstance(data, list | tuple):
            return [single(upload, initial) for upload in data] if data else [single(None, initial)]
        return [single(data, initial)]


class CardImportForm(forms.Form):
    files = MultipleFileField(
        label=_("Card files"),
        help_text=_("PNG cards (Character Card V2/V3) or JSON, up to %(size)d MB each, up to %(count)d files at once.")
        % {"size": MAX_CARD_FILE_BYTES // (1024 * 1024), "count": MAX_FILES_PER_BATCH},
        widget=MultipleFileInput(attrs={"accept": ".png,.json,image/png,application/json"}),
    )
    update_existing = forms.BooleanField(
        label=_("Update personas with the same slug"),
        required=False,
        help_text=_(
            "Off: every card becomes a new persona. On: a Sputnik card replaces the persona it was exported from."
        ),
        widget=UnfoldBooleanSwitchWidget,
    )

    def clean_files(self):
        files = self.cleaned_data["files"]
        if len(files) > MAX_FILES_PER_BATCH:
            raise forms.ValidationError(_("At most %(count)d files at once.") % {"count": MAX_FILES_PER_BATCH})
        return files
