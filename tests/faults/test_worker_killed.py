"""A Celery worker dies mid-task (kill -9: no warm shutdown, no acknowledgement): the broker hands the task to
another worker after the visibility timeout, and the task's effect is applied once."""

import time
import uuid
from unittest import mock

import pytest

from apps.accounts.services import telegram_user_upsert
from apps.conversations.models import Dialogue, MemoryFact, Message
from apps.conversations.services import dialogue_start, message_store
from apps.conversations.tasks import memory_extract
from apps.personas.models import Module
from config.celery import app as celery_app
from tests.factories import PersonaFactory
from tests.faults.services import Worker, requires_postgres, wait_until
from tests.testapp.tasks import memory_extract_then_linger

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True, serialized_rollback=True)]
TEXT = "Меня зовут Анна, я живу в Казани."


def _user_message(text: str) -> int:
    user, _created = telegram_user_upsert(telegram_id=1001, first_name="Anna", language_code="ru")
    persona = PersonaFactory(modules=[Module.objects.get(code="support")])
    started = dialogue_start(user_id=user.pk, persona_id=persona.pk, module_code="support")
    return message_store(Dialogue.objects.get(pk=started.dialogue_id), Message.Role.USER, text).pk


def _facts() -> list[tuple[int, str, str]]:
    return list(MemoryFact.objects.order_by("id").values_list("id", "text", "status"))


@pytest.fixture
def sent_to_workers():
    """Tasks go to the broker instead of running in this process (tests/conftest.py makes them eager)."""
    celery_app.conf.task_always_eager = False
    yield
    celery_app.conf.task_always_eager = True


def test_a_task_of_a_killed_worker_goes_to_another_worker_and_is_applied_once(redis_server, sent_to_workers, tmp_path):
    requires_postgres("worker processes read the test database, which SQLite keeps in memory")
    message_id = _user_message(TEXT)
    markers = tmp_path / "markers"
    markers.mkdir()
    queue = f"faults-{uuid.uuid4().hex[:8]}"
    first = Worker(broker_url=redis_server.url, queue=queue, name="first", log=tmp_path / "first.log")
    second = None
    try:
        with celery_app.connection_for_write(redis_server.url) as connection:
            memory_extract_then_linger.apply_async((message_id, str(markers), 300), queue=queue, connection=connection)
        try:
            wait_until((markers / "applied-1").exists, 90, "the first worker to apply the task")
        except AssertionError:
            pytest.fail("the first worker never ran the task; its log:\n" + first.output())
        applied = _facts()
        first.kill_hard()  # mid-task: its effect is stored, its acknowledgement never sent
        time.sleep(2.5)  # past the visibility timeout (2 s here; an hour in production)

        second = Worker(broker_url=redis_server.url, queue=queue, name="second", log=tmp_path / "second.log")
        try:
            wait_until((markers / "applied-2").exists, 90, "the task to come back to the second worker")
        except AssertionError:
            pytest.fail("the task was not redelivered; second worker's log:\n" + second.output())
    finally:
        first.stop()
        if second is not None:
            second.stop()

    assert len(list(markers.glob("started-*"))) == 2  # it did run twice, on two processes
    assert len({path.name.rsplit("-", 1)[1] for path in markers.glob("started-*")}) == 2
    assert len(applied) >= 2  # the name and the city
    assert _facts() == applied  # ...and the second run changed nothing: applied once


def test_the_worker_options_make_tasks_come_back_after_a_crash():
    for task in (memory_extract, memory_extract_then_linger):
        assert (task.acks_late, task.reject_on_worker_lost) == (True, True)


def test_memory_extraction_run_twice_for_one_message_stores_each_fact_once():
    message_id = _user_message(TEXT)

    with mock.patch("apps.inference.registry.embedder_or_none", return_value=None):  # not what is tested here
        memory_extract(message_id)
        first = _facts()
        memory_extract(message_id)

    assert len(first) >= 2
    assert _facts() == first
