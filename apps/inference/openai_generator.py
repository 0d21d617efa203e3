"""Generation through any OpenAI-compatible chat API: OpenAI itself, or vLLM and similar servers.

This is how generation scales past one machine. Overload and outages (timeouts, connection errors,
429, 5xx) become BackendUnavailable so a FallbackGenerator can move on; a request the server calls
malformed (other 4xx) is a bug or a misconfiguration and is raised as such.
"""

import time
from collections.abc import AsyncIterator, Sequence

import openai

from apps.core.exceptions import ServiceUnavailable
from apps.inference.chat_format import cut_at_stop
from apps.inference.exceptions import BackendUnavailable
from apps.inference.types import ChatMessage, GenerationParams, GeneratorLoad, Reply, ReplyChunk

MAX_API_STOPS = 4  # the API accepts at most four stop strings; the rest are applied here
CHARS_PER_TOKEN = 4  # rough budget estimate: the remote tokenizer is not available here


class OpenAIGenerator:
    def __init__(
        self,
        *,
        base_url: str,
        model: str,
        api_key: str = "",
        timeout_s: float = 30.0,
        max_retries: int = 1,
        name: str = "",
    ) -> None:
        self.model = model
        self.name = name or f"openai:{model}"
        self._in_flight = 0
        self._client = openai.AsyncOpenAI(
            base_url=base_url or None,
            api_key=api_key or "not-needed",  # self-hosted servers often need none; the client insists on one
            timeout=timeout_s,
            max_retries=max_retries,
        )

    def count_tokens(self, messages: Sequence[ChatMessage]) -> int:
        return sum(len(message.content) // CHARS_PER_TOKEN + 4 for message in messages)

    def load(self) -> GeneratorLoad:
        # The server's queue is not visible from here: its overload shows as 429/5xx (BackendUnavailable).
        return GeneratorLoad(pending=self._in_flight, capacity=None)

    async def generate(self, messages: Sequence[ChatMessage], params: GenerationParams) -> Reply:
        started = time.perf_counter()
        self._in_flight += 1
        try:
            response = await self._client.chat.completions.create(**self._request(messages, params))
        except openai.OpenAIError as error:
            raise self._translate(error) from error
        finally:
            self._in_flight -= 1
        choice = response.choices[0]
        text, stopped = cut_at_stop(choice.message.content or "", params.stop)
        usage = response.usage
        return Reply(
            text=text.strip(),
            prompt_tokens=usage.prompt_tokens if usage else self.count_tokens(messages),
            completion_tokens=usage.completion_tokens if usage else len(text) // CHARS_PER_TOKEN,
            backend=self.name,
            latency_ms=(time.perf_counter() - started) * 1000,
            finish_reason="length" if choice.finish_reason == "length" and not stopped else "stop",
        )

    async def stream(self, messages: Sequence[ChatMessage], params: GenerationParams) -> AsyncIterator[ReplyChunk]:
        started = time.perf_counter()
        text, finish, usage = "", "stop", None
        try:
            chunks = await self._client.chat.completions.create(
                **self._request(messages, params), stream=True, stream_options={"include_usage": True}
            )
            async for chunk in chunks:
                usage = chunk.usage or usage
                if not chunk.choices:
                    continue
                finish = chunk.choices[0].finish_reason or finish
                piece = chunk.choices[0].delta.content or ""
                visible, stopped = cut_at_stop(text + piece, params.stop)
                if len(visible) > len(text):
                    yield ReplyChunk(text=visible[len(text) :] if text else visible.lstrip())
                text = visible
                if stopped:
                    finish = "stop"
                    break
        except openai.OpenAIError as error:
            raise self._translate(error) from error
        reply = Reply(
            text=text.strip(),
            prompt_tokens=usage.prompt_tokens if usage else self.count_tokens(messages),
            completion_tokens=usage.completion_tokens if usage else len(text) // CHARS_PER_TOKEN,
            backend=self.name,
            latency_ms=(time.perf_counter() - started) * 1000,
            finish_reason="length" if finish == "length" else "stop",
        )
        yield ReplyChunk(text="", finished=True, reply=reply)

    def _request(self, messages: Sequence[ChatMessage], params: GenerationParams) -> dict:
        request = {
            "model": self.model,
            "messages": [{"role": message.role, "content": message.content} for message in messages],
            "max_tokens": params.max_new_tokens,
            "temperature": max(0.0, params.temperature),
            "top_p": params.top_p,
        }
        if params.stop:
            request["stop"] = list(params.stop[:MAX_API_STOPS])
        if params.repetition_penalty != 1:
            # The closest standard knob to a repetition penalty.
            request["frequency_penalty"] = round(min(2.0, max(-2.0, (params.repetition_penalty - 1) * 2)), 2)
        if params.seed is not None:
            request["seed"] = params.seed
        return request

    def _translate(self, error: openai.OpenAIError) -> Exception:
        if isinstance(error, openai.APITimeoutError | openai.APIConnectionError):
            return BackendUnavailable(f"{self.name}: no answer ({type(error).__name__}).", backend=self.name)
        if isinstance(error, openai.APIStatusError):
            status = error.status_code
            if status == 429 or status >= 500:
                return BackendUnavailable(f"{self.name}: the server answered {status}.", backend=self.name)
            return ServiceUnavailable(
                f"{self.name}: the server refused the request with {status}; check OPENAI_BASE_URL, "
                f"OPENAI_API_KEY and OPENAI_MODEL. {error.message}"
            )
        return BackendUnavailable(f"{self.name}: {error}", backend=self.name)
