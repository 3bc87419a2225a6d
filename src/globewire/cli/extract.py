"""`globewire purge-notices`: remove stored texts that are notices (repeated across URLs, or telling of
themselves) or forms, not articles."""

from __future__ import annotations

from typing import Annotated

import typer

from globewire.cli.common import (
    DbOption,
    JsonOption,
    open_store,
    print_json,
    print_table,
    settings_for,
)

def register(app: typer.Typer) -> None:
    @app.command("purge-notices")
    def purge_notices(
        db: DbOption = None,
        dry_run: Annotated[bool, typer.Option("--dry-run", help="Only list what would be removed.")] = False,
        json_out: JsonOption = False,
    ) -> None:
        """Remove stored texts that arrived from several unrelated URLs and are notices (anti-bot, consent...),
        that are short anti-bot or error pages under an address they do not match, or that are registration forms
        (a drop-down list of places), not articles: out of their stories and the store, recorded as failures
        (not_article:repeated_notice, not_article:antibot, not_article:error_page, not_article:paywall)."""
        from globewire.clustering.signature import count_place_names
        from globewire.extract.nonarticle import purge_repeated_notices, purge_text_notices

        settings = settings_for(db)
        store = open_store(settings)
        found = purge_repeated_notices(store, dry_run=dry_run) + purge_text_notices(store, count_place_names,
                                                                                     dry_run=dry_run)
        touched = sorted({sid for f in found for sid in f["stories"]})
        live = [s.id for s in (store.get_story(sid) for sid in touched) if s and s.article_count]
        if live:  # stories that keep other members are re-synthesised without the notice
            from globewire.stories.stage import StoryUpdateReport, synthesise

            synthesise(store, live, settings, StoryUpdateReport())
        if json_out:
            print_json({"dry_run": dry_run, "notices": found})
            return
        rows = [[f["sample_url"][:70], len(f["article_ids"]), ", ".join(map(str, f["stories"])), "; ".join(f["evidence"])]
                for f in found]
        print_table(f"notices and forms {'found' if dry_run else 'removed'}: {len(found)}",
                    ["sample url", "copies", "stories", "evidence"], rows)

