"""Retention by weekly cohort: of the users who started in a week, how many came back on day 1, 7 and 30.

A user's cohort is the local week (Monday to Sunday) of their first-ever bot_start, for first starts in
the period. A user is retained on day N when they have any event on the local calendar day N days after
the day of their first start: exactly that day (the usual "day N" retention), not "on or after day N".
Day 0 is the day they started. A cohort is too young for day N while that day has not ended yet for its
latest starter (day N of someone who started yesterday is unknown): it reports None, not 0.

Indexes: first starts from (name, occurred_at); each "any event on day N" is one short range scan on
(user, occurred_at) bounded to the two days around it, then checked on the local date.
"""

from dataclasses import dataclass
from datetime import date, timedelta

from django.db.models import Count, DateTimeField, Max, Q
from django.db.models.functions import TruncDate, TruncWeek
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from apps.analytics.reports.common import (
    START_EVENT,
    Table,
    analytic_queries,
    event_on_local_day,
    first_events,
    rate,
    table,
)
from apps.analytics.reports.filters import ReportFilter
from apps.core.exceptions import InvalidInput

DEFAULT_DAYS = (1, 7, 30)


@dataclass(frozen=True)
class RetentionDay:
    day: int
    users: int | None  # None: the cohort is too young for this day
    rate: float | None  # users / cohort size


@dataclass(frozen=True)
class RetentionCohort:
    week: date  # the Monday the cohort's week starts on
    size: int
    days: tuple[RetentionDay, ...]

    def day(self, number: int) -> RetentionDay:
        return next(day for day in self.days if day.day == number)


@dataclass(frozen=True)
class RetentionResult:
    days: tuple[int, ...]
    today: date  # the day the report was computed for: days from it on are not over yet
    cohorts: tuple[RetentionCohort, ...]  # oldest first

    def as_table(self) -> Table:
        header = [_("Cohort (week of)"), _("Users")]
        for number in self.days:
            header += [_("Day %(day)s users") % {"day": number}, _("Day %(day)s rate") % {"day": number}]
        rows = []
        for cohort in self.cohorts:
            row = [cohort.week.isoformat(), cohort.size]
            for day in cohort.days:
                row += [day.users, day.rate]
            rows.append(row)
        return table(header, rows)


def retention_report(
    *, filter: ReportFilter, days: tuple[int, ...] = DEFAULT_DAYS, today: date | None = None
) -> RetentionResult:
    """`today` (default: the local date now) decides which days are over; tests pass it."""
    if not days or min(days) < 1:
        raise InvalidInput("Retention days are whole days after the first one, 1 or more.")
    today = today or timezone.localdate()
    tz = timezone.get_default_timezone()
    starts = filter.restrict(first_events(START_EVENT, since=filter.start, until=filter.end)).annotate(
        week=TruncWeek("occurred_at", tzinfo=tz, output_field=DateTimeField()),
        start_day=TruncDate("occurred_at", tzinfo=tz),
        **{f"_on_day_{number}": event_on_local_day(number, tz) for number in days},
    )
    aggregates = {f"day_{number}": Count("pk", filter=Q(**{f"_on_day_{number}": True})) for number in days}
    with analytic_queries():
        found = list(
            starts.values("week")
            .annotate(size=Count("pk"), last_start_day=Max("start_day"), **aggregates)
            .order_by("week")
        )
    cohorts = []
    for row in found:
        retained = []
        for number in days:
            over = row["last_start_day"] + timedelta(days=number) < today
            users = row[f"day_{number}"] if over else None
            retained.append(
                RetentionDay(day=number, users=users, rate=None if users is None else rate(users, row["size"]))
            )
        cohorts.append(
            RetentionCohort(week=timezone.localtime(row["week"], tz).date(), size=row["size"], days=tuple(retained))
        )
    return RetentionResult(days=tuple(days), today=today, cohorts=tuple(cohorts))
