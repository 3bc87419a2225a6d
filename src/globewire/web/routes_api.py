"""JSON API under /api/v1: one endpoint per page, paginated with opaque cursors, typed responses."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, HTTPException, Path, Query, Request

from globewire.records import Outlet
from globewire.web import front, geo
from globewire.web.context import get_ctx
from globewire.web.models import (
    AlignedSentence,
    ArticleDetail,
    ArticleSummary,
    BlindspotOut,
    CountriesOut,
    CoverageOut,
    DateOut,
    FrontOut,
    PublicationOut,
    SourceOut,
    StoryCard,
    TranslationStatusOut,
    CountryDetail,
    CountryOut,
    DuplicateOut,
    ErrorOut,
    OutletOut,
    OutletRef,
    Page,
    SearchGroup,
    SearchHit,
    ElsewhereText,
    SourcedText,
    StoryDetail,
    StorySummary,
    TimelineEntry,
    VersionOut,
)
from globewire.web.queries import decode_cursor, encode_cursor, search_filters_of
from globewire.web.views import StoryView

router = APIRouter(tags=["api"], responses={400: {"model": ErrorOut}, 404: {"model": ErrorOut}})

CC = Annotated[str, Path(pattern=r"^[A-Za-z]{2}$", description="ISO 3166-1 alpha-2 country code.")]
CountryQ = Annotated[str | None, Query(pattern=r"^[A-Za-z]{2}$", description="ISO 3166-1 alpha-2.")]
LanguageQ = Annotated[str | None, Query(pattern=r"^[A-Za-z]{2,3}$", description="ISO 639-1 language code.")]
LimitQ = Annotated[int, Query(ge=1, le=100)]
CursorQ = Annotated[str | None, Query(max_length=300, description="Opaque cursor from `next_cursor`.")]
DateQ = Annotated[str | None, Query(max_length=40, description="YYYY-MM-DD or ISO-8601 datetime (UTC).")]
IdPath = Annotated[int, Path(ge=1, le=2**62)]
HealthQ = Annotated[Literal["ok", "failing", "not fetched", "disabled"] | None,
                    Query(description="Only outlets whose feeds are in this state.")]


# --------------------------------------------------------------------------- converters (pages share them)


def story_summary(s: StoryView | front.Card) -> StorySummary:
    """A story of the read model, or a card of ``front.story_cards`` (which carries the same fields)."""
    return StorySummary(
        id=s.id, url=f"/story/{s.id}", headline=s.headline, countries_covering=s.countries_covering,
        country_count=s.country_count, article_count=s.article_count, blindspot=s.blindspot.flag,
        blindspot_status=s.blindspot.status, blindspot_reason=s.blindspot.reason,
        first_seen=s.first_seen, last_updated=s.last_updated, date_source=s.date_source or "published",
    )


def article_summary(r: dict[str, Any]) -> ArticleSummary:
    return ArticleSummary(
        id=int(r["id"]), url=f"/article/{r['id']}", source_url=r.get("canonical_url") or r.get("url") or "",
        title=r.get("title") or "", title_en=r.get("title_en"), outlet_id=r.get("outlet_id"),
        outlet_name=r.get("outlet_name"), country=r.get("country"), language=r.get("language"),
        published_at=r.get("published_at"), source_name=r.get("source") or front.source_name(r),
        english=translation_out(r.get("english")),
    )


def outlet_out(o: dict[str, Any] | Outlet) -> OutletOut:
    """An outlet for the API: a catalogue record, or an outlet-health row (which adds its feed figures)."""
    if isinstance(o, Outlet):
        o = {"id": o.id, "name": o.name, "homepage": o.homepage, "country": o.country, "languages": list(o.languages),
             "ownership": o.ownership, "enabled": o.enabled}
    langs = o.get("languages") or []
    if isinstance(langs, str):
        import json

        try:
            langs = json.loads(langs)
        except ValueError:
            langs = [langs]
    keys = ("articles", "articles_24h", "last_success_at", "last_fetch_at", "failing_feeds",
            "consecutive_failures", "last_error", "health")
    return OutletOut(
        id=o["id"], name=o["name"], homepage=o.get("homepage") or "", country=o.get("country") or "",
        languages=[str(x) for x in langs], ownership=o.get("ownership") or "unknown",
        enabled=bool(o.get("enabled", True)), **{k: o.get(k) for k in keys if o.get(k) is not None},
    )


# --------------------------------------------------------------------------- endpoints


@router.get("/stories", response_model=Page[StorySummary], summary="Stories, most recently updated first")
def api_stories(
    request: Request,
    country: CountryQ = None,
    mentioned: CountryQ = None,
    blindspot: bool | None = None,
    limit: LimitQ = 20,
    cursor: CursorQ = None,
) -> Page[StorySummary]:
    stories, nxt = get_ctx(request).read.list_stories(
        country=country, mentioned=mentioned, blindspot=blindspot, limit=limit, cursor=cursor)
    return Page[StorySummary](items=[story_summary(s) for s in stories], next_cursor=nxt)


@router.get("/stories/{story_id}", response_model=StoryDetail, summary="One story with its articles")
def api_story(request: Request, story_id: IdPath) -> StoryDetail:
    return story_detail(request, story_id)


def story_card(card: front.Card) -> StoryCard:
    """A card of ``front.story_cards`` (the same the pages draw)."""
    c = front.jsonable(card)
    return StoryCard(
        **story_summary(card).model_dump(), summary_line=c["summary_line"], date=DateOut(**c["date"]),
        sources=[SourceOut(**o) for o in c["sources"]],
        coverage=[CoverageOut(**{k: v for k, v in seg.items() if k in CoverageOut.model_fields})
                  for seg in c["coverage"]],
        image=c["image"], english=translation_out(c["english"]),
    )


def translation_out(t: dict[str, Any] | None) -> TranslationStatusOut | None:
    if not t:
        return None
    return TranslationStatusOut(**{k: v for k, v in t.items() if k in TranslationStatusOut.model_fields})


def story_detail(request: Request, story_id: int) -> StoryDetail:
    """The twin of the story page: both are ``front.story_page``."""
    typed = front.story_page(get_ctx(request), story_id)
    if typed is None:
        raise HTTPException(404, "no such story")
    page = front.jsonable(typed)
    s = page["story"]
    return StoryDetail(
        **story_card(typed.story).model_dump(),
        summary=[SourcedText.model_validate(x) for x in s["summary"]], countries_mentioned=s["countries_mentioned"], languages=s["languages"],
        outlets=[OutletRef.model_validate({k: o.get(k) for k in ("id", "name", "country", "articles")
                                           if not isinstance(o.get(k), (dict, list))}) for o in s["outlets"]],
        alternative_takes={cc: [SourcedText.model_validate(t) for t in items if t.get("text")]
                           for cc, items in s["alternative_takes"].items()},
        countries_elsewhere=s["countries_elsewhere"],
        alternative_takes_elsewhere={cc: [ElsewhereText.model_validate(t) for t in items]
                                     for cc, items in s["alternative_takes_elsewhere"].items()},
        blindspot_detail=BlindspotOut.model_validate(
            {k: v for k, v in s["blindspot"].items() if k in BlindspotOut.model_fields}),
        related=[story_card(r) for r in typed.related], elsewhere=[story_card(r) for r in typed.elsewhere],
        timeline=[TimelineEntry(at=str(t.at), kind=str(t.kind), detail=t.detail) for t in typed.events],
        publications=[PublicationOut(article_id=int(a["id"]), at=a["at"], kind=a["at_kind"], source=a["source"],
                                     country=a["country"], title=a.get("title_en") or a.get("title") or "")
                      for a in page["timeline"] + page["undated"]],
        articles=[article_summary(a) for a in page["articles"]],
    )


@router.get("/blindspot", response_model=Page[StorySummary],
            summary="Stories the reference country's media overlook")
def api_blindspot(request: Request, limit: LimitQ = 20, cursor: CursorQ = None) -> Page[StorySummary]:
    page = get_ctx(request).read.blindspot(limit=limit, cursor=cursor)
    return Page[StorySummary](items=[story_summary(s) for s in page.stories], next_cursor=page.next_cursor)


@router.get("/articles", response_model=Page[ArticleSummary], summary="Articles, newest stored first")
def api_articles(
    request: Request,
    country: CountryQ = None,
    language: LanguageQ = None,
    outlet: Annotated[str | None, Query(max_length=200)] = None,
    limit: LimitQ = 20,
    cursor: CursorQ = None,
) -> Page[ArticleSummary]:
    rows, nxt = get_ctx(request).read.list_articles(
        country=country, language=language, outlet_id=outlet, limit=limit, cursor=cursor)
    return Page[ArticleSummary](items=[article_summary(r) for r in rows], next_cursor=nxt)


@router.get("/articles/{article_id}", response_model=ArticleDetail, summary="One article, original and English")
def api_article(request: Request, article_id: IdPath) -> ArticleDetail:
    """The twin of the article page: both are ``front.article_page``."""
    data = front.article_page(get_ctx(request), article_id)
    if data is None:
        raise HTTPException(404, "no such article")
    a = data.article
    t = data.translation or {}
    outlet = data.outlet
    return ArticleDetail(
        id=a.id, url=f"/article/{a.id}", source_url=a.canonical_url or a.url, title=a.title, text=a.text,
        title_en=t.get("title_en") or None, text_en=t.get("text_en") or None,
        alignment=[AlignedSentence(para=x.get("para") if isinstance(x.get("para"), int) else None,
                                   src=str(x.get("src") or ""), en=str(x.get("en") or ""))
                   for x in t.get("alignment", [])],
        translation_backend=t.get("backend") or None,
        outlet_id=a.outlet_id, outlet_name=data.outlet_name, country=data.country or a.country,
        language=a.language, published_at=a.published_at.isoformat() if a.published_at else None,
        source_name=data.source, english=translation_out(front.jsonable(data.english)),
        authors=list(a.authors), outlet=outlet_out(outlet) if outlet else None, story_id=data.story_id,
        duplicate_of=a.duplicate_of,
        versions=[VersionOut(version=v.version, title=v.title, seen_at=v.seen_at) for v in data.versions],
        duplicates=[DuplicateOut(id=d.id, url=d.url, outlet_id=d.outlet_id, similarity=d.duplicate_similarity)
                    for d in data.duplicates],
    )


WindowQ = Annotated[Literal["24h", "7d", "30d", "all"] | None,
                    Query(description="24h, 7d, 30d or all; default: the smallest window with news.")]


@router.get("/countries", response_model=CountriesOut, summary="Article counts per country (globe data)")
def api_countries(request: Request, window: WindowQ = None) -> CountriesOut:
    return countries_out(request, window)


def _countries(request: Request, globe: dict[str, Any]) -> dict[str, Any]:
    read = get_ctx(request).read
    counts = globe["counts"]
    outlets = read.outlet_counts_by_country()
    codes = sorted(set(counts) | set(outlets))
    items = [CountryOut(cc=cc, name=geo.country_name(cc), articles=counts.get(cc, 0), outlets=outlets.get(cc, 0))
             for cc in codes if len(cc) == 2]
    items.sort(key=lambda c: (-c.articles, c.name))
    return {"window": globe["label"], "window_key": globe["window"], "fallback": globe["fallback"], "items": items}


def countries_out(request: Request, window: str | None = None) -> CountriesOut:
    return CountriesOut(**_countries(request, get_ctx(request).read.globe_counts(window)))


@router.get("/front", response_model=FrontOut, summary="The front page: globe window, countries, story cards")
def api_front(request: Request, window: WindowQ = None) -> FrontOut:
    """The twin of the home page: both are ``front.front_page``."""
    typed = front.front_page(get_ctx(request), window)
    return FrontOut(**_countries(request, front.jsonable(typed)), top=[story_card(c) for c in typed.top],
                    blindspot=[story_card(c) for c in typed.blindspot])


@router.get("/countries/{cc}", response_model=CountryDetail, summary="A country: outlets, articles, stories")
def api_country(request: Request, cc: CC, cursor: CursorQ = None) -> CountryDetail:
    cc = cc.upper()
    if not geo.is_country_code(cc):
        raise HTTPException(404, "no such country")
    page = get_ctx(request).read.country_page(cc, cursor=cursor)
    return CountryDetail(
        cc=cc, name=geo.country_name(cc), outlets=[outlet_out(o) for o in page.outlets],
        articles=[article_summary(a) for a in page.articles],
        stories=[story_summary(s) for s in page.stories], about=[story_summary(s) for s in page.about],
        next_cursor=page.next_cursor,
    )


@router.get("/outlets", response_model=Page[OutletOut], summary="The catalogue with per-outlet health")
def api_outlets(request: Request, country: CountryQ = None, language: LanguageQ = None,
                health: HealthQ = None, limit: LimitQ = 100, cursor: CursorQ = None) -> Page[OutletOut]:
    rows = get_ctx(request).read.outlet_health(country, language=language, health=health)
    rows.sort(key=lambda r: str(r["id"]))
    if cursor:
        after = decode_cursor(cursor, ("oid",))["oid"]
        rows = [r for r in rows if str(r["id"]) > after]
    nxt = encode_cursor({"oid": str(rows[limit - 1]["id"])}) if len(rows) > limit else None
    return Page[OutletOut](items=[outlet_out(r) for r in rows[:limit]], next_cursor=nxt)


def search_query(
    q: Annotated[str, Query(min_length=1, max_length=500)],
    country: CountryQ = None,
    language: LanguageQ = None,
    since: DateQ = None,
    until: DateQ = None,
) -> dict[str, Any]:
    """The query parameters both search endpoints take (besides paging), as ``ReadModel.search`` keywords."""
    try:
        return {"q": q, **search_filters_of(country, language, since, until)}
    except ValueError as exc:
        raise HTTPException(400, str(exc)) from exc


SearchQ = Annotated[dict[str, Any], Depends(search_query)]


@router.get("/search", response_model=Page[SearchHit], summary="Full-text search over originals and English")
def api_search(request: Request, query: SearchQ, limit: LimitQ = 20, cursor: CursorQ = None) -> Page[SearchHit]:
    rows, nxt = get_ctx(request).read.search(**query, limit=limit, cursor=cursor)
    return Page[SearchHit](items=[search_hit(r) for r in rows], next_cursor=nxt)


def search_hit(r: dict[str, Any]) -> SearchHit:
    return SearchHit(**article_summary(r).model_dump(), snippet=r.get("snippet") or "",
                     display_title=r.get("display_title") or "")


@router.get("/search/stories", response_model=Page[SearchGroup],
            summary="Full-text search, results grouped by story (the search page's results)")
def api_search_stories(request: Request, query: SearchQ, limit: LimitQ = 20,
                       cursor: CursorQ = None) -> Page[SearchGroup]:
    groups, nxt = get_ctx(request).read.search_stories(**query, limit=limit, cursor=cursor)
    return Page[SearchGroup](
        items=[SearchGroup(story=story_summary(g.story) if g.story else None, title=g.title, url=g.url,
                           hits=[search_hit(h) for h in g.hits], more_hits=g.more_hits) for g in groups],
        next_cursor=nxt)
