import asyncio

import pytest

from apps.core.exceptions import InvalidInput
from apps.inference.ctranslate2_generator import CTranslate2Generator
from apps.inference.exceptions import BackendUnavailable
from apps.inference.types import ChatMessage, GenerationParams
from tests.apps.inference.tiny_model import build_tiny_model

GREEDY = GenerationParams(max_new_tokens=12, temperature=0)
HELLO = [ChatMessage("user", "Hello there")]


@pytest.fixture
def generator(tiny_model_dir):
    instance = CTranslate2Generator(tiny_model_dir, inter_threads=2, batch_window_ms=20)
    yield instance
    instance.close()


async def test_generates_a_reply_with_its_accounting(generator):
    reply = await generator.generate(HELLO, GREEDY)

    assert reply.text
    assert reply.backend == "ctranslate2:tiny"
    assert reply.prompt_tokens == generator.count_tokens(HELLO)
    assert 0 < reply.completion_tokens <= 12
    assert reply.latency_ms > 0


async def test_reply_that_hits_the_token_limit_says_length(generator):
    reply = await generator.generate(HELLO, GenerationParams(max_new_tokens=3, temperature=0))

    assert (reply.completion_tokens, reply.finish_reason) == (3, "length")


async def test_concurrent_callers_share_batches_and_each_gets_its_own_answer(generator):
    solo = await generator.generate(HELLO, GREEDY)
    other = [ChatMessage("user", "Something else entirely")]
    other_solo = await generator.generate(other, GREEDY)

    replies = await asyncio.gather(*[generator.generate(HELLO if n % 2 else other, GREEDY) for n in range(8)])

    assert [reply.text for reply in replies] == [solo.text if n % 2 else other_solo.text for n in range(8)]
    assert generator.stats().largest_batch > 1


async def test_requests_with_different_sampling_settings_never_share_a_batch(generator):
    await asyncio.gather(
        *[generator.generate(HELLO, GREEDY) for _ in range(3)],
        *[generator.generate(HELLO, GenerationParams(max_new_tokens=5, temperature=0)) for _ in range(3)],
    )

    assert max(generator.stats().recent_batch_sizes) <= 3
    assert generator.stats().requests_served == 6


async def test_stream_yields_the_same_text_as_generate(generator):
    whole = await generator.generate(HELLO, GREEDY)

    chunks = [chunk async for chunk in generator.stream(HELLO, GREEDY)]

    assert "".join(chunk.text for chunk in chunks) == whole.text
    assert chunks[-1].finished
    assert chunks[-1].reply.text == whole.text
    assert len(chunks) > 2


async def test_stop_string_cuts_the_reply_in_generate_and_stream(generator):
    whole = (await generator.generate(HELLO, GenerationParams(max_new_tokens=24, temperature=0))).text
    stop = whole[len(whole) // 2 : len(whole) // 2 + 2]
    params = GenerationParams(max_new_tokens=24, temperature=0, stop=(stop,))

    reply = await generator.generate(HELLO, params)
    streamed = "".join([chunk.text async for chunk in generator.stream(HELLO, params)])

    expected = whole[: whole.find(stop)].strip()
    assert reply.text == expected
    assert reply.finish_reason == "stop"
    assert streamed == expected


async def test_full_queue_refuses_at_once_so_a_fallback_can_answer(tiny_model_dir):
    generator = CTranslate2Generator(tiny_model_dir, inter_threads=1, queue_capacity=1, batch_window_ms=500)
    try:
        waiting = asyncio.ensure_future(generator.generate(HELLO, GREEDY))
        await asyncio.sleep(0.05)  # the first request now sits in the batching window

        with pytest.raises(BackendUnavailable, match="queue is full"):
            await generator.generate(HELLO, GREEDY)

        assert (await waiting).text
        assert generator.stats().requests_rejected == 1
    finally:
        generator.close()


async def test_request_waiting_past_its_deadline_is_refused(tiny_model_dir):
    generator = CTranslate2Generator(tiny_model_dir, inter_threads=1, queue_timeout_s=0.05, batch_window_ms=300)
    try:
        with pytest.raises(BackendUnavailable, match="waited too long"):
            await generator.generate(HELLO, GREEDY)
    finally:
        generator.close()


async def test_a_cancelled_caller_does_not_disturb_the_others(generator):
    abandoned = asyncio.ensure_future(generator.generate(HELLO, GREEDY))
    await asyncio.sleep(0)
    abandoned.cancel()

    reply = await generator.generate(HELLO, GREEDY)

    assert reply.text


async def test_prompt_longer_than_the_context_is_a_clear_error(tmp_path):
    generator = CTranslate2Generator(build_tiny_model(tmp_path / "short-context", context_length=512))
    try:
        with pytest.raises(InvalidInput, match="exceeds the model's context of 512"):
            await generator.generate([ChatMessage("user", "x" * 600)], GREEDY)
    finally:
        generator.close()


def test_missing_model_directory_is_a_backend_unavailable_naming_the_install_command(tmp_path):
    with pytest.raises(BackendUnavailable, match="llm_install --default"):
        CTranslate2Generator(tmp_path / "nowhere")


def test_corrupt_model_file_is_a_backend_unavailable(tiny_model_dir, tmp_path):
    broken = tmp_path / "broken"
    broken.mkdir()
    for item in tiny_model_dir.iterdir():
        (broken / item.name).write_bytes(item.read_bytes())
    (broken / "model.bin").write_bytes(b"not a model")

    with pytest.raises(BackendUnavailable, match="Cannot load the model"):
        CTranslate2Generator(broken)


async def test_stats_report_throughput_and_batches(generator):
    await asyncio.gather(*[generator.generate(HELLO, GREEDY) for _ in range(4)])

    stats = generator.stats()

    assert stats.requests_served == 4
    assert stats.tokens_per_second > 0
    assert stats.queue_depth == 0
    assert sum(stats.recent_batch_sizes) == 4


async def test_closed_generator_refuses_new_work(tiny_model_dir):
    generator = CTranslate2Generator(tiny_model_dir)
    generator.close()

    with pytest.raises(BackendUnavailable, match="shutting down"):
        await generator.generate(HELLO, GREEDY)
