"""The crawl status row (re-run on PostgreSQL by test_store_contract)."""

from __future__ import annotations

import datetime as dt

import pytest


def test_crawl_status_round_trip(store) -> None:
    assert store.crawl_status() is None
    t0 = dt.datetime(2026, 1, 2, 3, 4, 5, tzinfo=dt.UTC)
    store.set_crawl_status(state="crawling", round=1, outlets_total=50, outlets_done=3, articles_new=7,
                           failures={"dns_error": 2}, started_at=t0)
    s = store.crawl_status()
    assert s["state"] == "crawling" and s["round"] == 1 and s["outlets_total"] == 50 and s["outlets_done"] == 3
    assert s["articles_new"] == 7 and s["failures"] == {"dns_error": 2} and s["started_at"].startswith("2026-01-02")
    store.set_crawl_status(state="unreachable", round=1, detail="8 of 8 first fetches failed")
    s = store.crawl_status()
    assert s["state"] == "unreachable" and s["outlets_done"] == 0 and s["failures"] == {}
    assert s["detail"] == "8 of 8 first fetches failed"
    with pytest.raises(ValueError):
        store.set_crawl_status(state="sleeping")
