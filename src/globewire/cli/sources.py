"""`globewire sources ...`: list, add, disable, check feeds, OPML export/import."""

from __future__ import annotations

import asyncio
import re
from collections import Counter
from pathlib import Path
from typing import Annotated, Any, Optional
from urllib.parse import urlsplit

import typer

from globewire.cli.common import DbOption, JsonOption, console, err_console, print_json, print_table, settings_for
from globewire.records import Outlet
from globewire.sources.catalogue import Catalogue, CatalogueError, default_user_file, load_catalogue
from globewire.sources.continents import INHABITED_CONTINENTS, continent_of

sources_app = typer.Typer(help="The outlet catalogue: list, add, disable, check feeds, OPML.", no_args_is_help=True)
opml_app = typer.Typer(help="Export the catalogue as OPML or import an OPML file.", no_args_is_help=True)
sources_app.add_typer(opml_app, name="opml")

CountryOption = Annotated[Optional[str], typer.Option("--country", help="ISO 3166-1 alpha-2 country code, e.g. FR.")]


def register(app: typer.Typer) -> None:
    app.add_typer(sources_app, name="sources")


def _fail(message: str, code: int = 2) -> typer.Exit:
    err_console.print(f"[red]error:[/red] {message}", highlight=False, markup=True, soft_wrap=True)
    return typer.Exit(code)


def _catalogue(settings: Any, include_disabled: bool = False) -> Catalogue:
    try:
        return load_catalogue(settings, include_disabled=include_disabled)
    except CatalogueError as exc:
        raise _fail(str(exc)) from None


def _outlet_row(o: Outlet, cat: Catalogue) -> dict[str, Any]:
    return {
        "id": o.id,
        "name": o.name,
        "country": o.country,
        "continent": continent_of(o.country),
        "languages": list(o.languages),
        "homepage": o.homepage,
        "ownership": o.ownership,
        "ownership_source": o.ownership_source,
        "wire": cat.is_wire(o.id),
        "enabled": o.enabled and o.id not in cat.disabled_ids,
        "feeds": [{"url": f.url, "section": f.section, "kind": f.kind, "verified": f.verified, "evidence": f.evidence}
                  for f in o.feeds],
        "origin": Path(o.origin).name if o.origin else "",
    }


def summarise(outlets: list[Outlet]) -> dict[str, Any]:
    per_continent = Counter(continent_of(o.country) or "?" for o in outlets)
    return {
        "outlets": len(outlets),
        "countries": len({o.country for o in outlets}),
        "feeds": sum(len(o.feeds) for o in outlets),
        "per_continent": {c: per_continent.get(c, 0) for c in INHABITED_CONTINENTS},
        "us_outlets": sum(1 for o in outlets if o.country == "US"),
    }


@sources_app.command("list")
def list_cmd(
    country: CountryOption = None,
    all_: Annotated[bool, typer.Option("--all", help="Include disabled outlets.")] = False,
    json_out: JsonOption = False,
) -> None:
    """List the outlets of the catalogue, with a per-continent summary."""
    settings = settings_for()
    cat = _catalogue(settings, include_disabled=all_)
    outlets = list(cat.outlets)
    if country:
        outlets = [o for o in outlets if o.country == country.upper()]
    summary = summarise(outlets)
    if json_out:
        print_json({"summary": summary, "outlets": [_outlet_row(o, cat) for o in outlets]})
        return
    rows = [
        [o.id, o.name, o.country, continent_of(o.country), ",".join(o.languages), o.ownership, len(o.feeds),
         "wire" if cat.is_wire(o.id) else "", "" if o.id not in cat.disabled_ids else "disabled"]
        for o in outlets
    ]
    print_table("Outlets", ["id", "name", "cc", "continent", "lang", "ownership", "feeds", "wire", "state"], rows)
    per = ", ".join(f"{c} {n}" for c, n in summary["per_continent"].items())
    console.print(
        f"{summary['outlets']} outlets, {summary['countries']} countries, {summary['feeds']} feeds — {per} — "
        f"US {summary['us_outlets']}",
        highlight=False, soft_wrap=True,
    )


@sources_app.command("add")
def add_cmd(
    url: Annotated[str, typer.Argument(help="Homepage (or feed URL) of the outlet.")],
    country: CountryOption = None,
    language: Annotated[Optional[str], typer.Option("--language", help="ISO 639-1 code of its main language.")] = None,
    name: Annotated[Optional[str], typer.Option("--name", help="Outlet name (default: from the page title).")] = None,
    outlet_id: Annotated[Optional[str], typer.Option("--id", help="Outlet id (default: from the name).")] = None,
    json_out: JsonOption = False,
) -> None:
    """Discover the feeds of a site and add it to your catalogue file (one line)."""
    from globewire.fetch import Fetcher
    from globewire.sources.catalogue import ID_PATTERN, check_country, check_language, feed_key
    from globewire.sources.discover import DiscoveryLog, discover_feeds
    from globewire.sources.opml import country_from_url, slugify
    from globewire.sources.userfile import append_outlets

    if urlsplit(url).scheme not in ("http", "https") or not urlsplit(url).netloc:
        raise _fail(f"{url!r} is not an http(s) URL")
    settings = settings_for()
    cc = country or country_from_url(url)
    if not cc:
        raise _fail(f"cannot infer the country of {urlsplit(url).hostname!r} from its domain; pass --country CC")
    try:
        cc = check_country(cc)
        lang = check_language(language) if language else None
    except ValueError as exc:
        raise _fail(str(exc)) from None
    if outlet_id and not re.match(ID_PATTERN, outlet_id):
        raise _fail(f"--id {outlet_id!r} must match {ID_PATTERN}")
    cat = _catalogue(settings, include_disabled=True)
    if outlet_id and cat.by_id(outlet_id):
        raise _fail(f"outlet id {outlet_id!r} already exists ({cat.by_id(outlet_id).name}); choose another --id")  # type: ignore[union-attr]

    report = DiscoveryLog()

    async def run() -> list[Any]:
        async with Fetcher(settings.fetch) as f:
            return await discover_feeds(url, f, report)

    feeds = asyncio.run(run())
    if not feeds:
        why = f" (homepage: {report.homepage_error})" if report.homepage_error else ""
        raise _fail(
            f"no feed or sitemap found for {url}{why}; tried {len(report.tried)} URL{'s' if len(report.tried) != 1 else ''} "
            "(<link rel=alternate>, common feed paths, robots.txt sitemaps, /sitemap.xml)"
        )
    owners = {feed_key(f.url): o.id for o in cat.outlets for f in o.feeds}
    for f in feeds:
        if feed_key(f.url) in owners:
            raise _fail(f"{f.url} is already in the catalogue (outlet {owners[feed_key(f.url)]!r})")
    lang = lang or (report.html_lang and _lang_or_none(report.html_lang))
    if not lang:
        raise _fail("cannot tell the outlet's language (no <html lang>); pass --language xx")
    final_home = report.final_homepage or url
    display = name or report.site_name or urlsplit(final_home).hostname or url
    oid = outlet_id or slugify(display) or slugify(urlsplit(final_home).hostname or "")
    if not re.match(ID_PATTERN, oid):
        oid = f"outlet-{oid}".strip("-")[:48]
    base, n = oid, 2
    while cat.by_id(oid):
        oid = f"{base[:44]}-{n}"
        n += 1
    entry: dict[str, Any] = {
        "id": oid, "name": display, "country": cc, "homepage": final_home, "languages": [lang],
        "feeds": [f.url for f in feeds if f.kind != "sitemap"],
    }
    sitemaps = [f.url for f in feeds if f.kind == "sitemap"]
    if sitemaps:
        entry["sitemap"] = sitemaps[0]
    path = default_user_file(settings)
    try:
        append_outlets(path, [entry])
    except CatalogueError as exc:
        raise _fail(str(exc)) from None
    if json_out:
        print_json({"added": entry, "file": str(path)})
    else:
        kinds = ", ".join(f"{f.kind} {f.url}" for f in feeds)
        console.print(f"added {oid!r} ({display}, {cc}, {lang}) to {path}: {kinds}", highlight=False, soft_wrap=True)


def _lang_or_none(value: str) -> str | None:
    from globewire.sources.catalogue import check_language

    try:
        return check_language(value.replace("_", "-").split("-")[0])
    except ValueError:
        return None


@sources_app.command("disable")
def disable_cmd(outlet_id: Annotated[str, typer.Argument(help="Outlet id.")]) -> None:
    """Stop crawling an outlet (adds it to `disabled` in your catalogue file)."""
    from globewire.sources.userfile import disable_outlet

    settings = settings_for()
    cat = _catalogue(settings, include_disabled=True)
    if cat.by_id(outlet_id) is None:
        raise _fail(f"unknown outlet id {outlet_id!r} (see `globewire sources list`)")
    path = default_user_file(settings)
    try:
        changed = disable_outlet(path, outlet_id)
    except CatalogueError as exc:
        raise _fail(str(exc)) from None
    console.print(f"{'disabled' if changed else 'already disabled:'} {outlet_id} ({path})", highlight=False, soft_wrap=True)


@sources_app.command("check")
def check_cmd(
    country: CountryOption = None,
    outlet: Annotated[Optional[list[str]], typer.Option("--outlet", help="Outlet id (repeatable).")] = None,
    offline: Annotated[bool, typer.Option(
        "--offline", help="No network: report how each feed URL is known (reference list, CMS convention, unverified).")] = False,
    references: Annotated[Optional[Path], typer.Option(
        "--references", help="With --offline: a folder of public feed lists (*.jsonl publishers, *.opml) to cross-check against.")] = None,
    db: DbOption = None,
    json_out: JsonOption = False,
) -> None:
    """Fetch every feed of the selected outlets; report and store its health (--offline: no fetching)."""
    from globewire.cli.common import open_store
    from globewire.fetch import Fetcher
    from globewire.sources.health import check_feeds

    settings = settings_for(db)
    cat = _catalogue(settings)
    outlets = list(cat.outlets)
    if outlet:
        unknown = set(outlet) - {o.id for o in outlets}
        if unknown:
            raise _fail(f"unknown outlet id(s): {', '.join(sorted(unknown))}")
        outlets = [o for o in outlets if o.id in set(outlet)]
    if country:
        outlets = [o for o in outlets if o.country == country.upper()]
    if not outlets:
        raise _fail("no outlets selected")
    if references is not None and not offline:
        raise _fail("--references goes with --offline")
    if offline:
        _check_offline(outlets, references, json_out)
        return

    async def run() -> list[Any]:
        async with Fetcher(settings.fetch) as f:
            return await check_feeds(outlets, f)

    results = asyncio.run(run())
    store = open_store(settings)
    try:
        for h in results:
            store.record_feed_health(h)
    finally:
        store.close()
    alive = sum(1 for h in results if h.alive)
    if json_out:
        print_json({"feeds": len(results), "alive": alive, "dead": len(results) - alive,
                    "results": [h.to_dict() for h in results]})
        return
    rows = [
        [h.outlet_id, h.url, h.status or "", h.item_count if h.item_count is not None else "",
         h.newest_item_at.date().isoformat() if h.newest_item_at else "", f"{h.latency_ms:.0f}",
         "alive" + (" (stale)" if h.stale else "") if h.alive else "DEAD", h.error or ""]
        for h in results
    ]
    print_table("Feed health", ["outlet", "feed", "status", "items", "newest", "ms", "state", "error"], rows)
    console.print(f"{alive}/{len(results)} feeds alive", highlight=False, soft_wrap=True)


def _check_offline(outlets: list[Outlet], references: Path | None, json_out: bool) -> None:
    from globewire.sources.verify import breakdown, crosscheck, load_references

    report: dict[str, Any] = breakdown(outlets)
    check = None
    if references is not None:
        try:
            refs = load_references(references)
        except (OSError, ValueError) as exc:
            raise _fail(str(exc)) from None
        check = crosscheck(outlets, refs)
        report["references"] = {
            "lists": refs.sources,
            "feeds_checked": len(check.feeds),
            "by_status": dict(Counter(f.status for f in check.feeds)),
            "outlets_known_to_references": len({f.outlet_id for f in check.feeds if f.site_known}),
            "guessed_where_reference_knows": [
                {"outlet": f.outlet_id, "url": f.url, "status": f.status} for f in check.contradicted],
            "recorded_status_out_of_date": [
                {"outlet": f.outlet_id, "url": f.url, "recorded": f.recorded, "now": f.status} for f in check.stale],
            "outlets_to_add": [
                {"country": p.country, "name": p.name, "homepage": p.homepage, "feeds": [f.url for f in p.feeds],
                 "list": p.source} for p in check.missing],
        }
    if json_out:
        print_json(report)
        return
    by_status = report["by_status"]
    print_table("Feed URLs by how they are known", ["status", "feeds"],
                [[k, v] for k, v in by_status.items()] + [["total", report["feeds"]]])
    print_table("Evidence", ["status:evidence", "feeds"], [[k, v] for k, v in report["by_evidence"].items()])
    console.print(f"{report['outlets']} outlets in {report['countries']} countries", highlight=False, soft_wrap=True)
    if check is not None:
        ref = report["references"]
        console.print(
            f"against {', '.join(ref['lists'])}: {ref['outlets_known_to_references']} outlets known to the lists; "
            f"{len(ref['guessed_where_reference_knows'])} guessed feed URLs where a list knows the outlet; "
            f"{len(ref['recorded_status_out_of_date'])} recorded statuses out of date; "
            f"{len(ref['outlets_to_add'])} outlets the lists have for countries with fewer than five",
            highlight=False, soft_wrap=True)
        for row in ref["guessed_where_reference_knows"]:
            console.print(f"  guessed: {row['outlet']} {row['url']}", highlight=False, soft_wrap=True)


@sources_app.command("health")
def health_cmd(
    dead: Annotated[bool, typer.Option("--dead", help="Only feeds that failed their last check.")] = False,
    db: DbOption = None,
    json_out: JsonOption = False,
) -> None:
    """Show the stored results of `sources check`."""
    from globewire.cli.common import open_store

    store = open_store(settings_for(db))
    try:
        rows = store.feed_health(dead_only=dead)
    finally:
        store.close()
    if json_out:
        print_json(rows)
        return
    print_table(
        "Stored feed health",
        ["outlet", "feed", "checked", "alive", "items", "last success", "fails in a row", "error"],
        [[r["outlet_id"], r["url"], r["checked_at"], "yes" if r["alive"] else "NO", r["item_count"],
          r["last_success_at"], r["consecutive_failures"], r["last_error"]] for r in rows],
    )


@opml_app.command("export")
def opml_export_cmd(
    path: Annotated[Optional[Path], typer.Argument(help="Output file (default: standard output).")] = None,
    country: CountryOption = None,
) -> None:
    """Write the catalogue as OPML 2.0 (one outline per feed, grouped by country)."""
    from globewire.sources.opml import export_opml

    cat = _catalogue(settings_for())
    outlets = [o for o in cat.outlets if not country or o.country == country.upper()]
    text = export_opml(outlets, wire_ids=cat.wire_ids)
    if path is None:
        typer.echo(text, nl=False)
    else:
        path.write_text(text, encoding="utf-8")
        console.print(f"wrote {sum(len(o.feeds) for o in outlets)} feeds of {len(outlets)} outlets to {path}", highlight=False, soft_wrap=True)


@opml_app.command("import")
def opml_import_cmd(
    path: Annotated[Path, typer.Argument(help="OPML file to import.")],
    country: Annotated[Optional[str], typer.Option("--country", help="Country for feeds whose country is unknown.")] = None,
    language: Annotated[Optional[str], typer.Option("--language", help="Language for feeds that declare none.")] = None,
    json_out: JsonOption = False,
) -> None:
    """Add the feeds of an OPML file to your catalogue file (skipping feeds already present)."""
    from globewire.sources.opml import OpmlError, import_opml
    from globewire.sources.userfile import append_outlets

    settings = settings_for()
    cat = _catalogue(settings, include_disabled=True)
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise _fail(f"cannot read {path}: {exc}") from None
    try:
        entries, notes = import_opml(data, catalogue=cat, default_country=country, default_language=language)
    except OpmlError as exc:
        raise _fail(f"{path}: {exc}") from None
    target = default_user_file(settings)
    try:
        added = append_outlets(target, entries)
    except CatalogueError as exc:
        raise _fail(str(exc)) from None
    if json_out:
        print_json({"added": entries, "skipped": notes, "file": str(target)})
        return
    for n in notes:
        err_console.print(f"skipped: {n}", highlight=False, markup=False)
    console.print(f"added {added} outlets ({sum(len(e['feeds']) + ('sitemap' in e) for e in entries)} feeds) to {target}", highlight=False, soft_wrap=True)
