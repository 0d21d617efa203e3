"""Accounts' background work: the daily retention job."""

from celery import shared_task

from apps.core.tasks import IDEMPOTENT


# Safe to run twice: a second run finds nothing older than the limits any more.
@shared_task(name="accounts.retention_run", **IDEMPOTENT)
def retention_run() -> dict:
    from apps.accounts.retention import retention_run as run  # keeps worker start light

    return run()
