"""Erasing a person's data: what they said and who they were goes; payment records stay, belonging to nobody."""

import pytest

from apps.accounts.models import Consent, DataErasure, Feedback, TelegramUser
from apps.accounts.privacy import ERASED_TELEGRAM_ID_BASE, user_data_erase
from apps.accounts.services import telegram_user_upsert
from apps.analytics.models import Event
from apps.billing.models import BonusBalance, DailyUsage, Payment, Refund, Subscription
from apps.conversations.models import Dialogue, DialogueSummary, MemoryFact, Message, PhotoDelivery
from apps.core.exceptions import Conflict
from apps.growth.models import InterviewContact, Referral, ReferralCode, SurveyResponse

pytestmark = pytest.mark.django_db


def test_what_the_person_said_is_deleted(anna, boris):
    user_data_erase(user_id=boris.pk, actor="user")

    for model in (Dialogue, MemoryFact, PhotoDelivery, Feedback, SurveyResponse, InterviewContact, ReferralCode):
        assert not model.objects.filter(user=boris).exists(), model
    assert not Message.objects.filter(dialogue__user=boris).exists()
    assert not DialogueSummary.objects.filter(dialogue__user=boris).exists()
    assert not DailyUsage.objects.filter(user=boris).exists()
    assert not BonusBalance.objects.filter(user=boris).exists()


def test_another_persons_data_is_untouched(anna, boris):
    user_data_erase(user_id=boris.pk, actor="user")

    assert Message.objects.filter(dialogue__user=anna).count() == 3
    assert MemoryFact.objects.filter(user=anna).count() == 1
    assert Feedback.objects.filter(user=anna).exists()
    assert TelegramUser.objects.get(pk=anna.pk).telegram_id == 7001
    assert Event.objects.filter(user=anna, name="bot_start").get().properties["payload"] == "promo_x"


def test_the_user_row_is_a_pseudonym_that_keeps_the_payment_records(boris):
    payment_ids = list(Payment.objects.filter(user=boris).values_list("pk", flat=True))

    user_data_erase(user_id=boris.pk, actor="user")

    row = TelegramUser.objects.get(pk=boris.pk)
    assert row.telegram_id == ERASED_TELEGRAM_ID_BASE - boris.pk
    assert (row.username, row.first_name, row.last_name, row.acquisition_code) == ("", "", "", "")
    assert row.erased_at is not None
    assert row.last_seen_at is None
    assert list(Payment.objects.filter(user=row).values_list("pk", flat=True)) == payment_ids
    assert Refund.objects.filter(payment__user=row).count() == 1
    assert Subscription.objects.filter(user=row).count() == 1
    assert Consent.objects.filter(user=row).count() == 2  # document versions and times: the terms of those payments


def test_renewals_stop_and_the_saved_card_and_receipt_email_are_forgotten(boris):
    user_data_erase(user_id=boris.pk, actor="user")

    subscription = Subscription.objects.get(user=boris)
    assert (subscription.status, subscription.auto_renew, subscription.payment_method_id) == ("active", False, "")
    assert subscription.cancel_reason == "data erased"
    assert "customer" not in Payment.objects.get(user=boris).receipt


def test_referrals_stay_between_the_pseudonym_and_the_friend(anna, boris):
    user_data_erase(user_id=boris.pk, actor="user")

    assert Referral.objects.filter(referrer=anna, referee_id=boris.pk).exists()
    assert ReferralCode.objects.filter(user=anna).exists()


def test_an_erased_referrer_gets_no_reward_when_the_invited_friend_writes(anna, boris):
    from apps.growth.services.referrals import referral_reward_grant

    user_data_erase(user_id=anna.pk, actor="user")

    assert not referral_reward_grant(referee_id=boris.pk)
    assert not BonusBalance.objects.filter(user=anna).exists()
    assert Referral.objects.get(referee=boris).activated_at is not None


def test_events_are_kept_for_the_numbers_but_belong_to_nobody_and_lose_the_link_code(anna, boris):
    events = Event.objects.filter(user=boris).count()

    erasure = user_data_erase(user_id=boris.pk, actor="user")

    assert not Event.objects.filter(user=boris).exists()
    assert erasure.removed["events_anonymised"] >= events
    start = Event.objects.get(name="bot_start", user__isnull=True)
    registered = Event.objects.get(name="user_registered", user__isnull=True)
    joined = Event.objects.get(name="referral_joined", user__isnull=True)
    assert "payload" not in start.properties
    assert "acquisition_code" not in registered.properties
    assert "referrer_id" not in joined.properties
    erased = Event.objects.get(name="data_erased")
    assert (erased.user_id, erased.properties, erased.source) == (None, {"by": "user"}, "bot")


def test_the_destruction_record_counts_what_went_and_holds_nothing_personal(boris):
    erasure = user_data_erase(user_id=boris.pk, actor="support_sam", reason="request #42")

    record = DataErasure.objects.get()
    assert (record.user_id, record.actor, record.reason) == (boris.pk, "support_sam", "request #42")
    assert {key: record.removed[key] for key in ("dialogues", "messages", "memory_facts", "feedback")} == {
        "dialogues": 1,
        "messages": 3,
        "memory_facts": 1,
        "feedback": 1,
    }
    assert record.removed["survey_responses"] == record.removed["summaries"] == 1
    stored = str(DataErasure.objects.values_list().get())
    for personal in ("Boris", "boris", "7002", "марки"):
        assert personal not in stored
    assert erasure == record
    assert Event.objects.get(name="data_erased").properties == {"by": "staff"}


def test_the_same_telegram_account_writing_again_is_a_new_user(boris):
    user_data_erase(user_id=boris.pk, actor="user")

    again, created = telegram_user_upsert(telegram_id=7002, first_name="Boris")

    assert created
    assert again.pk != boris.pk
    assert not Payment.objects.filter(user=again).exists()
    assert not Referral.objects.filter(referee=again).exists()


def test_erasing_twice_is_refused(boris):
    user_data_erase(user_id=boris.pk, actor="user")

    with pytest.raises(Conflict):
        user_data_erase(user_id=boris.pk, actor="user")

    assert DataErasure.objects.count() == 1
