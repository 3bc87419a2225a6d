"""Per-host politeness: one request at a time per host, a minimum gap between requests, cool-downs.

Hosts are keyed by lower-case host name WITHOUT the port: two services on one machine share one
politeness budget. The gap is measured from the END of the previous request to the start of the
next one, so a slow server is never hit back-to-back.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field


@dataclass
class HostState:
    lock: asyncio.Lock = field(default_factory=asyncio.Lock)
    delay: float = 1.0  # current minimum gap (min_host_delay or a larger Crawl-delay)
    next_allowed: float = 0.0  # monotonic time before which no request may start
    cooldown_until: float = 0.0  # after a Retry-After longer than we are willing to wait
    requests: int = 0


class HostScheduler:
    def __init__(self, min_delay: float, max_concurrency: int) -> None:
        self._min_delay = min_delay
        self._hosts: dict[str, HostState] = {}
        self._global = asyncio.Semaphore(max(1, max_concurrency))

    def state(self, host: str) -> HostState:
        key = host.lower()
        st = self._hosts.get(key)
        if st is None:
            st = self._hosts[key] = HostState(delay=self._min_delay)
        return st

    def set_crawl_delay(self, host: str, seconds: float) -> None:
        st = self.state(host)
        st.delay = max(self._min_delay, seconds)
        # called right after the robots.txt request ended: the gap applies from now on
        st.next_allowed = max(st.next_allowed, time.monotonic() + st.delay)

    def push_back(self, host: str, seconds: float) -> None:
        """No request to ``host`` before ``seconds`` from now (Retry-After, backoff)."""
        st = self.state(host)
        st.next_allowed = max(st.next_allowed, time.monotonic() + seconds)

    def cool_down(self, host: str, seconds: float) -> None:
        st = self.state(host)
        st.cooldown_until = max(st.cooldown_until, time.monotonic() + seconds)

    def cooling_down(self, host: str) -> float:
        """Seconds left in the host's cool-down (0 if none)."""
        return max(0.0, self.state(host).cooldown_until - time.monotonic())

    @asynccontextmanager
    async def slot(self, host: str) -> AsyncIterator[None]:
        """Hold the host (and one global slot) for the duration of one HTTP exchange."""
        st = self.state(host)
        async with st.lock:
            wait = st.next_allowed - time.monotonic()
            if wait > 0:
                await asyncio.sleep(wait)
            async with self._global:
                try:
                    st.requests += 1
                    yield
                finally:
                    st.next_allowed = max(st.next_allowed, time.monotonic() + st.delay)
