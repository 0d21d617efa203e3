"""Daily counters: one conditional UPDATE per use, so concurrent messages never pass the limit."""

from django.db import IntegrityError, transaction
from django.db.models import F

from apps.billing.models import BonusBalance, DailyUsage
from apps.billing.selectors import free_tier, subscription_live, user_local_today

COUNTERS = ("messages",)


@transaction.atomic(savepoint=False)  # inside the reply's own transaction on every message: no savepoint round trips
def usage_consume(*, user_id: int, counter: str) -> bool:
    """Count one message against today's limit, then against the bonus balance once the day's own messages are
    used up; False (nothing counted) when both are spent. Runs on every message: the common case (today's row
    exists, under the limit) is a single UPDATE after the limit and the day are known."""
    if counter not in COUNTERS:
        raise ValueError(f"unknown counter {counter!r}")
    limit = _daily_limit(user_id, counter)
    day = user_local_today(user_id=user_id)
    rows = DailyUsage.objects.filter(user_id=user_id, day=day)
    if limit is not None:
        rows = rows.filter(**{f"{counter}__lt": limit})
    if rows.update(**{counter: F(counter) + 1}) == 1:
        return True
    if _ensure_row(user_id, day) and rows.update(**{counter: F(counter) + 1}) == 1:
        return True  # the day's first message
    # Conditional like the daily row: two messages racing for the last bonus message spend it once.
    return BonusBalance.objects.filter(user_id=user_id, messages__gt=0).update(messages=F("messages") - 1) == 1


def _daily_limit(user_id: int, counter: str) -> int | None:
    """The same limit entitlement_get reports (the live plan's, else the free tier's), without the rest of it."""
    subscription = subscription_live(user_id=user_id)
    return getattr(subscription.plan if subscription is not None else free_tier(), f"{counter}_per_day")


def _ensure_row(user_id: int, day) -> bool:
    """Create today's row; False when it already existed (the limit, not a missing row, refused the update)."""
    if DailyUsage.objects.filter(user_id=user_id, day=day).exists():
        return False
    try:
        with transaction.atomic():
            DailyUsage.objects.create(user_id=user_id, day=day)
    except IntegrityError:
        pass  # a concurrent message created it a moment ago: try the update again
    return True
