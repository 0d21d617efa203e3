"""What an acquisition link or a hypothesis brought: users, activation, D7 retention, payers, money, and a verdict.

The cohort is the users whose first /start carried the link's code (TelegramUser.acquisition_code, first touch),
acquired in the optional period of local dates (both included). Every number follows them, whenever it happened:
- activated: sent at least one message (a `message_sent` event) ever;
- D7 retention: as in apps.analytics.reports.retention, any event on exactly the local calendar day 7 days after
  the day of the first start (here: acquired_at). Only users whose day 7 is over count, in the denominator too;
- paying users: with a succeeded payment, in roubles or Telegram Stars; paid conversion = paying users / users;
- revenue: roubles of succeeded payments minus succeeded refunds of them (as the revenue report: Stars are not
  roubles, so they are counted apart, in stars);
- spend: the spends recorded on the hypothesis (on a link: those recorded on that link), on days of the period;
- CPA = spend / users, CAC = spend / paying users, ROI = (revenue − spend) / spend.

Each user belongs to one code, so a hypothesis' numbers are sums over its links. Everything is aggregated in
SQL, grouped by code: a handful of queries however many users and links there are.
"""

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal

from django.db.models import Count, Exists, OuterRef, Q, Sum
from django.db.models.functions import TruncDate
from django.utils import timezone

from apps.accounts.models import TelegramUser
from apps.analytics.models import Event
from apps.analytics.reports.common import MESSAGE_EVENT, analytic_queries, event_on_local_day, rate
from apps.analytics.reports.filters import local_midnight
from apps.billing.models import Payment, Refund
from apps.core.exceptions import InvalidInput
from apps.growth.models import AcquisitionLink, Hypothesis, Spend
from apps.growth.selectors.verdicts import Verdict, verdict_for

RUB = "RUB"
STARS = "XTR"
RETENTION_DAY = 7
CENT = Decimal("0.01")
ZERO = Decimal("0.00")


@dataclass(frozen=True)
class Counts:
    """The raw counts and sums of a cohort; what is added up across links."""

    users: int = 0
    activated: int = 0
    d7_measurable: int = 0  # users whose day 7 is over
    d7_retained: int = 0
    payers: int = 0
    revenue_gross: Decimal = ZERO  # roubles
    refunded: Decimal = ZERO
    stars: int = 0
    spend: Decimal = ZERO

    def __add__(self, other: "Counts") -> "Counts":
        return Counts(**{name: getattr(self, name) + getattr(other, name) for name in self.__dataclass_fields__})


@dataclass(frozen=True)
class AcquisitionResults(Counts):
    """Counts and the rates and money ratios made of them; None where the denominator is 0."""

    @property
    def revenue(self) -> Decimal:
        """Roubles, net of refunds."""
        return self.revenue_gross - self.refunded

    @property
    def activation_rate(self) -> float | None:
        return rate(self.activated, self.users)

    @property
    def d7_retention(self) -> float | None:
        return rate(self.d7_retained, self.d7_measurable)

    @property
    def paid_conversion(self) -> float | None:
        return rate(self.payers, self.users)

    @property
    def cpa(self) -> Decimal | None:
        return (self.spend / self.users).quantize(CENT) if self.users else None

    @property
    def cac(self) -> Decimal | None:
        return (self.spend / self.payers).quantize(CENT) if self.payers else None

    @property
    def roi(self) -> float | None:
        return float((self.revenue - self.spend) / self.spend) if self.spend else None


@dataclass(frozen=True)
class LinkResults:
    link_id: int
    code: str
    channel: str
    placement: str
    results: AcquisitionResults


@dataclass(frozen=True)
class HypothesisResults:
    hypothesis_id: int
    title: str
    status: str
    channel: str
    ice_score: int
    results: AcquisitionResults
    verdict: Verdict
    links: tuple[LinkResults, ...] = field(default=())


def link_results(
    *, link: AcquisitionLink, date_from: date | None = None, date_to: date | None = None, today: date | None = None
) -> LinkResults:
    counts = _counts_by_code([link.code], date_from, date_to, today).get(link.code, Counts())
    spend = _spend(Spend.objects.filter(link=link), date_from, date_to).get(None, ZERO)
    return _link_results(link, counts, spend)


def hypothesis_results(
    *, hypothesis: Hypothesis, date_from: date | None = None, date_to: date | None = None, today: date | None = None
) -> HypothesisResults:
    return hypotheses_results(hypotheses=[hypothesis], date_from=date_from, date_to=date_to, today=today)[0]


def hypotheses_results(
    *,
    hypotheses: Sequence[Hypothesis],
    date_from: date | None = None,
    date_to: date | None = None,
    today: date | None = None,
) -> list[HypothesisResults]:
    """Results of each hypothesis (and of each of its links), in the order given; a constant number of queries."""
    ids = [hypothesis.pk for hypothesis in hypotheses]
    links = list(AcquisitionLink.objects.filter(hypothesis_id__in=ids).order_by("created_at", "pk"))
    counts = _counts_by_code([link.code for link in links], date_from, date_to, today)
    link_spend = _spend(Spend.objects.filter(link__in=links), date_from, date_to, by="link_id")
    hypothesis_spend = _spend(Spend.objects.filter(hypothesis_id__in=ids), date_from, date_to, by="hypothesis_id")
    found = []
    for hypothesis in hypotheses:
        own = [
            _link_results(link, counts.get(link.code, Counts()), link_spend.get(link.pk, ZERO))
            for link in links
            if link.hypothesis_id == hypothesis.pk
        ]
        total = sum((_counts_of(item.results) for item in own), Counts())
        results = AcquisitionResults(**{**_fields(total), "spend": hypothesis_spend.get(hypothesis.pk, ZERO)})
        found.append(
            HypothesisResults(
                hypothesis_id=hypothesis.pk,
                title=hypothesis.title,
                status=hypothesis.status,
                channel=hypothesis.channel,
                ice_score=hypothesis.ice_score,
                results=results,
                verdict=verdict_for(hypothesis=hypothesis, results=results),
                links=tuple(own),
            )
        )
    return found


def _link_results(link: AcquisitionLink, counts: Counts, spend: Decimal) -> LinkResults:
    return LinkResults(
        link_id=link.pk,
        code=link.code,
        channel=link.channel,
        placement=link.placement,
        results=AcquisitionResults(**{**_fields(counts), "spend": spend}),
    )


def _counts_by_code(
    codes: Iterable[str], date_from: date | None, date_to: date | None, today: date | None
) -> dict[str, Counts]:
    codes = [code for code in codes if code]
    if not codes:
        return {}
    tz = timezone.get_default_timezone()
    day_over_before = local_midnight((today or timezone.localdate()) - timedelta(days=RETENTION_DAY))
    users = _cohort(TelegramUser.objects.filter(acquisition_code__in=codes), "", date_from, date_to)
    measurable = Q(acquired_at__lt=day_over_before)
    payments = _cohort(
        Payment.objects.filter(status=Payment.Status.SUCCEEDED, user__acquisition_code__in=codes),
        "user__",
        date_from,
        date_to,
    )
    refunds = _cohort(
        Refund.objects.filter(
            status=Refund.Status.SUCCEEDED,
            payment__status=Payment.Status.SUCCEEDED,
            payment__currency=RUB,
            payment__user__acquisition_code__in=codes,
        ),
        "payment__user__",
        date_from,
        date_to,
    )
    with analytic_queries():
        user_rows = (
            users.annotate(
                _activated=Exists(Event.objects.filter(user_id=OuterRef("pk"), name=MESSAGE_EVENT)),
                _start_day=TruncDate("acquired_at", tzinfo=tz),
                _retained=event_on_local_day(RETENTION_DAY, tz, user="pk", start="acquired_at", start_day="_start_day"),
            )
            .values("acquisition_code")
            .annotate(
                users=Count("pk"),
                activated=Count("pk", filter=Q(_activated=True)),
                d7_measurable=Count("pk", filter=measurable),
                d7_retained=Count("pk", filter=measurable & Q(_retained=True)),
            )
        )
        payment_rows = payments.values("user__acquisition_code").annotate(
            payers=Count("user_id", distinct=True),
            revenue_gross=Sum("amount", filter=Q(currency=RUB)),
            stars=Sum("amount", filter=Q(currency=STARS)),
        )
        refund_rows = refunds.values("payment__user__acquisition_code").annotate(refunded=Sum("amount"))
        found: dict[str, dict] = {}
        for row in user_rows:
            found.setdefault(row.pop("acquisition_code"), {}).update(row)
        for row in payment_rows:
            found.setdefault(row.pop("user__acquisition_code"), {}).update(row)
        for row in refund_rows:
            found.setdefault(row.pop("payment__user__acquisition_code"), {}).update(row)
    return {
        code: Counts(
            users=row.get("users", 0),
            activated=row.get("activated", 0),
            d7_measurable=row.get("d7_measurable", 0),
            d7_retained=row.get("d7_retained", 0),
            payers=row.get("payers", 0),
            revenue_gross=_money(row.get("revenue_gross")),
            refunded=_money(row.get("refunded")),
            stars=int(row.get("stars") or 0),
        )
        for code, row in found.items()
    }


def _cohort(queryset, user_path: str, date_from: date | None, date_to: date | None):
    """Rows of the users acquired in the period (local dates, both included; open ends allowed)."""
    queryset = queryset.order_by()
    if date_from is not None and date_to is not None and date_from > date_to:
        raise InvalidInput(f"The period starts ({date_from}) after it ends ({date_to}).")
    if date_from is not None:
        queryset = queryset.filter(**{f"{user_path}acquired_at__gte": local_midnight(date_from)})
    if date_to is not None:
        queryset = queryset.filter(**{f"{user_path}acquired_at__lt": local_midnight(date_to + timedelta(days=1))})
    return queryset


def _spend(queryset, date_from: date | None, date_to: date | None, *, by: str | None = None) -> dict:
    """Spend totals per value of `by` (key None without it), for spends on days of the period."""
    queryset = queryset.order_by()
    if date_from is not None:
        queryset = queryset.filter(spent_on__gte=date_from)
    if date_to is not None:
        queryset = queryset.filter(spent_on__lte=date_to)
    if by is None:
        return {None: _money(queryset.aggregate(total=Sum("amount"))["total"])}
    return {row[by]: _money(row["total"]) for row in queryset.values(by).annotate(total=Sum("amount"))}


def _fields(counts: Counts) -> dict:
    return {name: getattr(counts, name) for name in Counts.__dataclass_fields__}


def _counts_of(results: AcquisitionResults) -> Counts:
    return Counts(**_fields(results))


def _money(value) -> Decimal:
    return ZERO if value is None else Decimal(str(value)).quantize(CENT)
