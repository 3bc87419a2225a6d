"""CLI: `globewire stories`, `globewire story ID`, `globewire cluster`."""

from __future__ import annotations

import datetime as dt
import re
from typing import Annotated

import typer

from globewire.cli.common import (
    DbOption,
    JsonOption,
    console,
    err_console,
    missing_extra_message,
    open_store,
    print_json,
    print_table,
    settings_for,
)

_REL = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*([mhdw])\s*$", re.IGNORECASE)
_UNITS = {"m": 60, "h": 3600, "d": 86400, "w": 7 * 86400}


class BadSince(ValueError):
    pass


def parse_since(value: str | None, now: dt.datetime | None = None) -> dt.datetime | None:
    """``24h``, ``7d``, ``90m``, ``2w``, a date ``2026-11-01`` or an ISO datetime -> aware UTC datetime."""
    if not value:
        return None
    now = now or dt.datetime.now(dt.UTC)
    m = _REL.match(value)
    if m:
        return now - dt.timedelta(seconds=float(m.group(1)) * _UNITS[m.group(2).lower()])
    try:
        d = dt.datetime.fromisoformat(value.strip())
    except ValueError as e:
        raise BadSince(f"--since: expected e.g. 24h, 7d or 2026-11-01, got {value!r}") from e
    return d if d.tzinfo else d.replace(tzinfo=dt.UTC)


def _since_or_exit(value: str | None) -> dt.datetime | None:
    try:
        return parse_since(value)
    except BadSince as e:
        err_console.print(f"[red]{e}[/red]")
        raise typer.Exit(2) from e


def stories_cmd(
    country: Annotated[str | None, typer.Option("--country", help="Only stories covered by this country (CC).")] = None,
    mentioned: Annotated[str | None, typer.Option("--mentioned", help="Only stories mentioning this country.")] = None,
    blindspot: Annotated[bool, typer.Option("--blindspot", help="Only stories the reference country overlooks.")] = False,
    since: Annotated[str | None, typer.Option("--since", help="24h, 7d or a date like 2026-11-01.")] = None,
    top: Annotated[bool, typer.Option("--top", help="Order by the number of countries covering.")] = False,
    limit: Annotated[int, typer.Option("--limit", help="At most this many stories.")] = 30,
    db: DbOption = None,
    as_json: JsonOption = False,
) -> None:
    """List stories, most recently updated first."""
    from globewire.stories.export import story_record

    when = _since_or_exit(since)
    store = open_store(settings_for(db))
    try:
        if top:
            rows = store.top_stories(when, limit)
        else:
            rows = store.list_stories(country=country, mentioned=mentioned, blindspot=True if blindspot else None,
                                      since=when, limit=limit)
        if as_json:
            print_json([story_record(store, s) for s in rows])
            return
        print_table(
            "stories",
            ["id", "updated", "countries", "outlets", "articles", "blindspot", "headline"],
            [[s.id, (s.last_updated or "")[:16], s.country_count, s.outlet_count, s.article_count,
              "yes" if s.blindspot else "", story_record(store, s)["headline"][:90]] for s in rows],
        )
    finally:
        store.close()


def story_cmd(
    story_id: Annotated[int, typer.Argument(help="Story id.")],
    db: DbOption = None,
    as_json: JsonOption = False,
) -> None:
    """One story: headline, summary with sources, takes by country, articles, timeline."""
    from globewire.headline import usable_title
    from globewire.naming import name_row
    from globewire.stories.export import story_record

    store = open_store(settings_for(db))
    try:
        s = store.get_story(story_id)
        if s is None:
            err_console.print(f"[red]no story {story_id}[/red]")
            raise typer.Exit(1)
        if s.merged_into:
            err_console.print(f"story {story_id} was merged into story {s.merged_into}")
        arts = [a.as_row() for a in store.story_articles(story_id)]
        timeline = store.story_timeline(story_id)
        if as_json:
            print_json({**story_record(store, s), "merged_into": s.merged_into, "articles": arts,
                        "timeline": [{"id": u.id, "at": u.at, "kind": u.kind, "detail": dict(u.detail)} for u in timeline]})
            return
        data = s.data
        when = "published" if s.date_source == "published" else "fetched, no publication time"
        console.print(f"[bold]{story_record(store, s)['headline']}[/bold]  (story {story_id}, {s.first_seen} → "
                      f"{s.last_updated}, {when})")
        console.print(f"covering: {', '.join(s.countries_covering) or '-'}   mentioned: "
                      f"{', '.join(s.countries_mentioned) or '-'}")
        blind = data.get("blindspot") or {}
        if blind.get("flag"):
            console.print(f"[yellow]blindspot:[/yellow] {blind.get('reason', '')}")
        for sent in data.get("summary") or []:
            console.print(f"• {sent.get('text', '')} [dim][{sent.get('article_id')}][/dim]")
        for cc, takes in sorted((data.get("alternative_takes") or {}).items()):
            for t in takes:
                console.print(f"  {cc}: {t.get('text', '')} [dim][{t.get('article_id')}][/dim]")
        print_table("articles", ["id", "published", "country", "lang", "outlet", "title"],
                    [[a["id"], (a["published_at"] or "")[:16], a["country"], a["language"],
                      name_row(a)["outlet_name"] or a["outlet_id"],
                      usable_title(a["title"] or "", "", a["language"])[0][:80] or (a["title"] or "")[:80]]
                     for a in arts])
        print_table("timeline", ["at", "kind", "detail"],
                    [[u.at, u.kind, str(dict(u.detail))[:100]] for u in timeline])
    finally:
        store.close()


def cluster_cmd(
    rebuild: Annotated[bool, typer.Option("--rebuild", help="Forget all stories and re-cluster everything.")] = False,
    db: DbOption = None,
    as_json: JsonOption = False,
) -> None:
    """Cluster every unclustered article into stories (embeddings are cached); also re-cluster translated
    articles waiting for it and synthesise stories waiting for it (what a killed run left)."""
    from globewire.pipeline import post_store
    from globewire.clustering.embed import EmbedderError
    from globewire.stories.stage import StoryUpdateReport

    settings = settings_for(db)
    store = open_store(settings)
    try:
        if rebuild:
            store.clear_stories()
        try:
            done = post_store(store, settings, translate=False)
        except EmbedderError as e:
            if missing_extra_message(e):  # one plain line from the CLI's entry point
                raise
            err_console.print(f"[red]{e}[/red]")
            raise typer.Exit(1) from e
        out = done.get("stories", StoryUpdateReport()).as_dict()
        out.pop("touched_story_ids", None)
        for extra in ("stories_refreshed", "stories_synthesised"):
            if extra in done:
                out[extra] = {k: v for k, v in done[extra].as_dict().items() if k != "touched_story_ids"}
        out["stories"] = len(store.all_story_ids())
        if as_json:
            print_json(out)
        else:
            print_table("cluster", ["what", "value"], [[k, round(v, 2) if isinstance(v, float) else v]
                                                       for k, v in out.items()])
    finally:
        store.close()


def register(app: typer.Typer) -> None:
    app.command("stories")(stories_cmd)
    app.command("story")(story_cmd)
    app.command("cluster")(cluster_cmd)
