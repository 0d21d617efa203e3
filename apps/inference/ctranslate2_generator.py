"""Local generation on CTranslate2 with dynamic batching.

Callers on the event loop submit requests to a bounded queue. A dispatcher thread waits a few
milliseconds for company, groups requests that share sampling settings, and hands each batch to one of
`inter_threads` worker threads; each worker runs one `generate_batch` (CTranslate2 releases the GIL, so
the batches run in parallel on the cores). While every worker is busy, new requests pile up and form the
next, larger batch: the busier the service, the bigger the batches. Nothing here runs on the event loop.
"""

import asyncio
import itertools
import logging
import threading
import time
from collections import deque
from collections.abc import AsyncIterator, Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import ctranslate2
from tokenizers import Tokenizer

from apps.core.exceptions import InvalidInput
from apps.inference.chat_format import ChatFormatter, cut_at_stop
from apps.inference.exceptions import BackendUnavailable
from apps.inference.manifest import ModelManifest
from apps.inference.types import ChatMessage, GenerationParams, GeneratorLoad, GeneratorStats, Reply, ReplyChunk

logger = logging.getLogger(__name__)
_ids = itertools.count()


@dataclass(eq=False)
class _Request:
    tokens: list[str]
    params: GenerationParams
    loop: asyncio.AbstractEventLoop
    future: asyncio.Future
    deadline: float
    enqueued_at: float = field(default_factory=time.monotonic)
    stream: asyncio.Queue | None = None  # set for streaming requests, which run alone
    abandoned: bool = False  # the caller went away; a stream stops early
    number: int = field(default_factory=lambda: next(_ids))

    @property
    def batch_key(self) -> tuple:
        if self.stream is not None:
            return ("stream", self.number)
        p = self.params
        return (p.max_new_tokens, p.greedy, p.temperature, p.top_k, p.top_p, p.repetition_penalty)


class CTranslate2Generator:
    """One loaded CTranslate2 decoder serving many concurrent callers (implements TextGenerator)."""

    def __init__(
        self,
        model_dir: Path,
        *,
        inter_threads: int = 2,
        intra_threads: int = 1,
        max_batch_size: int = 16,
        batch_window_ms: float = 10.0,
        queue_capacity: int = 256,
        queue_timeout_s: float = 30.0,
        compute_type: str = "default",
        on_stats: Callable[[GeneratorStats], None] | None = None,
        stats_interval_s: float = 60.0,
    ) -> None:
        self.model_dir = Path(model_dir)
        if not ModelManifest.exists_in(self.model_dir):
            raise BackendUnavailable(
                f"No model installed at {self.model_dir}: run `python manage.py llm_install --default`.",
                backend="ctranslate2",
            )
        self.manifest = ModelManifest.read(self.model_dir)
        self.name = f"ctranslate2:{self.manifest.name}"
        try:
            self._tokenizer = Tokenizer.from_file(str(self.model_dir / "tokenizer.json"))
            self._model = ctranslate2.Generator(
                str(self.model_dir),
                device="cpu",
                compute_type=compute_type,
                inter_threads=inter_threads,
                intra_threads=intra_threads,
            )
        except (RuntimeError, OSError, ValueError) as error:
            raise BackendUnavailable(
                f"Cannot load the model in {self.model_dir}: {error}", backend=self.name
            ) from error
        self._formatter = ChatFormatter(
            self.manifest.chat_template, bos_token=self.manifest.bos_token, eos_token=self.manifest.eos_token
        )
        vocabulary = self._tokenizer.get_vocab(with_added_tokens=True)
        self._end_tokens = [token for token in self.manifest.stop_tokens if token in vocabulary] or None
        self.max_batch_size = max(1, max_batch_size)
        self.batch_window = batch_window_ms / 1000
        self.queue_capacity = queue_capacity
        self.queue_timeout = queue_timeout_s
        self._pending: deque[_Request] = deque()
        self._condition = threading.Condition()
        self._idle_workers = inter_threads  # guarded by _condition
        self._workers = ThreadPoolExecutor(max_workers=inter_threads, thread_name_prefix="ct2-worker")
        self._closed = False
        self._stats_lock = threading.Lock()
        self._served = self._rejected = self._batches = self._batched_requests = self._largest = 0
        self._recent_batches: deque[int] = deque(maxlen=50)
        self._token_log: deque[tuple[float, int]] = deque()  # (finished at, tokens) over the last minute
        self._on_stats = on_stats
        self._stats_interval = stats_interval_s
        self._stats_reported_at = time.monotonic()
        self._dispatcher = threading.Thread(target=self._dispatch_forever, name="ct2-dispatcher", daemon=True)
        self._dispatcher.start()

    # --- TextGenerator ------------------------------------------------------------------------

    def count_tokens(self, messages: Sequence[ChatMessage]) -> int:
        return len(self.prompt_tokens(messages))

    async def generate(self, messages: Sequence[ChatMessage], params: GenerationParams) -> Reply:
        started = time.perf_counter()
        tokens = self._checked_prompt(messages, params)
        request = self._submit(tokens, params)
        try:
            ids = await request.future
        finally:
            request.abandoned = True
        return self._reply(ids, len(tokens), params, started)

    async def stream(self, messages: Sequence[ChatMessage], params: GenerationParams) -> AsyncIterator[ReplyChunk]:
        """Yield text as it is generated. A tail that could begin a stop string is held back until it cannot."""
        started = time.perf_counter()
        tokens = self._checked_prompt(messages, params)
        queue: asyncio.Queue = asyncio.Queue()
        request = self._submit(tokens, params, stream=queue)
        holdback = max((len(stop) for stop in params.stop), default=1) - 1
        sent = ""
        try:
            while True:
                kind, payload = await queue.get()
                if kind == "error":
                    raise payload
                if kind == "done":
                    reply = self._reply(payload, len(tokens), params, started)
                    if reply.text.startswith(sent) and len(reply.text) > len(sent):
                        yield ReplyChunk(text=reply.text[len(sent) :])
                    yield ReplyChunk(text="", finished=True, reply=reply)
                    return
                text, stopped = cut_at_stop(payload, params.stop)
                visible = text if stopped else text[: max(0, len(text) - holdback)]
                visible = visible.lstrip() if not sent else visible
                if "\ufffd" in visible[len(sent) :]:  # a multi-byte character is still incomplete
                    continue
                if len(visible) > len(sent) and visible.startswith(sent):
                    yield ReplyChunk(text=visible[len(sent) :])
                    sent = visible
        finally:
            request.abandoned = True

    def load(self) -> GeneratorLoad:
        with self._condition:
            pending = len(self._pending)
        return GeneratorLoad(pending=pending, capacity=self.queue_capacity, saturated=pending >= self.queue_capacity)

    # --- Operations ---------------------------------------------------------------------------

    def stats(self) -> GeneratorStats:
        now = time.monotonic()
        with self._stats_lock:
            while self._token_log and self._token_log[0][0] < now - 60:
                self._token_log.popleft()
            window = min(60.0, max(1e-9, now - self._token_log[0][0])) if self._token_log else 1.0
            tokens = sum(count for _, count in self._token_log)
            return GeneratorStats(
                backend=self.name,
                queue_depth=len(self._pending),
                queue_capacity=self.queue_capacity,
                requests_served=self._served,
                requests_rejected=self._rejected,
                batches=self._batches,
                mean_batch_size=self._batched_requests / self._batches if self._batches else 0.0,
                largest_batch=self._largest,
                tokens_per_second=tokens / window if self._token_log else 0.0,
                recent_batch_sizes=tuple(self._recent_batches),
            )

    def close(self) -> None:
        """Stop taking requests, fail the waiting ones, and let running batches finish."""
        with self._condition:
            self._closed = True
            waiting = list(self._pending)
            self._pending.clear()
            self._condition.notify_all()
        for request in waiting:
            self._fail(request, BackendUnavailable("The generator is shutting down.", backend=self.name))
        self._workers.shutdown(wait=True)

    # --- Internals ----------------------------------------------------------------------------

    @property
    def end_tokens(self) -> list[str] | None:
        return self._end_tokens

    def prompt_tokens(self, messages: Sequence[ChatMessage]) -> list[str]:
        """The rendered chat prompt in the model's own tokens."""
        prompt = self._formatter.render(messages)
        return self._tokenizer.encode(prompt, add_special_tokens=False).tokens

    def _checked_prompt(self, messages: Sequence[ChatMessage], params: GenerationParams) -> list[str]:
        if params.max_new_tokens < 1:
            raise InvalidInput("max_new_tokens must be at least 1.")
        tokens = self.prompt_tokens(messages)
        limit = self.manifest.context_length
        if limit and len(tokens) + params.max_new_tokens > limit:
            raise InvalidInput(
                f"The prompt has {len(tokens)} tokens; with {params.max_new_tokens} new tokens it exceeds the "
                f"model's context of {limit}. Shorten the history."
            )
        return tokens

    def _submit(self, tokens: list[str], params: GenerationParams, *, stream: asyncio.Queue | None = None) -> _Request:
        loop = asyncio.get_running_loop()
        request = _Request(
            tokens=tokens,
            params=params,
            loop=loop,
            future=loop.create_future(),
            deadline=time.monotonic() + self.queue_timeout,
            stream=stream,
        )
        with self._condition:
            if self._closed:
                raise BackendUnavailable("The generator is shutting down.", backend=self.name)
            if len(self._pending) >= self.queue_capacity:
                with self._stats_lock:
                    self._rejected += 1
                raise BackendUnavailable(f"The generation queue is full ({self.queue_capacity}).", backend=self.name)
            self._pending.append(request)
            self._condition.notify()
        return request

    def _dispatch_forever(self) -> None:
        while True:
            with self._condition:
                # While every worker is busy, requests gather into the next batch.
                while not self._closed and not (self._pending and self._idle_workers):
                    self._condition.wait()
                if self._closed:
                    return
                window_ends = self._pending[0].enqueued_at + self.batch_window
                while len(self._pending) < self.max_batch_size and not self._closed:
                    remaining = window_ends - time.monotonic()
                    if remaining <= 0:
                        break
                    self._condition.wait(remaining)
                # Share the waiting work among the idle workers: two batches of 8 on two cores beat one of 16.
                share = -(-len(self._pending) // max(1, self._idle_workers))
                batch = self._take_batch(min(self.max_batch_size, share))
                if batch:
                    self._idle_workers -= 1
            if batch:
                self._workers.submit(self._run, batch)

    def _take_batch(self, size: int) -> list[_Request]:
        """Pop the oldest live request and up to `size` waiting ones that can share its batch (lock held)."""
        now = time.monotonic()
        batch: list[_Request] = []
        others: list[_Request] = []
        while self._pending:
            request = self._pending.popleft()
            if request.deadline < now:
                with self._stats_lock:
                    self._rejected += 1
                self._fail(request, BackendUnavailable("The request waited too long for the model.", backend=self.name))
            elif request.abandoned or (request.stream is None and request.future.done()):
                continue
            elif len(batch) < size and (not batch or request.batch_key == batch[0].batch_key):
                batch.append(request)
            else:
                others.append(request)
        self._pending.extend(others)
        return batch

    def _run(self, batch: list[_Request]) -> None:
        try:
            if batch[0].stream is not None:
                self._run_stream(batch[0])
                return
            params = batch[0].params
            results = self._model.generate_batch(
                [request.tokens for request in batch],
                max_length=params.max_new_tokens,
                end_token=self._end_tokens,
                include_prompt_in_result=False,
                **self._sampling(params),
            )
            for request, result in zip(batch, results, strict=True):
                self._deliver(request, list(result.sequences_ids[0]))
            self._record(len(batch), sum(len(result.sequences_ids[0]) for result in results))
        except Exception as error:
            logger.exception("generation failed for a batch of %d", len(batch))
            for request in batch:
                self._fail(request, BackendUnavailable(f"Generation failed: {error}", backend=self.name))
        finally:
            with self._condition:
                self._idle_workers += 1
                self._condition.notify()

    def _run_stream(self, request: _Request) -> None:
        params = request.params
        steps = self._model.generate_tokens(
            request.tokens, max_length=params.max_new_tokens, end_token=self._end_tokens, **self._sampling(params)
        )
        ids: list[int] = []
        try:
            for step in steps:
                if request.abandoned:
                    break
                ids.append(step.token_id)
                text = self._tokenizer.decode(ids, skip_special_tokens=True)
                _call_in_loop(request.loop, request.stream.put_nowait, ("text", text))
                if cut_at_stop(text, params.stop)[1]:
                    break
        finally:
            steps.close()  # frees the model slot at once when we stop early
        _call_in_loop(request.loop, request.stream.put_nowait, ("done", ids))
        self._record(1, len(ids))

    @staticmethod
    def _sampling(params: GenerationParams) -> dict:
        if params.greedy:
            return {"sampling_topk": 1, "repetition_penalty": params.repetition_penalty}
        return {
            "sampling_topk": params.top_k,
            "sampling_topp": params.top_p,
            "sampling_temperature": params.temperature,
            "repetition_penalty": params.repetition_penalty,
        }

    def _reply(self, ids: list[int], prompt_tokens: int, params: GenerationParams, started: float) -> Reply:
        text, stopped = cut_at_stop(self._tokenizer.decode(ids, skip_special_tokens=True), params.stop)
        return Reply(
            text=text.strip(),
            prompt_tokens=prompt_tokens,
            completion_tokens=len(ids),
            backend=self.name,
            latency_ms=(time.perf_counter() - started) * 1000,
            finish_reason="stop" if stopped or len(ids) < params.max_new_tokens else "length",
        )

    def _deliver(self, request: _Request, ids: list[int]) -> None:
        _call_in_loop(request.loop, _settle, request.future, ids, None)

    def _fail(self, request: _Request, error: Exception) -> None:
        if request.stream is not None:
            _call_in_loop(request.loop, request.stream.put_nowait, ("error", error))
        else:
            _call_in_loop(request.loop, _settle, request.future, None, error)

    def _record(self, batch_size: int, tokens: int) -> None:
        now = time.monotonic()
        with self._stats_lock:
            self._served += batch_size
            self._batches += 1
            self._batched_requests += batch_size
            self._largest = max(self._largest, batch_size)
            self._recent_batches.append(batch_size)
            self._token_log.append((now, tokens))
            due = now - self._stats_reported_at >= self._stats_interval
            if due:
                self._stats_reported_at = now
        if due:
            stats = self.stats()
            logger.info(
                "%s: %.0f tokens/s, queue %d/%d, mean batch %.1f, served %d, rejected %d",
                stats.backend,
                stats.tokens_per_second,
                stats.queue_depth,
                stats.queue_capacity,
                stats.mean_batch_size,
                stats.requests_served,
                stats.requests_rejected,
            )
            if self._on_stats:
                self._on_stats(stats)


def _call_in_loop(loop: asyncio.AbstractEventLoop, callback, *args) -> None:
    try:
        loop.call_soon_threadsafe(callback, *args)
    except RuntimeError:  # the caller's event loop is gone; nobody is waiting for this result
        logger.debug("dropped a result for a closed event loop")


def _settle(future: asyncio.Future, result, error: Exception | None) -> None:
    if future.done():  # the caller was cancelled meanwhile
        return
    if error is not None:
        future.set_exception(error)
    else:
        future.set_result(result)
