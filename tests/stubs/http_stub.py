"""What the stub HTTP servers share: a server on a free 127.0.0.1 port, served by a daemon thread for the
length of a `with` block, and a queue of scripted failures."""

import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


class ThreadedStub:
    thread_name = "stub-http"

    def __init__(self) -> None:
        self._failures: list[int] = []
        self._lock = threading.Lock()
        self._stopping = threading.Event()
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self._server.daemon_threads = True
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, name=self.thread_name, daemon=True
        )  # a short poll: shutdown() waits for one

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        raise NotImplementedError

    @property
    def port(self) -> int:
        return self._server.server_address[1]

    def __enter__(self):
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stopping.set()  # late answers stop waiting
        self._server.shutdown()
        self._server.server_close()

    def fail_next(self, status: int = 500, *, times: int = 1) -> None:
        with self._lock:
            self._failures += [status] * times

    def _next_failure(self) -> int | None:
        """The next scripted failure status, if any; the caller holds the lock."""
        return self._failures.pop(0) if self._failures else None
