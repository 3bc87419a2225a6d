"""CLI: `globewire translate`, `globewire models pull|list`."""

from __future__ import annotations

import dataclasses
import sys
from typing import Annotated, Any

import typer
from rich.markup import escape

from globewire.cli.common import (
    DbOption,
    JsonOption,
    console,
    err_console,
    open_store,
    print_json,
    print_table,
    settings_for,
)
from globewire.log import get_logger

log = get_logger(__name__)

models_app = typer.Typer(help="Translation models for the ctranslate2 backend.", no_args_is_help=True)


def translate_cmd(
    lang: Annotated[str | None, typer.Option("--lang", help="Only articles in this language (ISO 639-1).")] = None,
    redo: Annotated[
        bool, typer.Option("--redo", help="Forget existing translations (of --lang) and redo them.")
    ] = False,
    limit: Annotated[int | None, typer.Option("--limit", help="At most this many articles.")] = None,
    no_stories: Annotated[
        bool,
        typer.Option("--no-stories", help="Do not re-cluster the translated articles nor refresh their stories."),
    ] = False,
    db: DbOption = None,
    as_json: JsonOption = False,
) -> None:
    """Translate pending non-English articles into English (cached; originals are kept); then let the English
    re-cluster them (an article alone in its story joins the story its English matches) and re-synthesise
    their stories. Articles a killed run left unclustered are clustered first (``pipeline.post_store``)."""
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    from globewire.pipeline import post_store

    settings = settings_for(db)
    store = open_store(settings)
    options: dict[str, Any] = {"limit": limit, "language": lang, "redo": redo}
    try:
        if as_json:
            out = post_store(store, settings, stories=not no_stories, translate_options=options)
        else:
            with Progress(
                TextColumn("translating"),
                BarColumn(),
                MofNCompleteColumn(),
                TextColumn("{task.description}"),
                TimeElapsedColumn(),
                console=err_console,
                transient=False,
            ) as bar:
                task = bar.add_task("", total=None)

                def progress(done: int, total: int, status: str) -> None:
                    bar.update(task, completed=done, total=total, description=status)

                out = post_store(store, settings, stories=not no_stories,
                                 translate_options={**options, "progress": progress})
    finally:
        store.close()
    report = out["translate"]
    refreshed = out["stories_refreshed"].as_dict() if "stories_refreshed" in out else None
    refresh_error = out.get("stories_refresh_error")
    if as_json:
        print_json({**report.to_dict(), "stories_refreshed": refreshed, "stories_refresh_error": refresh_error})
        if refresh_error:
            raise typer.Exit(1)
        return
    rows = [
        ["articles considered", report.considered],
        ["translated", report.translated],
        ["reused from the original (duplicates)", report.reused_duplicates],
        ["failed (retried later)", report.failed],
        ["unavailable (no model/backend)", report.unavailable],
        ["deferred (rate limited)", report.deferred],
        ["sentences", report.sentences],
        ["  from the cache", report.cache_hits],
        ["  sent to a backend", report.backend_sentences],
        ["seconds", report.seconds],
    ]
    print_table("translation", ["", "count"], rows)
    for lang_code, msg in sorted(report.unavailable_reasons.items()):
        err_console.print(f"[yellow]{lang_code}[/]: {msg}")
    for msg in report.errors[:5]:
        err_console.print(f"[red]error[/]: {msg}")
    if refreshed is not None:
        print_table(
            "stories of the translated articles",
            ["", "count"],
            [
                ["articles re-clustered", refreshed["already_clustered"]],
                ["joined another story", refreshed["joined"]],
                ["stories merged", refreshed["merged"]],
                ["stories split", refreshed["split"]],
                ["stories re-synthesised", refreshed["synthesised"]],
                ["seconds", round(refreshed["seconds"], 3)],
            ],
        )
    if refresh_error:
        err_console.print(
            f"[red]re-clustering failed[/] (the translations are stored): {escape(refresh_error)}\n"
            "The next `globewire translate`, `cluster`, `crawl` or `run` re-clusters them once the cause is fixed;"
            " `globewire translate --redo --lang LANG` also translates them again from the sentence cache (no"
            " backend calls).",
            soft_wrap=True,
            highlight=False,
        )
        raise typer.Exit(1)


@models_app.command("pull")
def models_pull(
    langs: Annotated[list[str], typer.Argument(help="Source languages (ISO 639-1), e.g. de ja ar.")],
    force: Annotated[bool, typer.Option("--force", help="Download and convert again.")] = False,
) -> None:
    """Fetch the model for each language from the Hugging Face Hub: a copy published already converted for
    ctranslate2 when there is one (verified against the hub's checksums), else the original converted to int8."""
    from globewire.translate import models as mdl

    settings = settings_for()
    cfg = settings.translate
    models_dir = cfg.resolved_models_dir(settings.data_dir)
    failed = False
    for lang in langs:
        try:
            console.print(f"{lang}: fetching the translation model…", highlight=False)
            m = mdl.pull(
                lang.lower(),
                models_dir,
                overrides=cfg.opus_models,
                fallback=cfg.fallback_model,
                endpoint=cfg.hub_endpoint,
                force=force,
                converted=cfg.converted_repo,
            )
            console.print(f"[green]{lang}[/]: {m.repo} ({m.licence}, {m.size_mb} MB) → {m.path}")
        except mdl.ModelError as exc:
            failed = True
            sys.stderr.write(f"globewire: {lang}: {exc}\n")
    if failed:
        raise typer.Exit(1)


@models_app.command("list")
def models_list(as_json: JsonOption = False) -> None:
    """Installed models with their licence, size and languages."""
    from globewire.translate import models as mdl

    settings = settings_for()
    models_dir = settings.translate.resolved_models_dir(settings.data_dir)
    items = mdl.list_models(models_dir)
    if as_json:
        print_json([dataclasses.asdict(m) for m in items])
        return
    if not items:
        console.print(f"no models in {models_dir}; fetch one with: globewire models pull LANG")
        return
    print_table(
        f"models in {models_dir}",
        ["repo", "family", "licence", "languages", "quantization", "MB", "converted"],
        [
            [m.repo, m.family, m.licence, " ".join(m.languages) or "many", m.quantization, m.size_mb, m.converted_at]
            for m in items
        ],
    )


def register(app: typer.Typer) -> None:
    app.command("translate")(translate_cmd)
    app.add_typer(models_app, name="models")
