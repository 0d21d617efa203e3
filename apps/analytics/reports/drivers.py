"""Conversion drivers: what payers did in their first week that non-payers did not.

Users who started in the period (first-ever bot_start in it) are split into payers (first payment within
`paid_within_days`, 30, of that start) and non-payers. For each, over their first `first_days` (7) days
from the start: the share who opened each module (module_chosen), chose each persona (persona_chosen;
the 10 chosen by most users), started a scene (persona_chosen with a scenario_id), used voice (voice_sent:
every voice message, transcribed or not), received a photo (photo_sent), rated a reply (reply_rated); and
how many messages they sent (mean and median, users without messages counting as 0). Lift is the payers'
rate minus the non-payers' rate; rows come sorted by it, largest first. Groups under 30 users are flagged:
their rates say little.

Indexes: first starts from a range on (name, occurred_at); payers from payment_succeeded's range on
(name, occurred_at) with a probe per payment for the payer's first start, hashed once; messages and scenes
are one join of the starts with those events of the first days, counted per user and then per message
count; modules, personas, voice, photos and ratings are one join of the starts with those events' range
on (name, occurred_at).
"""

from dataclasses import dataclass
from datetime import timedelta

from django.db import connection
from django.db.models import (
    BooleanField,
    Case,
    Count,
    F,
    FilteredRelation,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.utils.translation import gettext_lazy as _

from apps.analytics.models import Event
from apps.analytics.reports.common import (
    MESSAGE_EVENT,
    PAYMENT_EVENT,
    START_EVENT,
    Table,
    analytic_queries,
    first_events,
    property_text,
    rate,
    table,
)
from apps.analytics.reports.filters import ReportFilter
from apps.core.exceptions import InvalidInput

FIRST_DAYS = 7
PAID_WITHIN_DAYS = 30
MIN_GROUP = 30
TOP_PERSONAS = 10


@dataclass(frozen=True)
class DriverRow:
    feature: str
    payers: int  # payers who did it
    non_payers: int  # non-payers who did it
    payers_rate: float | None  # of all payers
    non_payers_rate: float | None  # of all non-payers
    lift: float | None  # payers_rate - non_payers_rate


@dataclass(frozen=True)
class DriversResult:
    payers: int  # sample sizes
    non_payers: int
    payers_small: bool  # fewer than MIN_GROUP users: rates of this group are noise
    non_payers_small: bool
    rows: tuple[DriverRow, ...]  # by lift, largest first
    messages_mean_payers: float | None  # messages in the first days, per user
    messages_mean_non_payers: float | None
    messages_median_payers: float | None
    messages_median_non_payers: float | None

    @property
    def small_sample(self) -> bool:
        return self.payers_small or self.non_payers_small

    def as_table(self) -> Table:
        header = [
            _("In the first week"),
            _("Payers"),
            _("Non-payers"),
            _("Lift"),
            _("Payers (of %(count)s)") % {"count": self.payers},
            _("Non-payers (of %(count)s)") % {"count": self.non_payers},
            _("Small sample"),
        ]
        rows = [
            [row.feature, row.payers_rate, row.non_payers_rate, row.lift, row.payers, row.non_payers, self.small_sample]
            for row in self.rows
        ]
        for title, payers, non_payers in (
            (_("Messages, mean"), self.messages_mean_payers, self.messages_mean_non_payers),
            (_("Messages, median"), self.messages_median_payers, self.messages_median_non_payers),
        ):
            lift = None if payers is None or non_payers is None else payers - non_payers
            rows.append([str(title), payers, non_payers, lift, None, None, self.small_sample])
        return table(header, rows)


def drivers_report(
    *, filter: ReportFilter, first_days: int = FIRST_DAYS, paid_within_days: int = PAID_WITHIN_DAYS
) -> DriversResult:
    if first_days < 1 or paid_within_days < 1:
        raise InvalidInput("The first days and the payment window are 1 day or more.")
    window = timedelta(days=first_days)
    starts = filter.restrict(first_events(START_EVENT, since=filter.start, until=filter.end))
    # Users whose first payment came within the window after their first bot_start: found from the payments
    # (few) with a probe for each payer's first start, then hashed once by PostgreSQL for every row checked.
    first_start = (
        Event.objects.filter(user_id=OuterRef("user_id"), name=START_EVENT)
        .order_by("occurred_at", "pk")
        .values("occurred_at")[:1]
    )
    payer_ids = (
        Event.objects.filter(
            name=PAYMENT_EVENT,
            occurred_at__gte=filter.start,
            occurred_at__lt=filter.end + timedelta(days=paid_within_days),
        )
        .annotate(first_start=Subquery(first_start))
        .filter(occurred_at__gte=F("first_start"), occurred_at__lte=F("first_start") + timedelta(days=paid_within_days))
        .values("user_id")
    )
    is_payer = Q(user_id__in=payer_ids)
    with analytic_queries():
        groups = _per_group(starts, filter, window, is_payer)
        did = _did(starts, filter, window, is_payer)

    payers = groups.get(True, {}).get("users", 0)
    non_payers = groups.get(False, {}).get("users", 0)
    scenes = [
        (_("Started a scene"), sum(group["scenes"] for group in groups.values()), groups.get(True, {}).get("scenes", 0))
    ]
    plain = [(title, *did.get((event, ""), (0, 0))) for event, title in PLAIN_FEATURES.items()]
    modules = [(key, *counts) for (event, key), counts in did.items() if event == "module_chosen"]
    personas = [(key, *counts) for (event, key), counts in did.items() if event == "persona_chosen"]
    personas = sorted(personas, key=lambda item: (-item[1], item[0]))[:TOP_PERSONAS]
    features = [
        *scenes,
        *plain,
        *((_("Opened module %(module)s") % {"module": key}, users, did_payers) for key, users, did_payers in modules),
        *(
            (_("Chose persona %(persona)s") % {"persona": key}, users, did_payers)
            for key, users, did_payers in personas
        ),
    ]
    rows = [_row(str(title), users, did_payers, payers, non_payers) for title, users, did_payers in features]
    rows.sort(key=lambda row: (row.lift is None, -(row.lift or 0), row.feature))
    return DriversResult(
        payers=payers,
        non_payers=non_payers,
        payers_small=payers < MIN_GROUP,
        non_payers_small=non_payers < MIN_GROUP,
        rows=tuple(rows),
        messages_mean_payers=rate(groups.get(True, {}).get("messages", 0), payers),
        messages_mean_non_payers=rate(groups.get(False, {}).get("messages", 0), non_payers),
        messages_median_payers=groups.get(True, {}).get("median"),
        messages_median_non_payers=groups.get(False, {}).get("median"),
    )


PLAIN_FEATURES = {
    "voice_sent": _("Used voice"),
    "photo_sent": _("Received a photo"),
    "reply_rated": _("Rated a reply"),
}


def _per_group(starts: QuerySet, filter: ReportFilter, window: timedelta, is_payer: Q) -> dict[bool, dict]:
    """Payers (True) and non-payers (False): users, messages in the first days (in all, and a histogram of
    users by their message count, for the median) and users who started a scene.

    One query: the start rows joined with only their user's messages and persona choices of the first days
    (a filtered relation: the join condition carries the window, so users without any keep their row), grouped
    per user, then counted per (group, messages): a few hundred rows however many users there are.
    """
    first_days = FilteredRelation(
        "user__events",
        condition=Q(
            user__events__name__in=[MESSAGE_EVENT, "persona_chosen"],
            user__events__occurred_at__gte=F("occurred_at"),
            user__events__occurred_at__lt=F("occurred_at") + window,
            # implied by the start lying in the period; lets the events come from a range on (name, occurred_at)
            user__events__occurred_at__range=(filter.start, filter.end + window),
        ),
    )
    scene = Q(first_days__name="persona_chosen", first_days__properties__has_key="scenario_id") & ~Q(
        first_days__properties__scenario_id=None
    )
    per_user = (
        starts.annotate(first_days=first_days)
        .annotate(
            payer=Case(When(is_payer, then=Value(True)), default=Value(False), output_field=BooleanField()),
            messages=Count("first_days", filter=Q(first_days__name=MESSAGE_EVENT)),
            scenes=Count("first_days", filter=scene),
        )
        .values("payer", "messages", "scenes")
    )
    sql, params = per_user.query.sql_with_params()
    counted = "SELECT payer, messages, COUNT(*), SUM(CASE WHEN scenes > 0 THEN 1 ELSE 0 END) FROM"
    histogram = f"{counted} ({sql}) per_user GROUP BY payer, messages ORDER BY payer, messages"
    groups: dict[bool, dict] = {}
    with connection.cursor() as cursor:
        cursor.execute(histogram, params)
        for payer, messages, users, scenes in cursor.fetchall():
            group = groups.setdefault(bool(payer), {"users": 0, "messages": 0, "scenes": 0, "histogram": []})
            group["users"] += users
            group["messages"] += messages * users
            group["scenes"] += scenes
            group["histogram"].append((messages, users))
    for group in groups.values():
        group["median"] = _histogram_median(group.pop("histogram"), group["users"])
    return groups


def _histogram_median(counts: list[tuple[int, int]], size: int) -> float | None:
    """The median of values given as (value, how many), sorted by value."""
    if not size:
        return None
    middle = [(size + 1) // 2, (size + 2) // 2]  # 1-based ranks of the middle one or two
    found, seen = [], 0
    for value, many in counts:
        seen += many
        while middle and middle[0] <= seen:
            found.append(value)
            middle.pop(0)
    return sum(found) / len(found)


def _did(starts: QuerySet, filter: ReportFilter, window: timedelta, is_payer: Q) -> dict[tuple[str, str], tuple]:
    """{(event, module or persona id or ""): (users who did it in their first days, of them payers)}.

    One join of the start rows with their user's events of those names in the first days. All conditions
    on the joined events go in one filter() (a second one on a multi-valued relation would join the events
    again); the annotations reuse that join. The period's bounds are implied by the start's (which lies in
    the period): they let the events come from a range on (name, occurred_at).
    """
    names = ["module_chosen", "persona_chosen", *PLAIN_FEATURES]
    rows = (
        starts.filter(
            Q(user__events__name__in=names),
            Q(user__events__occurred_at__gte=F("occurred_at")),
            Q(user__events__occurred_at__lt=F("occurred_at") + window),
            Q(user__events__occurred_at__gte=filter.start),
            Q(user__events__occurred_at__lt=filter.end + window),
        )
        .annotate(
            event=F("user__events__name"),
            value=Case(
                When(event="module_chosen", then=property_text("module", "user__events__properties")),
                When(event="persona_chosen", then=property_text("persona_id", "user__events__properties")),
                default=Value(""),
            ),
        )
        .filter(value__isnull=False)
        .values("event", "value")
        .annotate(users=Count("user_id", distinct=True), payers=Count("user_id", distinct=True, filter=is_payer))
    )
    return {(row["event"], row["value"]): (row["users"], row["payers"]) for row in rows}


def _row(feature: str, did: int, did_payers: int, payers: int, non_payers: int) -> DriverRow:
    payers_rate = rate(did_payers, payers)
    non_payers_rate = rate(did - did_payers, non_payers)
    return DriverRow(
        feature=feature,
        payers=did_payers,
        non_payers=did - did_payers,
        payers_rate=payers_rate,
        non_payers_rate=non_payers_rate,
        lift=None if payers_rate is None or non_payers_rate is None else payers_rate - non_payers_rate,
    )
