import socket

from celery import shared_task

# Options for tasks that are safe to run twice: the message is acknowledged only after the task
# finishes, and it goes back to the queue when the worker dies mid-task.
IDEMPOTENT = {"acks_late": True, "reject_on_worker_lost": True}


@shared_task(name="core.ping", ignore_result=False, **IDEMPOTENT)
def ping() -> dict:
    """Round trip through the broker and a worker; used to check that workers consume tasks."""
    return {"pong": True, "worker": socket.gethostname()}


@shared_task(name="core.deferred_tasks_send", expires=5 * 60, **IDEMPOTENT)
def deferred_tasks_send_task() -> int:
    """Tasks kept in the database while the broker was down, handed over now (apps.core.queue)."""
    from apps.core.queue import deferred_tasks_send

    return deferred_tasks_send()
