"""YooKassa's notifications. The operation only finds the sender's address and hands the raw body to the
service, which verifies and applies it."""

import ipaddress
import logging

from django.conf import settings
from django.http import HttpRequest
from ninja import Router, Status

from apps.billing.schemas import WebhookAckOut
from apps.billing.services.payments import payment_notification_handle
from apps.core.exceptions import ApplicationError
from apps.core.schemas import ErrorOut

logger = logging.getLogger(__name__)
router = Router(tags=["billing"])


# No auth, so no CSRF check either (ninja checks CSRF only for cookie-based auth): YooKassa signs nothing,
# the service trusts the sender's network and then the API's own answer.
@router.post(
    "/yookassa/webhook",
    auth=None,
    response={200: WebhookAckOut, 400: ErrorOut, 403: ErrorOut, 503: ErrorOut},
    summary="YooKassa notification",
)
def yookassa_webhook(request: HttpRequest):
    try:
        outcome = payment_notification_handle(body=request.body, source_ip=client_ip(request))
    except ApplicationError as error:
        logger.warning("YooKassa notification refused: %s", error.code)
        raise
    logger.info("YooKassa notification: %s", outcome)
    return Status(200, {"ok": True})  # ignored ones too, or YooKassa keeps repeating them for a day


def client_ip(request: HttpRequest) -> str:
    """REMOTE_ADDR, or behind a trusted proxy the last X-Forwarded-For hop that is not a trusted proxy
    (the hops before it are whatever the client wrote)."""
    remote = request.META.get("REMOTE_ADDR", "")
    if not _trusted_proxy(remote):
        return remote
    hops = [hop.strip() for hop in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if hop.strip()]
    for hop in reversed(hops):
        if not _trusted_proxy(hop):
            return hop
    return remote


def _trusted_proxy(address: str) -> bool:
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return False
    return any(ip in ipaddress.ip_network(proxy.strip(), strict=False) for proxy in settings.YOOKASSA_TRUSTED_PROXIES)
