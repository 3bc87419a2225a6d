"""Every `globewire bench …` command: each runs a benchmark of globewire.bench, prints a table and writes JSON.
The benchmarks themselves live in globewire.bench, which only this module imports."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any, Optional

import typer

from globewire.bench.scale import DEFAULT_PAGES, run_scale_bench
from globewire.cli.common import BenchOutOption, bench_app, console, err_console, print_table, settings_for, write_bench_json

def register(app: typer.Typer) -> None:  # noqa: ARG001 - benchmarks hang off bench_app, which cli/__init__ mounts
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

    @bench_app.command("extract")
    def bench_extract(
        data: DataOption = _SHARED / "extraction-aeb", limit: LimitOption = None, out: BenchOutOption = None
    ) -> None:
        """Article body extraction F1 on the article-extraction-benchmark pages (shingle F1, pages/s)."""
        from globewire.bench.extract import bench_aeb

        result = bench_aeb(data, limit)
        print_table(
            f"extraction-aeb: {result['pages']} pages, {result['pages_per_s']} pages/s",
            ["split", "precision", "recall", "f1", "pages"],
            _split_rows(result, ["precision", "recall", "f1"]),
        )
        if result["errors"]:
            console.print(f"errors: {result['errors']}")
        console.print(f"wrote {write_bench_json('extract', result, out)}")

    @bench_app.command("fundus")
    def bench_fundus_cmd(
        data: DataOption = _SHARED / "fundus-pages", limit: LimitOption = None, out: BenchOutOption = None
    ) -> None:
        """Title, date, language and body on real pages from ~41 countries (fundus labels)."""
        from globewire.bench.extract import bench_fundus

        result = bench_fundus(data, limit)
        metrics = ["title_exact", "title_f1", "date_24h", "language", "body_f1"]
        print_table(
            f"fundus-pages: {result['pages']} pages, {result['pages_per_s']} pages/s",
            ["split", *metrics, "pages"],
            _split_rows(result, metrics),
        )
        if result["errors"]:
            console.print(f"errors: {result['errors']}")
        for d in result["language_disagreements"]:
            console.print(f"language: html_lang={d['html_lang']} detected={d['detected']}  {d['page'][:90]}")
        console.print(f"wrote {write_bench_json('fundus', result, out)}")

    @bench_app.command("nonarticles")
    def bench_nonarticles_cmd(
        fundus: Annotated[Path, typer.Option("--fundus", help="fundus-pages folder.")] = _SHARED / "fundus-pages",
        aeb: Annotated[Path, typer.Option("--aeb", help="extraction-aeb folder.")] = _SHARED / "extraction-aeb",
        fixtures: Annotated[Path, typer.Option("--fixtures", help="Labelled non-article pages.")] = Path("tests/fixtures/nonarticles"),
        out: BenchOutOption = None,
    ) -> None:
        """Real articles wrongly rejected as non-articles (anti-bot, consent, paywall, error, section pages),
        and the labelled non-article fixtures."""
        from globewire.bench.nonarticles import bench_nonarticles

        result = bench_nonarticles(fundus, aeb, fixtures)
        print_table(f"real article pages ({result['real_pages_per_s']} pages/s)", ["set", "pages", "rejected as non-article", "other failures"],
                    [[k, v["pages"], v["rejected"], v["other_failures"]] for k, v in result["real"].items()])
        for r in result["rejected_real"]:
            console.print(f"rejected: {r['reason']}  {r['url'][:90]}  ({r['detail']})")
        if result["fixtures"]:
            print_table(f"fixtures: {result['fixtures_correct']} as labelled", ["file", "expected", "got"],
                        [[f["file"], f["expected"], f["got"]] for f in result["fixtures"]])
        console.print(f"wrote {write_bench_json('nonarticles', result, out)}")

    @bench_app.command("language")
    def bench_language_cmd(
        data: DataOption = _SHARED / "langid-lingua",
        sentences: Annotated[int, typer.Option("--sentences", help="Sentences sampled per language.")] = 100,
        texts: Annotated[int, typer.Option("--texts", help="5-10 line texts per language.")] = 20,
        all_languages: Annotated[bool, typer.Option("--all-languages", help="Every lingua language as candidate.")] = False,
        out: BenchOutOption = None,
    ) -> None:
        """Language identification accuracy per language, for sentences and 5-10 line texts."""
        from globewire.bench.extract import bench_language

        result = bench_language(data, sentences, texts, all_languages)
        rows = [[lang, v["sentence"], v["text"]] for lang, v in sorted(result["per_language"].items())]
        rows.append(["ALL", result.get("accuracy_sentence"), result.get("accuracy_text")])
        print_table(
            f"langid ({result['candidates']}): sentences {result['docs_per_s_sentence']} docs/s, "
            f"texts {result['docs_per_s_text']} docs/s",
            ["language", "sentence", "text"],
            rows,
        )
        console.print(f"wrote {write_bench_json('language', result, out)}")

    @bench_app.command("api")
    def bench_api(
        articles: Annotated[int, typer.Option("--articles", help="Synthetic articles to generate.")] = 100_000,
        stories: Annotated[int, typer.Option("--stories", help="Synthetic stories to generate.")] = 20_000,
        requests: Annotated[int, typer.Option("--requests", help="Requests per endpoint.")] = 400,
        concurrency: Annotated[int, typer.Option("--concurrency", help="Concurrent clients.")] = 4,
        db: Annotated[Path | None, typer.Option("--db", help="Reuse/create the synthetic DB here.")] = None,
        out: BenchOutOption = None,
    ) -> None:
        """Latency (p50/p99) of pages and API list calls under concurrent load on a synthetic store."""
        from globewire.bench.api import run_api_bench

        res = run_api_bench(articles=articles, stories=stories, requests=requests, concurrency=concurrency,
                            db_path=db)
        rows = [[name, r["p50_ms"], r["p99_ms"], r["goal_ms"], "ok" if r["p99_ms"] <= r["goal_ms"] else "MISS",
                 r["server_p50_ms"], r["server_p99_ms"], r["errors"], r["bytes"]]
                for name, r in res["endpoints"].items()]
        print_table(f"api: {res['articles']} articles, {res['stories']} stories, {res['concurrency']} clients, "
                    f"load average before {res['load_average_before']}",
                    ["endpoint", "p50 ms", "p99 ms", "goal p99", "", "server p50", "server p99", "errors", "bytes"],
                    rows)
        console.print(f"home page transfer: {res['home_bytes_total']} bytes (goal <= {res['home_bytes_goal']})")
        path = write_bench_json("api", res, out)
        console.print(f"wrote {path}")
    bench_app.command("stories")(bench_stories_cmd)
    bench_app.command("cluster")(bench_cluster_cmd)
    bench_app.command("translate")(bench_translate_cmd)
    bench_app.command("scale")(bench_scale)


def bench_scale(
    pages: Annotated[int, typer.Option("--pages", help="Article pages in the generated WARC.")] = DEFAULT_PAGES,
    workers: Annotated[str, typer.Option("--workers", help="Worker-process counts to measure, comma-separated.")] = "1,2,4",
    pg: Annotated[str, typer.Option("--pg", help="PostgreSQL base URL.")] = "postgresql://postgres@127.0.0.1:5432/test",
    broker: Annotated[str, typer.Option("--broker")] = "amqp://guest:guest@127.0.0.1:5672//",
    redis: Annotated[str, typer.Option("--redis")] = "redis://127.0.0.1:6379/0",
    out: BenchOutOption = None,
) -> None:
    """Articles/s with 1, 2 and 4 worker processes on PostgreSQL versus single-process SQLite."""
    res = run_scale_bench(pages, tuple(int(x) for x in workers.split(",") if x.strip()), pg, broker, redis)
    print_table(f"Scale benchmark ({pages} pages, {res['cpu_cores']} CPU cores)",
                ["mode", "articles", "seconds", "articles/s"],
                [[r["mode"], r["articles"], r["seconds"], r["articles_per_s"]] for r in res["runs"]])
    path = write_bench_json("scale", res, out)
    console.print(f"written: {path}")


_SHARED = Path("..") / "shared" / "benchmarks"

DataOption = Annotated[Path, typer.Option("--data", help="Benchmark folder.")]
LimitOption = Annotated[int | None, typer.Option("--limit", help="Only the first N pages (quick runs).")]


def _split_rows(result: dict[str, Any], metrics: list[str]) -> list[list[Any]]:
    rows = []
    for part in ("all", "tune", "held_out"):
        if part in result:
            rows.append([part, *[result[part].get(m) for m in metrics], result[part].get("pages")])
    return rows


def bench_stories_cmd(
    data: Annotated[Path, typer.Option("--data", help="The story-pairs benchmark folder.")] = Path(
        "../shared/benchmarks/story-pairs-semeval2022"),
    fit: Annotated[bool, typer.Option("--fit", help="Refit the similarity weights on the training split.")] = False,
    save: Annotated[bool, typer.Option(
        "--save", help="With --fit: save the fitted weights and thresholds as the calibration of the configured "
        "embedder (<data_dir>/calibration/<embedder>.json), which clustering then uses.")] = False,
    cache: Annotated[Path | None, typer.Option("--cache", help="Cache embeddings of the pairs here.")] = None,
    grouped: Annotated[bool, typer.Option(
        "--grouped", help="Also evaluate with grouped (no article on both sides), repeated k-fold splits and "
        "group-bootstrap 95 % intervals, per language pair.")] = False,
    folds: Annotated[int, typer.Option("--folds", min=2, help="With --grouped: folds per repeat.")] = 5,
    repeats: Annotated[int, typer.Option("--repeats", min=1, help="With --grouped: repeats.")] = 5,
    boot: Annotated[int, typer.Option("--boot", min=10, help="With --grouped: bootstrap resamples of groups.")] = 1000,
    fixed_tiers: Annotated[bool, typer.Option(
        "--fixed-tiers", help="With --grouped: measure the tiers with the shipped calibration (one clusterer run) "
        "instead of refitting it on each training fold (one run per fold; minutes).")] = False,
    raw_texts: Annotated[bool, typer.Option(
        "--raw-texts", help="Read the texts as the file gives them, not as `globewire ingest` stores them "
        "(cleaned, titles found, non-articles rejected).")] = False,
    out: BenchOutOption = None,
) -> None:
    """Same-story similarity on the SemEval-2022 pairs: Pearson, AUC, P/R/F1 at the join threshold."""
    from globewire.bench.stories import (
        clustering_rows,
        cv_rows,
        frontier_rows,
        grouped_rows,
        per_language_rows,
        run_pairs,
    )
    from globewire.clustering.calibration import CalibrationError, from_json, load
    from globewire.clustering.calibration import save as save_calibration
    from globewire.clustering.embed import make_embedder

    settings = settings_for()
    if save and not fit:
        err_console.print("[red]--save needs --fit[/red]")
        raise typer.Exit(2)
    try:
        embedder = make_embedder(settings.stories)
        calibration = load(settings.data_dir, embedder.name)
        result = run_pairs(data, embedder, cache=cache, do_fit=fit, calibration=calibration, grouped=grouped,
                           folds=folds, repeats=repeats, boot=boot, refit_tiers=not fixed_tiers,
                           ingested=not raw_texts)
    except CalibrationError as e:
        err_console.print(f"[red]{e}[/red]")
        raise typer.Exit(2) from e
    except FileNotFoundError as e:
        err_console.print(f"[red]{e}[/red]")
        raise typer.Exit(2) from e
    print_table(
        f"story pairs ({result['embedder']}, threshold {result['threshold']} / cross-lingual {result.get('cross_threshold')}, "
        f"{result['embed_articles_per_s']} articles/s embedded)",
        ["split", "pairs", "pearson", "auc", "precision", "recall", "f1"],
        per_language_rows(result) + cv_rows(result),
    )
    c = result["clustering"]
    print_table(
        f"story level: {c['articles']} articles through the clusterer -> {c['stories']} stories "
        f"({c['multi_article_stories']} with 2+, largest {c['largest_story']}, incoherent {c['incoherent_stories']}; "
        f"repair {c['repair_merges']} merges, "
        f"{c['repair_splits']} splits; {c['assign_articles_per_s']} articles/s; texts {result['texts']}, "
        f"rejected as not articles {sum(result['rejected_articles'].values())})",
        ["pairs", "joined", "precision", "recall", "elsewhere", "elsewhere precision", "either tier recall"],
        clustering_rows(result),
    )
    if grouped:
        g = result["grouped"]
        print_table(
            f"grouped {g['folds']}-fold x{g['repeats']} ({g['groups']} groups of pairs sharing an article, largest "
            f"{g['largest_group']}; value [95 % CI, {g['boot']} group resamples]; tiers: {g['model']['tiers']}, "
            f"elsewhere {g['model']['elsewhere_threshold']} / {g['model']['cross_elsewhere_threshold']})",
            ["pairs", "n", "same", "tier-1 precision", "tier-1 recall", "tier-2 precision", "either tier",
             "auc", "auc refit", ""],
            grouped_rows(result),
        )
        print_table(
            "what any threshold of one pair score reaches on these pairs (chosen with hindsight: optimistic)",
            ["pair score", "recall at precision >= 0.90", "either tier at tier-2 precision >= 0.75",
             "tier-2 precision at either tier >= 0.80"],
            frontier_rows(result),
        )
    if fit:
        console.print(f"fitted: {result['fitted']}")
    if save:
        saved = save_calibration(from_json(result["calibration"], "fitted"), settings.data_dir)
        console.print(f"saved the calibration of {result['embedder']} to {saved}")
    path = write_bench_json("stories", result, out)
    console.print(f"wrote {path}")


def bench_cluster_cmd(
    sizes: Annotated[str, typer.Option("--sizes", help="Comma-separated index sizes.")] = "10000,100000,1000000",
    queries: Annotated[int, typer.Option("--queries", help="Articles assigned per size.")] = 2000,
    dim: Annotated[int, typer.Option("--dim", help="Vector dimension.")] = 512,
    out: BenchOutOption = None,
) -> None:
    """Time per article assigned with 10k..1M synthetic vectors in the window index."""
    from globewire.bench.stories import run_scale

    try:
        ns = [int(x) for x in sizes.split(",") if x.strip()]
    except ValueError as e:
        err_console.print("[red]--sizes: comma-separated integers[/red]")
        raise typer.Exit(2) from e
    result = run_scale(ns, dim=dim, queries=queries)
    print_table(
        f"cluster assignment (dim {dim}, {queries} articles per size)",
        ["index size", "build s", "save+load s", "ms/article", "articles/s", "candidates"],
        [[n, v["build_s"], round(v["save_s"] + v["load_s"], 3), v["ms_per_article"], v["articles_per_s"],
          v["mean_candidates"]]
         for n, v in result["sizes"].items()],
    )
    console.print(f"growth first→last size: {result['growth_first_to_last']}×")
    path = write_bench_json("cluster", result, out)
    console.print(f"wrote {path}")


def bench_translate_cmd(
    cache_dir: Annotated[
        Path | None,
        typer.Option(
            "--cache-dir", help="Where the random OPUS-shaped model is built once (default <data_dir>/bench-models)."
        ),
    ] = None,
    sentences: Annotated[int, typer.Option(help="Sentences per measurement.")] = 128,
    beam: Annotated[int, typer.Option(help="Beam size.")] = 2,
    out: BenchOutOption = None,
) -> None:
    """Sentences/s and target tokens/s of ctranslate2 (int8) at 1 and 2 threads, batch 8-64."""
    from globewire.bench.translate import run_bench

    settings = settings_for()
    data = run_bench(cache_dir or settings.data_dir / "bench-models", sentences=sentences, beam_size=beam)
    print_table(
        f"ctranslate2 int8, OPUS-MT shape, random weights, beam {beam}",
        ["threads", "batch", "sentences", "seconds", "sentences/s", "target tokens/s"],
        [
            [r["threads"], r["batch"], r["sentences"], r["seconds"], r["sentences_per_s"], r["target_tokens_per_s"]]
            for r in data["rows"]
        ],
    )
    day = data["day"]
    console.print(
        f"peak RSS {data['peak_rss_mb']} MB; best {data['best_target_tokens_per_s_at_max_threads']} "
        f"target tok/s (goal {data['goal_target_tokens_per_s']}: "
        f"{'met' if data['goal_met'] else 'NOT met'}); a day of {day['articles']} articles "
        f"(~{day['target_tokens']} target tokens) ≈ {day['estimated_minutes']} min; "
        f"load {data['load_average_1m']['before']}→{data['load_average_1m']['after']} on {data['cpu_count']} cores"
    )
    path = write_bench_json("translate", data, out)
    console.print(f"wrote {path}")
