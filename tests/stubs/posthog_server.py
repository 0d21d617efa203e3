"""A stub PostHog capture server on 127.0.0.1 for tests of the real `posthog` SDK's upload path.

    with StubPostHog() as server:
        settings.POSTHOG_HOST = server.host
        ...                          # the code under test posts a batch
        server.events                # every event received, in order
        server.bodies                # each request's JSON, as text, exactly as decoded (gzip undone)

It accepts POST on the paths the SDK uses: /batch/ (what posthog 7.x posts events to), /i/v0/e/ and /capture/
(single events), /i/v1/analytics/events (capture v1). Faults: `fail_next(500, times=2)` answers the next
requests with that status; `delay = 3.0` answers late, after recording the request, as a server whose answer
is lost on the way when the client's timeout is shorter. Every request is kept in `requests`.
"""

from __future__ import annotations

import gzip
import json
import threading
import time
import zlib
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler

from tests.stubs.http_stub import ThreadedStub

CAPTURE_PATHS = ("/batch/", "/i/v0/e/", "/capture/", "/i/v1/analytics/events")


@dataclass(frozen=True)
class StubRequest:
    path: str
    headers: dict
    text: str  # the decoded body
    body: dict
    status: int  # what the stub answered
    received_at: float  # time.monotonic() on arrival


class StubPostHog(ThreadedStub):
    thread_name = "stub-posthog"

    def __init__(self) -> None:
        self.requests: list[StubRequest] = []
        self.delay = 0.0
        super().__init__()
        self._received = threading.Condition(self._lock)

    @property
    def host(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    # --- inspection ----------------------------------------------------------------------------------
    @property
    def events(self) -> list[dict]:
        """Every event received (including those of failed requests), in order of arrival."""
        with self._lock:
            requests = list(self.requests)
        events = []
        for request in requests:
            body = request.body
            events += body.get("batch", []) if "batch" in body else [body]
        return events

    @property
    def bodies(self) -> list[str]:
        """Each request's decoded body, and the same JSON with non-ASCII text unescaped (json.dumps escapes
        it, so a search for Cyrillic in the raw text alone would never find it)."""
        with self._lock:
            requests = list(self.requests)
        return [r.text for r in requests] + [json.dumps(r.body, ensure_ascii=False) for r in requests]

    def wait_for_requests(self, count: int, timeout: float = 5.0) -> bool:
        with self._received:
            return self._received.wait_for(lambda: len(self.requests) >= count, timeout=timeout)

    # --- the server ----------------------------------------------------------------------------------
    def _handler(self):
        stub = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args) -> None:  # keep test output quiet
                pass

            def do_POST(self) -> None:
                path = self.path.split("?", 1)[0]
                if path not in CAPTURE_PATHS:
                    self._answer(404, {"detail": f"stub: no route {path}"})
                    return
                raw = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                text = _decode(raw, self.headers.get("Content-Encoding", "")).decode()
                headers = {key.lower(): value for key, value in self.headers.items()}
                with stub._lock:
                    status = stub._next_failure() or 200
                    stub.requests.append(StubRequest(path, headers, text, json.loads(text), status, time.monotonic()))
                    stub._received.notify_all()
                if stub.delay:
                    stub._stopping.wait(stub.delay)
                if status == 200:
                    self._answer(200, {"status": "Ok"})
                else:
                    self._answer(status, {"type": "server_error", "code": "stub", "detail": f"stub status {status}"})

            def _answer(self, status: int, payload: dict) -> None:
                data = json.dumps(payload).encode()
                try:
                    self.send_response(status)
                    self.send_header("Content-Type", "application/json")
                    self.send_header("Content-Length", str(len(data)))
                    self.end_headers()
                    self.wfile.write(data)
                except (BrokenPipeError, ConnectionResetError):  # the client gave up waiting (timeout tests)
                    pass

        return Handler


def _decode(raw: bytes, encoding: str) -> bytes:
    encoding = encoding.strip().lower()
    if encoding == "gzip":
        return gzip.decompress(raw)
    if encoding == "deflate":
        return zlib.decompress(raw)
    return raw
