"""The CustDev admin's own pages: segments with a CSV of contacts per segment, and a survey's results."""

from django import forms
from django.http import Http404, HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from apps.analytics.dashboard import table_csv
from apps.growth.models import Survey
from apps.growth.selectors.custdev import survey_results
from apps.growth.selectors.segments import POWER_USER_MESSAGES, segment_contacts, segment_get, segments_overview


class SegmentsForm(forms.Form):
    power_min_messages = forms.IntegerField(
        label=_("Power user: messages in 7 days, at least"),
        min_value=1,
        max_value=100_000,
        required=False,
        initial=POWER_USER_MESSAGES,
    )

    def min_messages(self) -> int:
        data = self.cleaned_data if self.is_valid() else {}
        return data.get("power_min_messages") or POWER_USER_MESSAGES


def segments_page(model_admin, request: HttpRequest) -> HttpResponse:
    form = SegmentsForm(request.GET or None)
    min_messages = form.min_messages()
    export = request.GET.get("export")
    if export:
        if segment_get(export) is None:
            raise Http404
        return _contacts_csv(export, min_messages)
    context = {
        **model_admin.admin_site.each_context(request),
        "opts": model_admin.model._meta,
        "title": _("CustDev segments"),
        "form": form,
        "segments": segments_overview(power_min_messages=min_messages),
        "min_messages": min_messages,
    }
    return TemplateResponse(request, "admin/growth/custdev_segments.html", context)


# (header, how the value is read from an annotated user of selectors.segments.segment_contacts)
CONTACT_COLUMNS = (
    (_("Telegram id"), lambda user: user.telegram_id),
    (_("username"), lambda user: user.username),
    (_("first name"), lambda user: user.first_name),
    (_("language"), lambda user: user.language),
    (_("registered"), lambda user: _iso(user.created_at)),
    (_("last seen"), lambda user: _iso(user.last_seen_at)),
    (_("acquisition code"), lambda user: user.acquisition_code),
    (_("messages, 7 days"), lambda user: user.messages_week),
    (_("messages, total"), lambda user: user.messages_total),
    (_("payments"), lambda user: user.payments_succeeded),
    (_("PRO now"), lambda user: int(user.pro_now)),
    (_("agreed at"), lambda user: _iso(user.interview_answered_at)),
    (_("contacted at"), lambda user: _iso(user.contacted_at)),
)


def _contacts_csv(key: str, min_messages: int) -> HttpResponse:
    """Who agreed to be contacted, with counts and dates only: nothing anyone wrote."""
    header = [title for title, _value in CONTACT_COLUMNS]
    rows = [
        [value(user) for _title, value in CONTACT_COLUMNS]
        for user in segment_contacts(key=key, power_min_messages=min_messages)
    ]
    response = HttpResponse(table_csv(header, rows), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="custdev-{key}-{timezone.localdate()}.csv"'
    return response


def survey_results_page(model_admin, request: HttpRequest, survey: Survey) -> HttpResponse:
    results = survey_results(survey_id=survey.pk)
    if request.GET.get("export") == "csv":
        return _answers_csv(survey, results)
    context = {
        **model_admin.admin_site.each_context(request),
        "opts": model_admin.model._meta,
        "original": survey,
        "title": _("Results: %(survey)s") % {"survey": survey.title},
        "results": results,
        "distribution": [
            {"score": score, "count": count, "share": round(100 * count / results.scored) if results.scored else 0}
            for score, count in enumerate(results.distribution)
        ],
    }
    return TemplateResponse(request, "admin/growth/survey_results.html", context)


def _answers_csv(survey: Survey, results) -> HttpResponse:
    header = [_("user id"), _("language"), _("score"), _("scored at"), _("answered at"), _("answer")]
    rows = [
        [row.user_id, row.language, row.score, _iso(row.scored_at), _iso(row.answered_at), _plain(row.answer)]
        for row in results.responses
    ]
    response = HttpResponse(table_csv(header, rows), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="survey-{survey.pk}-{timezone.localdate()}.csv"'
    return response


def _plain(text: str) -> str:
    """A user's words never run as a spreadsheet formula."""
    return "'" + text if text.startswith(("=", "+", "-", "@", "\t", "\r")) else text


def _iso(moment) -> str:
    return timezone.localtime(moment).strftime("%Y-%m-%d %H:%M") if moment else ""
