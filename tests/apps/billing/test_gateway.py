"""The YooKassa gateway: the real SDK against a stub API on 127.0.0.1, and its errors as the project's own."""

import time
from decimal import Decimal

import pytest

from apps.billing import gateway
from apps.core.exceptions import ApplicationError, InvalidInput, NotFound, ServiceUnavailable

RECEIPT = {
    "customer": {"email": "anna@example.com"},
    "items": [
        {
            "description": "PRO на месяц",
            "quantity": "1",
            "amount": {"value": "399.00", "currency": "RUB"},
            "vat_code": 1,
            "payment_subject": "service",
            "payment_mode": "full_payment",
        }
    ],
}


def create(key: str = "key-1", **overrides) -> gateway.GatewayPayment:
    arguments = {
        "amount": Decimal("399"),
        "currency": "RUB",
        "description": "PRO на месяц",
        "idempotence_key": key,
        "return_url": "https://t.me/sputnik_test_bot",
        "save_payment_method": True,
        "receipt": None,
        "metadata": {"payment_id": "7"},
    }
    return gateway.payment_create(**(arguments | overrides))


def test_payments_are_enabled_only_with_both_shop_id_and_secret_key(settings):
    settings.YOOKASSA_SHOP_ID, settings.YOOKASSA_SECRET_KEY = "100500", ""
    assert gateway.payments_enabled() is False

    settings.YOOKASSA_SECRET_KEY = "secret"
    assert gateway.payments_enabled() is True


def test_a_payment_is_created_with_redirect_capture_saving_and_the_idempotence_key(yookassa):
    payment = create("key-1", receipt=RECEIPT)

    [request] = yookassa.requests_to("POST", "/payments")
    assert request.authorized
    assert request.idempotence_key == "key-1"
    assert request.body["amount"] == {"value": "399.00", "currency": "RUB"}
    assert request.body["confirmation"] == {"type": "redirect", "return_url": "https://t.me/sputnik_test_bot"}
    assert request.body["capture"] is True
    assert request.body["save_payment_method"] is True
    assert request.body["metadata"]["payment_id"] == "7"
    assert request.body["receipt"]["customer"] == {"email": "anna@example.com"}
    assert payment.id in yookassa.payments
    assert (payment.status, payment.paid) == ("pending", False)
    assert (payment.amount, payment.currency) == (Decimal("399.00"), "RUB")
    assert payment.confirmation_url == yookassa.payments[payment.id]["confirmation"]["confirmation_url"]
    assert payment.payment_method_id == ""


def test_the_same_idempotence_key_gives_the_same_payment(yookassa):
    first, second = create("key-1"), create("key-1")

    assert first.id == second.id
    assert len(yookassa.payments) == 1


def test_a_fetched_payment_reports_the_method_only_when_it_was_saved(yookassa):
    kept, not_kept = create("key-1"), create("key-2")
    yookassa.set_status(kept.id, "succeeded", payment_method_saved=True)
    yookassa.set_status(not_kept.id, "succeeded", payment_method_saved=False)

    fetched = gateway.payment_get(kept.id)

    assert (fetched.status, fetched.paid) == ("succeeded", True)
    assert fetched.payment_method_id == yookassa.payments[kept.id]["payment_method"]["id"]
    assert gateway.payment_get(not_kept.id).payment_method_id == ""


def test_a_canceled_payment_carries_yookassas_reason(yookassa):
    payment = create()
    yookassa.set_status(payment.id, "canceled", cancellation_reason="insufficient_funds")

    assert gateway.payment_get(payment.id).cancellation_reason == "insufficient_funds"


def test_charging_a_saved_method_sends_it_and_needs_no_confirmation(yookassa):
    charged = gateway.payment_charge_saved(
        amount=Decimal("399"),
        currency="RUB",
        description="Sputnik PRO: pro-month",
        idempotence_key="renewal-1",
        payment_method_id="pm-42",
        receipt=None,
        metadata={"payment_id": "8"},
    )

    [request] = yookassa.requests_to("POST", "/payments")
    assert request.body["payment_method_id"] == "pm-42"
    assert request.body["capture"] is True
    assert "confirmation" not in request.body
    assert (charged.status, charged.confirmation_url, charged.payment_method_id) == ("succeeded", "", "pm-42")


def test_a_refund_is_created_with_its_key_and_can_be_fetched(yookassa):
    payment = create()
    yookassa.set_status(payment.id, "succeeded")

    refund = gateway.refund_create(
        payment_id=payment.id, amount=Decimal("100"), currency="RUB", idempotence_key="refund-1", description="goodwill"
    )

    [request] = yookassa.requests_to("POST", "/refunds")
    assert request.idempotence_key == "refund-1"
    assert request.body["amount"] == {"value": "100.00", "currency": "RUB"}
    assert (refund.status, refund.amount, refund.payment_id) == ("succeeded", Decimal("100.00"), payment.id)
    assert gateway.refund_get(refund.id) == refund


def test_a_refused_request_is_invalid_input_with_yookassas_description(yookassa):
    payment = create()
    yookassa.set_status(payment.id, "succeeded")

    with pytest.raises(InvalidInput, match="exceeds the amount available") as raised:
        gateway.refund_create(payment_id=payment.id, amount=Decimal("500"), currency="RUB", idempotence_key="r-1")

    assert raised.value.code == "yookassa_refused"


def test_an_unknown_payment_is_not_found(yookassa):
    with pytest.raises(NotFound):
        gateway.payment_get("2d4f0000-000f-5000-9000-000000000000")


def test_wrong_credentials_are_an_application_error_not_a_retryable_outage(yookassa, settings):
    settings.YOOKASSA_SECRET_KEY = "wrong"

    with pytest.raises(ApplicationError) as raised:
        create()

    assert raised.value.code == "yookassa_unauthorized"
    assert not isinstance(raised.value, ServiceUnavailable)


@pytest.mark.parametrize("status", [500, 503])
def test_a_server_error_is_service_unavailable(yookassa, status):
    yookassa.fail_next(status)

    with pytest.raises(ServiceUnavailable) as raised:
        create()

    assert raised.value.code == "yookassa_unavailable"


def test_a_hung_api_is_cut_off_by_the_configured_timeout(yookassa, settings):
    settings.YOOKASSA_TIMEOUT_S = 0.3
    yookassa.delay = 3.0
    started = time.monotonic()

    with pytest.raises(ServiceUnavailable) as raised:
        create()

    assert time.monotonic() - started < 2.0
    assert raised.value.code == "yookassa_timeout"


def test_an_unreachable_api_is_service_unavailable(settings):
    settings.YOOKASSA_SHOP_ID, settings.YOOKASSA_SECRET_KEY = "100500", "secret"
    settings.YOOKASSA_API_URL = "http://127.0.0.1:1/v3"  # port 1: nothing listens, refused at once

    with pytest.raises(ServiceUnavailable) as raised:
        gateway.payment_get("2d4f0000-000f-5000-9000-000000000000")

    assert raised.value.code == "yookassa_unreachable"
