"""The capacity gate: turns wait for a saturated or failing generator, within bounds, instead of failing."""

import asyncio

import pytest

from apps.inference.capacity import CapacityGate, GenerationOverloaded
from apps.inference.ctranslate2_generator import CTranslate2Generator
from apps.inference.exceptions import BackendUnavailable
from apps.inference.fallback import FallbackGenerator
from apps.inference.types import ChatMessage, GenerationParams
from tests.apps.inference.stub_generator import StubGenerator

HELLO = [ChatMessage("user", "Hello")]
PARAMS = GenerationParams(max_new_tokens=4, temperature=0)


@pytest.fixture
def stub() -> StubGenerator:
    return StubGenerator(reply="ok")


def gate_for(generator, **options) -> CapacityGate:
    defaults = {"max_waiting": 4, "max_wait_s": 5.0, "notice_after_s": 10.0, "cooldown_s": 0.1, "poll_s": 0.01}
    return CapacityGate(generator, **(defaults | options))


async def until(check, timeout: float = 3.0) -> None:  # noqa: ASYNC109
    for _ in range(int(timeout / 0.01)):
        if check():
            return
        await asyncio.sleep(0.01)
    raise AssertionError("the condition did not become true in time")


async def test_with_capacity_a_turn_goes_straight_through(stub):
    gate = gate_for(stub)

    reply = await gate.for_turn().generate(HELLO, PARAMS)

    assert (reply.text, stub.calls, gate.waiting) == ("ok", 1, 0)


async def test_a_turn_waits_while_the_generator_is_saturated_and_is_answered_when_it_frees(stub):
    gate = gate_for(stub)
    stub.saturated = True

    turn = asyncio.ensure_future(gate.for_turn().generate(HELLO, PARAMS))
    await until(lambda: gate.waiting == 1)
    await asyncio.sleep(0.05)
    assert (turn.done(), stub.calls) == (False, 0)
    stub.saturated = False

    assert (await turn).text == "ok"
    assert gate.waiting == 0


async def test_waiting_turns_reach_the_model_in_arrival_order_and_newcomers_queue_behind(stub):
    gate = gate_for(stub)
    stub.saturated = True
    turns = []
    for count, name in enumerate(("first", "second", "third"), start=1):
        turns.append(asyncio.ensure_future(gate.for_turn().generate([ChatMessage("user", name)], PARAMS)))
        await until(lambda count=count: gate.waiting == count)
    stub.saturated = False
    turns.append(asyncio.ensure_future(gate.for_turn().generate([ChatMessage("user", "newcomer")], PARAMS)))

    await asyncio.gather(*turns)

    assert stub.asked == ["first", "second", "third", "newcomer"]


async def test_a_long_wait_is_announced_once(stub):
    notices = []

    async def notice():
        notices.append("kept")

    gate = gate_for(stub, notice_after_s=0.05)
    stub.saturated = True
    turn = asyncio.ensure_future(gate.for_turn(on_long_wait=notice).generate(HELLO, PARAMS))
    await asyncio.sleep(0.3)
    stub.saturated = False
    await turn

    assert notices == ["kept"]


async def test_a_short_wait_is_not_announced(stub):
    notices = []

    async def notice():
        notices.append("kept")

    gate = gate_for(stub, notice_after_s=5)
    stub.saturated = True
    turn = asyncio.ensure_future(gate.for_turn(on_long_wait=notice).generate(HELLO, PARAMS))
    await asyncio.sleep(0.05)
    stub.saturated = False
    await turn

    assert notices == []


async def test_when_the_waiting_room_is_full_new_turns_are_refused_at_once(stub):
    gate = gate_for(stub, max_waiting=1)
    stub.saturated = True
    assert gate.admits()
    first = asyncio.ensure_future(gate.for_turn().generate(HELLO, PARAMS))
    await until(lambda: gate.waiting == 1)

    assert not gate.admits()
    with pytest.raises(GenerationOverloaded, match="waiting room is full"):
        await gate.for_turn().generate(HELLO, PARAMS)

    stub.saturated = False
    assert (await first).text == "ok"
    assert gate.admits()


async def test_a_turn_gives_up_after_the_longest_wait(stub):
    gate = gate_for(stub, max_wait_s=0.1)
    stub.saturated = True

    with pytest.raises(GenerationOverloaded, match="within"):
        await gate.for_turn().generate(HELLO, PARAMS)
    assert gate.waiting == 0


async def test_a_failure_holds_new_turns_until_one_probe_succeeds(stub):
    gate = gate_for(stub, cooldown_s=0.2)
    stub.failures = 1

    failing = asyncio.ensure_future(gate.for_turn().generate(HELLO, PARAMS))
    await until(lambda: gate.breaker_open)
    later = asyncio.ensure_future(gate.for_turn().generate(HELLO, PARAMS))
    await asyncio.sleep(0.1)
    assert stub.calls == 1  # nobody reaches the backend during the cool-down
    assert gate.saturated()
    assert gate.waiting == 2

    assert [(await failing).text, (await later).text] == ["ok", "ok"]
    assert stub.calls == 3  # the failure, the probe, then the other turn once the probe succeeded
    assert not gate.breaker_open


async def test_while_the_probe_runs_the_others_keep_waiting(stub):
    gate = gate_for(stub, cooldown_s=0.05)
    stub.failures, stub.delay = 1, 0.2
    first = asyncio.ensure_future(gate.for_turn().generate(HELLO, PARAMS))
    await until(lambda: gate.breaker_open)  # after the first (slow) failure
    others = [asyncio.ensure_future(gate.for_turn().generate(HELLO, PARAMS)) for _ in range(3)]
    await until(lambda: stub.calls == 2)  # the probe is on its way
    await asyncio.sleep(0.1)

    assert stub.calls == 2
    assert [reply.text for reply in await asyncio.gather(first, *others)] == ["ok"] * 4


async def test_a_backend_that_never_recovers_is_unavailable_in_the_end(stub):
    gate = gate_for(stub, max_wait_s=0.3, cooldown_s=0.05)
    stub.failures = 1000

    with pytest.raises(BackendUnavailable):  # its own error, or the gate's when the time ran out while waiting
        await gate.for_turn().generate(HELLO, PARAMS)
    assert 2 <= stub.calls <= 10  # retried after each cool-down, not in a tight loop


async def test_a_cancelled_turn_leaves_the_waiting_room(stub):
    gate = gate_for(stub)
    stub.saturated = True
    turn = asyncio.ensure_future(gate.for_turn().generate(HELLO, PARAMS))
    await until(lambda: gate.waiting == 1)

    turn.cancel()
    with pytest.raises(asyncio.CancelledError):
        await turn

    assert gate.waiting == 0


async def test_a_stream_waits_for_capacity_then_streams(stub):
    gate = gate_for(stub, cooldown_s=0.05)
    stub.failures = 1

    chunks = [chunk async for chunk in gate.for_turn().stream(HELLO, PARAMS)]

    assert [chunk.text for chunk in chunks] == ["ok", ""]
    assert chunks[-1].finished


async def test_a_turn_sees_the_generators_own_attributes(tiny_model_dir):
    generator = CTranslate2Generator(tiny_model_dir)
    try:
        turn = CapacityGate(generator).for_turn()
        assert turn.manifest is generator.manifest  # the reply pipeline budgets prompts with it
        assert turn.name == generator.name
        assert turn.count_tokens(HELLO) == generator.count_tokens(HELLO)
    finally:
        generator.close()


async def test_ctranslate2_reports_saturation_while_its_queue_is_full(tiny_model_dir):
    generator = CTranslate2Generator(tiny_model_dir, inter_threads=1, queue_capacity=1, batch_window_ms=300)
    try:
        assert not generator.load().saturated
        waiting = asyncio.ensure_future(generator.generate(HELLO, PARAMS))
        await asyncio.sleep(0.05)  # it sits in the batching window

        load = generator.load()
        assert (load.pending, load.capacity, load.saturated) == (1, 1, True)
        await waiting
        assert not generator.load().saturated
    finally:
        generator.close()


def test_a_fallback_chain_is_saturated_only_when_every_backend_is():
    primary, spare = StubGenerator(), StubGenerator()
    chain = FallbackGenerator(primary, spare)
    primary.saturated = True
    assert not chain.load().saturated

    spare.saturated = True

    assert chain.load().saturated
    assert chain.load().capacity == 2
