"""Hypotheses, links and spends for the growth tests, and users acquired through a link at a local time."""

from datetime import date, datetime
from decimal import Decimal

import factory
from django.utils import timezone

from apps.analytics.models import Event
from tests.factories import EventFactory, TelegramUserFactory


class HypothesisFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "growth.Hypothesis"

    title = factory.Sequence(lambda n: f"Hypothesis {n}")
    channel = "telegram_ads"
    impact = 5
    confidence = 5
    ease = 5


class AcquisitionLinkFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "growth.AcquisitionLink"

    code = factory.Sequence(lambda n: f"promo-{n}")
    hypothesis = factory.SubFactory(HypothesisFactory)
    channel = factory.LazyAttribute(lambda link: link.hypothesis.channel if link.hypothesis else "other")


class SpendFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "growth.Spend"

    hypothesis = factory.SubFactory(HypothesisFactory)
    amount = Decimal("1000.00")
    spent_on = factory.LazyFunction(lambda: date(2024, 3, 1))


def at(moment: str) -> datetime:
    """'2024-03-04 10:00' in local time (settings.TIME_ZONE) as an aware datetime."""
    return timezone.make_aware(datetime.fromisoformat(moment), timezone.get_default_timezone())


def acquired(code: str, moment: str, *events):
    """A user whose first /start carried `code` at local `moment`, with events (name, local time)."""
    user = TelegramUserFactory(acquisition_code=code, acquired_at=at(moment))
    Event.objects.bulk_create([EventFactory.build(user=user, name=name, occurred_at=at(when)) for name, when in events])
    return user
