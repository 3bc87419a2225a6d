"""The fleet-wide host limiter on the real Redis: concurrent reservations from several processes' worth of
clients are spaced by the delay, per host, in one queue."""

from __future__ import annotations

import os
import threading
import time
import uuid

import pytest

from globewire.scale.ratelimit import LocalHostLimiter, RedisHostLimiter

REDIS = os.environ.get("GLOBEWIRE_TEST_REDIS_URL", "redis://127.0.0.1:6379/0")


@pytest.fixture
def limiters():
    prefix = f"gwtest:{uuid.uuid4().hex[:8]}:"
    try:
        lims = [RedisHostLimiter(REDIS, prefix=prefix) for _ in range(4)]  # four "workers"
        lims[0].client.ping()
    except Exception as e:  # noqa: BLE001
        pytest.skip(f"Redis not reachable at {REDIS}: {e}")
    yield lims
    for k in lims[0].client.scan_iter(prefix + "*"):
        lims[0].client.delete(k)


def _spread(limiter_for, n: int, host: str, delay: float) -> list[float]:
    starts: list[float] = []
    lock = threading.Lock()

    def one(i: int) -> None:
        limiter_for(i).wait_sync(host, delay)
        with lock:
            starts.append(time.monotonic())

    threads = [threading.Thread(target=one, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return sorted(starts)


def test_redis_limiter_spaces_requests_across_clients(limiters) -> None:
    delay = 0.1
    starts = _spread(lambda i: limiters[i % len(limiters)], 8, "news.example", delay)
    gaps = [b - a for a, b in zip(starts, starts[1:])]
    assert min(gaps) >= delay * 0.8, gaps  # scheduling jitter only
    assert starts[-1] - starts[0] >= 7 * delay * 0.9


def test_hosts_are_independent_and_keys_expire(limiters) -> None:
    assert limiters[0].reserve("a.example", 5.0) == 0.0
    assert limiters[1].reserve("b.example", 5.0) == 0.0  # another host: no wait
    assert 4.5 < limiters[2].reserve("A.EXAMPLE", 5.0) <= 5.0  # same host, any case
    ttl = limiters[0].client.pttl(limiters[0].prefix + "a.example")
    assert 0 < ttl <= 10_000 + 60_000


def test_local_limiter_has_the_same_contract() -> None:
    lim = LocalHostLimiter()
    starts = _spread(lambda i: lim, 5, "x", 0.05)
    assert min(b - a for a, b in zip(starts, starts[1:])) >= 0.04
