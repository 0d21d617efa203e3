"""YooKassa's notifications. The operation only finds the sender's address and hands the raw body to the
service, which verifies and applies it."""

import logging

from django.http import HttpRequest
from ninja import Router, Status

from apps.billing.schemas import WebhookAckOut
from apps.billing.services.payments import payment_notification_handle
from apps.core.exceptions import ApplicationError
from apps.core.http import client_ip
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
