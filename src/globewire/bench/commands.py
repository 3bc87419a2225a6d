"""Core benchmarks: `globewire bench pipeline`."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Optional

import typer

from globewire.cli_common import BenchOutOption, bench_app, console, print_table, write_bench_json


def register(app: typer.Typer) -> None:  # noqa: ARG001 - benchmarks hang off bench_app
    @bench_app.command("first-run")
    def bench_first_run(
        outlets: Annotated[int, typer.Option("--outlets", help="Loopback outlets to crawl.")] = 50,
        timeout: Annotated[float, typer.Option("--timeout", help="Give up after this many seconds.")] = 180.0,
        out: BenchOutOption = None,
    ) -> None:
        """From an empty data dir: seconds to the first served page, stored article and story (`globewire run`)."""
        from globewire.bench.firstrun import run_first_run_bench

        res = run_first_run_bench(outlets=outlets, timeout_s=timeout)
        goals = res["goals"]
        rows = [
            ["first served page", res["first_page_s"], f"< {goals['first_page_s']}", res["met"]["first_page"]],
            ["first stored article", res["first_article_s"], "", ""],
            ["first story", res["first_story_s"], f"< {goals['first_story_s']}", res["met"]["first_story"]],
        ]
        print_table(f"first run: {res['outlets']} loopback outlets, default politeness; "
                    f"{res['articles_at_first_story']} articles stored at the first story",
                    ["milestone", "seconds", "goal", "met"], rows)
        path = write_bench_json("first-run", res, out)
        console.print(f"wrote {path}")

    @bench_app.command("pipeline")
    def bench_pipeline(
        data: Annotated[Optional[Path], typer.Option("--data", help="fundus-pages folder (real pages); default: generated pages.")] = None,
        pages: Annotated[int, typer.Option("--pages", help="How many pages to crawl.")] = 250,
        out: BenchOutOption = None,
    ) -> None:
        """Fetch (loopback) + extract + language + dedup + store: articles/s per stage and peak memory."""
        from globewire.bench.pipeline import run_pipeline_bench

        res = run_pipeline_bench(data, pages)
        rows = [["end to end", res["articles_per_second"], res["wall_seconds"]]]
        rows += [[k, res["stage_articles_per_second"].get(k), v] for k, v in res["stage_seconds"].items()]
        print_table(f"pipeline: {res['stored']}/{res['pages']} pages from {res['source']}, peak RSS {res['peak_rss_mb']} MB"
                    f" (+ {res['workers']} workers: {res['worker_peak_rss_mb']} MB)",
                    ["stage", "articles/s", "seconds"], rows)
        path = write_bench_json("pipeline", res, out)
        console.print(f"wrote {path}")
