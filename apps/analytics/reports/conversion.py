"""Free → paid: of the users who started in the period, how many paid, and how long it took them.

A user started in the period when their first-ever bot_start falls in it; they paid when they have a
payment_succeeded event at or after that start, any time up to now. Time to pay runs from the first
bot_start to the first such payment; its buckets count whole elapsed days (day 0: within 24 hours).

Indexes: starts from a range on (name, occurred_at); users who paid since the period began from a range
on (name, occurred_at) of payment_succeeded (a rare event, hashed once); each paying starter's first payment
is one probe on (user, occurred_at).
"""

from dataclasses import dataclass

from django.db.models import Case, Count, F, IntegerField, OuterRef, Q, Subquery, Value, When
from django.utils.translation import gettext_lazy as _

from apps.analytics.models import Event
from apps.analytics.reports.common import (
    PAYMENT_EVENT,
    START_EVENT,
    Seconds,
    Table,
    analytic_queries,
    first_events,
    medians,
    rate,
    table,
)
from apps.analytics.reports.filters import ReportFilter

DAY = 86_400
# (label, first day, last day or None): whole days from the first /start to the first payment
TIME_TO_PAY_BUCKETS: tuple[tuple[str, int, int | None], ...] = (
    ("0", 0, 0),
    ("1", 1, 1),
    ("2–3", 2, 3),
    ("4–7", 4, 7),
    ("8–14", 8, 14),
    ("15–30", 15, 30),
    ("31+", 31, None),
)


@dataclass(frozen=True)
class TimeToPayBucket:
    label: str
    min_days: int
    max_days: int | None  # None: no upper bound
    payers: int
    share: float | None  # of all payers


@dataclass(frozen=True)
class ConversionResult:
    started: int  # users whose first /start fell in the period
    paid: int  # of them, users who paid at least once since
    rate: float | None  # paid / started
    median_seconds_to_pay: float | None
    buckets: tuple[TimeToPayBucket, ...]

    @property
    def median_days_to_pay(self) -> float | None:
        return None if self.median_seconds_to_pay is None else self.median_seconds_to_pay / DAY

    def as_table(self) -> Table:
        """The distribution of time to the first payment, one row per bucket of days."""
        return table(
            [_("Days to the first payment"), _("Payers"), _("Share of payers"), _("Share of started users")],
            [[bucket.label, bucket.payers, bucket.share, rate(bucket.payers, self.started)] for bucket in self.buckets],
        )


def conversion_report(*, filter: ReportFilter) -> ConversionResult:
    starts = filter.restrict(first_events(START_EVENT, since=filter.start, until=filter.end))
    # Payers are few: keep the starts of users with a payment since the period began (a hashed list), then
    # find each one's first payment at or after their start with a probe on (user, occurred_at).
    paid_since = Event.objects.filter(name=PAYMENT_EVENT, occurred_at__gte=filter.start).values("user_id")
    first_payment = (
        Event.objects.filter(user_id=OuterRef("user_id"), name=PAYMENT_EVENT, occurred_at__gte=OuterRef("occurred_at"))
        .order_by("occurred_at", "pk")
        .values("occurred_at")[:1]
    )
    payers = (
        starts.filter(user_id__in=paid_since)
        .annotate(paid_at=Subquery(first_payment))
        .filter(paid_at__isnull=False)
        .annotate(seconds=Seconds(F("paid_at"), F("occurred_at")))
        .annotate(bucket=_bucket_of_seconds())
    )
    with analytic_queries():
        started = starts.count()
        per_bucket = dict(payers.values("bucket").annotate(n=Count("pk")).values_list("bucket", "n"))
        median = medians(payers, "seconds").get(None)
    paid = sum(per_bucket.values())
    return ConversionResult(
        started=started,
        paid=paid,
        rate=rate(paid, started),
        median_seconds_to_pay=median,
        buckets=tuple(
            TimeToPayBucket(
                label=label,
                min_days=low,
                max_days=high,
                payers=per_bucket.get(index, 0),
                share=rate(per_bucket.get(index, 0), paid),
            )
            for index, (label, low, high) in enumerate(TIME_TO_PAY_BUCKETS)
        ),
    )


def _bucket_of_seconds() -> Case:
    """The index of the TIME_TO_PAY_BUCKETS bucket that holds the `seconds` annotation (whole days elapsed)."""
    whens = [
        When(Q(**{"seconds__lt": (high + 1) * DAY}), then=Value(index))
        for index, (_label, _low, high) in enumerate(TIME_TO_PAY_BUCKETS)
        if high is not None
    ]
    return Case(*whens, default=Value(len(TIME_TO_PAY_BUCKETS) - 1), output_field=IntegerField())
