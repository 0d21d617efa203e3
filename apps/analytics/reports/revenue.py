"""Revenue, MRR, ARPU/ARPPU, churn and refunds, read from billing's payments and subscriptions.

Read-only use of billing's models, kept to this module: the money lives there, not in events.
- Revenue: succeeded payments in roubles paid in the period (by paid_at), before refunds; Telegram Stars
  payments (currency XTR) are counted apart, as payments and stars.
- Refunds: succeeded refunds of rouble payments created in the period; net revenue = revenue - refunds.
- ARPU: revenue / active users (users who sent a message in the period); ARPPU: revenue / paying users.
- MRR as of the period's end (or now, if sooner): over subscriptions live then, the plan's price / months.
  Live at an instant: begun by then (created or current period started) and either still active or past
  due, or ended after it; a canceled one ended when it was canceled, an expired one at its period's end
  (or grace's, if later). Stars subscriptions count at their plan's rouble price.
- Churn: of the subscriptions live at the period's start, those that ended (expired or canceled) in it.

Indexes: payments, refunds and subscriptions are small next to events (thousands of rows), so they are
scanned; the active users come from a range scan of message_sent on (name, occurred_at).
"""

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from django.db.models import Case, Count, DateTimeField, F, FloatField, Q, QuerySet, Sum, Value, When
from django.db.models.functions import Cast, Coalesce, Greatest, TruncMonth
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from apps.analytics.models import Event
from apps.analytics.reports.common import MESSAGE_EVENT, Table, analytic_queries, rate, table
from apps.analytics.reports.filters import ReportFilter
from apps.billing.models import Payment, Refund, Subscription

RUB = "RUB"
STARS = "XTR"
LIVE_STATUSES = (Subscription.Status.ACTIVE, Subscription.Status.PAST_DUE)
ENDED_STATUSES = (Subscription.Status.EXPIRED, Subscription.Status.CANCELED)
CENT = Decimal("0.01")
ZERO = Decimal("0.00")


@dataclass(frozen=True)
class RevenueMonth:
    month: date  # the first day of the local month
    revenue: Decimal
    payments: int
    paying_users: int


@dataclass(frozen=True)
class PlanRevenue:
    plan: str  # the plan's code
    payments: int
    revenue: Decimal
    paying_users: int
    refunds: int
    refunded: Decimal


@dataclass(frozen=True)
class RevenueResult:
    months: tuple[RevenueMonth, ...]  # months with payments, oldest first
    revenue: Decimal  # roubles, before refunds
    payments: int
    paying_users: int
    refunds: int
    refunded: Decimal
    net_revenue: Decimal
    active_users: int
    arpu: Decimal | None  # revenue / active users
    arppu: Decimal | None  # revenue / paying users
    mrr: Decimal  # as of the period's end
    live_at_start: int  # subscriptions live when the period began
    churned: int  # of them, ended during the period
    churn_rate: float | None
    stars_payments: int
    stars: int  # Telegram Stars received
    plans: tuple[PlanRevenue, ...]  # the most revenue first

    def as_table(self) -> Table:
        """Revenue per month."""
        return table(
            [_("Month"), _("Revenue, RUB"), _("Payments"), _("Paying users")],
            [
                [month.month.strftime("%Y-%m"), month.revenue, month.payments, month.paying_users]
                for month in self.months
            ],
        )

    def plans_table(self) -> Table:
        return table(
            [_("Plan"), _("Payments"), _("Revenue, RUB"), _("Paying users"), _("Refunds"), _("Refunded, RUB")],
            [
                [plan.plan, plan.payments, plan.revenue, plan.paying_users, plan.refunds, plan.refunded]
                for plan in self.plans
            ],
        )


def revenue_report(*, filter: ReportFilter) -> RevenueResult:
    tz = timezone.get_default_timezone()
    period_end = min(filter.end, timezone.now())
    paid = filter.restrict(
        Payment.objects.filter(
            status=Payment.Status.SUCCEEDED, paid_at__gte=filter.start, paid_at__lt=filter.end
        ).order_by()
    )
    roubles = paid.filter(currency=RUB)
    refunds = filter.restrict(
        Refund.objects.filter(
            status=Refund.Status.SUCCEEDED,
            created_at__gte=filter.start,
            created_at__lt=filter.end,
            payment__currency=RUB,
        ).order_by(),
        user_field="payment__user_id",
    )
    subscriptions = filter.restrict(Subscription.objects.order_by()).annotate(ended_at=_ended_at())
    money = {"revenue": Sum("amount"), "payments": Count("pk"), "paying_users": Count("user_id", distinct=True)}
    with analytic_queries():
        months = list(
            roubles.annotate(month=TruncMonth("paid_at", tzinfo=tz)).values("month").annotate(**money).order_by("month")
        )
        totals = roubles.aggregate(**money)
        per_plan = {row["plan__code"]: row for row in roubles.values("plan__code").annotate(**money)}
        refund_totals = refunds.aggregate(refunds=Count("pk"), refunded=Sum("amount"))
        refunds_per_plan = {
            row["payment__plan__code"]: row
            for row in refunds.values("payment__plan__code").annotate(refunds=Count("pk"), refunded=Sum("amount"))
        }
        stars = paid.filter(currency=STARS).aggregate(payments=Count("pk"), stars=Sum("amount"))
        active_users = (
            filter.restrict(
                Event.objects.filter(name=MESSAGE_EVENT, occurred_at__gte=filter.start, occurred_at__lt=filter.end)
            )
            .order_by()
            .aggregate(users=Count("user_id", distinct=True))["users"]
        )
        mrr = _live_at(subscriptions, period_end).aggregate(
            mrr=Sum(Cast("plan__price", FloatField()) / F("plan__period_months"), output_field=FloatField())
        )["mrr"]
        live_at_start = _live_at(subscriptions, filter.start)
        churn_base = live_at_start.count()
        churned = live_at_start.filter(
            status__in=ENDED_STATUSES, ended_at__gte=filter.start, ended_at__lt=period_end
        ).count()

    revenue = _money(totals["revenue"])
    refunded = _money(refund_totals["refunded"])
    plans = [
        PlanRevenue(
            plan=code,
            payments=per_plan.get(code, {}).get("payments", 0),
            revenue=_money(per_plan.get(code, {}).get("revenue")),
            paying_users=per_plan.get(code, {}).get("paying_users", 0),
            refunds=refunds_per_plan.get(code, {}).get("refunds", 0),
            refunded=_money(refunds_per_plan.get(code, {}).get("refunded")),
        )
        for code in set(per_plan) | set(refunds_per_plan)
    ]
    return RevenueResult(
        months=tuple(
            RevenueMonth(
                month=timezone.localtime(row["month"], tz).date(),
                revenue=_money(row["revenue"]),
                payments=row["payments"],
                paying_users=row["paying_users"],
            )
            for row in months
        ),
        revenue=revenue,
        payments=totals["payments"],
        paying_users=totals["paying_users"],
        refunds=refund_totals["refunds"],
        refunded=refunded,
        net_revenue=revenue - refunded,
        active_users=active_users,
        arpu=_per(revenue, active_users),
        arppu=_per(revenue, totals["paying_users"]),
        mrr=_money(mrr),
        live_at_start=churn_base,
        churned=churned,
        churn_rate=rate(churned, churn_base),
        stars_payments=stars["payments"],
        stars=int(stars["stars"] or 0),
        plans=tuple(sorted(plans, key=lambda plan: (-plan.revenue, plan.plan))),
    )


def _ended_at() -> Case:
    """When a subscription that is no longer live stopped: a canceled one at its cancellation, an expired one
    at the end of its period or of its grace, whichever is later. None while it is live."""
    return Case(
        When(status=Subscription.Status.CANCELED, then=Coalesce("canceled_at", "current_period_end")),
        When(
            status=Subscription.Status.EXPIRED,
            then=Greatest("current_period_end", Coalesce("grace_until", "current_period_end")),
        ),
        default=Value(None),
        output_field=DateTimeField(),
    )


def _live_at(subscriptions: QuerySet, moment: datetime) -> QuerySet:
    begun = Q(created_at__lte=moment) | Q(current_period_start__lte=moment)
    return subscriptions.filter(begun).filter(Q(status__in=LIVE_STATUSES) | Q(ended_at__gt=moment))


def _money(value) -> Decimal:
    return ZERO if value is None else Decimal(str(value)).quantize(CENT)


def _per(amount: Decimal, count: int) -> Decimal | None:
    return (amount / count).quantize(CENT) if count else None
