"""Feeds out: RSS 2.0 and Atom (feedgen) for the world, each country, each search and the blindspot list;
OPML export of the catalogue."""

from __future__ import annotations

import datetime as dt
import html
from typing import Annotated, Any, Literal

import nh3
from fastapi import APIRouter, HTTPException, Path, Query, Request
from fastapi.responses import Response
from feedgen.feed import FeedGenerator

from globewire.store.db import parse_iso
from globewire.textnorm import clean_text
from globewire.web import geo
from globewire.web.context import get_ctx
from globewire.web.queries import search_filters_of
from globewire.web.security import safe_external_url
from globewire.web.views import StoryView

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
    """XML 1.0 forbids control characters, non-characters and lone surrogates: rows stored before text was
    normalised at the edge may still hold them (defence in depth: one such title must not fail a feed)."""
    return clean_text(str(text))


def _describe(e: Any, fmt: Fmt, text: str) -> None:
    """The entry's description as what each format expects: Atom's ``<summary>`` is typed text (shown as
    is); RSS's ``<description>`` is HTML by convention, so the plain text goes in as sanitised HTML whose
    rendering is exactly the text (markup in an article's text is shown, never interpreted)."""
    text = _clean(text)
    if fmt == "atom":
        e.summary(text, type="text")
        return
    paras = [p.strip() for p in text.split("\n") if p.strip()]
    e.description(nh3.clean("".join(f"<p>{html.escape(p, quote=False)}</p>" for p in paras)))


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


def _story_entries(request: Request, fg: FeedGenerator, stories: list[StoryView], fmt: Fmt) -> None:
    base = _base(request)
    for s in reversed(stories):  # feedgen prepends entries
        e = fg.add_entry()
        url = f"{base}/story/{s.id}"
        e.id(url)
        e.link(href=url)
        e.title(_clean(s.headline))
        summary = " ".join(x["text"] for x in s.summary)
        covering = ", ".join(geo.country_name(c) for c in s.countries_covering)
        _describe(e, fmt, (summary + "\n" if summary else "") + (f"Covered in: {covering}." if covering else ""))
        e.updated(_when(s.last_updated))
        e.published(_when(s.first_seen))


def _article_entries(request: Request, fg: FeedGenerator, rows: list[dict[str, Any]], fmt: Fmt) -> None:
    base = _base(request)
    for r in reversed(rows):
        e = fg.add_entry()
        url = f"{base}/article/{r['id']}"
        e.id(url)
        e.link(href=url)
        title = r.get("title_en") or r.get("title") or ""
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
        _describe(e, fmt, "\n".join(str(p) for p in parts))
        when = _when(r.get("published_at") or r.get("fetched_at"))
        e.updated(when)
        e.published(when)


@router.get("/feeds/world.{fmt}")
def world_feed(request: Request, fmt: Fmt) -> Response:
    stories, _ = get_ctx(request).read.list_stories(limit=FEED_ITEMS)
    fg = _feed(request, title="World stories", path="/", description="Stories covered across countries.")
    _story_entries(request, fg, stories, fmt)
    return _render(fg, fmt, f"{_base(request)}/feeds/world.{fmt}")


@router.get("/feeds/blindspot.{fmt}")
def blindspot_feed(request: Request, fmt: Fmt) -> Response:
    ctx = get_ctx(request)
    stories, _ = ctx.read.list_stories(blindspot=True, limit=FEED_ITEMS)
    ref = geo.country_name(ctx.reference_country)
    fg = _feed(request, title=f"Overlooked by {ref} media", path="/blindspot",
               description=f"Stories covered widely elsewhere that {ref} outlets crawled in the same period did not cover.")
    _story_entries(request, fg, stories, fmt)
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
    _article_entries(request, fg, rows, fmt)
    return _render(fg, fmt, f"{_base(request)}/feeds/country/{cc}.{fmt}")


@router.get("/feeds/search.{fmt}")
def search_feed(
    request: Request,
    fmt: Fmt,
    q: Annotated[str, Query(max_length=500)] = "",
    country: Annotated[str, Query(max_length=8)] = "",
    language: Annotated[str, Query(max_length=8)] = "",
    since: Annotated[str, Query(max_length=40)] = "",
    until: Annotated[str, Query(max_length=40)] = "",
) -> Response:
    try:
        filters = search_filters_of(country, language, since, until)
    except ValueError as exc:
        raise HTTPException(400, str(exc)) from exc
    # A query that was nothing but control characters is empty once normalised: an empty feed, not an error.
    rows = get_ctx(request).read.search(q, limit=FEED_ITEMS, **filters)[0] if q.strip() else []
    fg = _feed(request, title=f"Search: {q}", path="/search", description=f"Articles matching {q!r}.")
    _article_entries(request, fg, rows, fmt)
    return _render(fg, fmt, f"{_base(request)}/feeds/search.{fmt}?{request.url.query}")


@router.get("/opml")
def opml_export(request: Request) -> Response:
    from globewire.web.opml_io import export_store_opml

    ctx = get_ctx(request)
    body = export_store_opml(ctx.store, title=f"{ctx.web.site_name} catalogue")
    return Response(body, media_type="text/x-opml; charset=utf-8",
                    headers={"content-disposition": 'attachment; filename="globewire.opml"'})
