"""Billing's background work: each task loads by id and only calls a service."""

from celery import shared_task

from apps.core.exceptions import ServiceUnavailable
from apps.core.tasks import IDEMPOTENT


# Safe to run twice: the service claims the payment before sending, so a redelivered task sends nothing.
@shared_task(
    name="billing.payment_congratulate",
    autoretry_for=(ServiceUnavailable,),  # Telegram unreachable or rate-limiting: try again later
    retry_backoff=30,
    max_retries=5,
    **IDEMPOTENT,
)
def payment_congratulate(payment_id: int) -> bool:
    from apps.billing.services.payments import payment_congratulate as congratulate  # keeps worker start light

    return congratulate(payment_id=payment_id)


@shared_task(name="billing.subscription_notify", autoretry_for=(ServiceUnavailable,), retry_backoff=30, max_retries=5)
def subscription_notify(payment_id: int, what: str) -> bool:
    """A renewal's outcome, told to the user: "renewed" (PRO until …) or "renewal_failed" (grace period)."""
    from apps.billing.services.payments import payment_congratulate as congratulate
    from apps.billing.services.renewals import renewal_failed_notify

    if what == "renewed":
        return congratulate(payment_id=payment_id)
    return renewal_failed_notify(payment_id=payment_id)


@shared_task(name="billing.renewals_run")
def renewals_run() -> dict:
    """Charge every subscription that is due; one failure never stops the others."""
    import logging

    from apps.billing.services.renewals import renewals_due, subscription_renew

    outcomes: dict[str, int] = {}
    for subscription_id in renewals_due():
        try:
            outcome = subscription_renew(subscription_id=subscription_id)
        except Exception:  # logged; the next run retries this subscription
            logging.getLogger(__name__).exception("renewal of subscription %s failed", subscription_id)
            outcome = "error"
        outcomes[outcome] = outcomes.get(outcome, 0) + 1
    return outcomes


@shared_task(name="billing.subscriptions_expire", **IDEMPOTENT)
def subscriptions_expire() -> int:
    from apps.billing.services.subscriptions import subscriptions_expire_due

    return subscriptions_expire_due()
