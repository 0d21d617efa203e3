"""Foundation overheads, each as a ratio against a baseline measured in the same run.

    python bench/foundation.py [--rows 2000]

1. event_track (validation + full_clean) against a bare Event.objects.create.
2. Writing and reading an encrypted text column against the same rows in a plain column.
Runs on a throw-away SQLite database in a temporary directory; nothing of yours is touched.
"""

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.update(DJANGO_SETTINGS_MODULE="tests.settings", DJANGO_ENV_FILE="", VAR_DIR=tempfile.mkdtemp())
for name in ("DATABASE_URL", "REDIS_URL", "DJANGO_ENV"):
    os.environ.pop(name, None)

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import transaction  # noqa: E402

from apps.analytics.models import Event  # noqa: E402
from apps.analytics.services import event_track  # noqa: E402
from tests.testapp.models import SecretNote  # noqa: E402

TEXT = "Сегодня был длинный день, хочу рассказать тебе, как всё прошло. " * 4


def timed(function, repeat: int = 3) -> float:
    """Best of `repeat` runs, in seconds."""
    best = float("inf")
    for _ in range(repeat):
        started = time.perf_counter()
        with transaction.atomic():
            function()
            transaction.set_rollback(True)
        best = min(best, time.perf_counter() - started)
    return best


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=2000)
    rows = parser.parse_args().rows
    call_command("migrate", run_syncdb=True, verbosity=0)

    def bare_events():
        for n in range(rows):
            Event.objects.create(name="message_sent", properties={"persona_id": n % 7, "text_length": 42})

    def tracked_events():
        for n in range(rows):
            event_track(name="message_sent", properties={"persona_id": n % 7, "text_length": 42})

    def plain_write():
        for _ in range(rows):
            SecretNote.objects.create(title=TEXT[:50])

    def encrypted_write():
        for _ in range(rows):
            SecretNote.objects.create(body=TEXT)

    def plain_read():
        plain_write()
        list(SecretNote.objects.values_list("title", flat=True))

    def encrypted_read():
        encrypted_write()
        list(SecretNote.objects.values_list("body", flat=True))

    print(f"{rows} rows, SQLite, best of 3")
    for label, baseline, measured in (
        ("event_track vs Event.objects.create", bare_events, tracked_events),
        ("encrypted vs plain column, write", plain_write, encrypted_write),
        ("encrypted vs plain column, write+read", plain_read, encrypted_read),
    ):
        base, value = timed(baseline), timed(measured)
        per_row, base_per_row = value / rows * 1e6, base / rows * 1e6
        print(f"  {label:<40} {per_row:8.1f} µs/row vs {base_per_row:8.1f} µs/row  ratio {value / base:5.2f}x")


if __name__ == "__main__":
    main()
