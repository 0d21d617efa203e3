"""Generation and transcription speed, each against a baseline measured in the same run.

    python bench/inference.py [--model-dir var/models/smollm2-135m-instruct] [--requests 16] [--tokens 64]

Text: the same N chat requests of up to M new tokens (greedy), served
  1. by dynamic batching: N concurrent callers of CTranslate2Generator.generate,
  2. one at a time through the same generator (the baseline the batching must beat ≥ 2×),
  3. by a raw asynchronous generate_batch of the same prompts (the ceiling; batching should reach ≥ 85 %),
and the time to the first streamed token. Also a static_prompt probe: a long fixed system prompt passed
as CTranslate2's cached static prompt against the same prompt sent whole.
Speech: about 10 s of Russian speech from espeak-ng transcribed with Whisper base (target ≤ 2 s).
"""

import argparse
import asyncio
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

import django

django.setup()

import ctranslate2  # noqa: E402
from django.conf import settings  # noqa: E402

from apps.inference.ctranslate2_generator import CTranslate2Generator  # noqa: E402
from apps.inference.types import ChatMessage, GenerationParams  # noqa: E402

QUESTIONS = [
    "What is the capital of France?",
    "Give me a tip for sleeping better.",
    "How do I make a cup of green tea?",
    "Tell me something interesting about cats.",
    "What should I cook for dinner tonight?",
    "How can I stay motivated to exercise?",
    "What is a good book to read on holiday?",
    "Why is the sky blue?",
    "How do I start learning to draw?",
    "What are some fun things to do on a rainy day?",
    "How do plants make food?",
    "Can you suggest a name for a puppy?",
    "What is the best way to learn a language?",
    "How far is the Moon from the Earth?",
    "What makes a good friend?",
    "How do I calm down before an exam?",
]
SYSTEM = (
    "You are Kylie, a warm and cheerful dancer from Sochi. You love the sea, salsa and music. You talk with the "
    "user as a close friend: short, lively messages, questions about their day, and you remember what they say. "
) * 3


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def report(label: str, seconds: float, tokens: int, latencies: list[float], requests: int) -> float:
    rate = tokens / seconds
    print(
        f"  {label:<34} {rate:7.1f} tok/s {requests / seconds * 60:7.0f} req/min "
        f"p50 {percentile(latencies, 0.5) * 1000:6.0f} ms  p95 {percentile(latencies, 0.95) * 1000:6.0f} ms"
    )
    return rate


async def timed_generate(generator, messages, params) -> tuple[float, int]:
    started = time.perf_counter()
    reply = await generator.generate(messages, params)
    return time.perf_counter() - started, reply.completion_tokens


async def text_benchmark(model_dir: Path, requests: int, tokens: int, threads: int) -> None:
    conversations = [[ChatMessage("user", QUESTIONS[n % len(QUESTIONS)])] for n in range(requests)]
    params = GenerationParams(max_new_tokens=tokens, temperature=0)
    generator = CTranslate2Generator(model_dir, inter_threads=threads, intra_threads=1, max_batch_size=requests)
    await generator.generate(conversations[0], params)  # warm up

    started = time.perf_counter()
    results = await asyncio.gather(*[timed_generate(generator, c, params) for c in conversations])
    batched_time = time.perf_counter() - started
    batched = report("dynamic batching", batched_time, sum(r[1] for r in results), [r[0] for r in results], requests)

    started = time.perf_counter()
    results = [await timed_generate(generator, c, params) for c in conversations]
    single_time = time.perf_counter() - started
    single = report(
        "one at a time (same generator)", single_time, sum(r[1] for r in results), [r[0] for r in results], requests
    )

    prompts = [generator.prompt_tokens(c) for c in conversations]
    raw_model = ctranslate2.Generator(str(model_dir), device="cpu", inter_threads=threads, intra_threads=1)
    end_tokens = generator.end_tokens
    started = time.perf_counter()
    pending = raw_model.generate_batch(
        prompts,
        max_batch_size=max(1, requests // threads),
        asynchronous=True,
        max_length=tokens,
        sampling_topk=1,
        end_token=end_tokens,
        include_prompt_in_result=False,
    )
    outputs = [item.result() for item in pending]
    raw_time = time.perf_counter() - started
    raw_tokens = sum(len(output.sequences_ids[0]) for output in outputs)
    raw = report("raw generate_batch (ceiling)", raw_time, raw_tokens, [raw_time] * requests, requests)

    first_tokens = []
    for conversation in conversations[:5]:
        started = time.perf_counter()
        async for _chunk in generator.stream(conversation, params):
            first_tokens.append(time.perf_counter() - started)
            break
    print(f"  time to first streamed token: p50 {statistics.median(first_tokens) * 1000:.0f} ms (alone)")
    print(f"  batching vs one at a time: {batched / single:.2f}x (target >= 2x)")
    print(f"  batching vs raw generate_batch: {batched / raw:.0%} (target >= 85%)")
    stats = generator.stats()
    print(f"  batches: mean size {stats.mean_batch_size:.1f}, largest {stats.largest_batch}")
    generator.close()

    system_tokens = generator.prompt_tokens([ChatMessage("system", SYSTEM)])
    full = [generator.prompt_tokens([ChatMessage("system", SYSTEM), *c]) for c in conversations]
    suffixes = [prompt[len(system_tokens) :] for prompt in full]
    common = {"max_length": tokens, "sampling_topk": 1, "end_token": end_tokens, "include_prompt_in_result": False}
    started = time.perf_counter()
    for prompt in full:
        raw_model.generate_batch([prompt], **common)
    whole_time = time.perf_counter() - started
    raw_model.generate_batch([suffixes[0]], static_prompt=system_tokens, **common)  # fills the cache
    started = time.perf_counter()
    for suffix in suffixes:
        raw_model.generate_batch([suffix], static_prompt=system_tokens, **common)
    cached_time = time.perf_counter() - started
    print(
        f"  static_prompt ({len(system_tokens)}-token system prompt, one at a time): "
        f"{whole_time / cached_time:.2f}x faster with the cached prefix"
    )


def speech_benchmark() -> None:
    model_dir = Path(settings.WHISPER_MODEL_DIR)
    espeak = shutil.which("espeak-ng")
    if not espeak or not (model_dir / "model.bin").exists():
        print("  skipped: needs espeak-ng and `manage.py llm_install --default`")
        return
    from apps.inference.speech import WhisperTranscriber

    text = (
        "Привет! Сегодня был длинный день. Утром я гуляла в парке с собакой, потом работала, "
        "а вечером мы с подругой пили чай и говорили о путешествиях."
    )
    with tempfile.TemporaryDirectory() as directory:
        wav = Path(directory) / "speech.wav"
        subprocess.run([espeak, "-v", "ru", "-s", "140", "-w", str(wav), text], check=True)
        audio = wav.read_bytes()
    transcriber = WhisperTranscriber(model_dir)
    transcriber.transcribe(audio, languages=("ru",))  # load and warm up
    started = time.perf_counter()
    transcript = transcriber.transcribe(audio, languages=("ru",))
    elapsed = time.perf_counter() - started
    print(f"  {transcript.duration_seconds:.1f} s of speech transcribed in {elapsed:.2f} s (target <= 2 s)")
    print(f"  heard: {transcript.text}")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--model-dir", type=Path, default=Path(settings.LLM_MODEL_DIR))
    parser.add_argument("--requests", type=int, default=16)
    parser.add_argument("--tokens", type=int, default=64)
    parser.add_argument("--threads", type=int, default=os.cpu_count() or 2)
    options = parser.parse_args()
    if not (options.model_dir / "model.bin").exists():
        sys.exit(f"No model in {options.model_dir}: run `python manage.py llm_install --default` first.")
    print(
        f"text: {options.model_dir.name}, {options.requests} requests x {options.tokens} tokens, greedy, "
        f"{options.threads} threads"
    )
    asyncio.run(text_benchmark(options.model_dir, options.requests, options.tokens, options.threads))
    print("speech: Whisper base, int8")
    speech_benchmark()


if __name__ == "__main__":
    main()
