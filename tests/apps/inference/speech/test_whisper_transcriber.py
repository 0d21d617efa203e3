import os
import time
from concurrent.futures import ThreadPoolExecutor

import numpy as np
import pytest

pytest.importorskip("faster_whisper", reason="faster-whisper is not installed")

from apps.inference.exceptions import AudioRejected, BackendUnavailable
from apps.inference.speech import WhisperTranscriber
from apps.inference.types import Transcriber
from tests.apps.inference.speech.audio import (
    ENGLISH_STEMS,
    ENGLISH_TEXT,
    RUSSIAN_STEMS,
    RUSSIAN_TEXT,
    speak_wav,
    stems_heard,
    to_ogg_opus,
    wav_bytes,
)


@pytest.fixture(scope="module")
def transcriber(whisper_model_dir):
    transcriber = WhisperTranscriber(whisper_model_dir)
    transcriber.load()
    return transcriber


@pytest.fixture(scope="module")
def russian_voice(tmp_path_factory) -> bytes:
    return to_ogg_opus(speak_wav(RUSSIAN_TEXT, voice="ru", directory=tmp_path_factory.mktemp("speech")))


@pytest.fixture(scope="module")
def english_voice(tmp_path_factory) -> bytes:
    return to_ogg_opus(speak_wav(ENGLISH_TEXT, voice="en", directory=tmp_path_factory.mktemp("speech")))


@pytest.fixture
def unloadable(tmp_path):
    """A transcriber whose model cannot load: any answer other than AudioRejected means the model was reached."""
    return WhisperTranscriber(tmp_path / "no-model", max_seconds=1.0)


def test_implements_the_transcriber_protocol(tmp_path):
    assert isinstance(WhisperTranscriber(tmp_path), Transcriber)


@pytest.mark.slow
def test_russian_voice_note_is_transcribed(transcriber, russian_voice):
    transcript = transcriber.transcribe(russian_voice, languages=("ru",))

    heard = stems_heard(transcript.text, RUSSIAN_STEMS)
    assert len(heard) >= 0.6 * len(RUSSIAN_STEMS), transcript.text
    assert transcript.language == "ru"
    assert transcript.text == transcript.text.strip()
    assert 8.0 < transcript.duration_seconds < 12.0


@pytest.mark.slow
def test_english_voice_note_is_transcribed(transcriber, english_voice):
    transcript = transcriber.transcribe(english_voice, languages=("en",))

    heard = stems_heard(transcript.text, ENGLISH_STEMS)
    assert len(heard) >= 0.6 * len(ENGLISH_STEMS), transcript.text
    assert transcript.language == "en"


@pytest.mark.slow
@pytest.mark.parametrize(("voice", "language"), [("russian_voice", "ru"), ("english_voice", "en")])
def test_language_is_chosen_among_the_allowed_ones(transcriber, request, voice, language):
    transcript = transcriber.transcribe(request.getfixturevalue(voice), languages=("ru", "en"))

    assert transcript.language == language


@pytest.mark.slow
def test_a_single_language_is_used_as_given(transcriber, russian_voice):
    # No detection at all: the caller's language wins even when the speech is in another one.
    assert transcriber.transcribe(russian_voice, languages=("en",)).language == "en"


@pytest.mark.slow
def test_ten_seconds_of_speech_take_about_two_seconds(transcriber, russian_voice, capsys):
    timings = {}
    for languages in (("ru",), ("ru", "en")):
        started = time.perf_counter()
        transcript = transcriber.transcribe(russian_voice, languages=languages)
        timings[languages] = time.perf_counter() - started

    with capsys.disabled():
        print(  # noqa: T201
            f"\nWhisper base int8, {os.cpu_count()} cores: {transcript.duration_seconds:.1f} s of speech in "
            f"{timings['ru',]:.2f} s with languages=('ru',), {timings['ru', 'en']:.2f} s with ('ru', 'en')"
        )
    # The target is 2 s for one known language; the bound leaves room for a busy shared machine.
    assert timings["ru",] < 3 * transcript.duration_seconds


def test_audio_over_the_limit_is_rejected_before_the_model_loads(unloadable):
    three_seconds = wav_bytes(np.zeros(3 * 16_000, dtype=np.float32))

    with pytest.raises(AudioRejected, match="limit is 1 seconds") as caught:
        unloadable.transcribe(three_seconds)

    assert caught.value.extra["duration_seconds"] == pytest.approx(3.0, abs=0.1)


def test_audio_just_over_the_limit_is_rejected_after_decoding(unloadable):
    # The declared 1.5 s is within the slack allowed for declared durations: the decoded length decides.
    with pytest.raises(AudioRejected, match="limit is 1 seconds") as caught:
        unloadable.transcribe(wav_bytes(np.zeros(24_000, dtype=np.float32)))

    assert caught.value.extra["duration_seconds"] == pytest.approx(1.5)


@pytest.mark.parametrize("audio", [b"", os.urandom(4096), b"not audio at all " * 100], ids=["empty", "noise", "text"])
def test_unreadable_audio_is_rejected(unloadable, audio):
    with pytest.raises(AudioRejected, match="Could not read the audio"):
        unloadable.transcribe(audio)


def test_audio_without_samples_is_rejected(unloadable):
    with pytest.raises(AudioRejected, match="Could not read the audio"):
        unloadable.transcribe(wav_bytes(np.zeros(0, dtype=np.float32)))


@pytest.mark.parametrize("languages", [(), ("ru", "xx"), ("klingon",)])
def test_unknown_or_missing_languages_are_a_programming_error(unloadable, languages):
    with pytest.raises(ValueError, match="language"):
        unloadable.transcribe(wav_bytes(np.zeros(800, dtype=np.float32)), languages=languages)


def test_missing_model_is_reported_as_unavailable(tmp_path):
    transcriber = WhisperTranscriber(tmp_path / "no-model")

    with pytest.raises(BackendUnavailable, match=r"model\.bin is missing"):
        transcriber.transcribe(wav_bytes(np.zeros(800, dtype=np.float32)))


def test_model_without_tokenizer_is_refused_instead_of_downloading(tmp_path):
    (tmp_path / "model.bin").write_bytes(b"\0")
    (tmp_path / "config.json").write_text("{}")

    with pytest.raises(BackendUnavailable, match=r"tokenizer\.json is missing"):
        WhisperTranscriber(tmp_path).load()


def test_damaged_model_is_reported_as_unavailable(tmp_path):
    for name in ("model.bin", "config.json", "tokenizer.json"):
        (tmp_path / name).write_bytes(b"damaged")

    with pytest.raises(BackendUnavailable, match="could not be loaded"):
        WhisperTranscriber(tmp_path).load()


@pytest.mark.slow
def test_concurrent_calls_from_threads_agree(transcriber, english_voice):
    expected = transcriber.transcribe(english_voice, languages=("en",)).text
    with ThreadPoolExecutor(max_workers=2) as pool:
        texts = list(pool.map(lambda _: transcriber.transcribe(english_voice, languages=("en",)).text, range(2)))

    assert texts == [expected, expected]
