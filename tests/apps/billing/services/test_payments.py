"""YooKassa payments: starting one, applying notifications (trusting only the API), refunds, telling the user."""

from datetime import timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from dateutil.relativedelta import relativedelta
from django.utils import timezone
from django.utils.translation import trans_real

from apps.accounts.models import LegalDocument
from apps.accounts.services import consent_accept, offer_current
from apps.analytics.models import Event
from apps.billing import gateway
from apps.billing.models import Payment, Plan, Refund, Subscription
from apps.billing.selectors import entitlement_get
from apps.billing.services.payments import (
    CONGRATULATION,
    payment_congratulate,
    payment_notification_handle,
    payment_refund,
    payment_start,
)
from apps.core.exceptions import Conflict, Forbidden, InvalidInput, NotFound, ServiceUnavailable
from tests.apps.billing.conftest import YOOKASSA_IP
from tests.factories import TelegramUserFactory
from tests.stubs.telegram_server import FakeTelegram

pytestmark = pytest.mark.django_db


def notify(body: bytes, source_ip: str = YOOKASSA_IP) -> str:
    return payment_notification_handle(body=body, source_ip=source_ip)


def pay(yookassa, payment: Payment, *, saved: bool = True) -> bytes:
    """The user pays on YooKassa's page; returns the notification YooKassa then posts."""
    yookassa.set_status(payment.provider_payment_id, "succeeded", payment_method_saved=saved)
    return yookassa.notification("payment.succeeded", payment.provider_payment_id)


def bought(yookassa, user, plan_code: str = "pro-month") -> Payment:
    payment = payment_start(user_id=user.pk, plan_code=plan_code)
    notify(pay(yookassa, payment))
    payment.refresh_from_db()
    return payment


# --- starting a payment --------------------------------------------------------------------------


def test_a_started_payment_is_created_at_yookassa_for_the_plans_price_saving_the_method(yookassa, buyer):
    payment = payment_start(user_id=buyer.pk, plan_code="pro-quarter")

    [request] = yookassa.requests_to("POST", "/payments")
    assert request.idempotence_key == str(payment.idempotence_key)
    assert request.body["amount"] == {"value": "999.00", "currency": "RUB"}
    assert request.body["save_payment_method"] is True
    assert request.body["confirmation"]["return_url"] == "https://t.me/sputnik_test_bot"
    assert request.body["metadata"]["payment_id"] == str(payment.pk)
    assert "receipt" not in request.body  # no e-mail given
    assert payment.provider_payment_id in yookassa.payments
    confirmation = yookassa.payments[payment.provider_payment_id]["confirmation"]
    assert payment.confirmation_url == confirmation["confirmation_url"]
    assert (payment.status, payment.amount, payment.kind) == ("pending", Decimal("999.00"), "purchase")
    started = Event.objects.get(name="payment_started", user=buyer)
    assert started.properties == {"plan": "pro-quarter", "amount": "999.00", "currency": "RUB"}


def test_with_an_email_the_payment_carries_a_54fz_receipt_for_the_plan(yookassa, buyer, settings):
    settings.YOOKASSA_VAT_CODE = 4

    payment_start(user_id=buyer.pk, plan_code="pro-month", email="anna@example.com")

    [request] = yookassa.requests_to("POST", "/payments")
    receipt = request.body["receipt"]
    assert receipt["customer"] == {"email": "anna@example.com"}
    [item] = receipt["items"]
    assert item["description"] == "PRO на месяц"
    assert Decimal(item["quantity"]) == 1
    assert item["amount"] == {"value": "399.00", "currency": "RUB"}
    assert (item["vat_code"], item["payment_subject"], item["payment_mode"]) == (4, "service", "full_payment")


def test_a_malformed_email_is_refused_before_anything_is_created(yookassa, buyer):
    with pytest.raises(InvalidInput):
        payment_start(user_id=buyer.pk, plan_code="pro-month", email="not an address")

    assert not Payment.objects.exists()
    assert yookassa.requests == []


def test_tapping_pay_twice_makes_one_payment(yookassa, buyer):
    first = payment_start(user_id=buyer.pk, plan_code="pro-month")
    second = payment_start(user_id=buyer.pk, plan_code="pro-month")

    assert second.pk == first.pk
    assert second.confirmation_url == first.confirmation_url
    assert len(yookassa.requests_to("POST", "/payments")) == 1
    assert Event.objects.filter(name="payment_started").count() == 1


def test_a_pending_payment_older_than_an_hour_is_not_reused(yookassa, buyer):
    first = payment_start(user_id=buyer.pk, plan_code="pro-month")
    Payment.objects.filter(pk=first.pk).update(created_at=timezone.now() - timedelta(hours=2))

    second = payment_start(user_id=buyer.pk, plan_code="pro-month")

    assert second.pk != first.pk
    assert len(yookassa.payments) == 2


def test_another_plan_gets_its_own_payment(yookassa, buyer):
    month = payment_start(user_id=buyer.pk, plan_code="pro-month")
    year = payment_start(user_id=buyer.pk, plan_code="pro-year")

    assert month.pk != year.pk
    assert year.amount == Decimal("2990.00")


def test_a_user_who_has_not_accepted_the_offer_cannot_pay(yookassa):
    user = TelegramUserFactory()

    with pytest.raises(Conflict) as raised:
        payment_start(user_id=user.pk, plan_code="pro-month")

    assert raised.value.code == "offer_not_accepted"
    assert not Payment.objects.exists()
    assert yookassa.requests == []


def test_a_new_offer_version_must_be_accepted_before_paying_again(yookassa, buyer):
    LegalDocument.objects.create(
        kind="offer", version=2, title_ru="О", title_en="O", body_ru="т", body_en="t", published_at=timezone.now()
    )

    with pytest.raises(Conflict) as raised:
        payment_start(user_id=buyer.pk, plan_code="pro-month")

    assert raised.value.code == "offer_not_accepted"


def test_a_plan_taken_off_sale_cannot_be_bought(yookassa, buyer):
    Plan.objects.filter(code="pro-year").update(is_active=False)

    with pytest.raises(NotFound) as raised:
        payment_start(user_id=buyer.pk, plan_code="pro-year")

    assert raised.value.code == "plan_not_on_sale"


def test_without_shop_credentials_payments_are_off(yookassa, buyer, settings):
    settings.YOOKASSA_SECRET_KEY = ""

    with pytest.raises(ServiceUnavailable) as raised:
        payment_start(user_id=buyer.pk, plan_code="pro-month")

    assert raised.value.code == "payments_disabled"
    assert yookassa.requests == []


def test_an_api_error_keeps_the_payment_pending_and_the_retry_sends_the_same_key(yookassa, buyer):
    yookassa.fail_next(500)

    with pytest.raises(ServiceUnavailable):
        payment_start(user_id=buyer.pk, plan_code="pro-month")

    kept = Payment.objects.get()
    assert (kept.status, kept.provider_payment_id, kept.confirmation_url) == ("pending", None, "")

    retried = payment_start(user_id=buyer.pk, plan_code="pro-month")

    assert retried.pk == kept.pk
    keys = [request.idempotence_key for request in yookassa.requests_to("POST", "/payments")]
    assert keys == [str(kept.idempotence_key)] * 2
    assert list(yookassa.payments) == [retried.provider_payment_id]


def test_a_timeout_after_yookassa_made_the_payment_does_not_charge_twice(yookassa, buyer, settings):
    settings.YOOKASSA_TIMEOUT_S = 0.3
    yookassa.delay = 1.5  # the payment is made there, but the answer comes too late

    with pytest.raises(ServiceUnavailable):
        payment_start(user_id=buyer.pk, plan_code="pro-month")

    assert len(yookassa.payments) == 1
    yookassa.delay = 0

    payment = payment_start(user_id=buyer.pk, plan_code="pro-month")

    assert len(yookassa.payments) == 1
    assert payment.provider_payment_id == next(iter(yookassa.payments))
    assert Payment.objects.count() == 1


def test_a_payment_yookassa_refused_is_not_reused(yookassa, buyer):
    yookassa.fail_next(400)

    with pytest.raises(InvalidInput):
        payment_start(user_id=buyer.pk, plan_code="pro-month")

    refused = Payment.objects.get()
    assert refused.status == "canceled"
    payment = payment_start(user_id=buyer.pk, plan_code="pro-month")
    assert payment.pk != refused.pk
    assert payment.idempotence_key != refused.idempotence_key


# --- notifications -------------------------------------------------------------------------------


def test_a_succeeded_payment_turns_pro_on_for_the_plans_period(yookassa, buyer):
    payment = payment_start(user_id=buyer.pk, plan_code="pro-quarter")
    body = pay(yookassa, payment)
    before = timezone.now()

    outcome = notify(body)

    assert outcome == "activated"
    entitlement = entitlement_get(user_id=buyer.pk)
    assert (entitlement.has_pro, entitlement.plan_code) == (True, "pro-quarter")
    assert before + relativedelta(months=3) <= entitlement.period_end <= timezone.now() + relativedelta(months=3)
    payment.refresh_from_db()
    method = yookassa.payments[payment.provider_payment_id]["payment_method"]["id"]
    assert (payment.status, payment.payment_method_id) == ("succeeded", method)
    assert payment.paid_at is not None
    assert Subscription.objects.get(user=buyer).payment_method_id == method
    assert payment.notifications[-1]["event"] == "payment.succeeded"
    assert payment.notifications[-1]["status"] == "succeeded"


def test_the_same_notification_ten_times_extends_the_subscription_once(
    yookassa, buyer, django_capture_on_commit_callbacks
):
    payment = payment_start(user_id=buyer.pk, plan_code="pro-month")
    body = pay(yookassa, payment)

    with django_capture_on_commit_callbacks() as callbacks:
        outcomes = [notify(body) for _ in range(10)]

    assert outcomes == ["activated"] + ["already_applied"] * 9
    subscription = Subscription.objects.get(user=buyer)
    assert subscription.current_period_end - subscription.current_period_start <= timedelta(days=31)
    assert Event.objects.filter(name="payment_succeeded", user=buyer).count() == 1
    assert len(callbacks) == 1  # one congratulation queued
    payment.refresh_from_db()
    assert len(payment.notifications) == 10


def test_a_notification_from_outside_yookassas_networks_is_refused_and_changes_nothing(yookassa, buyer):
    payment = payment_start(user_id=buyer.pk, plan_code="pro-month")
    body = pay(yookassa, payment)

    with pytest.raises(Forbidden):
        notify(body, source_ip="203.0.113.7")

    payment.refresh_from_db()
    assert (payment.status, payment.notifications) == ("pending", [])
    assert entitlement_get(user_id=buyer.pk).has_pro is False
    assert yookassa.requests_to("GET", f"/payments/{payment.provider_payment_id}") == []


def test_a_forged_succeeded_body_changes_nothing_while_the_api_says_pending(yookassa, buyer):
    payment = payment_start(user_id=buyer.pk, plan_code="pro-month")
    forged = yookassa.notification("payment.succeeded", payment.provider_payment_id, status="succeeded", paid=True)

    outcome = notify(forged)

    assert outcome == "no_change"
    payment.refresh_from_db()
    assert (payment.status, payment.paid_at, payment.applied_at) == ("pending", None, None)
    assert not Subscription.objects.exists()
    assert len(yookassa.requests_to("GET", f"/payments/{payment.provider_payment_id}")) == 1


@pytest.mark.parametrize(
    "body",
    [
        b"{not json",
        b"[]",
        b'{"type": "notification", "event": "payment.succeeded"}',
        b'{"type": "notification", "event": "payment.exploded", "object": {"id": "x1"}}',
        b'{"type": "notification", "event": "payment.succeeded", "object": {"id": "../refunds/x"}}',
    ],
    ids=["bad json", "not an object", "no object", "unknown event", "id with a path"],
)
def test_a_malformed_notification_is_invalid_input_and_asks_nothing(yookassa, body):
    with pytest.raises(InvalidInput):
        notify(body)

    assert yookassa.requests == []


def test_a_payment_yookassa_does_not_know_is_ignored(yookassa):
    body = b'{"type": "notification", "event": "payment.succeeded", "object": {"id": "2d4f0000-000f-5000-9000-1"}}'

    assert notify(body) == "unknown_object"


def test_a_payment_we_did_not_make_is_ignored(yookassa):
    theirs = gateway.payment_create(
        amount=Decimal("10"),
        currency="RUB",
        description="another shop's order",
        idempotence_key="elsewhere",
        return_url="https://example.com",
        save_payment_method=False,
        receipt=None,
        metadata={},
    )
    yookassa.set_status(theirs.id, "succeeded")

    assert notify(yookassa.notification("payment.succeeded", theirs.id)) == "unknown_payment"
    assert not Subscription.objects.exists()


def test_a_canceled_payment_is_marked_failed_with_yookassas_reason(yookassa, buyer):
    payment = payment_start(user_id=buyer.pk, plan_code="pro-month")
    yookassa.set_status(payment.provider_payment_id, "canceled", cancellation_reason="insufficient_funds")

    outcome = notify(yookassa.notification("payment.canceled", payment.provider_payment_id))

    assert outcome == "canceled"
    payment.refresh_from_db()
    assert (payment.status, payment.failure_reason) == ("canceled", "insufficient_funds")
    failed = Event.objects.get(name="payment_failed", user=buyer)
    assert failed.properties == {"plan": "pro-month", "reason": "insufficient_funds", "kind": "purchase"}
    assert entitlement_get(user_id=buyer.pk).has_pro is False


def test_a_paid_amount_that_differs_from_ours_does_not_turn_pro_on(yookassa, buyer):
    payment = payment_start(user_id=buyer.pk, plan_code="pro-month")
    body = pay(yookassa, payment)
    Payment.objects.filter(pk=payment.pk).update(amount=Decimal("2990"))

    assert notify(body) == "amount_mismatch"
    assert entitlement_get(user_id=buyer.pk).has_pro is False


def test_yookassa_unavailable_during_a_notification_raises_so_it_is_delivered_again(yookassa, buyer):
    payment = payment_start(user_id=buyer.pk, plan_code="pro-month")
    body = pay(yookassa, payment)
    yookassa.fail_next(500)

    with pytest.raises(ServiceUnavailable):
        notify(body)

    assert notify(body) == "activated"


# --- refunds -------------------------------------------------------------------------------------


def test_a_full_refund_returns_everything_and_ends_the_live_subscription(yookassa, buyer):
    payment = bought(yookassa, buyer)

    refund = payment_refund(payment_id=payment.pk, actor="support@sputnik", reason="asked by the user")

    [request] = yookassa.requests_to("POST", "/refunds")
    assert request.body["amount"] == {"value": "399.00", "currency": "RUB"}
    assert request.idempotence_key == str(refund.idempotence_key)
    assert (refund.status, refund.amount, refund.actor) == ("succeeded", Decimal("399.00"), "support@sputnik")
    payment.refresh_from_db()
    assert payment.refunded_amount == Decimal("399.00")
    assert entitlement_get(user_id=buyer.pk).has_pro is False
    assert Subscription.objects.get(user=buyer).status == "canceled"
    assert Event.objects.get(name="payment_refunded").properties["full"] is True


def test_a_partial_refund_keeps_the_subscription(yookassa, buyer):
    payment = bought(yookassa, buyer)

    refund = payment_refund(payment_id=payment.pk, amount=Decimal("100"), actor="support")

    payment.refresh_from_db()
    assert (refund.amount, payment.refunded_amount) == (Decimal("100.00"), Decimal("100.00"))
    assert entitlement_get(user_id=buyer.pk).has_pro is True
    assert Event.objects.get(name="payment_refunded").properties == {
        "plan": "pro-month", "amount": "100.00", "currency": "RUB", "full": False}  # fmt: skip


def test_refunding_more_than_is_left_is_refused(yookassa, buyer):
    payment = bought(yookassa, buyer)
    payment_refund(payment_id=payment.pk, amount=Decimal("300"), actor="support")

    with pytest.raises(InvalidInput) as raised:
        payment_refund(payment_id=payment.pk, amount=Decimal("100"), actor="support")

    assert raised.value.code == "refund_too_large"
    assert "99.00" in str(raised.value.message)
    assert len(yookassa.requests_to("POST", "/refunds")) == 1


def test_the_rest_refunded_after_a_partial_refund_is_full_and_ends_the_subscription(yookassa, buyer):
    payment = bought(yookassa, buyer)
    payment_refund(payment_id=payment.pk, amount=Decimal("100"), actor="support")

    rest = payment_refund(payment_id=payment.pk, actor="support")

    assert rest.amount == Decimal("299.00")
    assert Subscription.objects.get(user=buyer).status == "canceled"
    with pytest.raises(Conflict):
        payment_refund(payment_id=payment.pk, actor="support")


def test_only_succeeded_payments_can_be_refunded(yookassa, buyer):
    payment = payment_start(user_id=buyer.pk, plan_code="pro-month")

    with pytest.raises(Conflict) as raised:
        payment_refund(payment_id=payment.pk, actor="support")

    assert raised.value.code == "not_refundable"
    assert not Refund.objects.exists()


def test_a_refund_that_timed_out_is_repeated_with_the_same_key(yookassa, buyer, settings):
    payment = bought(yookassa, buyer)
    settings.YOOKASSA_TIMEOUT_S = 0.3
    yookassa.delay = 1.5

    with pytest.raises(ServiceUnavailable):
        payment_refund(payment_id=payment.pk, actor="support")

    yookassa.delay = 0
    refund = payment_refund(payment_id=payment.pk, actor="support")

    assert Refund.objects.count() == 1
    assert len(yookassa.refunds) == 1
    assert refund.status == "succeeded"
    payment.refresh_from_db()
    assert payment.refunded_amount == Decimal("399.00")


def test_a_pending_refund_is_settled_by_its_notification(yookassa, buyer):
    payment = bought(yookassa, buyer)
    yookassa.refund_status = "pending"
    refund = payment_refund(payment_id=payment.pk, amount=Decimal("150"), actor="support")
    payment.refresh_from_db()
    assert (refund.status, payment.refunded_amount) == ("pending", Decimal("0.00"))
    yookassa.set_refund_status(refund.provider_refund_id, "succeeded")

    outcomes = [notify(yookassa.refund_notification(refund.provider_refund_id)) for _ in range(3)]

    assert outcomes == ["refund_succeeded", "no_change", "no_change"]
    refund.refresh_from_db()
    payment.refresh_from_db()
    assert (refund.status, payment.refunded_amount) == ("succeeded", Decimal("150.00"))


# --- telling the user ----------------------------------------------------------------------------


@pytest.fixture
def telegram(settings):
    fake = FakeTelegram()
    fake.start_in_thread()
    settings.TELEGRAM_BOT_TOKEN, settings.TELEGRAM_API_URL = fake.token, fake.base_url
    yield fake
    fake.stop_thread()


@pytest.fixture
def russian_congratulation():
    """The Russian text of the congratulation: the real translation, or a stand-in until it is translated."""
    catalog = trans_real.translation("ru")._catalog
    if CONGRATULATION in catalog:
        yield catalog[CONGRATULATION]
        return
    catalog[CONGRATULATION] = "🎉 PRO подключён до {date}. Спасибо!"
    yield catalog[CONGRATULATION]
    del catalog._catalogs[0][CONGRATULATION]


@pytest.mark.parametrize("language", ["en", "ru"])
def test_the_user_is_congratulated_once_in_their_language(
    yookassa, telegram, language, russian_congratulation, django_capture_on_commit_callbacks
):
    user = TelegramUserFactory(language=language, timezone="Asia/Vladivostok")
    consent_accept(user_id=user.pk, document_ids=[offer_current().pk])
    telegram.user_sends("/start", user_id=user.telegram_id)  # Telegram lets bots write only to those who wrote
    payment = payment_start(user_id=user.pk, plan_code="pro-month")

    with django_capture_on_commit_callbacks(execute=True):
        notify(pay(yookassa, payment))
    payment_congratulate(payment_id=payment.pk)  # a redelivered task

    [message] = telegram.messages_to(user.telegram_id)
    end = Subscription.objects.get(user=user).current_period_end.astimezone(ZoneInfo("Asia/Vladivostok"))
    template = russian_congratulation if language == "ru" else "🎉 PRO is on until {date}. Thank you!"
    assert message["text"] == template.format(date=end.strftime("%d.%m.%Y"))
    payment.refresh_from_db()
    assert payment.congratulated_at is not None


def test_a_user_who_blocked_the_bot_is_marked_and_not_retried(yookassa, buyer, telegram):
    telegram.user_sends("/start", user_id=buyer.telegram_id)
    telegram.blocked_by.add(buyer.telegram_id)
    payment = bought(yookassa, buyer)

    assert payment_congratulate(payment_id=payment.pk) is False

    buyer.refresh_from_db()
    assert buyer.has_blocked_bot is True
    payment.refresh_from_db()
    assert payment.congratulated_at is not None


def test_telegram_unavailable_releases_the_congratulation_for_a_retry(yookassa, buyer, telegram):
    telegram.user_sends("/start", user_id=buyer.telegram_id)
    payment = bought(yookassa, buyer)
    telegram.fail_next("sendMessage", status=502)

    with pytest.raises(ServiceUnavailable):
        payment_congratulate(payment_id=payment.pk)

    payment.refresh_from_db()
    assert payment.congratulated_at is None
    assert payment_congratulate(payment_id=payment.pk) is True
    assert len(telegram.messages_to(buyer.telegram_id)) == 1


def test_without_a_bot_token_nobody_is_congratulated(yookassa, buyer):
    payment = bought(yookassa, buyer)

    assert payment_congratulate(payment_id=payment.pk) is False
    payment.refresh_from_db()
    assert payment.congratulated_at is None
