"""A stub YooKassa API (v3) on 127.0.0.1 for tests of the real `yookassa` SDK.

    with StubYooKassa() as server:
        settings.YOOKASSA_SHOP_ID, settings.YOOKASSA_SECRET_KEY = server.shop_id, server.secret_key
        settings.YOOKASSA_API_URL = server.base_url
        ...                                         # the code under test creates a payment
        server.set_status(payment_id, "succeeded", payment_method_saved=True)   # the user paid
        body = server.notification("payment.succeeded", payment_id)             # what YooKassa would post

It keeps the rules our code relies on: Basic auth (401 otherwise), an Idempotence-Key on every POST, the same
key answering with the same object (and 400 when it comes with a different body), 404 for unknown ids, refunds
only of succeeded payments and never above what is left. Payments made with a saved method are captured at
once (`saved_charge_status`, `saved_charge_reason` script a decline); refunds succeed at once unless
`refund_status = "pending"`. Faults: `fail_next(500)` answers the
next requests with an error before doing anything; `delay = 3.0` answers late, after the work is done, as a
real API whose answer is lost on the way. Every request is kept in `requests`.
"""

from __future__ import annotations

import base64
import copy
import json
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal
from http.server import BaseHTTPRequestHandler

from tests.stubs.http_stub import ThreadedStub


@dataclass(frozen=True)
class StubRequest:
    method: str
    path: str  # without the /v3 prefix
    headers: dict
    body: dict | None
    authorized: bool

    @property
    def idempotence_key(self) -> str | None:
        return self.headers.get("idempotence-key")


class StubYooKassa(ThreadedStub):
    thread_name = "stub-yookassa"

    def __init__(self, shop_id: str = "100500", secret_key: str = "test_secret") -> None:  # noqa: S107
        self.shop_id, self.secret_key = shop_id, secret_key
        self.payments: dict[str, dict] = {}
        self.refunds: dict[str, dict] = {}
        self.requests: list[StubRequest] = []
        self.delay = 0.0
        self.saved_charge_status = "succeeded"
        self.saved_charge_reason = "insufficient_funds"
        self.refund_status = "succeeded"  # "pending": settle it later with set_refund_status()
        self._keys: dict[tuple[str, str], tuple[str, dict]] = {}  # (path, key) -> (object id, request body)
        super().__init__()

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/v3"

    # --- scripting ---------------------------------------------------------------------------------
    def set_status(
        self,
        payment_id: str,
        status: str,
        *,
        payment_method_saved: bool = False,
        cancellation_reason: str = "expired_on_confirmation",
    ) -> dict:
        """What the user (or YooKassa) did: "succeeded" (paid), "canceled", "waiting_for_capture"."""
        with self._lock:
            payment = self.payments[payment_id]
            payment["status"] = status
            if status in ("succeeded", "waiting_for_capture"):
                payment["paid"] = True
                payment["payment_method"] = _card(payment_method_saved)
                if status == "succeeded":
                    payment["captured_at"] = _now()
                    payment["refundable"] = True
            elif status == "canceled":
                payment["paid"] = False
                payment["cancellation_details"] = {"party": "yoo_money", "reason": cancellation_reason}
            return copy.deepcopy(payment)

    def set_refund_status(self, refund_id: str, status: str) -> dict:
        with self._lock:
            self.refunds[refund_id]["status"] = status
            return copy.deepcopy(self.refunds[refund_id])

    def notification(self, event: str, payment_id: str, **changes) -> bytes:
        """The body YooKassa posts about a payment; `changes` alter the object (a forged body)."""
        with self._lock:
            payment = copy.deepcopy(self.payments[payment_id]) | changes
        return json.dumps({"type": "notification", "event": event, "object": payment}).encode()

    def refund_notification(self, refund_id: str, **changes) -> bytes:
        with self._lock:
            refund = copy.deepcopy(self.refunds[refund_id]) | changes
        return json.dumps({"type": "notification", "event": "refund.succeeded", "object": refund}).encode()

    def requests_to(self, method: str, path: str) -> list[StubRequest]:
        return [r for r in self.requests if r.method == method and r.path == path]

    # --- the API -----------------------------------------------------------------------------------
    def _create_payment(self, body: dict) -> tuple[int, dict]:
        amount = body.get("amount") or {}
        if Decimal(str(amount.get("value", "0"))) <= 0 or not amount.get("currency"):
            return _error(400, "invalid_request", "Amount is required")
        payment = {
            "id": f"{uuid.uuid4().hex[:8]}-000f-5000-9000-{uuid.uuid4().hex[:12]}",
            "status": "pending",
            "paid": False,
            "amount": {"value": _money(amount["value"]), "currency": amount["currency"]},
            "created_at": _now(),
            "description": body.get("description", ""),
            "metadata": body.get("metadata") or {},
            "recipient": {"account_id": self.shop_id, "gateway_id": "2000001"},
            "refundable": False,
            "test": True,
        }
        if body.get("payment_method_id"):  # a saved method: charged at once, nobody to confirm
            payment["status"] = self.saved_charge_status
            payment["payment_method"] = _card(True, method_id=body["payment_method_id"])
            if self.saved_charge_status == "succeeded":
                payment |= {"paid": True, "captured_at": _now(), "refundable": True}
            else:
                payment["cancellation_details"] = {"party": "payment_network", "reason": self.saved_charge_reason}
        else:
            confirmation = body.get("confirmation") or {}
            if confirmation.get("type") != "redirect":
                return _error(400, "invalid_request", "Only redirect confirmation is supported by the stub")
            order = payment["id"]
            payment["confirmation"] = {
                "type": "redirect",
                "return_url": confirmation.get("return_url", ""),
                "confirmation_url": f"https://yoomoney.ru/checkout/payments/v2/contract?orderId={order}",
            }
        self.payments[payment["id"]] = payment
        return 200, payment

    def _create_refund(self, body: dict) -> tuple[int, dict]:
        payment = self.payments.get(body.get("payment_id", ""))
        if payment is None:
            return _error(400, "invalid_request", "Payment not found")
        if payment["status"] != "succeeded":
            return _error(400, "invalid_request", "Payment is not in a refundable status")
        amount = Decimal(str((body.get("amount") or {}).get("value", "0")))
        refunded = Decimal(payment.get("refunded_amount", {}).get("value", "0"))
        if amount <= 0 or amount > Decimal(payment["amount"]["value"]) - refunded:
            return _error(400, "invalid_request", "Refund amount exceeds the amount available for refund")
        refund = {
            "id": f"{uuid.uuid4().hex[:8]}-0015-5000-9000-{uuid.uuid4().hex[:12]}",
            "payment_id": payment["id"],
            "status": self.refund_status,
            "amount": {"value": _money(amount), "currency": payment["amount"]["currency"]},
            "created_at": _now(),
        }
        if body.get("description"):
            refund["description"] = body["description"]
        payment["refunded_amount"] = {"value": _money(refunded + amount), "currency": payment["amount"]["currency"]}
        self.refunds[refund["id"]] = refund
        return 200, refund

    def _answer(self, method: str, path: str, headers: dict, body: dict | None) -> tuple[int, dict]:
        with self._lock:
            authorized = headers.get("authorization") == _basic(self.shop_id, self.secret_key)
            self.requests.append(StubRequest(method, path, headers, body, authorized))
            status = self._next_failure()
            if status is not None:
                return _error(status, "internal_server_error" if status >= 500 else "invalid_request", "Stub fault")
            if not authorized:
                return _error(401, "invalid_credentials", "Authentication by given credentials failed")
            collection, _, object_id = path.strip("/").partition("/")
            store = {"payments": self.payments, "refunds": self.refunds}.get(collection)
            if store is None or "/" in object_id:
                return _error(404, "not_found", "Unknown path")
            if method == "GET":
                if object_id not in store:
                    return _error(404, "not_found", f"Incorrect {collection[:-1]} id")
                return 200, copy.deepcopy(store[object_id])
            if object_id:
                return _error(405, "not_supported", "Method not allowed")
            key = headers.get("idempotence-key")
            if not key:
                return _error(400, "invalid_request", "Idempotence-Key header is required")
            if (seen := self._keys.get((collection, key))) is not None:
                object_id, first_body = seen
                if first_body != body:
                    return _error(400, "invalid_request", "Idempotence key duplicated with other request parameters")
                return 200, copy.deepcopy(store[object_id])
            create = self._create_payment if collection == "payments" else self._create_refund
            status, answer = create(body or {})
            if status == 200:
                self._keys[(collection, key)] = (answer["id"], body)
            return status, copy.deepcopy(answer)

    def _handler(self):
        stub = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args) -> None:  # keep test output quiet
                pass

            def do_GET(self) -> None:
                self._serve(None)

            def do_POST(self) -> None:
                raw = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                try:
                    body = json.loads(raw or b"{}")
                except ValueError:
                    self._json(*_error(400, "invalid_request", "Body is not JSON"))
                    return
                self._serve(body)

            def _serve(self, body: dict | None) -> None:
                path = self.path.split("?", 1)[0]
                if not path.startswith("/v3/"):
                    self._json(*_error(404, "not_found", "Unknown path"))
                    return
                headers = {name.lower(): value for name, value in self.headers.items()}
                status, answer = stub._answer(self.command, path[3:], headers, body)
                if stub.delay and stub._stopping.wait(stub.delay):
                    return  # shutting down: the client has given up long ago
                self._json(status, answer)

            def _json(self, status: int, payload: dict) -> None:
                data = json.dumps(payload).encode()
                try:
                    self.send_response(status)
                    self.send_header("Content-Type", "application/json")
                    self.send_header("Content-Length", str(len(data)))
                    self.end_headers()
                    self.wfile.write(data)
                except OSError:  # the client timed out and closed the connection
                    pass

        return Handler


def _basic(user: str, password: str) -> str:
    return "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode()


def _card(saved: bool, *, method_id: str | None = None) -> dict:
    return {
        "type": "bank_card",
        "id": method_id or f"{uuid.uuid4().hex[:8]}-000f-5000-8000-{uuid.uuid4().hex[:12]}",
        "saved": saved,
        "title": "Bank card *4444",
        "card": {"first6": "555555", "last4": "4444", "expiry_month": "12", "expiry_year": "2030"},
    }


def _error(status: int, code: str, description: str) -> tuple[int, dict]:
    return status, {"type": "error", "id": str(uuid.uuid4()), "code": code, "description": description}


def _money(value) -> str:
    return str(Decimal(str(value)).quantize(Decimal("0.01")))


def _now() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"
