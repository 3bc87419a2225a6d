"""Smoke test of `globewire bench api` on a tiny synthetic store (slow: starts a real server)."""

from __future__ import annotations

from pathlib import Path

import pytest


@pytest.mark.slow
def test_api_bench_runs_small(tmp_path: Path) -> None:
    from globewire.bench.api import run_api_bench

    res = run_api_bench(articles=2000, stories=300, requests=20, concurrency=2, db_path=tmp_path / "b.db")
    assert res["articles"] == 2000 and 250 <= res["stories"] <= 300
    for name, r in res["endpoints"].items():
        assert r["errors"] == 0, name
        assert r["requests"] == 20 and r["p50_ms"] > 0
    assert "/static/js/globe.js" in res["home_bytes"] and "/static/vendor/countries-110m.json" in res["home_bytes"]
    assert res["home_bytes_total"] < 300_000
