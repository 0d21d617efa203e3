"""Tasks only the test suite sends (a worker started with DJANGO_SETTINGS_MODULE=tests.settings knows them)."""

import os
import time
from pathlib import Path
from unittest import mock

from celery import shared_task

from apps.core.tasks import IDEMPOTENT


@shared_task(name="testapp.memory_extract_then_linger", **IDEMPOTENT)
def memory_extract_then_linger(message_id: int, marker_dir: str, linger_s: float) -> int:
    """conversations.memory_extract's work, then, on the first attempt only, a pause in which a test kills the
    worker: the task's effect is in the database but the broker never got the acknowledgement. Each attempt
    leaves a file in `marker_dir`. The embedder is left out: loading it would only slow the worker down."""
    from apps.conversations.memory import memory_extract_from_message

    markers = Path(marker_dir)
    attempt = len(list(markers.glob("started-*"))) + 1
    (markers / f"started-{attempt}-{os.getpid()}").touch()
    with mock.patch("apps.inference.registry.embedder_or_none", return_value=None):
        stored = memory_extract_from_message(message_id=message_id)
    (markers / f"applied-{attempt}").write_text(str(stored))
    if attempt == 1:
        time.sleep(linger_s)
    return stored
