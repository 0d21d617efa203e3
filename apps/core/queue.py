"""Handing background tasks to the broker without letting a broker outage fail the caller.

Services schedule follow-up work after their transaction commits: `task_enqueue_on_commit(memory_extract, id)`.
When the broker (Redis) cannot take the task, it is kept in the database (core.DeferredTask) and the caller goes
on: a user's reply is already stored and must still be sent. `core.deferred_tasks_send` (Celery beat, every
minute, and once as soon as the broker answers again) hands the kept tasks over. After a failure the broker is
left alone for BROKER_RETRY_AFTER_S, so an outage costs one failed connection per interval rather than one per
message (kombu spends most of a second per failed publish, on a thread the whole bot shares).

Only for idempotent tasks (apps.core.tasks.IDEMPOTENT): a kept task is sent again if the process dies between
sending it and forgetting it.
"""

import functools
import logging
import threading
import time

from celery import Task, current_app
from django.db import transaction
from kombu.exceptions import OperationalError as BrokerUnavailable

from apps.core.models import DeferredTask

logger = logging.getLogger(__name__)
BROKER_RETRY_AFTER_S = 30.0
# One quick retry inside kombu (a pooled connection the broker closed), then the database keeps the task.
PUBLISH_RETRY_POLICY = {"max_retries": 1, "interval_start": 0, "interval_step": 0.1, "interval_max": 0.1}


class _Breaker:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.down_until = 0.0
        self.down = False

    def closed(self) -> bool:
        with self._lock:
            return time.monotonic() >= self.down_until

    def failed(self) -> None:
        with self._lock:
            self.down, self.down_until = True, time.monotonic() + BROKER_RETRY_AFTER_S

    def succeeded(self) -> bool:
        """True when this success ends an outage."""
        with self._lock:
            recovered, self.down = self.down, False
            return recovered

    def reset(self) -> None:
        with self._lock:
            self.down, self.down_until = False, 0.0


breaker = _Breaker()


def task_enqueue(task: Task, *args) -> None:
    """Send `task(*args)` to the broker, or keep it for later when the broker is unreachable. Never raises for
    an unreachable broker. With no broker configured (task_always_eager) the task runs here, as `.delay()` does."""
    if task.app.conf.task_always_eager:
        task.apply_async(args=args)
        return
    if not breaker.closed():
        _defer(task.name, args)
        return
    try:
        task.apply_async(args=args, retry=True, retry_policy=PUBLISH_RETRY_POLICY)
    except BrokerUnavailable as error:
        breaker.failed()
        logger.warning("broker unreachable, %s kept in the database to send later: %s", task.name, error)
        _defer(task.name, args)
        return
    if breaker.succeeded():
        logger.warning("broker reachable again: sending the tasks kept meanwhile")
        _send_deferred_soon()


def task_enqueue_on_commit(task: Task, *args) -> None:
    """`task_enqueue` once the current transaction commits (nothing is sent if it rolls back). Robust: whatever
    happens to the task, the caller's committed work stands (in eager mode the task's own errors are logged)."""
    transaction.on_commit(functools.partial(task_enqueue, task, *args), robust=True)


def deferred_tasks_send(*, limit: int = 500) -> int:
    """Hand the kept tasks to the broker, oldest first; returns how many went. Stops at the first failure and
    keeps the rest. Rows are locked (skipped by a concurrent run) until the batch commits."""
    sent = 0
    with transaction.atomic():
        for row in DeferredTask.objects.select_for_update(skip_locked=True).order_by("id")[:limit]:
            task = current_app.tasks.get(row.name)
            try:
                if task is None:
                    current_app.send_task(row.name, args=row.args, retry=True, retry_policy=PUBLISH_RETRY_POLICY)
                else:
                    task.apply_async(args=row.args, retry=True, retry_policy=PUBLISH_RETRY_POLICY)
            except BrokerUnavailable as error:
                logger.warning("broker unreachable, %d deferred tasks still waiting: %s", limit - sent, error)
                break
            row.delete()
            sent += 1
    if sent:
        logger.info("sent %d deferred tasks", sent)
    return sent


def _defer(name: str, args: tuple) -> None:
    DeferredTask.objects.create(name=name, args=list(args))


def _send_deferred_soon() -> None:
    from apps.core.tasks import deferred_tasks_send_task  # tasks import this module

    try:
        deferred_tasks_send_task.apply_async(retry=False)
    except BrokerUnavailable:
        breaker.failed()  # gone again; beat sends them later
