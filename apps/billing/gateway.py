"""YooKassa through its official SDK, reduced to what billing needs and returning small frozen dataclasses.

The SDK is synchronous and keeps its configuration in class attributes: call these functions from sync
services (the bot goes through `sync_to_async`, renewals through Celery). Errors come out as the project's
own: the network or YooKassa failing → `ServiceUnavailable` (try again later, with the same idempotence
key); YooKassa refusing the request → `InvalidInput`, `NotFound` or `ApplicationError` with its description.
"""

import functools
import logging
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from decimal import Decimal
from uuid import UUID

import requests
import yookassa
from django.conf import settings
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _
from yookassa.client import ApiClient
from yookassa.domain.exceptions import ApiError

from apps.core.exceptions import ApplicationError, InvalidInput, NotFound, ServiceUnavailable

logger = logging.getLogger(__name__)

DESCRIPTION_MAX = 128  # the API refuses longer payment descriptions (the SDK raises ValueError)
REFUND_DESCRIPTION_MAX = 250
CENT = Decimal("0.01")


@dataclass(frozen=True)
class GatewayPayment:
    id: str
    status: str  # pending, waiting_for_capture, succeeded, canceled
    paid: bool
    amount: Decimal
    currency: str
    confirmation_url: str  # "" when there is nothing to confirm (a charge of a saved method)
    payment_method_id: str  # "" unless YooKassa saved the method for later charges
    cancellation_reason: str  # "" unless canceled
    metadata: dict = field(default_factory=dict, hash=False)


@dataclass(frozen=True)
class GatewayRefund:
    id: str
    status: str  # pending, succeeded, canceled
    amount: Decimal
    payment_id: str


def payments_enabled() -> bool:
    return bool(settings.YOOKASSA_SHOP_ID and settings.YOOKASSA_SECRET_KEY)


def payment_create(
    *,
    amount: Decimal,
    currency: str,
    description: str,
    idempotence_key: str | UUID,
    return_url: str,
    save_payment_method: bool,
    receipt: dict | None,
    metadata: dict,
) -> GatewayPayment:
    """A payment the user confirms on YooKassa's page (redirect), captured at once when they pay."""
    params = _payment_params(amount, currency, description, receipt, metadata)
    params |= {
        "confirmation": {"type": "redirect", "return_url": return_url},
        "save_payment_method": save_payment_method,
    }
    with _translated_errors("create a payment"):
        return _payment(_Payment.create(params, str(idempotence_key)))


def payment_charge_saved(
    *,
    amount: Decimal,
    currency: str,
    description: str,
    idempotence_key: str | UUID,
    payment_method_id: str,
    receipt: dict | None,
    metadata: dict,
) -> GatewayPayment:
    """Charge a method saved by an earlier payment (renewals): no user on the page, captured at once."""
    params = _payment_params(amount, currency, description, receipt, metadata) | {
        "payment_method_id": payment_method_id
    }
    with _translated_errors("charge a saved payment method"):
        return _payment(_Payment.create(params, str(idempotence_key)))


def payment_get(payment_id: str) -> GatewayPayment:
    with _translated_errors("fetch a payment"):
        return _payment(_Payment.find_one(payment_id))


def refund_create(
    *, payment_id: str, amount: Decimal, currency: str, idempotence_key: str | UUID, description: str = ""
) -> GatewayRefund:
    params = {"payment_id": payment_id, "amount": {"value": _money(amount), "currency": currency}}
    if description:
        params["description"] = description[:REFUND_DESCRIPTION_MAX]
    with _translated_errors("create a refund"):
        return _refund(_Refund.create(params, str(idempotence_key)))


def refund_get(refund_id: str) -> GatewayRefund:
    with _translated_errors("fetch a refund"):
        return _refund(_Refund.find_one(refund_id))


# --- the SDK, with a timeout ---------------------------------------------------------------------


class _ApiClient(ApiClient):
    """The SDK's client with an HTTP timeout and this process's settings.

    The SDK calls `requests.Session.request` without `timeout` (it waits forever; its `Configuration.timeout`
    is only the back-off between retries, in milliseconds), so the session it builds gets a default one here.
    On https it mounts urllib3 retries (`max_attempts`, default 3) of connection failures, of POSTs whose
    answer timed out and of 202 answers, all with the same Idempotence-Key: one retry keeps a hung API from
    costing the user four timeouts. Its configuration is global: each client reconfigures it from settings.
    """

    def __init__(self) -> None:
        yookassa.Configuration.configure(
            settings.YOOKASSA_SHOP_ID,
            settings.YOOKASSA_SECRET_KEY,
            api_url=settings.YOOKASSA_API_URL.rstrip("/"),
            max_attempts=1,
        )
        super().__init__()

    def get_session(self) -> requests.Session:
        session = super().get_session()
        session.request = functools.partial(session.request, timeout=settings.YOOKASSA_TIMEOUT_S)
        return session


class _Payment(yookassa.Payment):
    def __init__(self) -> None:  # the SDK's classmethods build the client through cls()
        self.client = _ApiClient()


class _Refund(yookassa.Refund):
    def __init__(self) -> None:
        self.client = _ApiClient()


@contextmanager
def _translated_errors(operation: str) -> Iterator[None]:
    """Turns whatever the SDK raises into the project's errors; anything else (a bug) passes untouched.

    The SDK reports an HTTP error answer with a JSON body as `ApiError` (its subclasses carry the status).
    A network failure escapes it as `AttributeError`: it catches the `requests` exception and reads
    `.status_code` of its `response`, which is None, so the original error is looked up in the chain.
    """
    try:
        yield
    except ApplicationError:
        raise
    except Exception as error:
        translated = _translate(error, operation)
        if translated is None:
            raise
        raise translated from error


def _translate(error: BaseException, operation: str) -> ApplicationError | None:
    if isinstance(error, ApiError):
        status = error.HTTP_CODE or _status_in_chain(error)
        content = error.content or {}
        return _api_error(status, str(content.get("description") or ""), str(content.get("code") or ""), operation)
    network = _in_chain(error, requests.RequestException)
    if network is None:
        return None
    status = _status_in_chain(error)
    if status:
        return _api_error(status, "", "", operation)
    logger.warning("YooKassa: could not %s: %s", operation, type(network).__name__)
    if isinstance(network, requests.Timeout):
        message = format_lazy(
            _("YooKassa did not answer within {seconds} s. Please try again later."),
            seconds=settings.YOOKASSA_TIMEOUT_S,
        )
        return ServiceUnavailable(message, code="yookassa_timeout")
    if isinstance(network, requests.ConnectionError):
        return ServiceUnavailable(_("YooKassa cannot be reached. Please try again later."), code="yookassa_unreachable")
    return _unavailable()


def _api_error(status: int, description: str, api_code: str, operation: str) -> ApplicationError:
    logger.warning("YooKassa answered %s to an attempt to %s (%s)", status, operation, api_code or "no code")
    if status >= 500 or status in (0, 202, 429):  # 202: still processing after the SDK's retries
        return _unavailable()
    detail = description or _("no description")
    if status == 404:
        return NotFound(format_lazy(_("YooKassa: {detail}"), detail=detail), code="yookassa_not_found")
    if status in (401, 403):
        message = format_lazy(_("YooKassa refused the shop's credentials: {detail}"), detail=detail)
        return ApplicationError(message, code="yookassa_unauthorized")
    return InvalidInput(
        format_lazy(_("YooKassa refused the request: {detail}"), detail=detail), code="yookassa_refused"
    )


def _unavailable() -> ServiceUnavailable:
    return ServiceUnavailable(
        _("YooKassa is temporarily unavailable. Please try again later."), code="yookassa_unavailable"
    )


def _in_chain(error: BaseException | None, kind: type[BaseException]) -> BaseException | None:
    seen = set()
    while error is not None and id(error) not in seen:
        if isinstance(error, kind):
            return error
        seen.add(id(error))
        error = error.__cause__ or error.__context__
    return None


def _status_in_chain(error: BaseException) -> int:
    """The HTTP status of an answer somewhere in the chain (the SDK keeps none for unexpected codes)."""
    seen = set()
    while error is not None and id(error) not in seen:
        response = getattr(error, "response", None)
        if response is not None and getattr(response, "status_code", None):
            return int(response.status_code)
        seen.add(id(error))
        error = error.__cause__ or error.__context__
    return 0


def _money(amount: Decimal) -> str:
    return str(Decimal(amount).quantize(CENT))


def _payment_params(amount: Decimal, currency: str, description: str, receipt: dict | None, metadata: dict) -> dict:
    params = {
        "amount": {"value": _money(amount), "currency": currency},
        "capture": True,  # one-stage: the money is taken as soon as the user confirms
        "description": description[:DESCRIPTION_MAX],
        "metadata": dict(metadata),
    }
    if receipt:
        params["receipt"] = receipt
    return params


def _payment(response) -> GatewayPayment:
    method = response.payment_method
    saved = bool(method is not None and getattr(method, "saved", False))
    confirmation = response.confirmation
    details = response.cancellation_details
    amount = response.amount
    return GatewayPayment(
        id=str(response.id),
        status=str(response.status),
        paid=bool(response.paid),
        amount=Decimal(amount.value) if amount is not None else Decimal(0),
        currency=str(amount.currency) if amount is not None else "",
        confirmation_url=str(getattr(confirmation, "confirmation_url", None) or ""),
        payment_method_id=str(method.id) if saved and getattr(method, "id", None) else "",
        cancellation_reason=str(getattr(details, "reason", None) or ""),
        metadata=dict(response.metadata or {}),
    )


def _refund(response) -> GatewayRefund:
    return GatewayRefund(
        id=str(response.id),
        status=str(response.status),
        amount=Decimal(response.amount.value),
        payment_id=str(response.payment_id),
    )
