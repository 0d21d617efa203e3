"""Redis goes down (broker, cache, FSM state and rate limits all live there): the bot keeps answering, and the
background work it could not hand over runs once Redis is back."""

import time

import pytest
from asgiref.sync import sync_to_async

from apps.accounts.models import Feedback
from apps.conversations.models import MemoryFact, Message
from apps.core import queue
from apps.core.models import DeferredTask
from apps.inference.openai_generator import OpenAIGenerator
from bots.telegram.app import build_storage
from bots.telegram.throttling import build_rate_limiter
from config.celery import app as celery_app
from tests.bots.telegram.conftest import polling_bot
from tests.bots.telegram.steps import ANNA, consented, talking_to_support
from tests.faults.conftest import REPLY
from tests.faults.services import Worker, requires_postgres, wait_until

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def _fresh_broker_connections() -> None:
    celery_app._pool = None  # what Celery does after a fork: the next publish connects to conf.broker_url
    celery_app.amqp._producer_pool = None


@pytest.fixture
def everything_on_redis(redis_server, settings):
    """Broker, cache, FSM storage and rate limits on the test's own Redis, as in production."""
    settings.REDIS_URL = redis_server.url
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": redis_server.url,
            "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1},
        }
    }
    conf = celery_app.conf
    previous = conf.broker_url, conf.task_always_eager
    conf.broker_url, conf.task_always_eager = redis_server.url, False
    _fresh_broker_connections()
    queue.breaker.reset()
    yield redis_server
    conf.broker_url, conf.task_always_eager = previous
    _fresh_broker_connections()
    queue.breaker.reset()


@pytest.fixture
async def bot_on_redis(telegram, tiny_model_dir, model_server, everything_on_redis, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    generator = OpenAIGenerator(base_url=model_server.base_url, model="stub", timeout_s=10, max_retries=0)
    async with polling_bot(
        telegram, tiny_model_dir, generator=generator, storage=build_storage(), limiter=build_rate_limiter()
    ):
        yield telegram


async def _deferred() -> list[tuple[str, list]]:
    return [(task.name, task.args) async for task in DeferredTask.objects.order_by("id")]


async def test_with_redis_down_every_message_is_answered_and_its_tasks_kept_for_later(
    bot_on_redis, everything_on_redis
):
    sent = await talking_to_support(bot_on_redis)
    everything_on_redis.kill()

    started = time.monotonic()
    for number, text in enumerate(["Меня зовут Анна.", "Я живу в Казани."], start=1):
        bot_on_redis.user_sends(text, user_id=ANNA)
        assert (await bot_on_redis.wait_for_messages(ANNA, sent + number, timeout=15))[-1]["text"] == REPLY

    assert time.monotonic() - started < 8  # one failed connection per interval, not a stall per message
    user_messages = [m.pk async for m in Message.objects.filter(role="user").order_by("id")]
    assert await _deferred() == [("conversations.memory_extract", [pk]) for pk in user_messages]


async def test_with_redis_down_a_conversation_state_lives_in_the_process(bot_on_redis, everything_on_redis):
    await consented(bot_on_redis)
    everything_on_redis.kill()

    bot_on_redis.user_sends("/feedback", user_id=ANNA)
    await bot_on_redis.wait_for_messages(ANNA, 3, timeout=15)
    bot_on_redis.user_sends("Хочу больше персонажей-учёных", user_id=ANNA)
    thanks = (await bot_on_redis.wait_for_messages(ANNA, 4, timeout=15))[-1]

    assert "Спасибо" in thanks["text"]
    assert (await Feedback.objects.aget()).text == "Хочу больше персонажей-учёных"


async def test_tasks_kept_while_redis_was_down_run_on_a_worker_once_it_is_back(
    bot_on_redis, everything_on_redis, tmp_path
):
    requires_postgres("a worker process reads the test database, which SQLite keeps in memory")
    sent = await talking_to_support(bot_on_redis)
    everything_on_redis.kill()
    bot_on_redis.user_sends("Меня зовут Анна, я живу в Казани.", user_id=ANNA)
    await bot_on_redis.wait_for_messages(ANNA, sent + 1, timeout=15)
    assert len(await _deferred()) == 1

    everything_on_redis.start()  # the same port: Redis is back, empty
    worker = Worker(broker_url=everything_on_redis.url, queue="celery", name="after-outage", log=tmp_path / "w.log")
    try:
        assert await sync_to_async(queue.deferred_tasks_send)() == 1  # what beat's core.deferred_tasks_send does
        assert await _deferred() == []

        def remembered() -> bool:
            return MemoryFact.objects.filter(user__telegram_id=ANNA).count() >= 2

        try:
            await sync_to_async(wait_until)(remembered, 90, "the worker to extract the facts")
        except AssertionError:
            pytest.fail("the worker did not run the task; its log:\n" + worker.output())
    finally:
        worker.stop()
    facts = sorted([fact.text async for fact in MemoryFact.objects.filter(user__telegram_id=ANNA)])
    assert any("Анна" in fact for fact in facts)
    assert any("Казан" in fact for fact in facts)
