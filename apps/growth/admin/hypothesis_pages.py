"""The hypothesis admin's own pages: the board, the comparison of running hypotheses, the conclusion step."""

from collections.abc import Callable
from datetime import date

from django import forms
from django.contrib import messages
from django.contrib.admin import helpers
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from apps.analytics.dashboard import table_csv
from apps.growth.admin.results_display import STATUS_BADGES, comparison_view
from apps.growth.models import AcquisitionChannel, Hypothesis
from apps.growth.selectors.comparison import DEFAULT_SORT, SORT_KEYS, comparison_table, hypotheses_comparison
from apps.growth.selectors.hypotheses import hypotheses_with_totals
from apps.growth.services.hypotheses import TransitionBatch, hypothesis_can_move

Status = Hypothesis.Status
BOARD_CARDS_PER_COLUMN = 100
COMPARISON_COLUMNS = (
    _("Hypothesis"), _("Status"), _("ICE"), _("Users"), _("Activation"), _("D7 retention"), _("Paid conversion"),
    _("Revenue, net"), _("Spend"), _("CAC"), _("ROI"), _("Success metric"), _("Verdict"),
)  # fmt: skip
SORT_CHOICES = (
    ("verdict", _("Verdict")), ("ice", _("ICE")), ("users", _("Users")), ("activation", _("Activation")),
    ("retention", _("D7 retention")), ("conversion", _("Paid conversion")), ("revenue", _("Revenue")),
    ("spend", _("Spend")), ("cac", _("CAC")), ("roi", _("ROI")),
)  # fmt: skip


class ConclusionForm(forms.Form):
    conclusion = forms.CharField(
        label=_("Conclusion"),
        widget=forms.Textarea(attrs={"rows": 6, "class": "w-full border rounded-default p-2"}),
        help_text=_("What the numbers showed and what the team decided. Saved on every selected hypothesis."),
    )


class PeriodForm(forms.Form):
    date_from = forms.DateField(
        label=_("Acquired from"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    date_to = forms.DateField(label=_("to"), required=False, widget=forms.DateInput(attrs={"type": "date"}))

    def period(self) -> tuple[date | None, date | None]:
        data = self.cleaned_data if self.is_valid() else {}
        date_from, date_to = data.get("date_from"), data.get("date_to")
        if date_from and date_to and date_from > date_to:
            date_from, date_to = date_to, date_from
        return date_from, date_to


def report_batch(model_admin, request: HttpRequest, batch: TransitionBatch, target: str) -> None:
    """Say how many moved and which could not (their status did not allow the move)."""
    if batch.moved:
        model_admin.message_user(
            request,
            ngettext(
                "%(count)d hypothesis moved to “%(status)s”.",
                "%(count)d hypotheses moved to “%(status)s”.",
                len(batch.moved),
            )
            % {"count": len(batch.moved), "status": Status(target).label},
            messages.SUCCESS,
        )
    if batch.skipped:
        names = ", ".join(f"{item.title} ({Status(item.status).label})" for item in batch.skipped)
        model_admin.message_user(
            request,
            _("Not moved, their status does not allow it: %(names)s.") % {"names": names},
            messages.WARNING,
        )


def conclusion_step(
    model_admin,
    request: HttpRequest,
    queryset: QuerySet[Hypothesis],
    *,
    action_name: str,
    target: str,
    service: Callable[..., TransitionBatch],
) -> HttpResponse | None:
    """A bulk action in two steps: a page asking for the conclusion, then the move (back to the list)."""
    form = ConclusionForm(request.POST if "apply" in request.POST else None)
    if form.is_bound and form.is_valid():
        batch = service(
            hypotheses=queryset, conclusion=form.cleaned_data["conclusion"], actor=request.user.get_username()
        )
        report_batch(model_admin, request, batch, target)
        return None  # the admin redirects to the list
    hypotheses = list(queryset.order_by("-ice_score", "pk"))
    context = {
        **model_admin.admin_site.each_context(request),
        "opts": Hypothesis._meta,
        "title": _("Mark as “%(status)s”") % {"status": Status(target).label},
        "form": form,
        "action_name": action_name,
        "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
        "select_across": request.POST.get("select_across", "0"),
        "movable": [item for item in hypotheses if hypothesis_can_move(hypothesis=item, to=target)],
        "unmovable": [item for item in hypotheses if not hypothesis_can_move(hypothesis=item, to=target)],
        "hypotheses": hypotheses,
        "submit_label": Status(target).label,
        "changelist_url": reverse("admin:growth_hypothesis_changelist"),
    }
    return TemplateResponse(request, "admin/growth/hypothesis_conclusion.html", context)


def board_page(model_admin, request: HttpRequest) -> HttpResponse:
    """Columns by status, in workflow order; cards by ICE."""
    hypotheses = hypotheses_with_totals(Hypothesis.objects.select_related("owner").order_by("-ice_score", "pk"))
    by_status: dict[str, list[Hypothesis]] = {status: [] for status in Status.values}
    for hypothesis in hypotheses:
        by_status[hypothesis.status].append(hypothesis)
    channels = dict(AcquisitionChannel.choices)
    columns = [
        {
            "status": status,
            "label": Status(status).label,
            "badge": STATUS_BADGES.get(status, ""),
            "count": len(cards),
            "cards": [
                {
                    "hypothesis": card,
                    "channel": channels.get(card.channel, card.channel),
                    "url": reverse("admin:growth_hypothesis_change", args=[card.pk]),
                }
                for card in cards[:BOARD_CARDS_PER_COLUMN]
            ],
            "hidden": max(0, len(cards) - BOARD_CARDS_PER_COLUMN),
        }
        for status, cards in by_status.items()
    ]
    context = {
        **model_admin.admin_site.each_context(request),
        "opts": Hypothesis._meta,
        "title": _("Hypothesis board"),
        "columns": columns,
        "changelist_url": reverse("admin:growth_hypothesis_changelist"),
        "compare_url": reverse("admin:growth_hypothesis_comparison"),
    }
    return TemplateResponse(request, "admin/growth/hypothesis_board.html", context)


def comparison_page(model_admin, request: HttpRequest) -> HttpResponse:
    form = PeriodForm(request.GET or None)
    date_from, date_to = form.period()
    sort = request.GET.get("o") if request.GET.get("o") in SORT_KEYS else DEFAULT_SORT
    rows = hypotheses_comparison(sort=sort, date_from=date_from, date_to=date_to)
    if request.GET.get("export") == "csv":
        header, values = comparison_table(rows)
        response = HttpResponse(table_csv(header, values), content_type="text/csv; charset=utf-8")
        suffix = f"-{date_from or 'start'}-{date_to or timezone.localdate()}" if date_from or date_to else ""
        response["Content-Disposition"] = f'attachment; filename="hypotheses-comparison{suffix}.csv"'
        return response
    query = request.GET.copy()
    query.pop("o", None)
    query.pop("export", None)
    context = {
        **model_admin.admin_site.each_context(request),
        "opts": Hypothesis._meta,
        "title": _("Running hypotheses compared"),
        "form": form,
        "rows": [
            {**comparison_view(row), "url": reverse("admin:growth_hypothesis_change", args=[row.hypothesis_id])}
            for row in rows
        ],
        "sort": sort,
        "columns": COMPARISON_COLUMNS,
        "sort_choices": SORT_CHOICES,
        "query": query.urlencode(),
        "csv_query": _with(request.GET, export="csv"),
        "changelist_url": reverse("admin:growth_hypothesis_changelist"),
        "board_url": reverse("admin:growth_hypothesis_board"),
    }
    return TemplateResponse(request, "admin/growth/hypothesis_comparison.html", context)


def _with(query, **values) -> str:
    query = query.copy()
    for name, value in values.items():
        query[name] = value
    return query.urlencode()
