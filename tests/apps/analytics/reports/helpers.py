"""Hand-built users and events at local times, for report tests with answers worked out by hand."""

from datetime import date, datetime

from django.utils import timezone

from apps.analytics.models import Event
from apps.analytics.reports.filters import ReportFilter
from tests.factories import EventFactory, TelegramUserFactory


def at(moment: str) -> datetime:
    """'2024-03-04 10:00' (local, settings.TIME_ZONE) as an aware datetime."""
    return timezone.make_aware(datetime.fromisoformat(moment), timezone.get_default_timezone())


def user_with(*events, channel: str = ""):
    """A user acquired through `channel` and their events, each (name, local time) or (name, local time,
    properties), stored in one bulk_create."""
    user = TelegramUserFactory(acquisition_code=channel)
    Event.objects.bulk_create(
        [
            EventFactory.build(
                user=user, name=event[0], occurred_at=at(event[1]), properties=event[2] if len(event) > 2 else {}
            )
            for event in events
        ]
    )
    return user


def period(date_from: str, date_to: str, **segment) -> ReportFilter:
    return ReportFilter(date_from=date.fromisoformat(date_from), date_to=date.fromisoformat(date_to), **segment)
