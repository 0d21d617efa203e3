import pytest

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


@pytest.fixture
def redis_url() -> str:
    return redis_url_or_skip()


@pytest.fixture(scope="session")
def tiny_model_dir(tmp_path_factory):
    """A tiny random CTranslate2 model with tokenizer and manifest (tests/apps/inference/tiny_model.py)."""
    return build_tiny_model(tmp_path_factory.mktemp("models") / "tiny")
