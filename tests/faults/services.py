"""What the fault tests break on purpose: a Redis server of their own, Celery workers they can kill, the bot's
database connection. The machine's shared PostgreSQL and Redis are never stopped."""

import contextlib
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import psycopg
import pytest
from django.conf import settings
from django.db import connection

from tests.services import postgres_url_or_skip
from tests.subprocess_env import ROOT


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_until(check, timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while not check():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout}s waiting for {what}")
        time.sleep(0.05)


class RedisServer:
    """A throw-away redis-server on a free port, which a test may kill and start again on the same port."""

    def __init__(self, directory: Path) -> None:
        if shutil.which("redis-server") is None:
            pytest.skip("needs the redis-server binary")
        self.directory, self.port = directory, free_port()
        self.process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        command = ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"]
        self.process = subprocess.Popen(
            [*command, "--dir", str(self.directory)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
        )
        wait_until(self.answers, 10, f"redis-server on port {self.port}")

    def kill(self) -> None:
        """Gone at once, as in a crash: clients get "connection refused"."""
        if self.process is not None:
            self.process.kill()
            self.process.wait(timeout=10)
            self.process = None

    def answers(self) -> bool:
        with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", self.port), timeout=0.5) as sock:
            sock.sendall(b"PING\r\n")
            return sock.recv(16).startswith(b"+PONG")
        return False


class Worker:
    """A real `celery worker` (solo pool: the task runs in the process a test kills) on a given broker, against
    the test database. `restore_after_s` is the broker's visibility timeout: an unacknowledged task of a dead
    worker goes back to the queue after it, when a live worker sweeps (every second here)."""

    def __init__(self, *, broker_url: str, queue: str, name: str, log: Path, restore_after_s: int = 2) -> None:
        database = connection.settings_dict
        database_url = (
            f"postgres://{database['USER']}@{database['HOST'] or '127.0.0.1'}:{database['PORT'] or 5432}/"
            f"{database['NAME']}"
        )
        env = {key: value for key, value in os.environ.items() if key not in ("CELERY_BROKER_URL", "REDIS_URL")}
        env |= {
            "DJANGO_SETTINGS_MODULE": "tests.settings",  # tests.testapp's tasks too
            "DJANGO_ENV_FILE": "",
            "VAR_DIR": str(settings.VAR_DIR),  # the same embedded encryption keys as this process
            "DATABASE_URL": database_url,
            "REDIS_URL": broker_url,
            "CELERY_VISIBILITY_TIMEOUT": str(restore_after_s),
        }
        code = (
            "from config.celery import app\n"
            "app.conf.broker_transport_options = {**app.conf.broker_transport_options,\n"
            "    'unacked_restore_interval': 1, 'unacked_restore_throttle': 1}\n"
            f"app.worker_main(['worker', '-Q', {queue!r}, '-n', {name + '@%h'!r}, '--pool', 'solo',\n"
            "    '--without-gossip', '--without-mingle', '--without-heartbeat', '--loglevel', 'INFO'])\n"
        )
        self.log = log
        with log.open("w") as handle:
            self.process = subprocess.Popen(
                [sys.executable, "-c", code], cwd=ROOT, env=env, stdout=handle, stderr=subprocess.STDOUT
            )

    def kill_hard(self) -> None:
        """kill -9: no warm shutdown, no acknowledgement, no chance to requeue."""
        self.process.send_signal(signal.SIGKILL)
        self.process.wait(timeout=10)

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.kill_hard()

    def output(self) -> str:
        return self.log.read_text(errors="replace")


def requires_postgres(why: str) -> None:
    if connection.vendor != "postgresql":
        pytest.skip(f"needs PostgreSQL (set DATABASE_URL): {why}")


def backend_pid() -> int:
    """The PostgreSQL backend behind this thread's connection (the bot's: async code reaches the database through
    asgiref's one shared thread)."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        return cursor.fetchone()[0]


def terminate_backend(pid: int) -> None:
    """What a database restart or failover does to one connection: the server ends it (and this waits until the
    backend is gone, so the bot's next query cannot still slip through)."""
    with psycopg.connect(postgres_url_or_skip(), autocommit=True) as admin:
        ended = admin.execute("SELECT pg_terminate_backend(%s, 10000)", [pid]).fetchone()[0]
    assert ended, f"no backend {pid} to terminate"
