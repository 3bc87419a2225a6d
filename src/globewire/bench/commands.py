"""Core benchmarks: `globewire bench pipeline`."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from globewire.cli_common import (
    BenchOutOption,
    bench_app,
    console,
    print_table,
    write_bench_json,
)


def register(app: typer.Typer) -> None:
    @bench_app.command("pipeline")
    def bench_pipeline(
        data: Annotated[Path | None, typer.Option("--data", help="fundus-pages folder (real pages); default: generated pages.")] = None,
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

    @bench_app.command("pasted")
    def bench_pasted(
        data: Annotated[Path, typer.Option("--data", help="Folder of labelled *.pasted fixtures (sub-folders are "
                                           "reported as splits, e.g. tune / held_out).")] = Path("tests/fixtures/pasted"),
        out: BenchOutOption = None,
    ) -> None:
        """Pasted-text cleaner: title, date and byline accuracy and furniture residue per 1,000 body lines."""
        from globewire.bench.pasted import score_pasted

        if not data.is_dir():
            raise typer.BadParameter(f"{data} is not a folder of *.pasted fixtures", param_hint="--data")
        res = score_pasted(data)
        cols = ["set", "fixtures", "title", "date (±24h/day)", "date exact day", "byline", "residue /1000 lines",
                "body recall"]
        rows = []
        for name, s in [("all", res["all"]), *res["splits"].items()]:
            if not s.get("fixtures"):
                continue
            rows.append([name, s["fixtures"], f"{s['title_accuracy']:.1%}", f"{s['date_accuracy']:.1%}",
                         f"{s['date_exact_day_accuracy']:.1%}", f"{s['byline_accuracy']:.1%}",
                         s["residue_per_1000_lines"], f"{s['body_recall']:.1%}"])
        print_table(f"pasted text: {res['all'].get('fixtures', 0)} fixtures from {data} ({res['seconds']} s)", cols, rows)
        path = write_bench_json("pasted", res, out)
        console.print(f"wrote {path}")
