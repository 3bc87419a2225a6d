"""Polite, safe fetching: per-host queues, robots.txt, SSRF guard, capped streaming bodies."""

from globewire.fetch.client import ERRORS, Fetcher, build_user_agent, parse_retry_after
from globewire.config.fetch import FetchSettings

__all__ = ["ERRORS", "FetchSettings", "Fetcher", "build_user_agent", "parse_retry_after"]
