"""The pipeline benchmark harness runs the real crawl path end to end (small size; speed is not asserted)."""

from __future__ import annotations

from globewire.bench.pipeline import run_pipeline_bench


def test_pipeline_bench_reports_every_stage():
    res = run_pipeline_bench(None, 60)
    assert res["pages"] == 60 and res["stored"] == 60 and not res["failures"]
    assert set(res["stage_seconds"]) == {"extract", "build", "language", "dedup", "store"}
    assert res["articles_per_second"] > 0 and res["peak_rss_mb"] > 0
