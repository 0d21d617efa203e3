"""YooKassa payments: starting one (a link to YooKassa's page), applying its notifications, refunds, and telling
the user that PRO is on.

Every call to YooKassa carries an idempotence key stored with our row, and the row is committed before the
call: after a timeout the retry sends the same key, so YooKassa answers with the same payment (or refund)
instead of charging twice. Network calls never run inside a transaction that holds row locks.
"""

import ipaddress
import json
import logging
import re
from datetime import timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.db.models import Sum
from django.utils import timezone, translation
from django.utils.text import format_lazy
from django.utils.translation import gettext, gettext_noop
from django.utils.translation import gettext_lazy as _
from yookassa.domain.notification import WebhookNotificationEventType as Events
from yookassa.domain.notification import WebhookNotificationFactory

from apps.accounts.models import DEFAULT_USER_TIMEZONE, TelegramUser
from apps.accounts.services import offer_accepted, offer_current, telegram_user_mark_blocked
from apps.analytics.services import event_track
from apps.billing import gateway
from apps.billing.models import Payment, Plan, Refund
from apps.billing.services.subscriptions import subscription_apply_payment, subscription_cancel_now
from apps.core.exceptions import (
    ApplicationError,
    Conflict,
    Forbidden,
    InvalidInput,
    NotFound,
    ServiceUnavailable,
)
from apps.core.queue import task_enqueue_on_commit
from apps.core.telegram import telegram_bot_username, telegram_send_message

logger = logging.getLogger(__name__)

REUSE_WITHIN = timedelta(hours=1)  # a second tap on "pay" within this gets the same payment
NOTIFICATION_LOG_SIZE = 50  # YooKassa repeats notifications for a day: keep the log bounded
CENT = Decimal("0.01")
PAYMENT_EVENTS = {Events.PAYMENT_SUCCEEDED, Events.PAYMENT_CANCELED, Events.PAYMENT_WAITING_FOR_CAPTURE}
IGNORED_EVENTS = {Events.DEAL_CLOSED, Events.PAYOUT_SUCCEEDED, Events.PAYOUT_CANCELED, Events.PAYMENT_METHOD_ACTIVE}
OBJECT_ID = re.compile(r"[A-Za-z0-9_-]{1,64}")  # it goes into the API path: nothing else may pass
CONGRATULATION = gettext_noop("🎉 PRO is on until {date}. Thank you!")


# --- starting a payment --------------------------------------------------------------------------


def payment_start(*, user_id: int, plan_code: str, email: str = "") -> Payment:
    """A YooKassa payment for a plan, with a link to YooKassa's page (`confirmation_url`).

    Tapping "pay" twice gives the same payment: a pending one of the same plan from the last hour is reused
    (one without a link yet, after a timeout, is sent again with its own key). Not atomic as a whole on
    purpose: the row is committed before YooKassa is asked. The method is saved for renewals.
    """
    if not gateway.payments_enabled():
        raise ServiceUnavailable(_("Payments are not available right now."), code="payments_disabled")
    payment = _payment_prepare(user_id=user_id, plan_code=plan_code, email=_email_clean(email))
    if payment.confirmation_url:
        return payment
    try:
        remote = gateway.payment_create(
            amount=payment.amount,
            currency=payment.currency,
            description=payment.plan.title_ru,
            idempotence_key=str(payment.idempotence_key),
            return_url=_return_url(),
            save_payment_method=payment.save_payment_method,
            receipt=payment.receipt or None,
            metadata={"payment_id": str(payment.pk)},  # our own id only: metadata is no place for personal data
        )
    except ServiceUnavailable:
        raise  # the row stays pending with its key: the next tap sends the same key
    except ApplicationError as error:
        _payment_mark_refused(payment_id=payment.pk, code=error.code)
        raise
    return _payment_store_created(payment_id=payment.pk, remote=remote)


def payment_receipt(*, payment: Payment, email: str = "") -> dict:
    """The 54-FZ receipt of a payment: one service item, sent to the customer's e-mail (given now, or the one
    of their latest receipt). Without an e-mail there is no receipt: a shop that must send receipts has to ask
    the user for an e-mail first (the bot will), or YooKassa refuses the payment."""
    email = email or _receipt_email_of(payment.user_id)
    if not email:
        return {}
    return {
        "customer": {"email": email},
        "items": [
            {
                "description": payment.plan.title_ru[:128],  # receipts are in Russian whatever the user reads
                "quantity": "1",
                "amount": {"value": str(payment.amount.quantize(CENT)), "currency": payment.currency},
                "vat_code": settings.YOOKASSA_VAT_CODE,
                "payment_subject": "service",
                "payment_mode": "full_payment",
            }
        ],
    }


@transaction.atomic
def _payment_prepare(*, user_id: int, plan_code: str, email: str) -> Payment:
    # The user's row is locked so that two taps at once cannot both miss the pending payment and make two.
    user = TelegramUser.objects.select_for_update().filter(pk=user_id).first()
    if user is None:
        raise NotFound(code="user_not_found")
    plan = Plan.objects.filter(code=plan_code, is_active=True).first()
    if plan is None:
        raise NotFound(_("This plan is not on sale."), code="plan_not_on_sale")
    if offer_current() is None:
        raise Conflict(_("Payments are paused: the public offer is not published."), code="offer_unpublished")
    if not offer_accepted(user_id=user_id):
        raise Conflict(_("Please accept the public offer before paying."), code="offer_not_accepted")
    payment = Payment(
        user=user,
        plan=plan,
        provider=Payment.Provider.YOOKASSA,
        kind=Payment.Kind.PURCHASE,
        amount=plan.price,
        currency="RUB",
        save_payment_method=True,
    )
    payment.receipt = payment_receipt(payment=payment, email=email)
    recent = Payment.objects.select_related("plan").filter(
        user=user,
        plan=plan,
        provider=Payment.Provider.YOOKASSA,
        kind=Payment.Kind.PURCHASE,
        status=Payment.Status.PENDING,
        amount=plan.price,
        created_at__gte=timezone.now() - REUSE_WITHIN,
    )
    for candidate in recent.order_by("-created_at"):
        if candidate.receipt == payment.receipt:  # the same request: resending it with its key is safe
            return candidate
    payment.full_clean()
    payment.save()
    return payment


@transaction.atomic
def _payment_store_created(*, payment_id: int, remote: gateway.GatewayPayment) -> Payment:
    payment = Payment.objects.select_for_update().select_related("plan").get(pk=payment_id)
    first_time = not payment.provider_payment_id
    payment.provider_payment_id = remote.id
    payment.confirmation_url = remote.confirmation_url
    payment.full_clean()
    payment.save(update_fields=["provider_payment_id", "confirmation_url", "updated_at"])
    if first_time:
        event_track(
            name="payment_started",
            user_id=payment.user_id,
            properties={"plan": payment.plan.code, "amount": str(payment.amount), "currency": payment.currency},
            source="bot",
        )
    return payment


@transaction.atomic
def _payment_mark_refused(*, payment_id: int, code: str) -> None:
    """YooKassa refused the request itself: nothing was created there, and the row must not be reused."""
    Payment.objects.filter(pk=payment_id, status=Payment.Status.PENDING).update(
        status=Payment.Status.CANCELED, failure_reason=code[:64], updated_at=timezone.now()
    )


def _email_clean(email: str) -> str:
    email = (email or "").strip()
    if email:
        try:
            validate_email(email)
        except ValidationError as error:
            raise InvalidInput(_("This does not look like an e-mail address."), code="bad_email") from error
    return email


def _receipt_email_of(user_id: int) -> str:
    receipt = (
        Payment.objects.filter(user_id=user_id, provider=Payment.Provider.YOOKASSA, receipt__customer__has_key="email")
        .order_by("-created_at")
        .values_list("receipt", flat=True)
        .first()
    )
    return receipt["customer"]["email"] if receipt else ""


def _return_url() -> str:
    if settings.YOOKASSA_RETURN_URL:
        return settings.YOOKASSA_RETURN_URL
    username = telegram_bot_username() if settings.TELEGRAM_BOT_TOKEN else ""
    return f"https://t.me/{username}"


# --- notifications -------------------------------------------------------------------------------


def payment_notification_handle(*, body: bytes, source_ip: str) -> str:
    """Apply one YooKassa notification; returns what happened, for the log.

    Notifications carry no signature: they are accepted from YooKassa's networks only, and the body only
    names the object. Its state is fetched from the API and only that is trusted, so a forged "succeeded"
    about a pending payment changes nothing. Repeats are harmless: a payment extends the subscription once.
    """
    if not _source_trusted(source_ip):
        raise Forbidden(_("Notifications are accepted from YooKassa's addresses only."), code="untrusted_source")
    event, object_id = _notification_parse(body)
    if event in IGNORED_EVENTS:
        return "ignored_event"
    try:
        if event == Events.REFUND_SUCCEEDED:
            return _refund_notification_apply(remote=gateway.refund_get(object_id))
        return _payment_notification_apply(event=event, remote=gateway.payment_get(object_id))
    except NotFound:
        logger.warning("YooKassa notification %s names an object its API does not know", event)
        return "unknown_object"


def _source_trusted(source_ip: str) -> bool:
    try:
        address = ipaddress.ip_address((source_ip or "").strip())
    except ValueError:
        return False
    if address.version == 6 and address.ipv4_mapped:
        address = address.ipv4_mapped
    for network in settings.YOOKASSA_WEBHOOK_NETWORKS:
        if address in ipaddress.ip_network(network.strip(), strict=False):
            return True
    return False


def _notification_parse(body: bytes) -> tuple[str, str]:
    try:
        notification = WebhookNotificationFactory().create(json.loads(body))
        event, object_id = str(notification.event), notification.object.id
    except (ValueError, TypeError, AttributeError, KeyError) as error:
        raise InvalidInput(_("This is not a YooKassa notification."), code="bad_notification") from error
    if event in IGNORED_EVENTS:
        return event, ""
    if event not in PAYMENT_EVENTS | {Events.REFUND_SUCCEEDED}:
        raise InvalidInput(_("Unknown YooKassa event."), code="unknown_event")
    if not isinstance(object_id, str) or not OBJECT_ID.fullmatch(object_id):
        raise InvalidInput(_("This is not a YooKassa notification."), code="bad_notification")
    return event, object_id


@transaction.atomic
def _payment_notification_apply(*, event: str, remote: gateway.GatewayPayment) -> str:
    payment = (
        Payment.objects.select_for_update()
        .select_related("plan")
        .filter(provider=Payment.Provider.YOOKASSA, provider_payment_id=remote.id)
        .first()
    )
    if payment is None:
        logger.warning("YooKassa notification %s about a payment we did not make", event)
        return "unknown_payment"
    now = timezone.now()
    entry = {"event": event, "status": remote.status, "at": now.isoformat()}
    payment.notifications = [*payment.notifications, entry][-NOTIFICATION_LOG_SIZE:]
    fields = ["notifications", "updated_at"]
    outcome = "no_change"
    if (remote.amount, remote.currency) != (payment.amount, payment.currency):
        logger.error("YooKassa payment %s: amount %s %s differs from ours", payment.pk, remote.amount, remote.currency)
        outcome = "amount_mismatch"
    elif remote.status == Payment.Status.SUCCEEDED and payment.status != Payment.Status.SUCCEEDED:
        payment.status, payment.paid_at, payment.failure_reason = Payment.Status.SUCCEEDED, now, ""
        if remote.payment_method_id:  # saved for renewals; a renewal's row already carries its method
            payment.payment_method_id = remote.payment_method_id
        fields += ["status", "paid_at", "failure_reason", "payment_method_id"]
    elif remote.status == Payment.Status.CANCELED and payment.status in (
        Payment.Status.PENDING,
        Payment.Status.WAITING_FOR_CAPTURE,
    ):
        payment.status, payment.failure_reason = Payment.Status.CANCELED, remote.cancellation_reason[:64]
        fields += ["status", "failure_reason"]
        outcome = "canceled"
        event_track(
            name="payment_failed",
            user_id=payment.user_id,
            properties={"plan": payment.plan.code, "reason": payment.failure_reason or None, "kind": payment.kind},
            source="web",
        )
    elif remote.status == Payment.Status.WAITING_FOR_CAPTURE and payment.status == Payment.Status.PENDING:
        payment.status = Payment.Status.WAITING_FOR_CAPTURE  # not expected: payments are created with capture
        fields.append("status")
        outcome = "waiting_for_capture"
    payment.full_clean()
    payment.save(update_fields=fields)
    if outcome == "amount_mismatch" or payment.status != Payment.Status.SUCCEEDED:
        return outcome
    if payment.applied_at is not None:
        return "already_applied"
    subscription_apply_payment(payment_id=payment.pk, at=now)
    _congratulate_on_commit(payment.pk)
    return "activated"


def _congratulate_on_commit(payment_id: int) -> None:
    from apps.billing.tasks import payment_congratulate  # tasks import services

    task_enqueue_on_commit(payment_congratulate, payment_id)


# --- refunds -------------------------------------------------------------------------------------


def payment_refund(*, payment_id: int, amount: Decimal | None = None, actor: str, reason: str = "") -> Refund:
    """Return money of a succeeded YooKassa payment: all that is left (None) or a part of it.

    Like payments, the Refund row and its key are committed before YooKassa is asked: repeating a refund that
    timed out resends the same key. A full refund of the payment that paid for the live period ends the
    subscription at once.
    """
    refund = _refund_prepare(payment_id=payment_id, amount=amount, actor=actor, reason=reason)
    try:
        remote = gateway.refund_create(
            payment_id=refund.payment.provider_payment_id,
            amount=refund.amount,
            currency=refund.payment.currency,
            idempotence_key=str(refund.idempotence_key),
            description=refund.reason,
        )
    except ServiceUnavailable:
        raise  # stays pending without a YooKassa id: repeating the refund resends its key
    except ApplicationError:
        Refund.objects.filter(pk=refund.pk, status=Refund.Status.PENDING).update(
            status=Refund.Status.CANCELED, updated_at=timezone.now()
        )
        raise
    return _refund_store(refund_id=refund.pk, remote=remote)


@transaction.atomic
def _refund_prepare(*, payment_id: int, amount: Decimal | None, actor: str, reason: str) -> Refund:
    payment = Payment.objects.select_for_update().filter(pk=payment_id).first()
    if payment is None:
        raise NotFound(code="payment_not_found")
    if (
        payment.provider != Payment.Provider.YOOKASSA
        or payment.status != Payment.Status.SUCCEEDED
        or not payment.provider_payment_id
    ):
        raise Conflict(_("Only succeeded YooKassa payments can be refunded."), code="not_refundable")
    requested = None if amount is None else Decimal(amount).quantize(CENT)
    unsent = payment.refunds.filter(status=Refund.Status.PENDING, provider_refund_id__isnull=True).first()
    if unsent is not None:  # YooKassa did not answer last time: only the same refund may be repeated
        if requested is None or requested == unsent.amount:
            return unsent
        raise Conflict(
            _("An earlier refund of this payment did not finish: repeat it first."), code="refund_unfinished"
        )
    taken = payment.refunds.filter(status__in=[Refund.Status.PENDING, Refund.Status.SUCCEEDED])
    left = payment.amount - (taken.aggregate(total=Sum("amount"))["total"] or Decimal(0))
    if left <= 0:
        raise Conflict(_("This payment has been refunded in full."), code="refunded_in_full")
    requested = left if requested is None else requested
    if requested <= 0:
        raise InvalidInput(_("A refund must be a positive amount."), code="bad_refund_amount")
    if requested > left:
        raise InvalidInput(format_lazy(_("At most {left} can be refunded."), left=left), code="refund_too_large")
    refund = Refund(payment=payment, amount=requested, actor=actor[:150], reason=reason[:200])
    refund.full_clean()
    refund.save()
    return refund


@transaction.atomic
def _refund_store(*, refund_id: int, remote: gateway.GatewayRefund) -> Refund:
    refund = Refund.objects.select_for_update().get(pk=refund_id)
    refund.provider_refund_id = remote.id
    refund.full_clean()
    refund.save(update_fields=["provider_refund_id", "updated_at"])
    _refund_settle(refund, remote.status)
    return refund


@transaction.atomic
def _refund_notification_apply(*, remote: gateway.GatewayRefund) -> str:
    refund = Refund.objects.select_for_update().filter(provider_refund_id=remote.id).first()
    if refund is None:
        logger.warning("YooKassa notification about a refund we did not make")
        return "unknown_refund"
    if remote.amount != refund.amount:
        logger.error("YooKassa refund %s: amount %s differs from ours", refund.pk, remote.amount)
        return "refund_amount_mismatch"
    return f"refund_{remote.status}" if _refund_settle(refund, remote.status) else "no_change"


def _refund_settle(refund: Refund, status: str) -> bool:
    """Move a pending refund to YooKassa's final status (inside the caller's transaction, the refund locked)."""
    if refund.status != Refund.Status.PENDING or status not in (Refund.Status.SUCCEEDED, Refund.Status.CANCELED):
        return False
    refund.status = status
    refund.save(update_fields=["status", "updated_at"])
    if status == Refund.Status.CANCELED:
        logger.warning("YooKassa canceled refund %s", refund.pk)
        return True
    payment = Payment.objects.select_for_update().select_related("plan").get(pk=refund.payment_id)
    payment.refunded_amount += refund.amount
    payment.save(update_fields=["refunded_amount", "updated_at"])
    full = payment.refunded_amount >= payment.amount
    event_track(
        name="payment_refunded",
        user_id=payment.user_id,
        properties={"plan": payment.plan.code, "amount": str(refund.amount), "currency": payment.currency,
                    "full": full},
        source="admin",
    )  # fmt: skip
    if full and payment.subscription_id and _paid_the_latest_period(payment):
        subscription_cancel_now(subscription_id=payment.subscription_id, actor=refund.actor, reason="payment refunded")
    return True


def _paid_the_latest_period(payment: Payment) -> bool:
    """A refunded early payment does not end a subscription that later payments extended."""
    latest = (
        Payment.objects.filter(subscription_id=payment.subscription_id, applied_at__isnull=False)
        .order_by("-applied_at", "-pk")
        .values_list("pk", flat=True)
        .first()
    )
    return latest == payment.pk


# --- telling the user ----------------------------------------------------------------------------


def payment_congratulate(*, payment_id: int) -> bool:
    """Tell the user in Telegram, in their language, that PRO is on and until when; True when sent.

    Claimed before sending, so a task delivered twice sends once; released when Telegram cannot take it now,
    so the task's retry sends it. Not one transaction: the claim must be visible while Telegram is called.
    """
    if not settings.TELEGRAM_BOT_TOKEN:
        logger.info("no TELEGRAM_BOT_TOKEN: payment %s is not announced in Telegram", payment_id)
        return False
    claimed = Payment.objects.filter(
        pk=payment_id, applied_at__isnull=False, subscription__isnull=False, congratulated_at__isnull=True
    ).update(congratulated_at=timezone.now())
    if not claimed:
        return False
    payment = Payment.objects.select_related("user", "subscription").get(pk=payment_id)
    user = payment.user
    until = payment.subscription.current_period_end.astimezone(ZoneInfo(user.timezone or DEFAULT_USER_TIMEZONE))
    with translation.override(user.language):
        text = gettext(CONGRATULATION).format(date=until.strftime("%d.%m.%Y"))
    try:
        telegram_send_message(chat_id=user.telegram_id, text=text)
    except Forbidden:
        telegram_user_mark_blocked(telegram_id=user.telegram_id)
        return False
    except ServiceUnavailable:
        Payment.objects.filter(pk=payment_id).update(congratulated_at=None)
        raise
    except InvalidInput as error:  # a chat Telegram does not know: a retry would not help
        logger.warning("payment %s not announced: %s", payment_id, error.code)
        return False
    return True
