import subprocess
import sys
import uuid

import pytest
from celery.backends.redis import RedisBackend
from celery.exceptions import TimeoutError as CeleryTimeoutError
from celery.result import AsyncResult

from apps.core.tasks import ping
from config.celery import app as celery_app
from tests.subprocess_env import ROOT

pytestmark = pytest.mark.slow


@pytest.fixture
def worker_queue(redis_url, tmp_path):
    """A real `celery worker` process on Redis, consuming a queue of its own so no other worker interferes."""
    queue = f"test-{uuid.uuid4().hex[:8]}"
    env = {
        "PATH": "/usr/bin:/bin",
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "DJANGO_ENV_FILE": "",
        "VAR_DIR": str(tmp_path),
        "REDIS_URL": redis_url,
    }
    log = (tmp_path / "worker.log").open("w")
    worker = subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "config", "worker", "-Q", queue, "--concurrency", "1", "--pool", "solo"],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    previous = (celery_app.conf.broker_url, celery_app.conf.result_backend)
    celery_app.conf.task_always_eager = False
    celery_app.conf.broker_url = redis_url
    celery_app.conf.result_backend = redis_url
    yield queue
    worker.terminate()
    worker.wait(timeout=20)
    log.close()
    celery_app.conf.broker_url, celery_app.conf.result_backend = previous


def test_a_real_worker_consumes_a_task_from_redis_and_returns_its_result(worker_queue, tmp_path, redis_url):
    # An explicit connection and backend: the app caches the ones it first used, and earlier tests ran eagerly.
    with celery_app.connection_for_write(redis_url) as connection:
        sent = ping.apply_async(queue=worker_queue, connection=connection)
    result = AsyncResult(sent.id, backend=RedisBackend(app=celery_app, url=redis_url), app=celery_app)

    try:
        value = result.get(timeout=60)
    except CeleryTimeoutError:
        pytest.fail("the worker did not answer; its log:\n" + (tmp_path / "worker.log").read_text())
    assert value["pong"] is True


def test_ping_is_acknowledged_late_and_returned_on_worker_loss():
    assert ping.acks_late is True
    assert ping.reject_on_worker_lost is True
