"""Run every process of the product in one terminal for development; Ctrl-C stops them all."""

import os
import signal
import subprocess
import sys
import threading
import time

from django.conf import settings
from django.core.management.base import BaseCommand, CommandParser

STOP_GRACE_SECONDS = 10


class Command(BaseCommand):
    help = (
        "Start the web server, plus the Telegram bot when TELEGRAM_BOT_TOKEN is set, plus a Celery worker "
        "and beat when a broker (REDIS_URL or CELERY_BROKER_URL) is set. Ctrl-C stops all of them."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--bind", default=os.environ.get("WEB_BIND", "127.0.0.1:8000"))

    def handle(self, *args, bind: str, **options) -> None:
        commands = self._plan(bind)
        processes = {name: self._start(name, command) for name, command in commands.items()}
        self.stdout.write(f"runstack: admin at http://{bind}/admin/, health at http://{bind}/api/health; Ctrl-C stops")
        stop = threading.Event()
        signal.signal(signal.SIGINT, lambda *_: stop.set())
        signal.signal(signal.SIGTERM, lambda *_: stop.set())
        exit_code = 0
        while not stop.is_set():
            exited = {name: process.returncode for name, process in processes.items() if process.poll() is not None}
            if exited:
                self.stderr.write(f"runstack: {', '.join(f'{n} exited with {c}' for n, c in exited.items())}; stopping")
                exit_code = 1
                break
            stop.wait(0.5)
        self._stop_all(processes)
        if exit_code:
            sys.exit(exit_code)

    def _plan(self, bind: str) -> dict[str, list[str]]:
        python = sys.executable
        commands = {"web": [python, "manage.py", "runserver", bind]}
        if settings.TELEGRAM_BOT_TOKEN:
            commands["bot"] = [python, "-m", "bots.telegram"]
        if not settings.CELERY_TASK_ALWAYS_EAGER:
            celery = [python, "-m", "celery", "-A", "config"]
            commands["worker"] = [*celery, "worker", "--loglevel", "INFO", "--concurrency", "2"]
            commands["beat"] = [*celery, "beat", "--loglevel", "INFO"]
        else:
            self.stdout.write("runstack: no broker configured, so Celery tasks run inside the web process")
        return commands

    def _start(self, name: str, command: list[str]) -> subprocess.Popen:
        self.stdout.write(f"runstack: starting {name}: {' '.join(command[1:])}")
        process = subprocess.Popen(  # noqa: S603  (our own fixed commands)
            command,
            cwd=settings.BASE_DIR,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            bufsize=1,
            start_new_session=True,  # our Ctrl-C handling decides when children stop
        )
        threading.Thread(target=self._relay, args=(name, process), daemon=True).start()
        return process

    def _relay(self, name: str, process: subprocess.Popen) -> None:
        for line in process.stdout:
            self.stdout.write(f"{name:>6} | {line.rstrip()}")

    def _stop_all(self, processes: dict[str, subprocess.Popen]) -> None:
        for process in processes.values():
            if process.poll() is None:
                os.killpg(process.pid, signal.SIGTERM)
        deadline = time.monotonic() + STOP_GRACE_SECONDS
        for name, process in processes.items():
            try:
                process.wait(timeout=max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                self.stderr.write(f"runstack: {name} did not stop in {STOP_GRACE_SECONDS}s; killing it")
                os.killpg(process.pid, signal.SIGKILL)
                process.wait()
        self.stdout.write("runstack: stopped")
