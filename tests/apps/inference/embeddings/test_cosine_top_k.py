import numpy as np
import pytest

from apps.inference.embeddings import cosine_top_k

MATRIX = np.array([[1.0, 0.0], [0.0, 1.0], [0.6, 0.8], [-1.0, 0.0]], dtype=np.float32)


def test_best_rows_come_first_with_their_cosine():
    result = cosine_top_k(np.array([1.0, 0.0]), MATRIX, 3)

    assert [index for index, _ in result] == [0, 2, 1]
    assert [score for _, score in result] == pytest.approx([1.0, 0.6, 0.0], abs=1e-6)


def test_rows_and_query_need_not_be_normalised():
    result = cosine_top_k(np.array([0.0, 5.0]), MATRIX * 3, 1)

    assert result == [(1, pytest.approx(1.0))]


def test_k_larger_than_the_matrix_returns_every_row():
    assert [index for index, _ in cosine_top_k(np.array([1.0, 0.0]), MATRIX, 10)] == [0, 2, 1, 3]


def test_equal_scores_are_listed_by_index():
    matrix = np.array([[0.0, 1.0], [1.0, 0.0], [0.0, 2.0], [0.0, 3.0]], dtype=np.float32)

    assert [index for index, _ in cosine_top_k(np.array([0.0, 1.0]), matrix, 4)] == [0, 2, 3, 1]


def test_zero_rows_score_zero():
    matrix = np.array([[0.0, 0.0], [1.0, 0.0]], dtype=np.float32)

    assert cosine_top_k(np.array([1.0, 0.0]), matrix, 2) == [(1, pytest.approx(1.0)), (0, 0.0)]


@pytest.mark.parametrize(
    ("matrix", "k"), [(MATRIX, 0), (np.zeros((0, 2), dtype=np.float32), 3)], ids=["k=0", "no rows"]
)
def test_nothing_to_return_gives_an_empty_list(matrix, k):
    assert cosine_top_k(np.array([1.0, 0.0]), matrix, k) == []


def test_query_of_another_dimension_is_refused():
    with pytest.raises(ValueError, match="does not match"):
        cosine_top_k(np.ones(3), MATRIX, 1)


def test_negative_k_is_refused():
    with pytest.raises(ValueError, match="k must not be negative"):
        cosine_top_k(np.ones(2), MATRIX, -1)
