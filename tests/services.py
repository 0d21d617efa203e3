"""Where the services the tests need live, and how to skip cleanly when one is missing."""

import os
import socket
from urllib.parse import urlsplit, urlunsplit

import pytest

LOCAL_REDIS_URL = "redis://127.0.0.1:6379/15"
LOCAL_POSTGRES_URL = "postgres://postgres@127.0.0.1:5432/postgres"


def reachable(url: str, default_port: int) -> bool:
    parts = urlsplit(url)
    try:
        with socket.create_connection((parts.hostname or "127.0.0.1", parts.port or default_port), timeout=1):
            return True
    except OSError:
        return False


def redis_url_or_skip() -> str:
    url = os.environ.get("REDIS_URL") or LOCAL_REDIS_URL
    if not reachable(url, 6379):
        pytest.skip(f"needs Redis: nothing answers at {url} (set REDIS_URL or run `make services`)")
    return url


def postgres_url_or_skip() -> str:
    """The configured PostgreSQL server (its maintenance database, which always exists), or a local one."""
    configured = os.environ.get("DATABASE_URL", "")
    if configured.startswith(("postgres://", "postgresql://")):
        url = urlunsplit(urlsplit(configured)._replace(path="/postgres"))
    else:
        url = LOCAL_POSTGRES_URL
    if not reachable(url, 5432):
        pytest.skip(f"needs PostgreSQL: nothing answers at {url} (set DATABASE_URL or run `make services`)")
    return url
