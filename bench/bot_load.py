"""The whole bot under load: simulated users chat with it through the fake Bot API; a bare echo bot is the baseline.

    python bench/bot_load.py [--users 100] [--messages 5] [--think-ms 0] [--model tiny|smollm2|instant|PATH]
                             [--serial] [--max-new-tokens 64] [--sqlite | --admin-url postgres://...]
                             [--redis-url redis://127.0.0.1:6379/9] [--profile FILE] [--keep]

The bot runs as it does in production: `python -m bots.telegram` in a process of its own, long-polling
tests/stubs/telegram_server.py's FakeTelegram (TELEGRAM_API_URL), which runs here together with the simulated
users. A separate process keeps the harness off the bot's GIL and event loop (so the overhead measured is the
bot's, not the fake server's) and gives the bot's own peak memory.

Users are created beforehand through the services (registered, documents accepted, talking to a Support
persona), so the run measures chat turns. Each user sends --messages messages, each one as soon as the reply to
the previous one arrives. The fake server timestamps when getUpdates hands an update out and when the
sendMessage carrying the reply arrives; the difference is the reply time. Generation time per reply comes from
the pipeline's own timing (Message.latency_ms: from the prompt being ready to the reply being cleaned, waiting
in the model's batch queue included); overhead = reply time - generation time, i.e. everything but the model.

Runs, each with fresh users: the bot with the model batching concurrent requests; with --serial (or SmolLM2)
the same bot with generation forced one at a time (LLM_MAX_BATCH_SIZE=1, LLM_INTER_THREADS=1); and a bare
aiogram echo bot on the same fake server (the baseline for the overhead). `--model instant` replaces the model
with a canned reply (through LLM_BACKEND's dotted path) to show what the bot itself carries. The overload
guards (queue timeout, waiting room, "still writing" notices) are lifted: the runs count throughput, not
refusals. With --think-ms 0 the load is closed-loop at saturation, where reply times are queueing
(users / replies per second); one user (--users 1) gives the service time.

Database: a throw-away PostgreSQL database (sputnik_bench_bot: created, migrated, dropped) or, with --sqlite, a
file in a temporary folder. Celery tasks go to an in-process memory broker (published, not run), like a
production bot whose worker lives elsewhere; --redis-url puts the broker, cache and FSM on that Redis instead.
Targets (tiny model, 2 cores): no lost or duplicated replies, >= 100 replies/s, p95 overhead < 50 ms and at most
3x the echo bot's p95.
"""

import argparse
import asyncio
import contextlib
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

SCRIPT = Path(__file__).resolve()
ROOT = SCRIPT.parent.parent
DATABASE = "sputnik_bench_bot"
TOKEN = "424242:BENCH"  # noqa: S105 - the fake server's token
HIGH_LIMIT = "1000000"
PROJECT_VARIABLES = ("DATABASE_URL", "REDIS_URL", "CELERY_BROKER_URL", "CELERY_RESULT_BACKEND", "DJANGO_ENV")
CARD = {
    "spec": "chara_card_v2",
    "spec_version": "2.0",
    "data": {
        "name": "Mia",
        "description": "Mia is a calm, kind listener who works as a nurse and loves long walks by the sea.",
        "personality": "warm, patient, curious",
        "scenario": "{{user}} talks to Mia in the evening about their day.",
        "first_mes": "Hi {{user}}! How was your day?",
        "mes_example": "",
        "extensions": {"sputnik": {"modules": ["support"], "languages": ["en", "ru"], "visibility": "everyone"}},
    },
}
TEXTS = [
    "Hi! I had a long day at work today.",
    "My boss was angry about a report I wrote.",
    "I tried to stay calm but it was hard.",
    "In the evening I went for a walk in the park.",
    "Do you think I should talk to my boss tomorrow?",
    "Thanks, that helps. What do you do to relax?",
    "I like reading before sleep, mostly detective stories.",
    "Tomorrow I will try to finish the report early.",
]


class InstantGenerator:
    """A model that costs nothing (a canned reply at once), loaded by the bot through LLM_BACKEND's dotted path:
    `--model instant` measures what the bot itself can carry."""

    name = "instant"
    REPLIES = ("That sounds like a lot. How are you feeling now?", "I hear you. Tell me more about it.",
               "You did your best today, and that matters.", "What would help you most right now?")  # fmt: skip

    def count_tokens(self, messages) -> int:
        return sum(len(message.content) for message in messages) // 4 + 1

    def load(self):
        from apps.inference.types import GeneratorLoad

        return GeneratorLoad(pending=0, capacity=None)

    async def generate(self, messages, params):
        from apps.inference.types import Reply

        text = self.REPLIES[len(messages) % len(self.REPLIES)]
        return Reply(text=text, prompt_tokens=self.count_tokens(messages), completion_tokens=len(text.split()),
                     backend=self.name, latency_ms=0.0)  # fmt: skip

    async def stream(self, messages, params):
        from apps.inference.types import ReplyChunk

        reply = await self.generate(messages, params)
        yield ReplyChunk(text=reply.text)
        yield ReplyChunk(text="", finished=True, reply=reply)


# --- the processes ------------------------------------------------------------------------------------------


def echo_bot() -> None:
    """The baseline: a bare aiogram bot that echoes every text, long-polling the same fake server."""
    from aiogram import Bot, Dispatcher
    from aiogram.client.session.aiohttp import AiohttpSession
    from aiogram.client.telegram import TelegramAPIServer
    from aiogram.types import Message

    bot = Bot(os.environ["TELEGRAM_BOT_TOKEN"], session=AiohttpSession(api=TelegramAPIServer.from_base(
        os.environ["TELEGRAM_API_URL"])))  # fmt: skip
    dispatcher = Dispatcher()

    @dispatcher.message()
    async def echo(message: Message) -> None:
        await message.answer(message.text or "?")

    asyncio.run(dispatcher.start_polling(bot, handle_signals=True))


def peak_rss_mb(pid: int) -> float:
    with contextlib.suppress(OSError):
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    return float("nan")


def cpu_seconds(pid: int, task: int | None = None) -> float:
    """CPU time of a process (or of one of its threads: `task`)."""
    path = Path(f"/proc/{pid}/task/{task}/stat" if task else f"/proc/{pid}/stat")
    with contextlib.suppress(OSError):
        fields = path.read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    return float("nan")


# --- one run ------------------------------------------------------------------------------------------------


@dataclass
class RunResult:
    label: str
    users: int
    expected: int
    latencies: dict[tuple[int, int], float] = field(default_factory=dict)  # (telegram id, number) -> seconds
    received: dict[int, int] = field(default_factory=dict)  # telegram id -> replies received
    seconds: float = 0.0
    peak_rss_mb: float = 0.0
    cpu_s: float = 0.0
    loop_cpu_s: float = 0.0
    api_errors: int = 0
    log_errors: int = 0
    pipeline_errors: int = 0
    generation: dict[tuple[int, int], float] = field(default_factory=dict)  # as latencies, seconds

    @property
    def replies(self) -> int:
        return len(self.latencies)

    @property
    def lost(self) -> int:
        return sum(max(0, self.expected_per_user - self.received.get(user, 0)) for user in self.received)

    @property
    def duplicated(self) -> int:
        return sum(max(0, count - self.expected_per_user) for count in self.received.values())

    @property
    def expected_per_user(self) -> int:
        return self.expected // max(1, self.users)

    def overheads(self) -> list[float]:
        return [self.latencies[key] - self.generation[key] for key in self.latencies if key in self.generation]


class Users:
    """Simulated users: each sends its next message as soon as the reply to the previous one arrives."""

    def __init__(self, fake, telegram_ids: list[int], messages: int, think_s: float = 0.0) -> None:
        self.fake, self.messages, self.think_s = fake, messages, think_s
        self.outstanding: dict[int, tuple[int, int]] = {}  # telegram id -> (message number, update id)
        self.sent_count = dict.fromkeys(telegram_ids, 0)
        self.received = dict.fromkeys(telegram_ids, 0)
        self.latencies: dict[tuple[int, int], float] = {}
        self.first_sent = self.last_reply = 0.0
        self.done = asyncio.Event()
        self._remaining = len(telegram_ids)

    def start(self) -> None:
        self.fake.on_sent.append(self._on_sent)
        self.first_sent = time.monotonic()
        for telegram_id in self.sent_count:
            self._send_next(telegram_id)

    def stop(self) -> None:
        with contextlib.suppress(ValueError):
            self.fake.on_sent.remove(self._on_sent)

    def _send_next(self, telegram_id: int) -> None:
        number = self.sent_count[telegram_id]
        if number == self.messages:
            self._remaining -= 1
            if not self._remaining:
                self.done.set()
            return
        self.sent_count[telegram_id] = number + 1
        text = f"{TEXTS[number % len(TEXTS)]} ({number + 1})"
        update_id = self.fake.user_sends(text, user_id=telegram_id, first_name="Alex", language_code="en")
        self.outstanding[telegram_id] = (number, update_id)

    def _on_sent(self, entry: dict, arrived_at: float) -> None:
        telegram_id = entry["chat_id"]
        if entry["method"] != "sendMessage" or telegram_id not in self.received:
            return
        self.received[telegram_id] += 1
        waiting = self.outstanding.pop(telegram_id, None)
        if waiting is None:
            return  # a reply nobody waits for: counted as a duplicate at the end
        number, update_id = waiting
        self.latencies[(telegram_id, number)] = arrived_at - self.fake.handed_out_at[update_id]
        self.last_reply = arrived_at
        if self.think_s:
            asyncio.get_running_loop().call_later(self.think_s, self._send_next, telegram_id)
        else:
            self._send_next(telegram_id)


async def run_once(
    fake, label: str, command: list[str], env: dict, telegram_ids: list[int], warmup_ids: list[int], options, log: Path
) -> RunResult:
    result = RunResult(label=label, users=len(telegram_ids), expected=len(telegram_ids) * options.messages)
    errors_before, calls_before = len(fake.errors), len(fake.calls)
    with log.open("w") as log_file:
        process = await asyncio.create_subprocess_exec(
            *command, cwd=ROOT, env=env, stdout=log_file, stderr=subprocess.STDOUT
        )
    try:
        await _wait_for_polling(fake, process, log, calls_before)
        if warmup_ids:  # the first replies load the model's kernels and open the database connection
            warmup = Users(fake, warmup_ids, 1)
            warmup.start()
            await asyncio.wait_for(warmup.done.wait(), timeout=300)
            warmup.stop()
        users = Users(fake, telegram_ids, options.messages, options.think_ms / 1000)
        cpu_before, loop_before = cpu_seconds(process.pid), cpu_seconds(process.pid, process.pid)
        users.start()
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(users.done.wait(), timeout=options.timeout)
        await asyncio.sleep(1.0)  # late duplicates would arrive now
        users.stop()
        result.latencies, result.received = users.latencies, users.received
        result.seconds = max(1e-9, users.last_reply - users.first_sent)
        result.cpu_s = cpu_seconds(process.pid) - cpu_before
        result.loop_cpu_s = cpu_seconds(process.pid, process.pid) - loop_before  # the main thread: the event loop
        result.peak_rss_mb = peak_rss_mb(process.pid)
        # The previous run's bot leaves a long poll behind, which ends with 409 when this one polls: not an error.
        result.api_errors = sum(1 for method, _text in fake.errors[errors_before:] if method != "getUpdates")
    finally:
        process.send_signal(signal.SIGINT)  # aiogram stops polling and the process exits
        try:
            await asyncio.wait_for(process.wait(), timeout=30)
        except TimeoutError:
            process.kill()
            await process.wait()
    text = await asyncio.to_thread(log.read_text, errors="replace")
    result.log_errors = text.count(" ERROR ") + text.count("Traceback")
    return result


async def _wait_for_polling(fake, process, log: Path, calls_before: int) -> None:
    deadline = time.monotonic() + 120
    while not any(name == "getUpdates" for name, _params in fake.calls[calls_before:]):
        if process.returncode is not None or time.monotonic() > deadline:
            text = await asyncio.to_thread(log.read_text, errors="replace")
            sys.exit(f"the bot did not start polling; its log:\n{text[-5000:]}")
        await asyncio.sleep(0.05)


# --- database -----------------------------------------------------------------------------------------------


def seed(groups: list[list[int]]) -> None:
    """Users registered, documents accepted and talking to Mia (Support), through the services."""
    from apps.accounts.services import consent_accept, legal_documents_current, telegram_user_upsert
    from apps.billing.models import FreeTier
    from apps.conversations.services import dialogue_start
    from apps.personas.services import persona_import_card

    persona = persona_import_card(data=json.dumps(CARD).encode(), filename="mia.json")
    FreeTier(messages_per_day=int(HIGH_LIMIT)).save()  # the bench measures turns, not the paywall
    documents = [document.pk for document in legal_documents_current()]
    for telegram_id in (telegram_id for group in groups for telegram_id in group):
        user, _created = telegram_user_upsert(telegram_id=telegram_id, first_name="Alex", language_code="en")
        consent_accept(user_id=user.pk, document_ids=documents)
        dialogue_start(user_id=user.pk, persona_id=persona.persona_id, module_code="support")


def generation_times(result: RunResult, telegram_ids: list[int]) -> None:
    """Pair each user message with the reply after it; a message without one is a pipeline error."""
    from apps.conversations.models import Message

    rows = Message.objects.filter(dialogue__user__telegram_id__in=telegram_ids).order_by("id")
    by_user: dict[int, list[tuple[str, int | None]]] = {}
    for telegram_id, role, latency_ms in rows.values_list("dialogue__user__telegram_id", "role", "latency_ms"):
        by_user.setdefault(telegram_id, []).append((role, latency_ms))
    for telegram_id, messages in by_user.items():
        number = 0
        for index, (role, _latency) in enumerate(messages):
            if role != Message.Role.USER:
                continue
            following = messages[index + 1] if index + 1 < len(messages) else None
            if following is None or following[0] != Message.Role.ASSISTANT:
                result.pipeline_errors += 1
            else:
                result.generation[(telegram_id, number)] = (following[1] or 0) / 1000
            number += 1


# --- report -------------------------------------------------------------------------------------------------


def percentile(values: list[float], share: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


COLUMNS = (("run", 26), ("replies", 8), ("lost", 5), ("dup", 4), ("err", 4), ("rep/s", 7), ("p50", 8),
           ("p95", 8), ("p99", 8), ("gen p95", 8), ("ovh p50", 8), ("ovh p95", 8), ("ovh p99", 8),
           ("CPU/rep", 8), ("RSS MB", 7))  # fmt: skip


def report(results: list[RunResult], options) -> None:
    print()
    print("".join(f"{name:<{width}}" if index == 0 else f"{name:>{width}}" for index, (name, width) in
                  enumerate(COLUMNS)))  # fmt: skip
    print("-" * sum(width for _name, width in COLUMNS))
    for result in results:
        latencies = list(result.latencies.values())
        generation = list(result.generation.values())
        overheads = result.overheads() if result.generation else latencies
        errors = result.api_errors + result.log_errors + result.pipeline_errors
        cells = [result.label, result.replies, result.lost, result.duplicated, errors,
                 f"{result.replies / result.seconds:.1f}", *(ms(latencies, share) for share in (0.5, 0.95, 0.99)),
                 ms(generation, 0.95) if generation else "-", *(ms(overheads, share) for share in (0.5, 0.95, 0.99)),
                 f"{result.cpu_s / max(1, result.replies) * 1000:.1f}", f"{result.peak_rss_mb:.0f}"]  # fmt: skip
        print("".join(f"{cell:<{width}}" if index == 0 else f"{cell:>{width}}" for index, (cell, (_n, width)) in
                      enumerate(zip(cells, COLUMNS, strict=True))))  # fmt: skip
    bot, echo = results[0], results[-1]
    for result in results[:-1]:
        per_reply = 1000 / max(1, result.replies)
        print(f"{result.label}: CPU per reply {result.cpu_s * per_reply:.1f} ms = event loop "
              f"{result.loop_cpu_s * per_reply:.1f} ms + other threads (database, model) "
              f"{(result.cpu_s - result.loop_cpu_s) * per_reply:.1f} ms")  # fmt: skip
    overhead_p95 = percentile(bot.overheads(), 0.95)
    echo_p95 = percentile(list(echo.latencies.values()), 0.95)
    print()
    print("times in ms. reply time: from getUpdates handing the update out to the reply's sendMessage arriving at the")
    print("fake server. gen: generation (Message.latency_ms, the model's queue included). ovh (overhead): reply time")
    print("minus generation. CPU/rep: the bot process's CPU ms per reply. err: API errors, logged errors and user")
    print("messages left without a stored reply. With --think-ms 0 every user writes again at once: the run is at")
    print("saturation and reply times are mostly queueing (users / replies per second).")
    print(f"overhead p95 vs echo bot p95: {overhead_p95 * 1000:.1f} ms vs {echo_p95 * 1000:.1f} ms = "
          f"{overhead_p95 / echo_p95:.1f}x (targets: < 50 ms and <= 3x)")  # fmt: skip
    serial = next((result for result in results if result.label.startswith("one at a time")), None)
    if serial is not None:
        gain = (bot.replies / bot.seconds) / (serial.replies / serial.seconds)
        print(f"batching gain end to end: {gain:.2f}x the replies per second of generation one at a time")
    faults = sum(result.lost + result.duplicated for result in results)
    print(f"lost + duplicated replies: {faults} (target 0)")
    if options.model in ("tiny", "instant"):
        print(f"replies per second: {bot.replies / bot.seconds:.0f} (target >= 100 on 2 cores with the tiny model)")


def ms(values: list[float], share: float) -> str:
    return f"{percentile(values, share) * 1000:.1f}"


# --- main ---------------------------------------------------------------------------------------------------


async def bench(options, model_dir: Path, var_dir: Path, base_env: dict) -> list[RunResult]:
    from asgiref.sync import sync_to_async

    from tests.stubs.telegram_server import FakeTelegram

    plans = [("batched", {})]
    if options.serial:
        plans.append(("one at a time", {"LLM_MAX_BATCH_SIZE": "1", "LLM_INTER_THREADS": "1"}))
    groups = {label: [10_000_000 * (n + 1) + i for i in range(options.users)] for n, (label, _) in enumerate(plans)}
    warmups = {label: [10_000_000 * (n + 1) + 9_000_000 + i for i in range(2)] for n, (label, _) in enumerate(plans)}
    started = time.monotonic()
    await sync_to_async(seed)([*groups.values(), *warmups.values()])
    print(f"seeded {sum(map(len, groups.values())) + 4} users in {time.monotonic() - started:.1f} s")

    fake = FakeTelegram(token=TOKEN)
    await fake.start()
    results = []
    try:
        for label, extra in plans:
            env = base_env | extra | {"TELEGRAM_API_URL": fake.base_url}
            command = [sys.executable, "-m", "bots.telegram"]
            if options.profile and label == "batched":
                command = [sys.executable, "-m", "cProfile", "-o", options.profile, "-m", "bots.telegram"]
            print(f"run: sputnik, {label} ...", flush=True)
            result = await run_once(
                fake, f"sputnik, {label}" if label == "batched" else label, command, env, groups[label],
                warmups[label], options, var_dir / f"bot-{label.replace(' ', '-')}.log",
            )  # fmt: skip
            await sync_to_async(generation_times)(result, groups[label])
            results.append(result)
        print("run: echo bot ...", flush=True)
        echo_ids = [90_000_000 + i for i in range(options.users)]
        env = base_env | {"TELEGRAM_API_URL": fake.base_url}
        command = [sys.executable, str(SCRIPT), "--echo-bot"]
        results.append(
            await run_once(fake, "echo bot (baseline)", command, env, echo_ids, [], options, var_dir / "echo.log")
        )
    finally:
        await fake.stop()
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--users", type=int, default=100)
    parser.add_argument("--messages", type=int, default=5, help="messages per user, each after the previous reply")
    parser.add_argument("--think-ms", type=float, default=0, help="a pause before each next message (paced load)")
    parser.add_argument(
        "--model", default="tiny", help="tiny (built here), smollm2 (var/models), a model folder, or instant (no model)"
    )
    parser.add_argument("--serial", action="store_true", help="also run with generation one at a time")
    parser.add_argument("--max-new-tokens", type=int, default=0, help="DIALOGUE_MAX_NEW_TOKENS (default: settings)")
    parser.add_argument("--sqlite", action="store_true", help="a SQLite file instead of PostgreSQL")
    parser.add_argument("--admin-url", default="postgres://postgres@127.0.0.1:5432/postgres")
    parser.add_argument("--redis-url", default="", help="broker, cache and FSM on this Redis (default: none)")
    parser.add_argument("--timeout", type=float, default=600, help="seconds a run may take")
    parser.add_argument("--profile", default="", help="cProfile the batched bot run into this file")
    parser.add_argument("--keep", action="store_true", help="keep the database and the logs")
    parser.add_argument("--echo-bot", action="store_true", help=argparse.SUPPRESS)
    options = parser.parse_args()
    if options.echo_bot:
        echo_bot()
        return

    var_dir = Path(tempfile.mkdtemp(prefix="sputnik-bench-bot-"))
    if options.sqlite:
        database_url = f"sqlite:///{var_dir / 'bench.sqlite3'}"
    else:
        import psycopg

        database_url = options.admin_url.rsplit("/", 1)[0] + f"/{DATABASE}"
        with psycopg.connect(options.admin_url, autocommit=True) as admin:
            admin.execute(f"DROP DATABASE IF EXISTS {DATABASE} WITH (FORCE)")
            admin.execute(f"CREATE DATABASE {DATABASE}")
    sys.path.insert(0, str(ROOT))
    if options.model == "tiny":
        from tests.apps.inference.tiny_model import build_tiny_model

        model_dir = build_tiny_model(var_dir / "models" / "tiny")
    elif options.model == "smollm2":
        model_dir = ROOT / "var" / "models" / "smollm2-135m-instruct"
    else:
        model_dir = Path(options.model)
    if options.model != "instant" and not (model_dir / "model.bin").exists():
        sys.exit(f"No model in {model_dir}: run `python manage.py llm_install --default` first.")
    options.serial = options.serial or options.model not in ("tiny", "instant")

    environment = {key: value for key, value in os.environ.items() if key not in PROJECT_VARIABLES}
    environment |= {
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "DJANGO_ENV_FILE": "",
        "VAR_DIR": str(var_dir),  # the embedded secrets (encryption keys) are shared with the bot through it
        "DATABASE_URL": database_url,
        "TELEGRAM_BOT_TOKEN": TOKEN,
        "LLM_BACKEND": "bench.bot_load.InstantGenerator" if options.model == "instant" else "ctranslate2",
        "LLM_FALLBACK": "",
        "LLM_MODEL_DIR": str(model_dir),
        "RATE_LIMIT_BURST": HIGH_LIMIT,  # every user writes as fast as the bot answers
        "RATE_LIMIT_PER_MINUTE": HIGH_LIMIT,
        # Overload guards off: room for every user's turn in the model's queue and the waiting room, no time limit
        # there and no "still writing" notices, so the run measures throughput rather than refusals.
        "LLM_QUEUE_CAPACITY": str(max(256, 2 * options.users)),
        "LLM_QUEUE_TIMEOUT_S": "3600",
        "OVERLOAD_MAX_WAITING": str(max(64, 2 * options.users)),
        "OVERLOAD_MAX_WAIT_S": "3600",
        "OVERLOAD_NOTICE_AFTER_S": "3600",
        "CELERY_BROKER_URL": options.redis_url or "memory://",
        "PYTHONUNBUFFERED": "1",
    }
    if options.redis_url:
        environment["REDIS_URL"] = options.redis_url
    if options.max_new_tokens:
        environment["DIALOGUE_MAX_NEW_TOKENS"] = str(options.max_new_tokens)
    os.environ.clear()
    os.environ.update(environment)
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connections

    print(f"bot load: {options.users} users x {options.messages} messages, model {options.model} ({model_dir.name}), "
          f"{'SQLite' if options.sqlite else 'PostgreSQL'}, broker {environment['CELERY_BROKER_URL']}, "
          f"{os.cpu_count()} cores")  # fmt: skip
    started = time.monotonic()
    call_command("migrate", verbosity=0)
    print(f"migrated in {time.monotonic() - started:.1f} s")
    try:
        results = asyncio.run(bench(options, model_dir, var_dir, environment))
        report(results, options)
    finally:
        connections.close_all()
        if not options.sqlite and not options.keep:
            import psycopg

            with psycopg.connect(options.admin_url, autocommit=True) as admin:
                admin.execute(f"DROP DATABASE IF EXISTS {DATABASE} WITH (FORCE)")
        if options.keep:
            print(f"kept {var_dir} and {database_url}")
        else:
            shutil.rmtree(var_dir, ignore_errors=True)


if __name__ == "__main__":
    main()
