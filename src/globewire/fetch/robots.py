"""robots.txt rules per RFC 9309, parsed with protego, with the status-code semantics of §2.3.1."""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Literal

from protego import Protego

#: RFC 9309 §2.5: crawlers must parse at least 500 KiB; rules past the limit may be ignored.
ROBOTS_MAX_BYTES = 500 * 1024

#: How long a robots.txt that could not be fetched (5xx, 429, network error) keeps the host
#: "disallowed for now" before we ask again. RFC 9309 §2.3.1.4 leaves the period to the crawler;
#: 10 minutes keeps a flaky host from being hammered while letting a recovered one back in soon.
ROBOTS_UNAVAILABLE_RETRY_SECONDS = 600.0

#: Crawl-delay values above this are clamped: a host asking for one request per hour would park
#: crawler coroutines for hours. Chosen as one minute, far above any delay real news sites declare.
MAX_CRAWL_DELAY = 60.0

Kind = Literal["parsed", "allow_all", "disallow_all"]


@dataclass(frozen=True, slots=True)
class RobotsRules:
    kind: Kind
    expires: float  # monotonic time
    reason: str = ""
    parser: Protego | None = None
    unreachable: str | None = None  # the fetch error when robots.txt could not be reached at all

    def allows(self, url: str, agent: str) -> bool:
        if self.kind == "allow_all":
            return True
        if self.kind == "disallow_all" or self.parser is None:
            return False
        return bool(self.parser.can_fetch(url, agent))

    def crawl_delay(self, agent: str) -> float | None:
        if self.parser is None:
            return None
        try:
            d = self.parser.crawl_delay(agent)
        except (TypeError, ValueError):
            return None
        if d is None:
            return None
        return min(float(d), MAX_CRAWL_DELAY)

    def expired(self, now: float | None = None) -> bool:
        return (now if now is not None else time.monotonic()) >= self.expires


def rules_from_fetch(status: int | None, body: bytes, error: str | None, cache_seconds: float) -> RobotsRules:
    """Turn the outcome of fetching /robots.txt into rules (RFC 9309 §2.3.1.2-4)."""
    now = time.monotonic()
    if error is not None or status is None:
        return RobotsRules("disallow_all", now + ROBOTS_UNAVAILABLE_RETRY_SECONDS, f"robots.txt unreachable: {error}",
                           unreachable=error or "connect_error")
    if status == 429 or status >= 500:
        # 429 is formally a 4xx, but it means "you are too fast": treat it as unavailable.
        return RobotsRules("disallow_all", now + ROBOTS_UNAVAILABLE_RETRY_SECONDS, f"robots.txt status {status}")
    if 400 <= status < 500:
        return RobotsRules("allow_all", now + cache_seconds, f"robots.txt status {status}")
    if 200 <= status < 300:
        text = body[:ROBOTS_MAX_BYTES].decode("utf-8", errors="replace")
        try:
            parser = Protego.parse(text)
        except Exception as exc:  # protego is lenient; a crash here must not stop the crawl
            return RobotsRules("allow_all", now + cache_seconds, f"unparseable robots.txt: {exc!r}")
        return RobotsRules("parsed", now + cache_seconds, "", parser)
    # 3xx left over after following redirects: RFC 9309 says treat as unavailable (allow).
    return RobotsRules("allow_all", now + cache_seconds, f"robots.txt status {status}")
