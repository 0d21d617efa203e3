"""Run project code in a fresh interpreter, where settings are read from a controlled environment."""

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PROJECT_VARIABLES = (
    "DJANGO_ENV",
    "DJANGO_DEBUG",
    "DJANGO_ALLOWED_HOSTS",
    "SECRET_KEY",
    "FIELD_ENCRYPTION_KEYS",
    "DATABASE_URL",
    "REDIS_URL",
    "CELERY_BROKER_URL",
    "CELERY_RESULT_BACKEND",
    "TELEGRAM_BOT_TOKEN",
)


def clean_env(var_dir: Path, **overrides: str) -> dict[str, str]:
    env = {key: value for key, value in os.environ.items() if key not in PROJECT_VARIABLES}
    env.update(DJANGO_SETTINGS_MODULE="config.settings", DJANGO_ENV_FILE="", VAR_DIR=str(var_dir))
    env.update(overrides)
    return env


def run_python(code: str, env: dict[str, str], timeout: float = 60) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, timeout=timeout, check=False
    )


def settings_snapshot(env: dict[str, str], expression: str) -> object:
    """Evaluate `expression` (with `settings` in scope) after django.setup() and return it decoded from JSON."""
    code = (
        "import django, json; django.setup(); from django.conf import settings; "
        f"print(json.dumps({expression}, default=str))"
    )
    result = run_python(code, env)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


def manage(args: list[str], env: dict[str, str], timeout: float = 60) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
