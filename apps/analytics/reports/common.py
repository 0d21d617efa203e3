"""What the reports share: users' first events as rows, seconds between instants, medians in SQL, rates."""

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import datetime, timedelta
from typing import Any

from django.db import NotSupportedError, connection, transaction
from django.db.models import (
    CharField,
    Count,
    DateField,
    Exists,
    ExpressionWrapper,
    F,
    FloatField,
    Func,
    OuterRef,
    Q,
    QuerySet,
    Value,
    Window,
)
from django.db.models.fields.json import KeyTextTransform
from django.db.models.functions import Cast, NullIf, RowNumber, TruncDate

from apps.analytics.models import Event

START_EVENT = "bot_start"
MESSAGE_EVENT = "message_sent"
PAYMENT_EVENT = "payment_succeeded"
NO_VALUE = "(none)"  # the group of users who never did what a breakdown groups by

Table = tuple[list, list[list]]  # (header, rows): what as_table() returns, for display and CSV


@contextmanager
def analytic_queries(*, hash_joins: bool = False) -> Iterator[None]:
    """Run a report's queries inside one transaction (one snapshot), on PostgreSQL tuned for them.

    JIT is off: these plans are wide, and compiling them took longer than running them (seconds, on a
    million events). With `hash_joins`, nested loops are off too: for the hand-written funnel the planner
    cannot estimate how many users reach each stage and would probe the (user, occurred_at) index once per
    user where one hash join over the step's events is several times faster. The settings are local to
    the transaction and put back afterwards.
    """
    with transaction.atomic():
        if connection.vendor != "postgresql":
            yield
            return
        settings = {"jit": "off", **({"enable_nestloop": "off"} if hash_joins else {})}
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT {', '.join(['current_setting(%s)'] * len(settings))}", list(settings))
            previous = dict(zip(settings, cursor.fetchone(), strict=True))
            _set_locally(cursor, settings)
        yield  # an error rolls the transaction (or savepoint) back, and the settings with it
        with connection.cursor() as cursor:
            _set_locally(cursor, previous)


def _set_locally(cursor, settings: dict[str, str]) -> None:
    calls = ", ".join(["set_config(%s, %s, true)"] * len(settings))
    cursor.execute(f"SELECT {calls}", [value for item in settings.items() for value in item])


def first_events(name: str, *, since: datetime | None = None, until: datetime | None = None) -> QuerySet[Event]:
    """Each user's first `name` event ever, as the event row itself, for users whose first one falls in
    [since, until) (either bound optional). Ties at the same instant go to the lower id.

    Returning the row rather than a per-user subquery of its time lets later expressions use its columns
    (`user_id`, `occurred_at`) directly: Django inlines an annotation every time another one refers to it,
    so "first time" as a subquery would be evaluated once per reference.

    Indexes: candidates come from a range on (name, occurred_at); "nothing earlier" is either a walk of the
    user's events up to the candidate on (user, occurred_at) or, when there are many candidates, one hash
    anti-join over that name's events (PostgreSQL chooses).
    """
    earlier = Event.objects.filter(
        user_id=OuterRef("user_id"), name=name, occurred_at__lte=OuterRef("occurred_at")
    ).filter(Q(occurred_at__lt=OuterRef("occurred_at")) | Q(pk__lt=OuterRef("pk")))
    events = Event.objects.filter(name=name, user__isnull=False)
    if since is not None:
        events = events.filter(occurred_at__gte=since)
    if until is not None:
        events = events.filter(occurred_at__lt=until)
    return events.exclude(Exists(earlier)).order_by()


def event_on_local_day(
    number: int, tz, *, user: str = "user_id", start: str = "occurred_at", start_day: str = "start_day"
) -> Exists:
    """Whether the outer row's user has any event on local day `start_day` + number (the day-N activity of
    retention). `user`, `start` and `start_day` name the outer row's user id, start instant and its local date.

    The local day lies within (start - 1 day - 2 h, start + 1 day + 2 h) shifted by `number` days whatever the
    start's hour and any daylight-saving change: that bound keeps the scan of (user, occurred_at) short, the
    date decides.
    """
    target = ExpressionWrapper(OuterRef(start_day) + timedelta(days=number), output_field=DateField())
    return Exists(
        Event.objects.filter(
            user_id=OuterRef(user),
            occurred_at__gt=OuterRef(start) + timedelta(days=number - 1, hours=-2),
            occurred_at__lt=OuterRef(start) + timedelta(days=number + 1, hours=2),
        )
        .annotate(day=TruncDate("occurred_at", tzinfo=tz))
        .filter(day=target)
    )


def property_text(key: str, field: str = "properties") -> NullIf:
    """An event property as text (numbers too: persona 7 → "7"), NULL when missing or JSON null, alike on
    PostgreSQL and SQLite (where Django reads a JSON null as the text "null"). `field` is the path to the
    JSON field, through relations if need be."""
    return NullIf(Cast(KeyTextTransform(key, field), output_field=CharField()), Value("null"))


class Seconds(Func):
    """Seconds from `start` to `end` as a float: Seconds(end, start)."""

    arity = 2
    output_field = FloatField()

    def as_sql(self, compiler, connection, **extra_context):
        raise NotSupportedError("The analytics reports run on PostgreSQL and SQLite only.")

    def as_postgresql(self, compiler, connection, **extra_context):
        return super().as_sql(
            compiler, connection, template="DATE_PART('epoch', %(expressions)s)", arg_joiner=" - ", **extra_context
        )

    def as_sqlite(self, compiler, connection, **extra_context):
        return super().as_sql(
            compiler,
            connection,
            template="(django_timestamp_diff(%(expressions)s) / 1000000.0)",
            arg_joiner=", ",
            **extra_context,
        )


def seconds_sql(vendor: str, end: str, start: str) -> str:
    """Raw-SQL twin of Seconds, for the queries written by hand (the funnel)."""
    if vendor == "postgresql":
        return f"DATE_PART('epoch', {end} - {start})"
    if vendor == "sqlite":
        return f"(django_timestamp_diff({end}, {start}) / 1000000.0)"
    raise NotSupportedError("The analytics reports run on PostgreSQL and SQLite only.")


def medians(queryset: QuerySet, field: str, *, by: str | None = None) -> dict[Any, float]:
    """The median of `field` over the rows of `queryset` (per value of `by`; key None without it).

    Computed in SQL: rows are ranked within their group and only the middle one or two come back.
    """
    partition = [F(by)] if by else None
    ranked = (
        queryset.filter(**{f"{field}__isnull": False})
        .annotate(
            _rank=Window(RowNumber(), partition_by=partition, order_by=[F(field).asc()]),
            _size=Window(Count("*"), partition_by=partition),
        )
        .filter(Q(_rank=(F("_size") + 1) / 2) | Q(_rank=(F("_size") + 2) / 2))
    )
    middles: dict[Any, list[float]] = {}
    found = ranked.values_list(by, field) if by else ((None, value) for value in ranked.values_list(field, flat=True))
    for key, value in found:
        middles.setdefault(key, []).append(float(value))
    return {key: sum(values) / len(values) for key, values in middles.items()}


def rate(part: float, whole: float) -> float | None:
    """part / whole, or None when there is nothing to divide by."""
    return part / whole if whole else None


def table(header: Sequence, rows: Sequence[Sequence]) -> Table:
    """Headers translated now (they may be lazy), rows as lists."""
    return [str(column) for column in header], [list(row) for row in rows]
