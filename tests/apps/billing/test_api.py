"""POST /api/billing/yookassa/webhook: who may post, what the answers are, and that PRO follows."""

from decimal import Decimal

import pytest
from django.test import Client

from apps.billing import gateway
from apps.billing.models import Payment
from apps.billing.selectors import entitlement_get
from apps.billing.services.payments import payment_start
from tests.apps.billing.conftest import YOOKASSA_IP

pytestmark = pytest.mark.django_db

URL = "/api/billing/yookassa/webhook"
PROXY = "10.0.0.5"


def post(client, body: bytes, *, remote_addr: str = YOOKASSA_IP, forwarded_for: str | None = None):
    extra = {"REMOTE_ADDR": remote_addr}
    if forwarded_for is not None:
        extra["HTTP_X_FORWARDED_FOR"] = forwarded_for
    return client.post(URL, data=body, content_type="application/json", **extra)


@pytest.fixture
def payment(yookassa, buyer) -> Payment:
    return payment_start(user_id=buyer.pk, plan_code="pro-month")


@pytest.fixture
def body(yookassa, payment) -> bytes:
    """The buyer has just paid on YooKassa's page: the notification YooKassa posts about it."""
    yookassa.set_status(payment.provider_payment_id, "succeeded", payment_method_saved=True)
    return yookassa.notification("payment.succeeded", payment.provider_payment_id)


def test_a_notification_from_yookassa_turns_pro_on_and_is_answered_ok(client, body, buyer):
    response = post(client, body)

    assert (response.status_code, response.json()) == (200, {"ok": True})
    assert entitlement_get(user_id=buyer.pk).has_pro is True


def test_a_notification_from_another_address_gets_403_and_changes_nothing(client, payment, body, buyer):
    response = post(client, body, remote_addr="203.0.113.7")

    assert response.status_code == 403
    assert response.json()["code"] == "untrusted_source"
    payment.refresh_from_db()
    assert payment.status == "pending"
    assert entitlement_get(user_id=buyer.pk).has_pro is False


def test_behind_a_trusted_proxy_the_last_forwarded_hop_is_checked(client, body, buyer, settings):
    settings.TRUSTED_PROXIES = [PROXY]
    response = post(client, body, remote_addr=PROXY, forwarded_for=f"198.51.100.1, {YOOKASSA_IP}")

    assert response.status_code == 200
    assert entitlement_get(user_id=buyer.pk).has_pro is True


def test_a_yookassa_address_written_by_the_client_into_the_forwarded_header_is_not_believed(client, body, settings):
    settings.TRUSTED_PROXIES = [PROXY]
    response = post(client, body, remote_addr=PROXY, forwarded_for=f"{YOOKASSA_IP}, 203.0.113.7")

    assert response.status_code == 403


def test_a_forwarded_header_from_an_untrusted_peer_is_ignored(client, body):
    response = post(client, body, remote_addr="203.0.113.7", forwarded_for=YOOKASSA_IP)

    assert response.status_code == 403


def test_an_ipv4_mapped_yookassa_address_is_accepted(client, body):
    assert post(client, body, remote_addr=f"::ffff:{YOOKASSA_IP}").status_code == 200


def test_a_body_that_is_not_json_gets_400(client, yookassa):
    response = post(client, b"{definitely not json")

    assert response.status_code == 400
    assert response.json()["code"] == "bad_notification"


def test_a_notification_about_a_payment_we_did_not_make_gets_200_so_it_is_not_repeated(client, yookassa):
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

    response = post(client, yookassa.notification("payment.succeeded", theirs.id))

    assert (response.status_code, response.json()) == (200, {"ok": True})
    assert not Payment.objects.exists()


def test_an_event_billing_does_not_use_gets_200(client, yookassa):
    body = b'{"type": "notification", "event": "payout.succeeded", "object": {"id": "po-1"}}'

    assert post(client, body).status_code == 200
    assert yookassa.requests == []


def test_yookassa_unavailable_gets_503_so_the_notification_comes_again(client, payment, body, yookassa):
    yookassa.fail_next(500)

    response = post(client, body)

    assert response.status_code == 503
    payment.refresh_from_db()
    assert payment.status == "pending"


def test_no_csrf_token_is_needed(body):
    response = post(Client(enforce_csrf_checks=True), body)

    assert response.status_code == 200
