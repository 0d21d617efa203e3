"""Where silent users stopped: users who started in the period and have gone quiet, by the deepest step of the
default funnel they ever reached.

Silent: no event at all in the `silent_days` (7) days before the report's moment, which is the end of the
period, or now if that is sooner (later events do not count: the report describes the period). A step is
reached when the user ever did it before that moment (in any order: this is about how far they got, the
funnel report is about the order); message_sent ×10 needs ten messages; "returned the next day" needs an
event on a later local day than the first bot_start.

Indexes: first starts from a range on (name, occurred_at); "silent" is a range on (user, occurred_at) per
user (or one hash of the last days' events); each step's check, tried from the deepest down and stopping at
the first reached, is either one hash of that event's rows since the period began, from (name,
occurred_at), or a probe per user on (user, occurred_at), whichever PostgreSQL estimates cheaper.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db.models import Case, Count, Exists, IntegerField, OuterRef, Q, Value, When
from django.db.models.functions import TruncDate
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from apps.analytics.models import Event
from apps.analytics.reports.common import START_EVENT, Table, analytic_queries, first_events, rate, table
from apps.analytics.reports.filters import ReportFilter
from apps.analytics.reports.funnel import DEFAULT_FUNNEL, RETURNED_NEXT_DAY, FunnelStep
from apps.core.exceptions import InvalidInput

SILENT_DAYS = 7


@dataclass(frozen=True)
class DropoffStep:
    step: FunnelStep
    users: int  # silent users whose deepest step this is
    share: float | None  # of all silent users

    @property
    def label(self) -> str:
        return self.step.title


@dataclass(frozen=True)
class DropoffResult:
    started: int  # users whose first /start fell in the period
    silent: int  # of them, silent as of `as_of`
    as_of: datetime
    silent_days: int
    steps: tuple[DropoffStep, ...]  # in funnel order, every step of the default funnel

    def as_table(self) -> Table:
        return table(
            [_("Last step reached"), _("Silent users"), _("Share of silent users")],
            [[step.label, step.users, step.share] for step in self.steps],
        )


def dropoff_report(*, filter: ReportFilter, silent_days: int = SILENT_DAYS) -> DropoffResult:
    if silent_days < 1:
        raise InvalidInput("Users are silent after one day without events at least.")
    as_of = min(filter.end, timezone.now())
    tz = timezone.get_default_timezone()
    starts = filter.restrict(first_events(START_EVENT, since=filter.start, until=filter.end))
    recent = Event.objects.filter(
        user_id=OuterRef("user_id"), occurred_at__gte=as_of - timedelta(days=silent_days), occurred_at__lt=as_of
    )
    silent = (
        starts.exclude(Exists(recent))
        .annotate(start_day=TruncDate("occurred_at", tzinfo=tz))
        .annotate(last_step=_deepest_step(DEFAULT_FUNNEL, filter.start, as_of, tz))
    )
    with analytic_queries():
        started = starts.count()
        per_step = dict(silent.values("last_step").annotate(users=Count("pk")).values_list("last_step", "users"))
    total = sum(per_step.values())
    return DropoffResult(
        started=started,
        silent=total,
        as_of=as_of,
        silent_days=silent_days,
        steps=tuple(
            DropoffStep(step=step, users=per_step.get(index, 0), share=rate(per_step.get(index, 0), total))
            for index, step in enumerate(DEFAULT_FUNNEL)
        ),
    )


def _deepest_step(steps: tuple[FunnelStep, ...], since: datetime, as_of: datetime, tz) -> Case:
    """The index of the deepest step the user of the outer first-start row reached before `as_of` (0: only
    the first step, which every such user reached).

    Their events are looked for from `since`, the period's start, on: they started in the period, so nothing
    they did comes earlier, and a bound that does not depend on the user lets PostgreSQL hash a step's events
    once instead of probing per user."""
    whens = []
    for index in range(len(steps) - 1, 0, -1):
        step = steps[index]
        before = Event.objects.filter(user_id=OuterRef("user_id"), occurred_at__gte=since, occurred_at__lt=as_of)
        if step.event == RETURNED_NEXT_DAY:
            later_day = (
                before.filter(occurred_at__gt=OuterRef("occurred_at"))
                .annotate(day=TruncDate("occurred_at", tzinfo=tz))
                .filter(day__gt=OuterRef("start_day"))
            )
            reached = Q(Exists(later_day))
        elif step.min_count == 1:
            reached = Q(Exists(before.filter(name=step.event)))
        else:
            nth = before.filter(name=step.event).order_by("occurred_at", "pk").values("occurred_at")
            reached = Q(Exists(nth[step.min_count - 1 : step.min_count]))
        whens.append(When(reached, then=Value(index)))
    return Case(*whens, default=Value(0), output_field=IntegerField())
