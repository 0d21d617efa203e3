from dataclasses import dataclass
from datetime import datetime

from apps.analytics.models import Event


def event_count(*, since: datetime) -> int:
    return Event.objects.filter(occurred_at__gte=since).count()


@dataclass(frozen=True)
class FunnelView:
    id: int
    name: str
    steps: tuple  # of reports.funnel.FunnelStep
    window_days: int


def funnels_on_dashboard() -> list[FunnelView]:
    """The funnels marketing edits in the admin; the built-in default when none is active."""
    from django.utils.translation import gettext_lazy

    from apps.analytics.models import FunnelDefinition
    from apps.analytics.reports.funnel import DEFAULT_FUNNEL, FunnelStep

    funnels = [
        FunnelView(
            id=funnel.pk,
            name=funnel.name,
            # Labels are stored in English; the ones the product ships are translated.
            steps=tuple(
                FunnelStep(
                    step["event"], step.get("min_count", 1), gettext_lazy(step["label"]) if step.get("label") else ""
                )
                for step in funnel.steps
            ),
            window_days=funnel.window_days,
        )
        for funnel in FunnelDefinition.objects.filter(is_active=True).order_by("order", "name")
    ]
    return funnels or [FunnelView(id=0, name=gettext_lazy("Funnel"), steps=DEFAULT_FUNNEL, window_days=30)]


def event_last_at(*, user_id: int, name: str, source: str | None = None) -> datetime | None:
    """When the user last did `name` (from `source` only, when given); None: never."""
    events = Event.objects.filter(user_id=user_id, name=name)
    if source is not None:
        events = events.filter(source=source)
    return events.order_by("-occurred_at").values_list("occurred_at", flat=True).first()
