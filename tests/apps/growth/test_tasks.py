"""Growth's background tasks: surveys go out once to eligible users, through the fake Bot API on 127.0.0.1."""

from datetime import timedelta

import pytest
from django.utils import timezone

from apps.accounts.models import TelegramUser
from apps.accounts.services import consent_accept, legal_documents_current
from apps.analytics.models import Event
from apps.growth.models import Survey, SurveyResponse
from apps.growth.tasks import referral_reward, surveys_send
from tests.factories import EventFactory, TelegramUserFactory
from tests.stubs.telegram_server import FakeTelegram

pytestmark = pytest.mark.django_db


@pytest.fixture
def telegram(settings):
    fake = FakeTelegram()
    fake.start_in_thread()
    settings.TELEGRAM_BOT_TOKEN, settings.TELEGRAM_API_URL = fake.token, fake.base_url
    yield fake
    fake.stop_thread()


@pytest.fixture
def nps() -> Survey:
    survey = Survey.objects.get(title="NPS")
    survey.is_active = True
    survey.save()
    return survey


def user_of_ten_days(telegram: FakeTelegram, telegram_id: int, **fields) -> TelegramUser:
    """A user who came 10 days ago, accepted the documents and wrote to a persona (and so to the bot)."""
    user = TelegramUserFactory(telegram_id=telegram_id, **fields)
    TelegramUser.objects.filter(pk=user.pk).update(acquired_at=timezone.now() - timedelta(days=10))
    consent_accept(user_id=user.pk, document_ids=[document.pk for document in legal_documents_current()])
    EventFactory(user=user, name="message_sent")
    telegram.user_sends("/start", user_id=telegram_id)
    return user


def test_the_survey_goes_once_to_each_eligible_user_in_their_language(telegram, nps):
    user_of_ten_days(telegram, 2001, language="en")
    user_of_ten_days(telegram, 2002, language="ru")
    newcomer = TelegramUserFactory(telegram_id=2003)
    telegram.user_sends("/start", user_id=2003)

    assert surveys_send.delay().get() == 2
    assert surveys_send.delay().get() == 0

    [english] = telegram.messages_to(2001)
    [russian] = telegram.messages_to(2002)
    assert english["text"].startswith("How likely are you to recommend Sputnik to a friend?")
    assert russian["text"].startswith("Насколько вероятно, что вы порекомендуете Спутник другу?")
    rows = english["reply_markup"]["inline_keyboard"]
    assert [[button["text"] for button in row] for row in rows] == [
        ["0", "1", "2", "3", "4", "5"],
        ["6", "7", "8", "9", "10"],
    ]
    assert rows[1][4]["callback_data"] == f"survey:{nps.pk}:10"
    assert telegram.messages_to(newcomer.telegram_id) == []
    assert SurveyResponse.objects.count() == 2
    assert Event.objects.filter(name="survey_sent").count() == 2


def test_an_inactive_survey_is_not_sent(telegram):
    user_of_ten_days(telegram, 2001)

    assert surveys_send.delay().get() == 0
    assert not SurveyResponse.objects.exists()


def test_a_user_who_blocked_the_bot_meanwhile_is_marked_and_not_asked_again(telegram, nps):
    user = user_of_ten_days(telegram, 2001)
    telegram.blocked_by.add(2001)

    assert surveys_send.delay().get() == 0

    user.refresh_from_db()
    assert user.has_blocked_bot
    assert SurveyResponse.objects.filter(user=user).exists()  # never asked twice, even after unblocking


def test_when_telegram_cannot_take_it_the_survey_waits_for_the_next_run(telegram, nps):
    user_of_ten_days(telegram, 2001)
    user_of_ten_days(telegram, 2002)
    telegram.fail_next("sendMessage", status=502)

    first = surveys_send.delay().get()  # stops at the first failure: Telegram is having a bad moment
    second = surveys_send.delay().get()

    assert (first, second) == (0, 2)
    assert len(telegram.messages_to(2001)) == len(telegram.messages_to(2002)) == 1


def test_without_a_bot_token_nothing_is_sent(settings, nps):
    settings.TELEGRAM_BOT_TOKEN = ""

    assert surveys_send.delay().get() == 0


def test_the_reward_task_decides_the_referral_once():
    from apps.accounts.services import telegram_user_upsert
    from apps.billing.models import BonusBalance
    from apps.growth.services.referrals import referral_code_get_or_create

    anna = TelegramUserFactory()
    boris, _ = telegram_user_upsert(telegram_id=555, start_payload=referral_code_get_or_create(user_id=anna.pk).code)

    assert referral_reward.delay(boris.pk).get() is True
    assert referral_reward.delay(boris.pk).get() is False
    assert BonusBalance.objects.get(user=anna).messages == 30
