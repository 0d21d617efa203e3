"""A whole journey through the real bot with everything logged at DEBUG, then the PostHog forwarding: no
message text, phone number, e-mail, name or Telegram id appears in the logs or in what leaves for PostHog."""

import logging

import pytest
from asgiref.sync import sync_to_async

from apps.analytics.posthog import posthog_forward_batch
from tests.bots.telegram.steps import ANNA, talking_to_support
from tests.stubs.posthog_server import StubPostHog

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

PHRASE = "ЖИРАФ-ПЕЛИКАН секретная история"
PHONE = "+7 912 345-67-89"
EMAIL = "ivan.petrov@example.com"
FIRST_NAME = "Ивангелина"
FORBIDDEN = ["ЖИРАФ", "ПЕЛИКАН", "секретная", "345-67-89", "9123456789", EMAIL, "ivan.petrov", FIRST_NAME]


@pytest.fixture
def posthog(settings):
    with StubPostHog() as server:
        settings.POSTHOG_API_KEY = "phc_test_key"
        settings.POSTHOG_HOST = server.host
        settings.POSTHOG_TIMEOUT_S = 2.0
        yield server


async def test_no_text_phone_email_or_name_in_logs_or_posthog(running_bot, posthog, caplog):
    caplog.set_level(logging.DEBUG)
    telegram = running_bot
    received = await talking_to_support(telegram)

    telegram.user_sends(f"{PHRASE}. Мой номер {PHONE}, почта {EMAIL}", user_id=ANNA, first_name=FIRST_NAME)
    received = len(await telegram.wait_for_messages(ANNA, received + 1))
    telegram.user_sends(f"/feedback {PHRASE}, пишите на {EMAIL} или {PHONE}", user_id=ANNA, first_name=FIRST_NAME)
    received = len(await telegram.wait_for_messages(ANNA, received + 1))
    telegram.user_sends("/memory", user_id=ANNA, first_name=FIRST_NAME)
    await telegram.wait_for_messages(ANNA, received + 1)
    sent = await sync_to_async(posthog_forward_batch)(limit=500)

    assert sent > 0
    bodies = "\n".join(posthog.bodies)
    assert str(ANNA) not in bodies
    for value in FORBIDDEN:
        assert value not in bodies, f"left for PostHog: {value}"
    logged = "\n".join(f"{record.getMessage()} {record.args!r} {record.exc_text or ''}" for record in caplog.records)
    assert logged  # the bot did log its work
    for value in FORBIDDEN:
        assert value not in logged, f"logged: {value}"
