"""Core benchmarks: `globewire bench pipeline`."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Optional

import typer

from globewire.cli.common import BenchOutOption, bench_app, console, print_table, write_bench_json


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

    @bench_app.command("reader")
    def bench_reader(
        shared: Annotated[Path, typer.Option("--shared", help="The shared data folder (fundus-pages, story-pairs).")]
        = Path("../shared"),
        limit: Annotated[int, typer.Option("--limit", help="Story pairs whose articles are imported (embedding them "
                                           "is the slow part: ~60 pairs run in a few minutes on 2 cores).")] = 60,
        pages: Annotated[int, typer.Option("--pages", help="fundus pages ingested (at most).")] = 300,
        pasted: Annotated[Path, typer.Option("--pasted", help="Labelled pasted-text fixtures, when present.")]
        = Path("tests/fixtures/pasted"),
        keep: Annotated[Optional[Path], typer.Option("--keep", help="Also save the built SQLite store here.")] = None,
        out: BenchOutOption = None,
    ) -> None:
        """What a reader sees: headlines passing the quality check, derived titles, named and dated cards,
        stories dated from their articles, furniture left, pasted-text accuracy."""
        from globewire.bench.reader import run_reader_bench

        res = run_reader_bench(shared if shared.is_dir() else None, pairs=limit, pages=pages, pasted=pasted, keep=keep)

        def pct(x: dict | None) -> str:
            return "n/a" if not x or x.get("share") is None else f"{100 * x['share']:.1f} % ({x['n']}/{x['of']})"

        p = res.get("pasted") or {}
        rows = [
            ["story headlines passing the check", pct(res["headlines_passing"]), "≥ 99 %"],
            ["placeholders (stories + article titles)", res["placeholders"], "0"],
            ["unusable titles with a derived title", pct(res["derived_titles"]), "100 %"],
            ["article cards with a named outlet", pct(res["named"]), "100 %"],
            ["article cards with a publication date", pct(res["dated_published"]), "where any exists"],
            ["article cards with any date", pct(res["dated_any"]), "100 %"],
            ["stories dated from articles (having a dated one)", pct(res["stories_dated_from_articles"]), "100 %"],
            ["furniture lines per 1,000 article lines", res["furniture_per_1000_lines"], "< 1"],
            ["summary sentences that are furniture", res["summary_sentences_furniture"], "0"],
            ["near-duplicate sentence pairs in summaries", res["summary_near_duplicates"], "0"],
            ["pasted: title accuracy", (p.get("all") or {}).get("title_accuracy") if p else "skipped", "≥ 95 %"],
            ["pasted: date accuracy", (p.get("all") or {}).get("date_accuracy") if p else "skipped", "≥ 95 %"],
            ["pasted: furniture left per 1,000 lines", (p.get("all") or {}).get("residue_per_1000_lines")
             if p else "skipped", "< 1"],
        ]
        print_table(f"reader: {res['corpus']}, {res['stories']} stories, {res['wall_seconds']} s",
                    ["figure", "value", "goal"], rows)
        path = write_bench_json("reader", res, out)
        console.print(f"wrote {path}")
