import pytest
from asgiref.sync import SyncToAsync
from django.db import connections
from django.utils import translation

from config.celery import app as celery_app
from tests.apps.inference.tiny_model import build_tiny_model
from tests.services import redis_url_or_skip


@pytest.fixture(autouse=True)
def eager_celery():
    """Tasks run in-process unless a test starts a real worker (see tests/apps/core/test_tasks.py)."""
    previous = celery_app.conf.task_always_eager
    celery_app.conf.task_always_eager = True
    yield
    celery_app.conf.task_always_eager = previous


@pytest.fixture(autouse=True)
def english_outside_requests():
    """Messages raised outside a request are in English unless a test asks otherwise; requests still follow
    their Accept-Language. Without this, the language a previous request activated would leak in."""
    with translation.override("en"):
        yield


@pytest.fixture
def redis_url() -> str:
    return redis_url_or_skip()


@pytest.fixture(scope="session")
def tiny_model_dir(tmp_path_factory):
    """A tiny random CTranslate2 model with tokenizer and manifest (tests/apps/inference/tiny_model.py)."""
    return build_tiny_model(tmp_path_factory.mktemp("models") / "tiny")


@pytest.fixture(scope="session", autouse=True)
def _close_connections_of_async_tests(django_db_setup):
    """Async tests reach the database from asgiref's worker thread; its connection would keep the test
    database open and PostgreSQL refuses to drop it. Close it before the database is torn down."""
    yield
    SyncToAsync.single_thread_executor.submit(connections.close_all).result()


@pytest.fixture
def fresh_registry():
    """Backends built from the settings a test sets, and closed after it."""
    from apps.inference import registry

    registry.reset()
    yield
    registry.reset()
