"""The inputs every report shares: a range of local dates and an optional segment of users."""

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.db.models import QuerySet
from django.utils import timezone

from apps.accounts.models import TelegramUser
from apps.analytics.reports.common import first_events
from apps.core.exceptions import InvalidInput

DIRECT_CHANNEL = "(direct)"  # the channel of users whose first /start carried no acquisition code


@dataclass(frozen=True)
class ReportFilter:
    """Which period and which users a report looks at.

    `date_from` and `date_to` are local dates (settings.TIME_ZONE), both included. The segment fields narrow
    the users, the same way in every report; each is a property of the user, not of single events:
    `channel` is the acquisition code of their first /start (DIRECT_CHANNEL or "": none; None: every one),
    `module` and `persona_id` are what the user chose first (their first module_chosen / persona_chosen).
    A report about events (messages, payments) counts all of a segment user's events.
    """

    date_from: date
    date_to: date
    channel: str | None = None
    module: str | None = None
    persona_id: int | None = None

    def __post_init__(self) -> None:
        if self.date_from > self.date_to:
            raise InvalidInput(f"The report period starts ({self.date_from}) after it ends ({self.date_to}).")

    @property
    def start(self) -> datetime:
        """The first instant of the period: local midnight of date_from."""
        return local_midnight(self.date_from)

    @property
    def end(self) -> datetime:
        """The instant after the period (excluded): local midnight after date_to."""
        return local_midnight(self.date_to + timedelta(days=1))

    @property
    def segmented(self) -> bool:
        return self.channel is not None or self.module is not None or self.persona_id is not None

    def days(self) -> list[date]:
        return [self.date_from + timedelta(days=offset) for offset in range((self.date_to - self.date_from).days + 1)]

    def users(self) -> QuerySet[TelegramUser]:
        """The users of the segment (all users when the filter names none)."""
        users = TelegramUser.objects.all()
        if self.channel is not None:
            users = users.filter(acquisition_code="" if self.channel == DIRECT_CHANNEL else self.channel)
        if self.module is not None:
            chose = first_events("module_chosen").filter(properties__module=self.module)
            users = users.filter(pk__in=chose.values("user_id"))
        if self.persona_id is not None:
            chose = first_events("persona_chosen").filter(properties__persona_id=self.persona_id)
            users = users.filter(pk__in=chose.values("user_id"))
        return users

    def restrict(self, queryset: QuerySet, user_field: str = "user_id") -> QuerySet:
        """`queryset` limited to the segment's users; unchanged when the filter names no segment."""
        if not self.segmented:
            return queryset
        return queryset.filter(**{f"{user_field}__in": self.users().values("pk")})


def local_midnight(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min), timezone.get_default_timezone())
