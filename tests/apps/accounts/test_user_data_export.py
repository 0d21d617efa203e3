"""A person's data export: all of theirs, decrypted and readable, and nothing of anyone else."""

import json
from datetime import timedelta

import pytest
from django.utils import timezone

from apps.accounts.privacy import export_file_name, export_to_json, user_data_export_request
from apps.accounts.selectors import user_data_export
from apps.analytics.models import Event
from apps.core.exceptions import LimitExceeded

pytestmark = pytest.mark.django_db


def test_the_export_holds_the_profile_conversations_memory_payments_and_answers(anna):
    data = user_data_export(user_id=anna.pk)

    profile = data["profile"]
    assert (profile["telegram_id"], profile["username"], profile["first_name"], profile["last_name"]) == (
        7001,
        "anna_tg",
        "Anna",
        "Testova",
    )
    assert (profile["language"], profile["timezone"], profile["acquisition_code"]) == ("ru", "Europe/Moscow", "promo_x")
    assert {consent["document"] for consent in data["consents"]} == {"privacy", "terms"}
    [dialogue] = data["conversations"]["dialogues"]
    assert dialogue["persona"] == "Соня-Anna"
    assert [(message["role"], message["text"]) for message in dialogue["messages"]] == [
        ("assistant", "Привет, Anna!"),
        ("user", "Меня зовут Anna, люблю кактусы"),
        ("assistant", "Рада знакомству! (люблю кактусы)"),
    ]
    assert dialogue["summary"] == "Anna рассказала: люблю кактусы"
    assert [fact["text"] for fact in data["conversations"]["memory_facts"]] == [
        "Пользователя зовут Anna (люблю кактусы)"
    ]
    assert data["feedback"][0]["text"] == "Отзыв: люблю кактусы"
    [payment] = data["billing"]["payments"]
    assert (payment["amount"], payment["currency"], payment["status"]) == ("399.00", "RUB", "succeeded")
    assert payment["receipt_email"] == "anna@example.com"
    assert [refund["amount"] for refund in payment["refunds"]] == ["100.00"]
    assert data["billing"]["subscriptions"][0]["plan"] == "pro-month"
    [survey] = data["growth"]["survey_responses"]
    assert (survey["survey"], survey["score"], survey["answer"]) == ("NPS", 9, "Ответ: люблю кактусы")
    assert data["growth"]["interview"]["agreed"] is True


def test_provider_secrets_and_notification_logs_stay_out(anna):
    text = export_to_json(user_data_export(user_id=anna.pk)).decode()

    for secret in ("pm-saved-card", "idempotence", "notifications", "provider_payment_id", "confirmation_url"):
        assert secret not in text


def test_nothing_of_another_person_is_in_an_export(anna, boris):
    annas = export_to_json(user_data_export(user_id=anna.pk)).decode()
    boriss = export_to_json(user_data_export(user_id=boris.pk)).decode()

    for trace in ("Boris", "boris", "7002", "марки"):
        assert trace not in annas
    for trace in ("Anna", "anna", "7001", "кактус"):
        assert trace not in boriss
    assert json.loads(annas)["growth"]["referrals"]["friends_invited"] == 1
    assert json.loads(boriss)["growth"]["referrals"]["joined_through_a_friends_link"] is True


def test_the_file_is_readable_utf8_json_named_by_date(anna):
    content = export_to_json(user_data_export(user_id=anna.pk))

    assert "люблю кактусы".encode() in content  # letters as they are, not \u escapes
    assert content.startswith(b'{\n  "format": "sputnik-user-data"')
    assert export_file_name() == f"sputnik-data-{timezone.localdate():%Y-%m-%d}.json"


def test_a_second_export_from_the_bot_within_ten_minutes_is_refused_politely(anna):
    user_data_export_request(user_id=anna.pk)

    with pytest.raises(LimitExceeded) as refused:
        user_data_export_request(user_id=anna.pk)

    assert refused.value.code == "export_too_soon"
    assert Event.objects.filter(name="data_exported", user=anna).count() == 1


def test_ten_minutes_later_the_user_may_export_again(anna):
    user_data_export_request(user_id=anna.pk)
    Event.objects.filter(name="data_exported").update(occurred_at=timezone.now() - timedelta(minutes=11))

    user_data_export_request(user_id=anna.pk)

    assert Event.objects.filter(name="data_exported", user=anna).count() == 2


def test_staff_exports_are_not_limited_and_are_recorded_without_content(anna):
    user_data_export_request(user_id=anna.pk)

    user_data_export_request(user_id=anna.pk, actor="support_sam")

    staff = Event.objects.get(name="data_exported", source="admin")
    assert staff.properties == {"by": "staff"}
    assert Event.objects.get(name="data_exported", source="bot").properties == {"by": "user"}
