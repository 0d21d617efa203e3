from concurrent.futures import ThreadPoolExecutor
from itertools import count

import pytest

from config.embedded import persistent_secret


def test_generates_on_first_use_and_reuses_afterwards(tmp_path):
    values = count()
    path = tmp_path / "nested" / "secret"

    first = persistent_secret(path, lambda: f"value-{next(values)}")
    second = persistent_secret(path, lambda: f"value-{next(values)}")

    assert first == second == "value-0"
    assert path.stat().st_mode & 0o777 == 0o600


def test_concurrent_first_starts_agree_on_one_value(tmp_path):
    values = count()
    path = tmp_path / "secret"

    with ThreadPoolExecutor(8) as pool:
        results = set(pool.map(lambda _: persistent_secret(path, lambda: f"v{next(values)}"), range(32)))

    assert len(results) == 1


def test_an_emptied_file_is_an_error_not_an_empty_secret(tmp_path):
    path = tmp_path / "secret"
    path.write_text("")

    with pytest.raises(RuntimeError, match="is empty"):
        persistent_secret(path, lambda: "never")
