# ruff: noqa: S608 -- the SQL below is assembled from table, CTE and column names and step numbers; every value
# (event names, instants, the time zone) goes in as a query parameter.
"""The ordered funnel: how many users who entered in the period went on through each step, in order.

Rules:
- A user enters at their first-ever occurrence of the first step, when it falls in the period.
- Each later step counts when it happened at or after the previous step's time and no later than
  `window_days` after entry. A step with a minimum count needs that many occurrences from the previous
  step's time on (the previous step's own event included: message_sent ×1 → message_sent ×10 means ten
  messages in all). An event at the same instant as the previous step counts as after it.
- "Returned the next day" (RETURNED_NEXT_DAY) is any event of the user on a later local day than their
  first bot_start, at or after the previous step.

Why hand-written SQL: each step's time depends on the previous step's time, per user. In the ORM that is a
chain of correlated subqueries where every reference to the previous step repeats its whole subquery, so
the cost grows with the square of the number of steps. Here each stage is one common table expression that
joins the users who reached the previous stage with the events of its step (consecutive steps on the same
event share one scan), so a stage costs about one pass over its own event's rows in the period.
Indexes: each stage's events are a range on (name, occurred_at) over the period plus the window, hash-joined
to the users (nested loops are off for this query: the planner cannot know how many users reach a stage);
entry is a range on (name, occurred_at) with a hash anti-join for "nothing earlier"; "returned the next day"
and the breakdown's first module or persona are one probe per user on (user, occurred_at); the hypothesis is
one probe per user on the links' unique code. Medians are
PERCENTILE_CONT on PostgreSQL and ranked rows on SQLite.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.db import connection
from django.db.models import DateTimeField, ExpressionWrapper, F, OuterRef, Subquery, Value
from django.db.models.functions import Coalesce, NullIf
from django.utils.translation import gettext_lazy as _

from apps.analytics.models import Event
from apps.analytics.reports.common import (
    NO_VALUE,
    START_EVENT,
    Table,
    analytic_queries,
    first_events,
    property_text,
    rate,
    seconds_sql,
    table,
)
from apps.analytics.reports.filters import DIRECT_CHANNEL, ReportFilter
from apps.core.exceptions import InvalidInput

RETURNED_NEXT_DAY = "$returned_next_day"  # not a valid event name, so it never clashes with one
BREAKDOWNS = ("channel", "hypothesis", "module", "persona")


@dataclass(frozen=True)
class FunnelStep:
    """An event, reached `min_count` times; or RETURNED_NEXT_DAY. `label` names it in tables."""

    event: str
    min_count: int = 1
    label: str = ""

    def __post_init__(self) -> None:
        if self.min_count < 1:
            raise InvalidInput(f"Funnel step {self.event!r}: the minimum count must be at least 1.")
        if self.event == RETURNED_NEXT_DAY and self.min_count != 1:
            raise InvalidInput("The step “returned the next day” cannot have a minimum count.")

    @property
    def title(self) -> str:
        if self.label:
            return str(self.label)
        if self.event == RETURNED_NEXT_DAY:
            return str(_("Returned the next day"))
        return self.event if self.min_count == 1 else f"{self.event} ×{self.min_count}"


DEFAULT_FUNNEL: tuple[FunnelStep, ...] = (
    FunnelStep("bot_start", label=_("Started the bot")),
    FunnelStep("consent_accepted", label=_("Accepted the terms")),
    FunnelStep("module_chosen", label=_("Chose a module")),
    FunnelStep("persona_chosen", label=_("Chose a persona")),
    FunnelStep("message_sent", label=_("Sent a message")),
    FunnelStep("message_sent", min_count=10, label=_("Sent 10 messages")),
    FunnelStep(RETURNED_NEXT_DAY, label=_("Returned the next day")),
    FunnelStep("paywall_shown", label=_("Saw the paywall")),
    FunnelStep("payment_started", label=_("Started a payment")),
    FunnelStep("payment_succeeded", label=_("Paid")),
)


@dataclass(frozen=True)
class FunnelStepResult:
    step: FunnelStep
    users: int
    conversion_from_first: float | None  # users / users who entered (None when nobody entered)
    conversion_from_previous: float | None  # users / users of the previous step (None for the first step)
    drop_off: int  # users of the previous step who did not reach this one (0 for the first step)
    drop_off_rate: float | None  # drop_off / users of the previous step
    median_seconds_from_previous: float | None  # None for the first step and when nobody reached this one

    @property
    def label(self) -> str:
        return self.step.title


@dataclass(frozen=True)
class FunnelGroup:
    # The channel's code ("(direct)": none), the hypothesis' title, the module's code or the persona's id;
    # "(none)": never chose one, or came through no hypothesis' link.
    key: str
    steps: tuple[FunnelStepResult, ...]


@dataclass(frozen=True)
class FunnelResult:
    steps: tuple[FunnelStepResult, ...]  # all users of the filter
    window_days: int
    breakdown: str | None = None
    groups: tuple[FunnelGroup, ...] = ()  # with a breakdown: one per value, the most entries first

    def as_table(self) -> Table:
        header = [
            _("Step"),
            _("Users"),
            _("Conversion from the first step"),
            _("Conversion from the previous step"),
            _("Drop-off"),
            _("Median seconds from the previous step"),
        ]

        def rows_of(steps: Sequence[FunnelStepResult]) -> list[list]:
            return [
                [
                    step.label,
                    step.users,
                    step.conversion_from_first,
                    step.conversion_from_previous,
                    step.drop_off,
                    step.median_seconds_from_previous,
                ]
                for step in steps
            ]

        if not self.breakdown:
            return table(header, rows_of(self.steps))
        rows = [[str(_("All")), *row] for row in rows_of(self.steps)]
        for group in self.groups:
            rows += [[group.key, *row] for row in rows_of(group.steps)]
        return table([_("Group"), *header], rows)


def funnel_report(
    *, steps: Sequence[FunnelStep], filter: ReportFilter, window_days: int = 30, breakdown: str | None = None
) -> FunnelResult:
    steps = tuple(steps)
    if not steps:
        raise InvalidInput("A funnel needs at least one step.")
    if steps[0].event == RETURNED_NEXT_DAY or steps[0].min_count != 1:
        raise InvalidInput("A funnel starts with a plain event (users enter at its first occurrence).")
    if window_days < 1:
        raise InvalidInput("The funnel window must be at least one day.")
    if breakdown is not None and breakdown not in BREAKDOWNS:
        raise InvalidInput(f"A funnel breaks down by {', '.join(BREAKDOWNS)}, not by {breakdown!r}.")

    sql, params = _funnel_sql(steps, filter, window_days, breakdown)
    with analytic_queries(hash_joins=True), connection.cursor() as cursor:
        cursor.execute(sql, params)
        found = cursor.fetchall()
    counts: dict[str | None, dict[int, tuple[int, float | None]]] = {}
    for group, index, users, median in found:
        counts.setdefault(group, {})[index] = (users, None if index == 0 or median is None else float(median))

    if breakdown is None:
        return FunnelResult(steps=_step_results(steps, counts.get("", {})), window_days=window_days)
    groups = sorted(
        (key for key in counts if key is not None), key=lambda key: (-counts[key].get(0, (0, None))[0], key)
    )
    return FunnelResult(
        steps=_step_results(steps, counts.get(None, {})),
        window_days=window_days,
        breakdown=breakdown,
        groups=tuple(FunnelGroup(key=key, steps=_step_results(steps, counts[key])) for key in groups),
    )


def _step_results(steps: tuple[FunnelStep, ...], counts: dict[int, tuple[int, float | None]]) -> tuple:
    results = []
    entered = counts.get(0, (0, None))[0]
    previous = entered
    for index, step in enumerate(steps):
        users, median = counts.get(index, (0, None))
        first = index == 0
        results.append(
            FunnelStepResult(
                step=step,
                users=users,
                conversion_from_first=rate(users, entered),
                conversion_from_previous=None if first else rate(users, previous),
                drop_off=0 if first else previous - users,
                drop_off_rate=None if first else rate(previous - users, previous),
                median_seconds_from_previous=None if first else median,
            )
        )
        previous = users
    return tuple(results)


def _entry_queryset(steps: tuple[FunnelStep, ...], filter: ReportFilter, window_days: int, breakdown: str | None):
    """Users entering the funnel: the row of their first-ever first-step event, in the period and segment."""
    entries = filter.restrict(first_events(steps[0].event, since=filter.start, until=filter.end))
    if steps[0].event == START_EVENT:
        first_start = F("occurred_at")
    else:
        first_start = Subquery(
            Event.objects.filter(user_id=OuterRef("user_id"), name=START_EVENT)
            .order_by("occurred_at", "pk")
            .values("occurred_at")[:1]
        )
    return entries.annotate(
        t0=F("occurred_at"),
        deadline=ExpressionWrapper(F("occurred_at") + timedelta(days=window_days), output_field=DateTimeField()),
        first_start=first_start,
        grp=_group_expression(breakdown),
    ).values("user_id", "grp", "t0", "deadline", "first_start")


def _group_expression(breakdown: str | None):
    if breakdown is None:
        return Value("")
    if breakdown == "channel":
        return Coalesce(NullIf(F("user__acquisition_code"), Value("")), Value(DIRECT_CHANNEL))
    if breakdown == "hypothesis":
        from apps.growth.selectors.attribution import hypothesis_title_of_code

        return Coalesce(hypothesis_title_of_code(OuterRef("user__acquisition_code")), Value(NO_VALUE))
    event, key = ("module_chosen", "module") if breakdown == "module" else ("persona_chosen", "persona_id")
    first_choice = (
        Event.objects.filter(user_id=OuterRef("user_id"), name=event)
        .order_by("occurred_at", "pk")
        .annotate(value=property_text(key))
        .values("value")[:1]
    )
    return Coalesce(Subquery(first_choice), Value(NO_VALUE))


def _funnel_sql(steps: tuple[FunnelStep, ...], filter: ReportFilter, window_days: int, breakdown: str | None):
    """One query: a CTE per stage (one step, or a run of steps on the same event), then the median gaps.

    Its rows are (group, step index, users, median seconds from the previous step); with a breakdown the
    rows of all groups together come too, with group NULL.
    """
    vendor = connection.vendor
    ops = connection.ops
    events = ops.quote_name(Event._meta.db_table)
    entry_sql, entry_params = _entry_queryset(steps, filter, window_days, breakdown).query.sql_with_params()
    # A step's events lie between the period's start and the last entry's deadline: a range on (name, occurred_at).
    span = [
        ops.adapt_datetimefield_value(filter.start),
        ops.adapt_datetimefield_value(filter.end + timedelta(days=window_days)),
    ]
    ctes = [f"entry AS ({entry_sql})"]
    params = list(entry_params)
    stages: list[tuple[str, list[int]]] = []  # (CTE name, step indexes it finds)
    previous, previous_column = "entry", "t0"
    index = 1
    while index < len(steps):
        step = steps[index]
        run = [index]
        if step.event != RETURNED_NEXT_DAY:
            while run[-1] + 1 < len(steps) and steps[run[-1] + 1].event == step.event:
                run.append(run[-1] + 1)
        name = f"s{index}"
        if step.event == RETURNED_NEXT_DAY:
            sql, stage_params = _returned_stage(vendor, events, previous, previous_column, index)
        elif len(run) == 1 and step.min_count == 1:
            sql, stage_params = _first_stage(events, previous, previous_column, index, step.event, span)
        else:
            sql, stage_params = _ranked_stage(events, previous, previous_column, run, steps, span)
        ctes.append(f"{name} AS ({sql})")
        params += stage_params
        stages.append((name, run))
        previous, previous_column = name, f"t{run[-1]}"
        index = run[-1] + 1

    columns = ", ".join(f"{name}.t{i}" for name, run in stages for i in run)
    joins = " ".join(f"LEFT JOIN {name} ON {name}.user_id = entry.user_id" for name, _run in stages)
    ctes.append(f"paths AS (SELECT entry.grp, entry.t0{', ' if columns else ''}{columns} FROM entry {joins})")
    if vendor == "postgresql":
        sql = f"WITH {', '.join(ctes)} {_medians_postgresql(len(steps), breakdown is not None)}"
    else:
        sql = f"WITH {', '.join(ctes)}, {_medians_portable(vendor, len(steps), breakdown is not None)}"
    return sql, params


def _medians_postgresql(count: int, with_total: bool) -> str:
    """Per group and step: users and the median gap, as ordered-set aggregates over the paths."""
    selects = []
    for i in range(count):
        gap = (
            "CAST(NULL AS DOUBLE PRECISION)"
            if i == 0
            else f"PERCENTILE_CONT(0.5) WITHIN GROUP (ORDER BY {seconds_sql('postgresql', f't{i}', f't{i - 1}')})"
        )
        selects.append(f"SELECT grp, {i} AS step, COUNT(t{i}) AS users, {gap} AS median FROM paths GROUP BY grp")
        if with_total:
            selects.append(f"SELECT NULL, {i}, COUNT(t{i}), {gap} FROM paths")
    return " UNION ALL ".join(selects)


def _medians_portable(vendor: str, count: int, with_total: bool) -> str:
    """The same without ordered-set aggregates (SQLite): gaps ranked per group and step, the middle kept."""
    gaps = ["SELECT grp, 0 AS step, 0.0 AS seconds FROM paths"] + [
        f"SELECT grp, {i} AS step, {seconds_sql(vendor, f't{i}', f't{i - 1}')} AS seconds FROM paths "
        f"WHERE t{i} IS NOT NULL"
        for i in range(1, count)
    ]
    grouped = "SELECT grp, step, seconds FROM gaps"
    if with_total:  # each gap once in its group and once in the total (group NULL)
        grouped += " UNION ALL SELECT NULL, step, seconds FROM gaps"
    return (
        f"gaps AS ({' UNION ALL '.join(gaps)}), grouped AS ({grouped}), "
        "ranked AS (SELECT grp, step, seconds, "
        "ROW_NUMBER() OVER (PARTITION BY grp, step ORDER BY seconds) AS position, "
        "COUNT(*) OVER (PARTITION BY grp, step) AS size FROM grouped) "
        "SELECT grp, step, MAX(size), AVG(seconds) FROM ranked "
        "WHERE position = (size + 1) / 2 OR position = (size + 2) / 2 GROUP BY grp, step"
    )


def _first_stage(events: str, previous: str, column: str, index: int, event: str, span: list):
    """Users of the previous stage with the time of their first `event` after it, within the window."""
    sql = (
        f"SELECT p.user_id, p.deadline, p.first_start, MIN(e.occurred_at) AS t{index} "
        f"FROM {previous} p JOIN {events} e ON e.user_id = p.user_id "
        f"WHERE p.{column} IS NOT NULL AND e.name = %s AND e.occurred_at >= %s AND e.occurred_at <= %s "
        f"AND e.occurred_at >= p.{column} AND e.occurred_at <= p.deadline "
        "GROUP BY p.user_id, p.deadline, p.first_start"
    )
    return sql, [event, *span]


def _ranked_stage(events: str, previous: str, column: str, run: list[int], steps: tuple[FunnelStep, ...], span: list):
    """Consecutive steps on one event in one scan: step i is reached at the event whose rank, counted from
    the previous stage's time, is the running total of the minimum counts (each step's first occurrence
    being the previous one's last)."""
    ranks, total = [], 0
    for i in run:
        total = steps[i].min_count if not ranks else total + steps[i].min_count - 1
        ranks.append(total)
    picks = ", ".join(
        f"MAX(CASE WHEN r.position = {rank} THEN r.t END) AS t{i}" for i, rank in zip(run, ranks, strict=True)
    )
    sql = (
        f"SELECT r.user_id, r.deadline, r.first_start, {picks} FROM ("
        "SELECT p.user_id, p.deadline, p.first_start, e.occurred_at AS t, "
        "ROW_NUMBER() OVER (PARTITION BY p.user_id ORDER BY e.occurred_at, e.id) AS position "
        f"FROM {previous} p JOIN {events} e ON e.user_id = p.user_id "
        f"WHERE p.{column} IS NOT NULL AND e.name = %s AND e.occurred_at >= %s AND e.occurred_at <= %s "
        f"AND e.occurred_at >= p.{column} AND e.occurred_at <= p.deadline"
        f") r WHERE r.position <= {total} GROUP BY r.user_id, r.deadline, r.first_start"
    )
    return sql, [steps[run[0]].event, *span]


def _returned_stage(vendor: str, events: str, previous: str, column: str, index: int):
    """Users of the previous stage with their first event, after it and within the window, on a later local
    day than their first bot_start: one probe per user on (user, occurred_at)."""
    tz = settings.TIME_ZONE
    if vendor == "postgresql":
        next_midnight = "((DATE_TRUNC('day', p.first_start AT TIME ZONE %s) + INTERVAL '1 day') AT TIME ZONE %s)"
        probe = (
            f"SELECT MIN(e.occurred_at) FROM {events} e WHERE e.user_id = p.user_id "
            f"AND e.occurred_at >= GREATEST(p.{column}, {next_midnight}) AND e.occurred_at <= p.deadline"
        )
        params = [tz, tz]
    else:
        event_day, event_params = connection.ops.datetime_cast_date_sql("e.occurred_at", (), tz)
        start_day, start_params = connection.ops.datetime_cast_date_sql("p.first_start", (), tz)
        probe = (
            f"SELECT MIN(e.occurred_at) FROM {events} e WHERE e.user_id = p.user_id "
            f"AND e.occurred_at >= p.{column} AND e.occurred_at <= p.deadline AND {event_day} > {start_day}"
        )
        params = [*event_params, *start_params]
    sql = (
        f"SELECT p.user_id, p.deadline, p.first_start, ({probe}) AS t{index} FROM {previous} p "
        f"WHERE p.{column} IS NOT NULL AND p.first_start IS NOT NULL"
    )
    return sql, params
