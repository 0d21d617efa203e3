"""analytics_demo: a plausible, repeatable history that can be removed again."""

import pytest
from django.core.management import call_command

from apps.accounts.models import TelegramUser
from apps.analytics.demo import DEMO_ID_BASE, analytics_demo_generate, analytics_demo_remove
from apps.analytics.models import Event
from apps.billing.models import Payment

pytestmark = pytest.mark.django_db


def test_the_demo_history_has_channels_drop_offs_and_payments():
    summary = analytics_demo_generate(users=300, days=30, seed=3)

    assert summary.users == 300
    channels = set(TelegramUser.objects.values_list("acquisition_code", flat=True))
    assert {"tgads_autumn", "influencer_anna", "seo_blog", "ref_friends", ""} <= channels
    starts = Event.objects.filter(name="bot_start").count()
    consents = Event.objects.filter(name="consent_accepted").values("user").distinct().count()
    payers = Payment.objects.filter(status="succeeded").values("user").distinct().count()
    assert starts == 300
    assert 0 < payers < consents < starts  # people drop off along the way
    assert Payment.objects.count() == summary.payments > 0


def test_the_same_seed_gives_the_same_history():
    first = analytics_demo_generate(users=100, seed=11)
    analytics_demo_remove()

    assert analytics_demo_generate(users=100, seed=11).events == first.events


def test_remove_deletes_demo_users_only():
    real = TelegramUser.objects.create(telegram_id=555)
    call_command("analytics_demo", users=50)

    call_command("analytics_demo", remove=True)

    assert list(TelegramUser.objects.all()) == [real]
    assert not Event.objects.filter(user__telegram_id__gte=DEMO_ID_BASE).exists()


def test_demo_events_never_go_to_posthog():
    analytics_demo_generate(users=20)

    assert not Event.objects.filter(user__telegram_id__gte=DEMO_ID_BASE, forwarded_at__isnull=True).exists()
