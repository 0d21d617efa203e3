"""Test audio made on the spot: espeak-ng speech, re-encoded to OGG/Opus the way Telegram sends voice notes."""

import io
import shutil
import subprocess
import wave
from pathlib import Path

import av
import numpy as np
import pytest

RUSSIAN_TEXT = (
    "Привет, меня зовут Анна. Я люблю кошек и зелёный чай. "
    "Сегодня хорошая погода, и мы пойдём гулять в парк. Завтра я поеду к бабушке в деревню."
)
# Word beginnings that should come back (WER of Whisper base on espeak-ng Russian is about 0.2:
# "кошек" comes back as "кошу", so stems, and most of them rather than all).
RUSSIAN_STEMS = ("привет", "зовут", "анна", "люблю", "кош", "чай", "сегодня", "хорош", "погод", "пойд")
ENGLISH_TEXT = "Hello, my name is John. I like dogs and black coffee. The weather is nice today."
ENGLISH_STEMS = ("hello", "name", "john", "like", "dog", "black", "coffee", "weather", "today")


def espeak_or_skip() -> str:
    path = shutil.which("espeak-ng")
    if path is None:
        pytest.skip("espeak-ng is not installed (apt-get install espeak-ng): it makes the test speech")
    return path


def speak_wav(text: str, *, voice: str, directory: Path) -> Path:
    path = directory / f"speech-{voice}.wav"
    subprocess.run([espeak_or_skip(), "-v", voice, "-w", str(path), text], check=True, capture_output=True)
    return path


def to_ogg_opus(source: Path | bytes, *, bit_rate: int = 32_000) -> bytes:
    """Any audio PyAV reads → mono 48 kHz Opus in an OGG container (a Telegram voice note)."""
    output = io.BytesIO()
    with (
        av.open(io.BytesIO(source) if isinstance(source, bytes) else str(source)) as reader,
        av.open(output, mode="w", format="ogg") as writer,
    ):
        stream = writer.add_stream("libopus", rate=48_000, layout="mono")
        stream.bit_rate = bit_rate
        resampler = av.AudioResampler(format="s16", layout="mono", rate=48_000)
        for frame in [*reader.decode(audio=0), None]:
            for resampled in resampler.resample(frame):
                writer.mux(stream.encode(resampled))
        writer.mux(stream.encode(None))
    return output.getvalue()


def wav_bytes(samples: np.ndarray, *, rate: int = 16_000) -> bytes:
    """16-bit mono WAV from float samples in [-1, 1]."""
    output = io.BytesIO()
    with wave.open(output, "wb") as writer:
        writer.setnchannels(1)
        writer.setsampwidth(2)
        writer.setframerate(rate)
        writer.writeframes((np.clip(samples, -1, 1) * 32767).astype("<i2").tobytes())
    return output.getvalue()


def stems_heard(text: str, stems: tuple[str, ...]) -> list[str]:
    words = [word.strip(".,!?;:-«»\"'") for word in text.lower().replace("ё", "е").split()]
    return [stem for stem in stems if any(word.startswith(stem.replace("ё", "е")) for word in words)]
