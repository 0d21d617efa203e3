"""The referral program: personal codes, attribution on the first touch only, one reward per invited friend."""

from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection
from django.utils import timezone

from apps.accounts.models import TelegramUser
from apps.accounts.services import telegram_user_upsert
from apps.analytics.models import Event
from apps.billing.models import BonusBalance, Subscription
from apps.core.validators import START_PAYLOAD_PATTERN
from apps.growth.models import Referral, ReferralCode, ReferralProgram
from apps.growth.selectors.referrals import referral_invite, referral_link
from apps.growth.services.referrals import (
    referral_attribute,
    referral_code_get_or_create,
    referral_first_message_check,
    referral_reward_grant,
    referral_reward_notify,
)
from tests.factories import TelegramUserFactory
from tests.stubs.telegram_server import FakeTelegram

pytestmark = pytest.mark.django_db


def program(**settings) -> ReferralProgram:
    """The row the data migration made (on, 30 bonus messages), adjusted."""
    row = ReferralProgram.objects.get()
    for name, value in settings.items():
        setattr(row, name, value)
    row.save()
    return row


def invited_by(referrer: TelegramUser, telegram_id: int = 555) -> TelegramUser:
    code = referral_code_get_or_create(user_id=referrer.pk).code
    user, _created = telegram_user_upsert(telegram_id=telegram_id, start_payload=code)
    return user


def test_the_program_starts_on_with_thirty_bonus_messages():
    row = ReferralProgram.objects.get()

    assert (row.is_active, row.reward_kind, row.reward_amount) == (True, "bonus_messages", 30)


@pytest.mark.parametrize(("kind", "amount"), [("pro_days", 366), ("bonus_messages", 10_001)])
def test_a_reward_too_large_to_give_is_refused(kind, amount):
    with pytest.raises(ValidationError):
        program(reward_kind=kind, reward_amount=amount).full_clean()


def test_a_personal_code_is_a_valid_start_payload_and_stays_the_same():
    user = TelegramUserFactory()

    code = referral_code_get_or_create(user_id=user.pk).code

    assert code.startswith("ref-")
    assert len(code) == 14
    assert START_PAYLOAD_PATTERN.match(code)
    assert referral_code_get_or_create(user_id=user.pk).code == code
    assert ReferralCode.objects.count() == 1


def test_the_link_opens_the_bot_with_the_code(settings):
    settings.TELEGRAM_BOT_USERNAME = "sputnik_test_bot"

    assert referral_link("ref-abc") == "https://t.me/sputnik_test_bot?start=ref-abc"


def test_a_new_user_through_a_friends_link_is_attributed_to_the_friend():
    anna = TelegramUserFactory()

    boris = invited_by(anna)

    referral = Referral.objects.get()
    assert (referral.referrer, referral.referee) == (anna, boris)
    assert boris.acquisition_code.startswith("ref-")
    event = Event.objects.get(name="referral_joined")
    assert (event.user_id, event.properties) == (boris.pk, {"referrer_id": anna.pk})


def test_an_existing_user_opening_a_link_changes_nothing():
    anna = TelegramUserFactory()
    boris, _ = telegram_user_upsert(telegram_id=555, start_payload="tgads_spring")

    invited_by(anna, telegram_id=555)

    assert not Referral.objects.exists()
    assert TelegramUser.objects.get(pk=boris.pk).acquisition_code == "tgads_spring"


def test_a_second_link_never_moves_a_referral_to_another_friend():
    anna, vera = TelegramUserFactory(), TelegramUserFactory()
    boris = invited_by(anna)

    invited_by(vera, telegram_id=boris.telegram_id)

    assert Referral.objects.get().referrer == anna


def test_nobody_can_invite_themselves():
    anna = TelegramUserFactory()
    code = referral_code_get_or_create(user_id=anna.pk).code

    assert referral_attribute(referee_id=anna.pk, code=code) is None
    with pytest.raises(IntegrityError):
        Referral.objects.create(referrer=anna, referee=anna)


def test_an_unknown_code_attributes_nobody():
    user, created = telegram_user_upsert(telegram_id=555, start_payload="ref-doesnotexist")

    assert created
    assert user.acquisition_code == "ref-doesnotexist"
    assert not Referral.objects.exists()


def test_the_first_message_rewards_the_friend_once():
    anna = TelegramUserFactory()
    boris = invited_by(anna)

    first, second = referral_reward_grant(referee_id=boris.pk), referral_reward_grant(referee_id=boris.pk)

    assert (first, second) == (True, False)
    assert BonusBalance.objects.get(user=anna).messages == 30
    referral = Referral.objects.get()
    assert (referral.reward_kind, referral.reward_amount) == ("bonus_messages", 30)
    assert referral.activated_at is not None
    assert referral.rewarded_at is not None
    event = Event.objects.get(name="referral_rewarded")
    assert (event.user_id, event.properties["referee_id"]) == (anna.pk, boris.pk)


def test_a_message_of_an_invited_user_schedules_the_reward_only_until_it_is_decided(
    django_capture_on_commit_callbacks,
):
    anna = TelegramUserFactory()
    boris = invited_by(anna)

    with django_capture_on_commit_callbacks(execute=True) as first:
        referral_first_message_check(user_id=boris.pk)
    with django_capture_on_commit_callbacks(execute=True) as second:
        referral_first_message_check(user_id=boris.pk)
        referral_first_message_check(user_id=anna.pk)  # not invited by anyone

    assert len(first) == 2  # the reward task, then the referrer's notice it schedules
    assert second == []
    assert BonusBalance.objects.get(user=anna).messages == 30


def test_no_reward_while_the_program_is_off_and_none_later():
    anna = TelegramUserFactory()
    boris = invited_by(anna)
    program(is_active=False)

    assert referral_reward_grant(referee_id=boris.pk) is False
    program(is_active=True)
    assert referral_reward_grant(referee_id=boris.pk) is False

    referral = Referral.objects.get()
    assert referral.activated_at is not None
    assert referral.rewarded_at is None
    assert not BonusBalance.objects.filter(user=anna).exists()


def test_the_reward_follows_the_program_at_the_first_message_not_at_the_join():
    anna = TelegramUserFactory()
    boris = invited_by(anna)
    program(reward_kind="pro_days", reward_amount=7)

    referral_reward_grant(referee_id=boris.pk)

    gift = Subscription.objects.get(user=anna)
    assert gift.current_period_end > timezone.now() + timedelta(days=6, hours=23)
    assert not gift.auto_renew
    assert (Referral.objects.get().reward_kind, Referral.objects.get().reward_amount) == ("pro_days", 7)


def test_invite_counts_friends_joined_and_rewarded():
    anna = TelegramUserFactory()
    boris = invited_by(anna, telegram_id=555)
    invited_by(anna, telegram_id=556)
    referral_reward_grant(referee_id=boris.pk)

    invite = referral_invite(user_id=anna.pk, code=referral_code_get_or_create(user_id=anna.pk).code)

    assert (invite.joined, invite.rewarded, invite.program_active, invite.reward_amount) == (2, 1, True, 30)


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_concurrent_first_messages_reward_once():
    if connection.vendor != "postgresql":
        pytest.skip("SQLite serialises writers; the race needs PostgreSQL")
    anna = TelegramUserFactory()
    boris = invited_by(anna)

    def grant(_):
        from django.db import connections

        try:
            return referral_reward_grant(referee_id=boris.pk)
        finally:
            connections.close_all()

    with ThreadPoolExecutor(max_workers=6) as pool:
        results = list(pool.map(grant, range(6)))

    assert results.count(True) == 1
    assert BonusBalance.objects.get(user=anna).messages == 30
    assert Event.objects.filter(name="referral_rewarded").count() == 1


# --- telling the friend ----------------------------------------------------------------------------


@pytest.fixture
def telegram(settings):
    fake = FakeTelegram()
    fake.start_in_thread()
    settings.TELEGRAM_BOT_TOKEN, settings.TELEGRAM_API_URL = fake.token, fake.base_url
    yield fake
    fake.stop_thread()


def test_the_friend_is_told_what_they_got_in_their_language(telegram, django_capture_on_commit_callbacks):
    anna = TelegramUserFactory(language="en", telegram_id=1001)
    telegram.user_sends("/start", user_id=1001)  # Telegram lets bots write only to those who wrote
    boris = invited_by(anna)

    with django_capture_on_commit_callbacks(execute=True):
        referral_reward_grant(referee_id=boris.pk)

    [notice] = telegram.messages_to(1001)
    assert notice["text"] == (
        "🎁 A friend you invited has started talking to Sputnik. Your reward: 30 bonus messages. Thank you!"
    )


def test_a_friend_who_blocked_the_bot_is_marked_not_retried(telegram):
    anna = TelegramUserFactory(telegram_id=1001)
    telegram.user_sends("/start", user_id=1001)
    telegram.blocked_by.add(1001)
    boris = invited_by(anna)
    referral_reward_grant(referee_id=boris.pk)

    assert referral_reward_notify(referral_id=Referral.objects.get().pk) is False
    assert TelegramUser.objects.get(pk=anna.pk).has_blocked_bot
