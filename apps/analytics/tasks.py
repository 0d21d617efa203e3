"""Analytics' background work. The bot never waits on it: event_track only inserts a row."""

import logging
import time

from celery import shared_task
from django.conf import settings

from apps.core.exceptions import ServiceUnavailable
from apps.core.tasks import IDEMPOTENT

logger = logging.getLogger(__name__)

# Below the beat interval (60 s), so runs seldom overlap; when they do, locked events are skipped.
FORWARD_BUDGET_S = 50


# Safe to run twice: events are marked only after PostHog accepted them, and resent ones keep their uuids.
# `expires`: while no worker runs, beat's queued copies are dropped instead of piling up.
@shared_task(name="analytics.posthog_forward", expires=5 * 60, **IDEMPOTENT)
def posthog_forward() -> int:
    """Forward the backlog to PostHog in batches; a failure is logged and left for the next beat run."""
    from apps.analytics.posthog import posthog_forward_batch  # keeps worker start light

    limit = settings.POSTHOG_BATCH_SIZE
    deadline = time.monotonic() + FORWARD_BUDGET_S
    sent = 0
    while True:
        try:
            count = posthog_forward_batch(limit=limit)
        except ServiceUnavailable as error:
            logger.warning("PostHog forwarding paused until the next run: %s", error)
            break
        except Exception:  # a misconfiguration or a bug: logged with its traceback, retried next run
            logger.exception("PostHog forwarding failed")
            break
        sent += count
        if count < limit or time.monotonic() >= deadline:
            break
    return sent


# Safe to run twice: each run overwrites the same snapshots. `expires`: stale queued copies are dropped.
@shared_task(name="analytics.dashboard_refresh", expires=10 * 60, **IDEMPOTENT)
def dashboard_refresh() -> int:
    """Compute the dashboard's preset ranges ahead (apps.analytics.snapshots)."""
    from apps.analytics.snapshots import dashboard_snapshots_refresh

    return dashboard_snapshots_refresh()
