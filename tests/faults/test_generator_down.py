"""The primary model is down: the fallback answers through the bot; with every backend down the user is told to
write again, and their message is kept."""

import html

import pytest
from asgiref.sync import sync_to_async

from apps.conversations.models import Message
from apps.inference.ctranslate2_generator import CTranslate2Generator
from apps.inference.fallback import FallbackGenerator
from apps.inference.openai_generator import OpenAIGenerator
from tests.bots.telegram.conftest import polling_bot
from tests.bots.telegram.steps import ANNA, talking_to_support
from tests.faults.conftest import REPLY

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


@pytest.fixture
def remote(model_server):
    return OpenAIGenerator(base_url=model_server.base_url, model="stub", timeout_s=5, max_retries=0)


@pytest.fixture
def local(tiny_model_dir):
    generator = CTranslate2Generator(tiny_model_dir)
    yield generator
    generator.close()


async def _replies() -> list[tuple[str, str]]:
    rows = Message.objects.filter(dialogue__user__telegram_id=ANNA, role=Message.Role.ASSISTANT).order_by("id")
    return [(message.backend, message.text) async for message in rows]


@pytest.mark.parametrize("status", [503, 429, 500])
async def test_a_failing_remote_primary_hands_the_turn_to_the_local_fallback(
    telegram, tiny_model_dir, model_server, remote, local, status, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path / "media"
    model_server.status = status
    async with polling_bot(telegram, tiny_model_dir, generator=FallbackGenerator(remote, local)):
        sent = await talking_to_support(telegram)
        telegram.user_sends("Привет! Как ты?", user_id=ANNA)
        reply = (await telegram.wait_for_messages(ANNA, sent + 1, timeout=20))[-1]

    backend, text = (await _replies())[-1]
    assert backend == local.name
    assert reply["text"] == html.escape(text)  # what was stored is what was sent
    assert len(model_server.requests) >= 1  # the primary was asked first


async def test_a_dead_local_primary_hands_the_turn_to_the_remote_fallback(
    telegram, tiny_model_dir, model_server, remote, local, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path / "media"
    local.close()  # refuses every request: BackendUnavailable("shutting down")
    async with polling_bot(telegram, tiny_model_dir, generator=FallbackGenerator(local, remote)):
        sent = await talking_to_support(telegram)
        telegram.user_sends("Привет! Как ты?", user_id=ANNA)
        reply = (await telegram.wait_for_messages(ANNA, sent + 1, timeout=20))[-1]

    assert reply["text"] == REPLY
    assert (await _replies())[-1] == ("openai:stub", REPLY)


async def test_with_every_backend_down_the_user_is_asked_to_write_again_and_the_message_is_kept(
    telegram, tiny_model_dir, model_server, remote, local, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.OVERLOAD_MAX_WAIT_S = 1.0  # the capacity gate would otherwise wait for the backends to come back
    settings.OVERLOAD_COOLDOWN_S = 0.2
    model_server.status = 503
    local.close()
    async with polling_bot(telegram, tiny_model_dir, generator=FallbackGenerator(remote, local)):
        sent = await talking_to_support(telegram)
        telegram.user_sends("Привет! Как ты?", user_id=ANNA)
        notices = await telegram.wait_for_messages(ANNA, sent + 1, timeout=20)

    assert "ещё раз" in notices[-1]["text"], notices[sent:]  # "write again in a moment"
    kept = await sync_to_async(
        lambda: list(Message.objects.filter(dialogue__user__telegram_id=ANNA).values_list("role", "text"))
    )()
    assert kept[-1] == (Message.Role.USER, "Привет! Как ты?")  # kept, unanswered, and the user knows
