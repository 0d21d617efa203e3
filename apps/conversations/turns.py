"""One turn in flight per user: messages sent while the persona is still writing join that turn.

The bot process holds a TurnBoard; the reply pipeline watches the turn's inbox while it generates, and
restarts generation with the joined text when something arrives (or stops when the user cancels).
"""

import asyncio
import contextlib
from collections.abc import Iterator


class TurnCancelled(Exception):
    """The user cancelled the turn while the reply was being generated; nothing was stored for it."""


class TurnInbox:
    """What the user sent while their turn is in flight, and whether they asked to stop it."""

    def __init__(self) -> None:
        self._texts: list[str] = []
        self.cancelled = False
        self.changed = asyncio.Event()

    def put(self, text: str) -> None:
        self._texts.append(text)
        self.changed.set()

    def put_back(self, texts: list[str]) -> None:
        """Return texts that could not join this turn: they start the next one."""
        self._texts[:0] = texts

    def cancel(self) -> None:
        self.cancelled = True
        self.changed.set()

    def take(self) -> list[str]:
        texts, self._texts = self._texts, []
        self.changed.clear()
        return texts

    @property
    def pending(self) -> bool:
        return bool(self._texts)


class TurnBoard:
    """The open turns of one process, by user id. Safe without locks: only the event loop touches it."""

    def __init__(self) -> None:
        self._open: dict[int, TurnInbox] = {}

    def join(self, user_id: int, text: str) -> bool:
        """Add `text` to the user's turn in flight; False when none is open (the caller opens one)."""
        inbox = self._open.get(user_id)
        if inbox is None or inbox.cancelled:
            return False
        inbox.put(text)
        return True

    def busy(self, user_id: int) -> bool:
        return user_id in self._open

    def cancel(self, user_id: int) -> bool:
        """Ask the user's turn in flight to stop; False when there is none."""
        inbox = self._open.get(user_id)
        if inbox is None or inbox.cancelled:
            return False
        inbox.cancel()
        return True

    @contextlib.contextmanager
    def open(self, user_id: int) -> Iterator[TurnInbox]:
        inbox = self._open[user_id] = TurnInbox()
        try:
            yield inbox
        finally:
            if self._open.get(user_id) is inbox:
                del self._open[user_id]
