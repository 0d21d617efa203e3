import pytest

from apps.accounts.services import consent_accept, offer_current
from tests.factories import TelegramUserFactory
from tests.stubs.yookassa_server import StubYooKassa

YOOKASSA_IP = "185.71.76.10"  # inside YooKassa's published 185.71.76.0/27


@pytest.fixture
def yookassa(settings):
    """The real SDK talking to a stub YooKassa on 127.0.0.1; congratulations in Telegram are off unless a test
    turns the fake Bot API on."""
    with StubYooKassa() as server:
        settings.YOOKASSA_SHOP_ID = server.shop_id
        settings.YOOKASSA_SECRET_KEY = server.secret_key
        settings.YOOKASSA_API_URL = server.base_url
        settings.YOOKASSA_TIMEOUT_S = 1.0
        settings.YOOKASSA_RETURN_URL = "https://t.me/sputnik_test_bot"
        settings.TELEGRAM_BOT_TOKEN = ""
        yield server


@pytest.fixture
def buyer():
    """A user who accepted the public offer in force."""
    user = TelegramUserFactory(language="en")
    consent_accept(user_id=user.pk, document_ids=[offer_current().pk])
    return user
