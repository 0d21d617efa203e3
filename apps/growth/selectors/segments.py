"""CustDev segments: groups of users worth talking to, their sizes, and the members who agreed to an interview.

Messages are counted from `message_sent` events (indexed by name + time and by user + time), never read."""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db.models import Count, Exists, IntegerField, OuterRef, Q, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from apps.accounts.models import Consent, TelegramUser
from apps.analytics.models import Event
from apps.billing.models import Payment, Subscription
from apps.billing.selectors import LIVE_STATUSES
from apps.growth.models import InterviewContact
from apps.growth.selectors.custdev import user_wrote

WEEK = timedelta(days=7)
POWER_USER_MESSAGES = 50  # messages in the last 7 days


@dataclass(frozen=True)
class Segment:
    key: str
    title: str
    description: str
    members: Callable[[QuerySet[TelegramUser], datetime, int], QuerySet[TelegramUser]]


@dataclass(frozen=True)
class SegmentCount:
    key: str
    title: str
    description: str
    users: int
    agreed: int  # of them, those who agreed to be contacted for an interview


def _paid() -> Exists:
    return Exists(Payment.objects.filter(user_id=OuterRef("pk"), status=Payment.Status.SUCCEEDED))


def _pro_now(at: datetime) -> Exists:
    live = Subscription.objects.filter(user_id=OuterRef("pk"), status__in=LIVE_STATUSES).filter(
        Q(current_period_end__gt=at) | Q(grace_until__gt=at)
    )
    return Exists(live)


def _agreed() -> Exists:
    return Exists(InterviewContact.objects.filter(user_id=OuterRef("pk"), agreed=True))


def _messages_since(since: datetime | None) -> Coalesce:
    counted = Event.objects.filter(user_id=OuterRef("pk"), name="message_sent")
    if since is not None:
        counted = counted.filter(occurred_at__gte=since)
    counted = counted.values("user_id").annotate(count=Count("id")).values("count")
    return Coalesce(Subquery(counted, output_field=IntegerField()), Value(0))


def _payers(users: QuerySet[TelegramUser], at: datetime, min_messages: int) -> QuerySet[TelegramUser]:
    return users.filter(_paid())


def _churned_payers(users: QuerySet[TelegramUser], at: datetime, min_messages: int) -> QuerySet[TelegramUser]:
    return users.filter(_paid()).exclude(_pro_now(at))


def _power_users(users: QuerySet[TelegramUser], at: datetime, min_messages: int) -> QuerySet[TelegramUser]:
    heavy = (
        Event.objects.filter(name="message_sent", occurred_at__gte=at - WEEK, user__isnull=False)
        .values("user_id")
        .annotate(count=Count("id"))
        .filter(count__gte=min_messages)
        .values("user_id")
    )
    return users.filter(pk__in=heavy)


def _dropped_after_consent(users: QuerySet[TelegramUser], at: datetime, min_messages: int) -> QuerySet[TelegramUser]:
    return users.filter(Exists(Consent.objects.filter(user_id=OuterRef("pk")))).exclude(user_wrote())


def _new_this_week(users: QuerySet[TelegramUser], at: datetime, min_messages: int) -> QuerySet[TelegramUser]:
    return users.filter(created_at__gte=at - WEEK)


def _silent_week(users: QuerySet[TelegramUser], at: datetime, min_messages: int) -> QuerySet[TelegramUser]:
    return users.filter(user_wrote(), last_seen_at__lt=at - WEEK)


def _interview_agreed(users: QuerySet[TelegramUser], at: datetime, min_messages: int) -> QuerySet[TelegramUser]:
    return users.filter(_agreed())


SEGMENTS = (
    Segment("payers", _("Payers"), _("Paid at least once."), _payers),
    Segment("churned_payers", _("Churned payers"), _("Paid before, no PRO now."), _churned_payers),
    Segment("power_users", _("Power users"), _("Many messages in the last 7 days."), _power_users),
    Segment(
        "dropped_after_consent",
        _("Dropped after consent"),
        _("Accepted the documents, never wrote to a persona."),
        _dropped_after_consent,
    ),
    Segment("new_this_week", _("New this week"), _("Came in the last 7 days."), _new_this_week),
    Segment("silent_week", _("Silent 7+ days"), _("Wrote to a persona, not seen for 7 days or more."), _silent_week),
    Segment("interview_agreed", _("Agreed to an interview"), _("Said yes to a short interview."), _interview_agreed),
)
SEGMENT_KEYS = tuple(segment.key for segment in SEGMENTS)


def segment_get(key: str) -> Segment | None:
    return next((segment for segment in SEGMENTS if segment.key == key), None)


def segment_members(
    *, key: str, at: datetime | None = None, power_min_messages: int = POWER_USER_MESSAGES
) -> QuerySet[TelegramUser]:
    """Everyone in a segment (the team's test users never are). Raises KeyError for an unknown key."""
    segment = segment_get(key)
    if segment is None:
        raise KeyError(key)
    real_users = TelegramUser.objects.filter(telegram_id__gt=0)
    return segment.members(real_users, at or timezone.now(), power_min_messages)


def segments_overview(
    *, at: datetime | None = None, power_min_messages: int = POWER_USER_MESSAGES
) -> list[SegmentCount]:
    at = at or timezone.now()
    overview = []
    for segment in SEGMENTS:
        members = segment_members(key=segment.key, at=at, power_min_messages=power_min_messages)
        counts = members.aggregate(users=Count("pk"), agreed=Count("pk", filter=Q(_agreed())))
        overview.append(SegmentCount(segment.key, segment.title, segment.description, **counts))
    return overview


def segment_contacts(
    *, key: str, at: datetime | None = None, power_min_messages: int = POWER_USER_MESSAGES
) -> QuerySet[TelegramUser]:
    """The segment's members who agreed to be contacted, with facts the team asks about (counts and dates,
    never what anyone wrote)."""
    at = at or timezone.now()
    return (
        segment_members(key=key, at=at, power_min_messages=power_min_messages)
        .filter(_agreed())
        .annotate(
            messages_week=_messages_since(at - WEEK),
            messages_total=_messages_since(None),
            payments_succeeded=Coalesce(
                Subquery(
                    Payment.objects.filter(user_id=OuterRef("pk"), status=Payment.Status.SUCCEEDED)
                    .values("user_id")
                    .annotate(count=Count("id"))
                    .values("count"),
                    output_field=IntegerField(),
                ),
                Value(0),
            ),
            pro_now=_pro_now(at),
            interview_answered_at=Subquery(
                InterviewContact.objects.filter(user_id=OuterRef("pk")).values("answered_at")[:1]
            ),
            contacted_at=Subquery(InterviewContact.objects.filter(user_id=OuterRef("pk")).values("contacted_at")[:1]),
        )
        .order_by("-last_seen_at", "pk")
    )
