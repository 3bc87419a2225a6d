"""Per-host politeness shared by every worker of the fleet.

Each host has one Redis key holding the earliest time (Redis server clock, microseconds) at which the next
request may start. A Lua script reserves the next slot atomically: ``slot = max(now, next)``, then
``next = slot + delay``; the caller sleeps until its slot. N workers therefore fetch one host at most once
per ``delay`` seconds together, in arrival order, without polling. Keys expire a minute after their last
slot, so idle hosts cost nothing.

Without Redis (single process) the same contract is kept in memory with a lock.
"""

from __future__ import annotations

import asyncio
import threading
import time
from typing import Protocol

from globewire.log import get_logger

log = get_logger(__name__)

KEY_PREFIX = "globewire:host-next:"
# Extra lifetime of a host key after its last reserved slot (ms): long enough that a slot is never forgotten
# while a worker still sleeps towards it.
KEY_GRACE_MS = 60_000

_RESERVE = """
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000000 + tonumber(t[2])
local delay = tonumber(ARGV[1])
local nxt = tonumber(redis.call('GET', KEYS[1]) or '0')
local slot = now
if nxt > now then slot = nxt end
redis.call('SET', KEYS[1], tostring(slot + delay), 'PX', math.floor((slot + delay - now) / 1000) + tonumber(ARGV[2]))
return slot - now
"""


class HostLimiter(Protocol):
    def reserve(self, host: str, delay_s: float) -> float:
        """Reserve the next slot for ``host``; return the seconds to wait before using it."""

    async def wait(self, host: str, delay_s: float) -> float: ...


class _WaitMixin:
    def reserve(self, host: str, delay_s: float) -> float:  # pragma: no cover - overridden
        raise NotImplementedError

    async def wait(self, host: str, delay_s: float) -> float:
        """Reserve a slot and sleep until it; returns the seconds waited."""
        pause = self.reserve(host, delay_s)
        if pause > 0:
            await asyncio.sleep(pause)
        return pause

    def wait_sync(self, host: str, delay_s: float) -> float:
        pause = self.reserve(host, delay_s)
        if pause > 0:
            time.sleep(pause)
        return pause


class RedisHostLimiter(_WaitMixin):
    def __init__(self, redis_url: str, *, prefix: str = KEY_PREFIX) -> None:
        import redis

        self.client = redis.Redis.from_url(redis_url, socket_timeout=5, socket_connect_timeout=5)
        self.prefix = prefix
        self._script = self.client.register_script(_RESERVE)

    def reserve(self, host: str, delay_s: float) -> float:
        micros = int(self._script(keys=[self.prefix + host.lower()], args=[int(delay_s * 1_000_000), KEY_GRACE_MS]))
        return micros / 1_000_000


class LocalHostLimiter(_WaitMixin):
    """The same reservation in one process (no Redis)."""

    def __init__(self) -> None:
        self._next: dict[str, float] = {}
        self._lock = threading.Lock()

    def reserve(self, host: str, delay_s: float) -> float:
        with self._lock:
            now = time.monotonic()
            slot = max(now, self._next.get(host.lower(), 0.0))
            self._next[host.lower()] = slot + delay_s
            return slot - now


def make_limiter(redis_url: str, *, prefix: str = KEY_PREFIX) -> RedisHostLimiter | LocalHostLimiter:
    if not redis_url:
        return LocalHostLimiter()
    try:
        lim = RedisHostLimiter(redis_url, prefix=prefix)
        lim.client.ping()
        return lim
    except Exception as e:  # noqa: BLE001 - a fleet without Redis still crawls, per-process polite
        log.warning("rate_limit_redis_unavailable", redis_url=redis_url, error=str(e))
        return LocalHostLimiter()
