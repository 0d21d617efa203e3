import pytest

from apps.core.exceptions import ServiceUnavailable
from apps.inference.exceptions import AllBackendsFailed, BackendUnavailable
from apps.inference.fallback import FallbackGenerator
from apps.inference.openai_generator import OpenAIGenerator
from apps.inference.types import ChatMessage, GenerationParams
from tests.stubs.openai_server import StubOpenAIServer

MESSAGES = [ChatMessage("system", "Be kind."), ChatMessage("user", "Привет!")]
PARAMS = GenerationParams(max_new_tokens=50, temperature=0.7, stop=("User:",))


@pytest.fixture
def server():
    with StubOpenAIServer() as stub:
        yield stub


def backend(server, **options) -> OpenAIGenerator:
    return OpenAIGenerator(
        base_url=server.base_url, model="stub-model", timeout_s=options.pop("timeout_s", 2), **options
    )


async def test_answers_through_the_real_client(server):
    server.reply = "Привет! Как прошёл день?"

    reply = await backend(server).generate(MESSAGES, PARAMS)

    assert reply.text == "Привет! Как прошёл день?"
    assert reply.backend == "openai:stub-model"
    assert (reply.prompt_tokens, reply.completion_tokens) == (3, 4)
    sent = server.requests[0]
    assert sent["messages"] == [{"role": "system", "content": "Be kind."}, {"role": "user", "content": "Привет!"}]
    assert (sent["max_tokens"], sent["stop"], sent["model"]) == (50, ["User:"], "stub-model")


async def test_stop_strings_are_enforced_even_if_the_server_ignores_them(server):
    server.reply = "Sure thing. User: and now I talk for you"

    assert (await backend(server).generate(MESSAGES, PARAMS)).text == "Sure thing."


async def test_length_finish_is_reported(server):
    server.finish_reason = "length"

    assert (await backend(server).generate(MESSAGES, PARAMS)).finish_reason == "length"


@pytest.mark.parametrize("status", [429, 500, 503])
async def test_overload_and_server_errors_become_backend_unavailable(server, status):
    server.status = status

    with pytest.raises(BackendUnavailable, match=str(status)):
        await backend(server, max_retries=0).generate(MESSAGES, PARAMS)


async def test_timeout_becomes_backend_unavailable(server):
    server.delay = 1.5

    with pytest.raises(BackendUnavailable, match="no answer"):
        await backend(server, timeout_s=0.3, max_retries=0).generate(MESSAGES, PARAMS)


async def test_unreachable_server_becomes_backend_unavailable():
    dead = OpenAIGenerator(base_url="http://127.0.0.1:1/v1", model="x", timeout_s=1, max_retries=0)

    with pytest.raises(BackendUnavailable):
        await dead.generate(MESSAGES, PARAMS)


async def test_a_refused_request_is_not_hidden_behind_a_fallback(server):
    server.status = 401

    with pytest.raises(ServiceUnavailable, match="401") as caught:
        await FallbackGenerator(backend(server), backend(server, name="second")).generate(MESSAGES, PARAMS)
    assert not isinstance(caught.value, BackendUnavailable)


async def test_stream_yields_pieces_and_a_final_reply(server):
    server.reply = "one two three"

    chunks = [chunk async for chunk in backend(server).stream(MESSAGES, PARAMS)]

    assert "".join(chunk.text for chunk in chunks) == "one two three"
    assert chunks[-1].finished
    assert chunks[-1].reply.completion_tokens == 3


async def test_fallback_answers_when_the_primary_is_overloaded(server):
    with StubOpenAIServer() as healthy:
        server.status = 429
        healthy.reply = "I am the fallback."

        reply = await FallbackGenerator(
            backend(server, name="primary", max_retries=0), backend(healthy, name="spare")
        ).generate(MESSAGES, PARAMS)

    assert (reply.text, reply.backend) == ("I am the fallback.", "spare")


async def test_fallback_uses_the_primary_when_it_works(server):
    with StubOpenAIServer() as spare:
        reply = await FallbackGenerator(backend(server, name="primary"), backend(spare, name="spare")).generate(
            MESSAGES, PARAMS
        )

    assert reply.backend == "primary"
    assert spare.requests == []


async def test_one_clear_error_when_every_backend_fails(server):
    server.status = 500
    with StubOpenAIServer() as second:
        second.status = 503

        with pytest.raises(AllBackendsFailed, match=r"first.*500.*second.*503"):
            await FallbackGenerator(
                backend(server, name="first", max_retries=0), backend(second, name="second", max_retries=0)
            ).generate(MESSAGES, PARAMS)


async def test_local_generator_falls_back_to_the_api_when_its_queue_is_full(server, tiny_model_dir):
    import asyncio

    from apps.inference.ctranslate2_generator import CTranslate2Generator

    local = CTranslate2Generator(tiny_model_dir, inter_threads=1, queue_capacity=1, batch_window_ms=300)
    server.reply = "From the API."
    try:
        chain = FallbackGenerator(local, backend(server, name="api"))
        first = asyncio.ensure_future(chain.generate(MESSAGES, GenerationParams(max_new_tokens=4, temperature=0)))
        await asyncio.sleep(0.05)

        second = await chain.generate(MESSAGES, GenerationParams(max_new_tokens=4, temperature=0))

        assert second.backend == "api"
        assert (await first).backend == "ctranslate2:tiny"
    finally:
        local.close()
