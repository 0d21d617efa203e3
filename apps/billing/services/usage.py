"""Daily counters: one conditional UPDATE per use, so concurrent messages never pass the limit."""

from django.db import IntegrityError, transaction
from django.db.models import F

from apps.billing.models import BonusBalance, DailyUsage
from apps.billing.selectors import entitlement_get, user_local_today

COUNTERS = ("messages",)


@transaction.atomic
def usage_consume(*, user_id: int, counter: str) -> bool:
    """Count one message against today's limit, then against the bonus balance once the day's own messages are
    used up; False (nothing counted) when both are spent."""
    if counter not in COUNTERS:
        raise ValueError(f"unknown counter {counter!r}")
    limit = getattr(entitlement_get(user_id=user_id), f"{counter}_per_day")
    day = user_local_today(user_id=user_id)
    _ensure_row(user_id, day)
    rows = DailyUsage.objects.filter(user_id=user_id, day=day)
    if limit is not None:
        rows = rows.filter(**{f"{counter}__lt": limit})
    if rows.update(**{counter: F(counter) + 1}) == 1:
        return True
    # Conditional like the daily row: two messages racing for the last bonus message spend it once.
    return BonusBalance.objects.filter(user_id=user_id, messages__gt=0).update(messages=F("messages") - 1) == 1


def _ensure_row(user_id: int, day) -> None:
    if DailyUsage.objects.filter(user_id=user_id, day=day).exists():
        return
    try:
        with transaction.atomic():
            DailyUsage.objects.create(user_id=user_id, day=day)
    except IntegrityError:
        pass  # a concurrent message created it a moment ago
