"""Secrets for the zero-setup profile: generated once into var/ and reused on every start.

Only the development profile uses these; production refuses to start without real values.
"""

import os
import secrets
from collections.abc import Callable
from pathlib import Path


def persistent_secret(path: Path, generate: Callable[[], str]) -> str:
    """Return the secret stored at `path`, creating it (mode 0600) on first use.

    The value is written to a private temporary file and hard-linked into place, so processes that
    start together (web, bot, worker) never see a half-written file and all agree on one value.
    """
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        temporary = path.with_name(f".{path.name}.{secrets.token_hex(8)}.tmp")
        fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w") as handle:
            handle.write(generate() + "\n")
        try:
            os.link(temporary, path)
        except FileExistsError:
            pass  # another process won the race; use its value
        finally:
            temporary.unlink()
    value = path.read_text().strip()
    if not value:
        raise RuntimeError(f"{path} is empty: delete it to generate a new secret.")
    return value
