from dataclasses import dataclass
from datetime import datetime

from django.db.models import Count, Q

from apps.accounts.models import TelegramUser


@dataclass(frozen=True)
class UserCounts:
    total: int
    new_since: int
    active_since: int


def user_counts(*, since: datetime) -> UserCounts:
    """How many users there are, how many registered and how many were seen since a moment."""
    counts = TelegramUser.objects.aggregate(
        total=Count("id"),
        new_since=Count("id", filter=Q(created_at__gte=since)),
        active_since=Count("id", filter=Q(last_seen_at__gte=since)),
    )
    return UserCounts(**counts)
