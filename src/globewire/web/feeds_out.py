"""Feeds out: RSS 2.0 and Atom (feedgen) for the world, each country, each search and the blindspot list;
OPML export of the catalogue."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any, Literal

from fastapi import APIRouter, HTTPException, Path, Query, Request
from fastapi.responses import Response
from feedgen.feed import FeedGenerator

from globewire.store.db import parse_iso
from globewire.web import geo
from globewire.web.app import get_ctx
from globewire.web.queries import parse_date_param
from globewire.web.security import safe_external_url

router = APIRouter(include_in_schema=False)

FEED_ITEMS = 50
Fmt = Literal["rss", "atom"]
MEDIA = {"rss": "application/rss+xml; charset=utf-8", "atom": "application/atom+xml; charset=utf-8"}


def _base(request: Request) -> str:
    configured = get_ctx(request).web.public_url
    return (configured or str(request.base_url)).rstrip("/")


def _when(value: Any) -> dt.datetime:
    parsed = parse_iso(value) if isinstance(value, str) else value
    return parsed if isinstance(parsed, dt.datetime) else dt.datetime(1970, 1, 1, tzinfo=dt.UTC)


def _clean(text: str) -> str:
    """XML 1.0 forbids most control characters; outlet text may carry them."""
    return "".join(ch for ch in text if ch in "\t\n\r" or ord(ch) >= 0x20)


def _feed(request: Request, *, title: str, path: str, description: str) -> FeedGenerator:
    base = _base(request)
    fg = FeedGenerator()
    fg.id(base + path)
    fg.title(_clean(title))
    fg.subtitle(_clean(description))
    fg.link(href=base + path, rel="alternate")
    fg.language("en")
    fg.generator(get_ctx(request).web.site_name)
    return fg


def _render(fg: FeedGenerator, fmt: Fmt, self_url: str) -> Response:
    fg.link(href=self_url, rel="self")
    body = fg.atom_str(pretty=False) if fmt == "atom" else fg.rss_str(pretty=False)
    return Response(body, media_type=MEDIA[fmt], headers={"cache-control": "public, max-age=300"})


def _story_entries(request: Request, fg: FeedGenerator, stories: list[dict[str, Any]]) -> None:
    base = _base(request)
    for s in reversed(stories):  # feedgen prepends entries
        e = fg.add_entry()
        url = f"{base}/story/{s['id']}"
        e.id(url)
        e.link(href=url)
        e.title(_clean(s["headline"] or f"Story {s['id']}"))
        summary = " ".join(x["text"] for x in s["summary"])
        covering = ", ".join(geo.country_name(c) for c in s["countries_covering"])
        e.description(_clean((summary + " " if summary else "") + (f"Covered in: {covering}." if covering else "")))
        e.updated(_when(s["last_updated"]))
        e.published(_when(s["first_seen"]))


def _article_entries(request: Request, fg: FeedGenerator, rows: list[dict[str, Any]]) -> None:
    base = _base(request)
    for r in reversed(rows):
        e = fg.add_entry()
        url = f"{base}/article/{r['id']}"
        e.id(url)
        e.link(href=url)
        title = r.get("title_en") or r.get("title") or f"Article {r['id']}"
        e.title(_clean(title))
        parts = []
        if r.get("title_en") and r.get("title") and r["title"] != r["title_en"]:
            parts.append(f"Original headline: {r['title']}")
        if r.get("outlet_name"):
            parts.append(f"{r['outlet_name']} ({r.get('country') or '?'})")
        if r.get("snippet"):
            parts.append(r["snippet"])
        src = safe_external_url(r.get("canonical_url") or r.get("url"))
        if src:
            parts.append(f"Source: {src}")
        e.description(_clean(" — ".join(parts)))
        when = _when(r.get("published_at") or r.get("fetched_at"))
        e.updated(when)
        e.published(when)


@router.get("/feeds/world.{fmt}")
def world_feed(request: Request, fmt: Fmt) -> Response:
    stories, _ = get_ctx(request).read.list_stories(limit=FEED_ITEMS)
    fg = _feed(request, title="World stories", path="/", description="Stories covered across countries.")
    _story_entries(request, fg, stories)
    return _render(fg, fmt, f"{_base(request)}/feeds/world.{fmt}")


@router.get("/feeds/blindspot.{fmt}")
def blindspot_feed(request: Request, fmt: Fmt) -> Response:
    ctx = get_ctx(request)
    stories, _ = ctx.read.list_stories(blindspot=True, limit=FEED_ITEMS)
    ref = geo.country_name(ctx.reference_country)
    fg = _feed(request, title=f"Overlooked by {ref} media", path="/blindspot",
               description=f"Stories covered widely elsewhere that {ref} outlets crawled in the same period did not cover.")
    _story_entries(request, fg, stories)
    return _render(fg, fmt, f"{_base(request)}/feeds/blindspot.{fmt}")


@router.get("/feeds/country/{cc}.{fmt}")
def country_feed(request: Request, cc: Annotated[str, Path(max_length=8)], fmt: Fmt) -> Response:
    if not geo.is_country_code(cc):
        raise HTTPException(404, "No such country.")
    cc = cc.upper()
    rows, _ = get_ctx(request).read.list_articles(country=cc, limit=FEED_ITEMS)
    name = geo.country_name(cc)
    fg = _feed(request, title=f"News from {name}", path=f"/country/{cc}",
               description=f"Latest articles from outlets in {name}, headlines in English.")
    _article_entries(request, fg, rows)
    return _render(fg, fmt, f"{_base(request)}/feeds/country/{cc}.{fmt}")


@router.get("/feeds/search.{fmt}")
def search_feed(
    request: Request,
    fmt: Fmt,
    q: Annotated[str, Query(min_length=1, max_length=500)],
    country: Annotated[str, Query(max_length=8)] = "",
    language: Annotated[str, Query(max_length=8)] = "",
    since: Annotated[str, Query(max_length=40)] = "",
    until: Annotated[str, Query(max_length=40)] = "",
) -> Response:
    try:
        s, u = parse_date_param(since), parse_date_param(until)
    except ValueError as exc:
        raise HTTPException(400, str(exc)) from exc
    cc = country.upper() if geo.is_country_code(country) else None
    lang = language.lower() if language.isalpha() and 2 <= len(language) <= 3 else None
    rows, _ = get_ctx(request).read.search(q, country=cc, language=lang, since=s, until=u, limit=FEED_ITEMS)
    fg = _feed(request, title=f"Search: {q}", path="/search", description=f"Articles matching {q!r}.")
    _article_entries(request, fg, rows)
    return _render(fg, fmt, f"{_base(request)}/feeds/search.{fmt}?{request.url.query}")


@router.get("/opml")
def opml_export(request: Request) -> Response:
    from globewire.web.opml_io import export_store_opml

    ctx = get_ctx(request)
    body = export_store_opml(ctx.store, title=f"{ctx.web.site_name} catalogue")
    return Response(body, media_type="text/x-opml; charset=utf-8",
                    headers={"content-disposition": 'attachment; filename="globewire.opml"'})
