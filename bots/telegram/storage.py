"""FSM state that does not take the bot down with Redis: while Redis is unreachable, state lives in this process."""

import logging
import time
from collections.abc import Callable, Mapping
from typing import Any

from aiogram.fsm.state import State
from aiogram.fsm.storage.base import BaseStorage, StorageKey
from aiogram.fsm.storage.memory import MemoryStorage
from redis.exceptions import RedisError

logger = logging.getLogger(__name__)
REDIS_TIMEOUTS = {"socket_connect_timeout": 2, "socket_timeout": 2}  # a hung Redis must not hang every update


class FailOpenStorage(BaseStorage):
    """Every call goes to `primary` (Redis); when it fails, the same call goes to an in-process MemoryStorage and
    Redis is left alone for `retry_after_s` (so a dead Redis costs one failed connection per interval, not one per
    update), then tried again.

    aiogram reads the state on every update, so without this a Redis outage turns every message into an error.
    The price: during an outage a user's state exists in this process only, and a form half filled in while
    Redis was down (or before) may lose its place when Redis returns. Chatting itself keeps no FSM state.
    """

    def __init__(
        self, primary: BaseStorage, *, retry_after_s: float = 5.0, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self.primary, self.fallback = primary, MemoryStorage()
        self.retry_after_s = retry_after_s
        self._clock = clock
        self._down_until = 0.0
        self._down = False

    async def _call(self, name: str, *args: Any) -> Any:
        if self._clock() >= self._down_until:
            try:
                result = await getattr(self.primary, name)(*args)
            except (RedisError, OSError) as error:
                if not self._down:
                    logger.warning("FSM storage unreachable, keeping state in this process for now: %s", error)
                self._down, self._down_until = True, self._clock() + self.retry_after_s
            else:
                if self._down:
                    logger.warning("FSM storage reachable again")
                    self._down = False
                return result
        return await getattr(self.fallback, name)(*args)

    async def set_state(self, key: StorageKey, state: str | State | None = None) -> None:
        await self._call("set_state", key, state)

    async def get_state(self, key: StorageKey) -> str | None:
        return await self._call("get_state", key)

    async def set_data(self, key: StorageKey, data: Mapping[str, Any]) -> None:
        await self._call("set_data", key, data)

    async def get_data(self, key: StorageKey) -> dict[str, Any]:
        return await self._call("get_data", key)

    async def close(self) -> None:
        try:
            await self.primary.close()
        except (RedisError, OSError) as error:
            logger.warning("closing the FSM storage failed: %s", error)
        await self.fallback.close()
