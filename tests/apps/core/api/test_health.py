import kombu.pools
import pytest

from config.celery import app as celery_app

pytestmark = pytest.mark.django_db

UNREACHABLE_REDIS = "redis://127.0.0.1:1/0"  # port 1: nothing listens, connections are refused at once


@pytest.fixture
def broker(request):
    """Point Celery at a broker for one test, as a worker-backed deployment would."""
    previous = celery_app.conf.broker_url

    def use(url: str) -> None:
        celery_app.conf.task_always_eager = False
        celery_app.conf.broker_url = url
        _drop_pools()

    yield use
    celery_app.conf.broker_url = previous
    _drop_pools()


def _drop_pools() -> None:
    """Close the broker connection pools and forget them, as Celery does after a fork: a pool that is only
    closed stays registered and refuses every later acquire, so any task sent afterwards (eager ones too,
    which borrow a producer) would fail with "Acquire on closed pool"."""
    kombu.pools.reset()
    celery_app._pool = None
    celery_app.amqp._producer_pool = None


def test_embedded_defaults_are_healthy_without_a_broker(client):
    response = client.get("/api/health")

    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok"
    assert body["components"]["database"]["status"] == "up"
    assert body["components"]["cache"]["status"] == "up"
    assert body["components"]["broker"] == {
        "status": "disabled",
        "required": False,
        "detail": "no broker configured: tasks run in-process",
        "latency_ms": None,
    }


def test_unreachable_broker_gives_503_naming_it(client, broker):
    broker(UNREACHABLE_REDIS)

    response = client.get("/api/health")

    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "fail"
    assert body["components"]["broker"]["status"] == "down"
    assert body["components"]["broker"]["detail"]
    assert body["components"]["database"]["status"] == "up"


def test_reachable_redis_broker_is_up(client, broker, redis_url):
    broker(redis_url)

    response = client.get("/api/health")

    assert response.status_code == 200
    assert response.json()["components"]["broker"]["status"] == "up"


def test_unreachable_cache_gives_503_naming_it(client, settings):
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": UNREACHABLE_REDIS,
            "OPTIONS": {"socket_connect_timeout": 1},
        }
    }

    response = client.get("/api/health")

    assert response.status_code == 503
    assert response.json()["components"]["cache"]["status"] == "down"


def test_health_needs_no_login_and_answers_json(client):
    response = client.get("/api/health")

    assert response.headers["Content-Type"].startswith("application/json")
