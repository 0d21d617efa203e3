"""Platform read models: the health of the parts the product depends on."""

import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass

from django.core.cache import cache
from django.db import connection

from config.celery import app as celery_app

UP, DOWN, DISABLED = "up", "down", "disabled"
BROKER_TIMEOUT_SECONDS = 3


@dataclass(frozen=True)
class ComponentHealth:
    name: str
    status: str
    required: bool
    detail: str = ""
    latency_ms: float | None = None


@dataclass(frozen=True)
class HealthReport:
    components: tuple[ComponentHealth, ...]

    @property
    def healthy(self) -> bool:
        return all(part.status == UP for part in self.components if part.required)


def health_report() -> HealthReport:
    """Probe each dependency once. A broker is required only when tasks do not run in-process."""
    broker = (
        ComponentHealth("broker", DISABLED, required=False, detail="no broker configured: tasks run in-process")
        if celery_app.conf.task_always_eager
        else _probe("broker", _check_broker)
    )
    return HealthReport(components=(_probe("database", _check_database), _probe("cache", _check_cache), broker))


def _probe(name: str, check: Callable[[], None]) -> ComponentHealth:
    started = time.perf_counter()
    try:
        check()
    except Exception as error:  # noqa: BLE001  (any failure means the part is down; the report names it)
        return ComponentHealth(name, DOWN, required=True, detail=f"{type(error).__name__}: {error}"[:300])
    return ComponentHealth(name, UP, required=True, latency_ms=round((time.perf_counter() - started) * 1000, 2))


def _check_database() -> None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()


def _check_cache() -> None:
    key, token = f"health:{secrets.token_hex(8)}", secrets.token_hex(8)
    cache.set(key, token, timeout=10)
    if cache.get(key) != token:
        raise RuntimeError("the value written was not read back")
    cache.delete(key)


def _check_broker() -> None:
    with celery_app.connection_for_write() as broker_connection:
        broker_connection.ensure_connection(max_retries=1, interval_start=0, timeout=BROKER_TIMEOUT_SECONDS)
