"""A plausible history for the dashboards: users from channels of different quality, drop-offs, payments,
refunds. Demo users are recognisable by their Telegram ids (from DEMO_ID_BASE) and can be removed.

Bulk inserts straight into the tables of accounts and billing: a fixture generator for thousands of users,
not product behaviour (no events of its own, no side effects).
"""

import random
from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal

from dateutil.relativedelta import relativedelta
from django.db import transaction
from django.utils import timezone

from apps.accounts.models import TelegramUser
from apps.analytics.models import Event
from apps.billing.models import Payment, Plan, Refund, Subscription

DEMO_ID_BASE = 9_000_000_000  # above the ids Telegram hands out to people today

# code → (share of new users, how engaged they get, how likely they pay)
CHANNELS = {
    "tgads_autumn": (0.30, 0.55, 0.05),
    "influencer_anna": (0.20, 0.80, 0.12),
    "seo_blog": (0.15, 0.45, 0.04),
    "ref_friends": (0.10, 0.85, 0.15),
    "": (0.25, 0.60, 0.07),
}
MODULES = (("support", 0.45), ("partner", 0.55))
PLANS = (("pro-month", 0.7), ("pro-quarter", 0.2), ("pro-year", 0.1))


@dataclass(frozen=True)
class DemoSummary:
    users: int
    events: int
    payments: int
    refunds: int


def analytics_demo_generate(*, users: int, days: int = 60, seed: int = 7) -> DemoSummary:
    """Add `users` demo users who arrived over the last `days` days, with their whole history."""
    rng = random.Random(seed)  # noqa: S311 - a repeatable demo, not a secret
    now = timezone.now()
    plans = {plan.code: plan for plan in Plan.objects.filter(code__in=[code for code, _ in PLANS])}
    first_id = max(
        DEMO_ID_BASE,
        (TelegramUser.objects.order_by("-telegram_id").values_list("telegram_id", flat=True).first() or 0) + 1,
    )
    counts = {"events": 0, "payments": 0, "refunds": 0}
    with transaction.atomic():
        people = [_user(first_id + number, rng, now, days) for number in range(users)]
        TelegramUser.objects.bulk_create(people, batch_size=1000)
        people = list(TelegramUser.objects.filter(telegram_id__gte=first_id).order_by("telegram_id"))
        for person in people:  # auto_now_add stamped them all "now": arrival is acquired_at
            person.created_at = person.acquired_at
        TelegramUser.objects.bulk_update(people, ["created_at"], batch_size=1000)
        events: list[Event] = []
        for person in people:
            events += _history(person, rng, now, plans, counts)
            if len(events) > 5000:
                Event.objects.bulk_create(events, batch_size=2000)
                counts["events"] += len(events)
                events = []
        Event.objects.bulk_create(events, batch_size=2000)
        counts["events"] += len(events)
    return DemoSummary(users=len(people), **counts)


def analytics_demo_remove() -> int:
    """Delete every demo user with their events, payments and subscriptions; returns how many users."""
    with transaction.atomic():
        demo = TelegramUser.objects.filter(telegram_id__gte=DEMO_ID_BASE)
        users = demo.count()
        Event.objects.filter(user__in=demo).delete()
        Refund.objects.filter(payment__user__in=demo).delete()
        Payment.objects.filter(user__in=demo).delete()
        Subscription.objects.filter(user__in=demo).delete()
        demo.delete()
    return users


def _user(telegram_id: int, rng: random.Random, now, days: int) -> TelegramUser:
    channel = rng.choices(list(CHANNELS), weights=[share for share, _, _ in CHANNELS.values()])[0]
    started = now - timedelta(days=rng.uniform(0, days))
    return TelegramUser(
        telegram_id=telegram_id,
        username=f"demo{telegram_id - DEMO_ID_BASE}",
        first_name="Demo",
        language=rng.choice(("ru", "ru", "ru", "en")),
        acquisition_code=channel,
        acquired_at=started,
        created_at=started,
        last_seen_at=started,
    )


def _history(person: TelegramUser, rng: random.Random, now, plans: dict, counts: dict) -> list[Event]:
    _, engagement, pays = CHANNELS[person.acquisition_code]
    at = person.created_at
    events = [_event(person, "user_registered", at, acquisition_code=person.acquisition_code or None)]
    events.append(_event(person, "bot_start", at, payload=person.acquisition_code or None))

    def step(name: str, chance: float, gap_minutes: float = 2, **properties) -> bool:
        nonlocal at
        if rng.random() > chance:
            return False
        at = at + timedelta(minutes=rng.expovariate(1 / gap_minutes))
        if at >= now:
            return False
        events.append(_event(person, name, at, **properties))
        return True

    if not step("consent_accepted", 0.85, kind="privacy", version=1):
        return events
    module = rng.choices([code for code, _ in MODULES], weights=[weight for _, weight in MODULES])[0]
    if not step("module_chosen", 0.9, module=module):
        return events
    persona = rng.randint(1, 10)
    if not step("persona_chosen", 0.85, persona_id=persona, module=module, resumed=False):
        return events
    active_days = 1 + int(rng.expovariate(1 / (8 * engagement)))
    voice = rng.random() < 0.25
    for day in range(active_days):
        if day and rng.random() > engagement:
            continue
        day_start = person.created_at + timedelta(days=day, hours=rng.uniform(0, 6))
        if day_start >= now:
            break
        at = max(at, day_start)
        for _ in range(1 + int(rng.expovariate(1 / (12 * engagement)))):
            from_voice = voice and rng.random() < 0.4
            if not step("message_sent", 1.0, 1.5, persona_id=persona, module=module, from_voice=from_voice,
                        length=rng.choice(("1-20", "21-100", "21-100", "101-500"))):  # fmt: skip
                break
            if from_voice:
                events.append(_event(person, "voice_sent", at, seconds=rng.randint(2, 40)))
            step("reply_rated", 0.05, 0.5, rating=rng.choice((1, 1, 1, -1)))
            step("photo_sent", 0.03, 0.5, persona_id=persona, trigger="asked")
    if not step(
        "paywall_shown", 0.5 + engagement / 3, 30, reason=rng.choice(("message_quota", "pro_persona", "command"))
    ):
        return events
    if not step("payment_started", pays * 4, 3, plan="pro-month"):
        return events
    if rng.random() > 0.7:
        return events
    _payment(person, rng, at + timedelta(minutes=2), now, plans, counts, events)
    return events


def _payment(person, rng, at, now, plans, counts, events) -> None:
    if at >= now:
        return
    code = rng.choices([code for code, _ in PLANS], weights=[weight for _, weight in PLANS])[0]
    plan = plans.get(code)
    if plan is None:
        return
    end = at + relativedelta(months=plan.period_months)
    churned = rng.random() < 0.35
    status = "active" if end > now else ("expired" if churned else "active")
    subscription = Subscription.objects.create(
        user=person, plan=plan, status=status, current_period_start=at, current_period_end=end if end > now or churned
        else end + relativedelta(months=plan.period_months), auto_renew=not churned, payment_method_id="demo-card",
    )  # fmt: skip
    payment = Payment.objects.create(
        user=person, plan=plan, subscription=subscription, amount=plan.price, status="succeeded", paid_at=at,
        applied_at=at, payment_method_id="demo-card",
    )  # fmt: skip
    Payment.objects.filter(pk=payment.pk).update(created_at=at)
    counts["payments"] += 1
    events.append(_event(person, "payment_succeeded", at, plan=plan.code, amount=str(plan.price), currency="RUB",
                         kind="purchase", provider="yookassa", renewed=False))  # fmt: skip
    if rng.random() < 0.04:  # a few ask for their money back
        refunded = plan.price if rng.random() < 0.5 else (plan.price / 2).quantize(Decimal("0.01"))
        Refund.objects.create(payment=payment, amount=refunded, status="succeeded", reason="demo", actor="demo")
        Payment.objects.filter(pk=payment.pk).update(refunded_amount=refunded)
        counts["refunds"] += 1


def _event(person: TelegramUser, name: str, at, **properties) -> Event:
    # Marked forwarded: made-up history must never reach PostHog.
    return Event(user=person, name=name, occurred_at=at, source="bot", properties=properties, forwarded_at=at)


def analytics_demo_load() -> str:
    """`make run`'s demo data: a few hundred demo users once, so the dashboards show something."""
    if TelegramUser.objects.filter(telegram_id__gte=DEMO_ID_BASE).exists():
        return ""
    summary = analytics_demo_generate(users=500)
    return f"{summary.users} demo users with {summary.events} events and {summary.payments} payments"
