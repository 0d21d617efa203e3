"""Activity: who talks to the bot, how much, and how much of it by voice.

An active user is one who sent a message (a message_sent event; a voice message counts as one, marked
from_voice). DAU per local day of the period; WAU and MAU as of the period's end (the 7 and 30 local days
ending with date_to); messages per active user and the voice share over the whole period.

Indexes: every query is a range scan of message_sent on (name, occurred_at).
"""

from dataclasses import dataclass
from datetime import date, timedelta

from django.db.models import Count, Q
from django.db.models.functions import TruncDate
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from apps.analytics.models import Event
from apps.analytics.reports.common import MESSAGE_EVENT, Table, analytic_queries, rate, table
from apps.analytics.reports.filters import ReportFilter, local_midnight


@dataclass(frozen=True)
class ActivityDay:
    day: date
    active_users: int  # DAU
    messages: int
    voice_messages: int


@dataclass(frozen=True)
class ActivityResult:
    days: tuple[ActivityDay, ...]  # every day of the period, quiet ones with zeros
    active_users: int  # in the whole period
    messages: int
    voice_messages: int
    wau: int  # the 7 days ending with date_to
    mau: int  # the 30 days ending with date_to
    messages_per_active_user: float | None
    voice_share: float | None  # voice messages / messages

    def as_table(self) -> Table:
        return table(
            [_("Day"), _("Active users"), _("Messages"), _("Voice messages")],
            [[day.day.isoformat(), day.active_users, day.messages, day.voice_messages] for day in self.days],
        )


def activity_report(*, filter: ReportFilter) -> ActivityResult:
    tz = timezone.get_default_timezone()
    messages = filter.restrict(Event.objects.filter(name=MESSAGE_EVENT, user__isnull=False)).order_by()
    in_period = messages.filter(occurred_at__gte=filter.start, occurred_at__lt=filter.end)
    counts = {
        "active_users": Count("user_id", distinct=True),
        "messages": Count("pk"),
        "voice_messages": Count("pk", filter=Q(properties__from_voice=True)),
    }
    with analytic_queries():
        per_day = {
            row["day"]: row
            for row in in_period.annotate(day=TruncDate("occurred_at", tzinfo=tz)).values("day").annotate(**counts)
        }
        totals = in_period.aggregate(**counts)
        wau = _active_users(messages, filter.date_to, 7)
        mau = _active_users(messages, filter.date_to, 30)
    empty = {"active_users": 0, "messages": 0, "voice_messages": 0}
    return ActivityResult(
        days=tuple(ActivityDay(day=day, **_counts_of(per_day.get(day, empty))) for day in filter.days()),
        active_users=totals["active_users"],
        messages=totals["messages"],
        voice_messages=totals["voice_messages"],
        wau=wau,
        mau=mau,
        messages_per_active_user=rate(totals["messages"], totals["active_users"]),
        voice_share=rate(totals["voice_messages"], totals["messages"]),
    )


def _active_users(messages, last_day: date, days: int) -> int:
    since = local_midnight(last_day - timedelta(days=days - 1))
    until = local_midnight(last_day + timedelta(days=1))
    return messages.filter(occurred_at__gte=since, occurred_at__lt=until).aggregate(
        users=Count("user_id", distinct=True)
    )["users"]


def _counts_of(row: dict) -> dict:
    return {key: row[key] for key in ("active_users", "messages", "voice_messages")}
