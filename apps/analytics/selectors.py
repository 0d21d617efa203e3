from datetime import datetime

from apps.analytics.models import Event


def event_count(*, since: datetime) -> int:
    return Event.objects.filter(occurred_at__gte=since).count()
