"""`globewire bench extract | fundus | language | nonarticles`: the extraction and language benchmarks;
`globewire purge-notices`: remove stored texts that are notices repeated across URLs, not articles."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer

from globewire.cli.common import (
    BenchOutOption,
    DbOption,
    JsonOption,
    bench_app,
    console,
    open_store,
    print_json,
    print_table,
    settings_for,
    write_bench_json,
)

_SHARED = Path("..") / "shared" / "benchmarks"

DataOption = Annotated[Path, typer.Option("--data", help="Benchmark folder.")]
LimitOption = Annotated[int | None, typer.Option("--limit", help="Only the first N pages (quick runs).")]


def _split_rows(result: dict[str, Any], metrics: list[str]) -> list[list[Any]]:
    rows = []
    for part in ("all", "tune", "held_out"):
        if part in result:
            rows.append([part, *[result[part].get(m) for m in metrics], result[part].get("pages")])
    return rows


def register(app: typer.Typer) -> None:
    @app.command("purge-notices")
    def purge_notices(
        db: DbOption = None,
        dry_run: Annotated[bool, typer.Option("--dry-run", help="Only list what would be removed.")] = False,
        json_out: JsonOption = False,
    ) -> None:
        """Remove stored texts that arrived from several unrelated URLs and are notices (anti-bot, consent...),
        not articles: out of their stories and the store, recorded as failures (not_article:repeated_notice)."""
        from globewire.extract.nonarticle import purge_repeated_notices

        settings = settings_for(db)
        store = open_store(settings)
        found = purge_repeated_notices(store, dry_run=dry_run)
        touched = sorted({sid for f in found for sid in f["stories"]})
        live = [s["id"] for s in (store.get_story(sid) for sid in touched) if s and s.get("article_count")]
        if live:  # stories that keep other members are re-synthesised without the notice
            from globewire.stories.stage import StoryUpdateReport, synthesise

            synthesise(store, live, settings, StoryUpdateReport())
        if json_out:
            print_json({"dry_run": dry_run, "notices": found})
            return
        rows = [[f["sample_url"][:70], len(f["article_ids"]), ", ".join(map(str, f["stories"])), "; ".join(f["evidence"])]
                for f in found]
        print_table(f"repeated notices {'found' if dry_run else 'removed'}: {len(found)}",
                    ["sample url", "copies", "stories", "evidence"], rows)

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
