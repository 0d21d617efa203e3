from dataclasses import dataclass
from datetime import datetime

from django.db.models import Count, Q
from django.db.models.functions import Coalesce
from django.utils import timezone

from apps.accounts.models import Consent, Feedback, TelegramUser
from apps.billing.selectors import billing_export, users_with_live_subscription
from apps.conversations.selectors import conversations_export
from apps.growth.selectors.privacy import growth_export

EXPORT_FORMAT_VERSION = 1


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


def user_data_export(*, user_id: int) -> dict:
    """Everything stored about one person, as JSON-ready data: each app exports its own part.

    Nothing of other people: a referral says only whether someone invited the user, never who."""
    user = TelegramUser.objects.get(pk=user_id)
    return {
        "format": "sputnik-user-data",
        "version": EXPORT_FORMAT_VERSION,
        "exported_at": timezone.now().isoformat(),
        "profile": _profile(user),
        "consents": [
            {"document": kind, "version": version, "accepted_at": accepted_at.isoformat()}
            for kind, version, accepted_at in Consent.objects.filter(user_id=user_id)
            .order_by("accepted_at")
            .values_list("document__kind", "document__version", "accepted_at")
        ],
        "feedback": [
            {"text": feedback.text, "sent_at": feedback.created_at.isoformat()}
            for feedback in Feedback.objects.filter(user_id=user_id).order_by("id")
        ],
        "conversations": conversations_export(user_id=user_id),
        "billing": billing_export(user_id=user_id),
        "growth": growth_export(user_id=user_id),
    }


def _profile(user: TelegramUser) -> dict:
    def moment(value):
        return value.isoformat() if value else None

    return {
        "telegram_id": user.telegram_id,
        "username": user.username,
        "first_name": user.first_name,
        "last_name": user.last_name,
        "language": user.language,
        "timezone": user.timezone,
        "registered_at": moment(user.created_at),
        "last_seen_at": moment(user.last_seen_at),
        "acquisition_code": user.acquisition_code or None,
        "adult_confirmed_at": moment(user.adult_confirmed_at),
        "channel_joined_at": moment(user.channel_joined_at),
        "may_remember_health": user.remembers_health,
        "beta_tester": user.is_beta_tester,
    }


def users_inactive_since(*, before: datetime, limit: int) -> list[int]:
    """Ids of people last seen before `before` (registered then, if never seen since), oldest first, without a
    subscription that still gives access. Test users (negative ids) and erased rows are not people to erase."""
    return list(
        TelegramUser.objects.filter(erased_at__isnull=True, telegram_id__gt=0)
        .annotate(seen=Coalesce("last_seen_at", "created_at"))
        .filter(seen__lt=before)
        .exclude(pk__in=users_with_live_subscription())
        .order_by("seen", "pk")
        .values_list("pk", flat=True)[:limit]
    )
