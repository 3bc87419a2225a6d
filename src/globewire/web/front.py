"""What a reader sees first: the front page (globe window, story cards), a story page and an article page.

Each page and its JSON twin under ``/api/v1`` are built by ONE function here (``front_page``,
``story_page``, ``article_page``), so the two can never list different things. Story cards carry a
headline, a one-line summary, a date (publication time; fetch time only when no article has one, marked
``fetched``), the named outlets with country flags, a per-country coverage bar, a picture through the
same-origin image proxy, and, when nothing of the story is in English yet, why not and what fixes it.
Names come from the read model's rows (catalogue outlet name, else the page's site name); this module
does not name sources itself.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import functools
import sqlite3
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from globewire.log import get_logger
from globewire.store.db import parse_iso
from globewire.store.types import MemberFact, StoryRow, TranslationState
from globewire.web import geo
from globewire.web.queries import normalise_story
from globewire.web.views import ArticleView, BlindspotView, StoryView, TimelineEvent

log = get_logger(__name__)

CARD_SOURCES = 4  # outlet names on a card before "+N more" (a card stays three lines tall)
CARD_COUNTRIES = 6  # coverage-bar segments before the rest are drawn as one "other countries" segment
SUMMARY_LINE_CHARS = 200  # the card's summary line is cut at a word before this many characters
HEADLINE_FALLBACK_CHARS = 90  # a story without a headline shows its first article's title, cut like this
STORY_TIMELINE_MAX = 60  # publications listed on a story page's timeline (newest kept when longer)
NOT_TRANSLATED = ("en", "und", "")  # languages that never wait for English (see store/translations.py)


# --------------------------------------------------------------------------- the typed results
# What the pages render and the API returns. The templates read their attributes; the API turns them into
# plain data in one place, ``jsonable`` (field names and order are the JSON keys the API always had).


def jsonable(value: Any) -> Any:
    """The front's typed results as plain data (dataclass -> dict, tuple -> list, recursively): the ONE
    conversion the JSON API applies before its response models."""
    to_json = getattr(value, "to_json", None)
    if callable(to_json) and not isinstance(value, type):  # a type that says its JSON itself (``web.views``)
        return to_json()
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: jsonable(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, Mapping):
        return {k: jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [jsonable(v) for v in value]
    return value


@dataclass(frozen=True, slots=True)
class Member(MemberFact):
    """A member article of a story as readers see it: the store's ``MemberFact`` after the read model's
    ``present`` (source named, usable title) with its English title when asked for."""

    title_en: str | None
    title_derived: bool  # the title was derived from the article's words (``headline.usable_title``)
    outlet_named_by: str | None  # catalogue | site | domain | none (``naming.name_row``)
    date_source: str | None  # published | fetched

    @classmethod
    def from_row(cls, r: Mapping[str, Any]) -> Member:
        return cls(id=int(r["id"]), title=r.get("title"), url=r.get("url"), canonical_url=r.get("canonical_url"),
                   outlet_id=r.get("outlet_id"), outlet_name=r.get("outlet_name"), site_name=r.get("site_name"),
                   country=r.get("country"), language=r.get("language"), published_at=r.get("published_at"),
                   fetched_at=r.get("fetched_at"), image_url=r.get("image_url"), duplicate_of=r.get("duplicate_of"),
                   title_en=r.get("title_en"), title_derived=bool(r.get("title_derived")),
                   outlet_named_by=r.get("outlet_named_by"), date_source=r.get("date_source"))


@dataclass(frozen=True, slots=True)
class StoryArticle(Member):
    """A member on the story page: with its source's name, flag, date (``at``, ``at_kind``) and English state
    (``country`` upper-cased, None when unknown)."""

    source: str
    flag: str
    at: str | None
    at_kind: str  # published | fetched
    english: ArticleTranslation | None


@dataclass(frozen=True, slots=True)
class ArticleTranslation:
    """Why an article has no English yet and what fixes it."""

    state: str  # pending | unavailable | failed | off
    language: str
    reason: str
    fix: str
    retry_at: str | None
    attempts: int


@dataclass(frozen=True, slots=True)
class TranslationDetail:
    state: str
    articles: int
    words: str
    reason: str
    fix: str


@dataclass(frozen=True, slots=True)
class StoryTranslation:
    """A story with no English at all: how many of its articles wait and why, and what fixes it."""

    state: str
    articles: int
    by_state: dict[str, int]
    languages: list[str]
    summary: str
    reason: str
    fix: str
    details: list[TranslationDetail]


@dataclass(frozen=True, slots=True)
class StoryDate:
    at: str | None
    first: str | None
    kind: str  # published | fetched


@dataclass(frozen=True, slots=True)
class SourceCount:
    """A named outlet of a story and its articles in it."""

    id: str | None
    name: str
    country: str
    flag: str
    articles: int


@dataclass(frozen=True, slots=True)
class CoverageSegment:
    """A segment of a card's coverage bar (``cc`` "" for the remaining countries), offsets in percent."""

    cc: str
    name: str
    flag: str
    articles: int
    share: float
    x: float
    slot: int | str  # the segment's colour slot; "rest" for the remaining countries


@dataclass(frozen=True, slots=True)
class Card:
    """A story (``queries.normalise_story``) with what its card shows."""

    id: int
    headline: str
    summary: list[dict[str, Any]]
    countries_covering: list[str]
    countries_mentioned: list[str]
    languages: list[str]
    outlets: list[dict[str, Any]]
    alternative_takes: dict[str, list[dict[str, Any]]]
    countries_elsewhere: list[str]  # countries only the "coverage elsewhere" tier adds
    alternative_takes_elsewhere: dict[str, list[dict[str, Any]]]  # their takes, "likely the same event"
    blindspot: BlindspotView
    related_story_ids: list[int]
    first_seen: str | None
    last_updated: str | None
    date_source: str
    article_count: int
    outlet_count: int
    country_count: int
    summary_line: str
    summary_language: str
    date: StoryDate
    sources: list[SourceCount]
    coverage: list[CoverageSegment]
    image: str | None
    english: StoryTranslation | None


@dataclass(frozen=True, slots=True)
class CountryGroup:
    """A story's articles from one country (``cc`` "" when not known), newest first, with its outlets."""

    cc: str
    name: str
    flag: str
    articles: list[StoryArticle]
    outlets: list[SourceCount]


@dataclass(frozen=True, slots=True)
class FrontPage:
    """The home page: the globe window with articles per country (``ReadModel.globe_counts``) and cards."""

    window: str
    label: str
    requested: str | None
    fallback: bool
    empty_before: str
    counts: dict[str, int]
    articles: int
    top: list[Card]
    blindspot: list[Card]


@dataclass(frozen=True, slots=True)
class StoryPage:
    story: Card
    articles: list[StoryArticle]
    groups: list[CountryGroup]
    timeline: list[StoryArticle]  # dated publications, oldest first
    undated: list[StoryArticle]
    elsewhere: list[Card]
    related: list[Card]
    events: list[TimelineEvent]  # ``ReadModel.story_timeline``


@dataclass(frozen=True, slots=True)
class ArticlePage(ArticleView):
    """The article page: the read model's article (``views.ArticleView``) with its source's name and flag, its
    date (publication, else fetch: ``at_kind``), its proxied picture and where its English stands."""

    source: str
    flag: str
    at: str | None
    at_kind: str
    image: str | None
    english: ArticleTranslation | None


# --------------------------------------------------------------------------- small helpers


@functools.lru_cache(maxsize=1024)
def flag(cc: str | None) -> str:
    """The emoji flag of an ISO 3166-1 alpha-2 code (two regional-indicator symbols), "" for anything else."""
    if not cc or len(cc) != 2 or not cc.isascii() or not cc.isalpha() or not geo.is_country_code(cc):
        return ""
    return "".join(chr(0x1F1E6 + ord(c) - ord("A")) for c in cc.upper())


def source_name(row: Mapping[str, Any] | Member) -> str:
    """The name the read model gives a source (catalogue name, else the page's site name), else the host
    of its URL — never "unknown" while a URL exists."""
    get = row.get if isinstance(row, Mapping) else functools.partial(getattr, row)
    for key in ("source_name", "outlet_name", "site_name"):
        v = str(get(key, None) or "").strip()
        if v:
            return v
    host = urlsplit(str(get("canonical_url", None) or get("url", None) or "")).hostname or ""
    host = host.removeprefix("www.")
    return host or str(get("outlet_id", None) or "") or "source not recorded"


def _cut(text: str, limit: int) -> str:
    text = " ".join(text.split())
    if len(text) <= limit:
        return text
    return text[:limit].rsplit(" ", 1)[0].rstrip(",;:") + "…"


def _iso(value: Any) -> str | None:
    if not value:
        return None
    if isinstance(value, dt.datetime):
        return (value if value.tzinfo else value.replace(tzinfo=dt.UTC)).isoformat()
    try:
        parsed = parse_iso(str(value))
    except (TypeError, ValueError):
        return None
    return parsed.isoformat() if parsed else None


def dated(published_at: Any, fetched_at: Any) -> tuple[str | None, str]:
    """(ISO time, "published" | "fetched") of an article: its publication time, else its fetch time."""
    pub = _iso(published_at)
    if pub:
        return pub, "published"
    return _iso(fetched_at), "fetched"


# --------------------------------------------------------------------------- translation status


def _fix_for(state: str, lang: str, st: TranslationState | None) -> str:
    if state == "off":
        return ("Translation is turned off: set translate.backend (e.g. GLOBEWIRE_TRANSLATE__BACKEND=ctranslate2), "
                "then run `globewire translate`.")
    if state == "pending":
        return "Run `globewire translate` (`globewire run` translates after every crawl)."
    retry = _iso(st.next_retry_at if st else None)
    due = retry is not None and retry <= dt.datetime.now(dt.UTC).isoformat()
    when = f" after {retry[:16].replace('T', ' ')} UTC" if retry and not due else ""
    if state == "unavailable":
        if due:
            return f"Do what the message says, then run `globewire translate --lang {lang}` (its retry is due)."
        return (f"Do what the message says; it is retried automatically{when}, or at once with "
                f"`globewire translate --lang {lang}`.")
    if retry:
        if due:
            return f"Its retry is due: run `globewire translate --lang {lang}`."
        return f"Retried automatically{when} by `globewire translate` or `globewire run`."
    n = st.attempts if st else 0
    return (f"Given up after {n} attempt{'s' if n != 1 else ''}: `globewire translate --redo --lang {lang}` "
            f"tries again (it redoes every {lang} article).")


def article_translation(state: TranslationState | None, language: str | None,
                        backend_setting: str) -> ArticleTranslation | None:
    """Why an article has no English yet and what fixes it; None when it has English or needs none.
    ``state``: a row of ``store.translation_states``."""
    lang = (language or "").lower()
    if lang in NOT_TRANSLATED:
        return None
    status = state.status if state else None
    if state and ((status == "done" and not state.stale) or state.reused):
        return None
    if status is None and backend_setting == "none":
        kind, reason = "off", "Translation is turned off on this server."
    elif status is None:
        kind, reason = "pending", "Waiting for its translation: not tried yet."
    elif status == "done":
        kind, reason = "pending", "Its text changed since it was translated; waiting for the new translation."
    elif status == "unavailable":
        kind, reason = "unavailable", str((state.last_error if state else None)
                                          or "No translator can serve this language now.")
    else:
        kind = "failed"
        reason = "Translation failed: " + str((state.last_error if state else None) or "no detail recorded")
    return ArticleTranslation(state=kind, language=lang, reason=reason, fix=_fix_for(kind, lang, state),
                              retry_at=state.next_retry_at if state else None,
                              attempts=state.attempts if state else 0)


STATE_WORDS = {"pending": "waiting for translation", "unavailable": "no translator available",
               "failed": "translation failed", "off": "translation turned off"}
STATE_ORDER = ("unavailable", "failed", "off", "pending")  # the state a story's note leads with
STORY_REASONS = 2  # distinct reasons (and fixes) a story's note quotes per state


def story_translation(members: Sequence[Member], states: Mapping[int, TranslationState],
                      backend_setting: str) -> StoryTranslation | None:
    """For a story with no English at all (no English article, no translation): how many of its articles
    wait and why, the distinct reasons, and what fixes them; None when any English exists."""
    per: list[ArticleTranslation] = []
    for m in members:
        lang = (m.language or "").lower()
        if lang == "en":
            return None
        t = article_translation(states.get(m.id), lang, backend_setting)
        if t is None:
            if lang not in NOT_TRANSLATED:
                return None  # this one has English
            continue
        per.append(t)
    if not per:
        return None
    counts = Counter(t.state for t in per)
    details = []
    for state in (s for s in STATE_ORDER if counts.get(s)):
        of = [t for t in per if t.state == state]
        details.append(TranslationDetail(
            state=state, articles=len(of), words=STATE_WORDS[state],
            reason=" ".join(list(dict.fromkeys(t.reason for t in of))[:STORY_REASONS]),
            fix=" ".join(list(dict.fromkeys(t.fix for t in of))[:STORY_REASONS])))
    return StoryTranslation(state=details[0].state, articles=len(per), by_state=dict(counts),
                            languages=sorted({t.language for t in per}),
                            summary=", ".join(f"{d.articles} {d.words}" for d in details),
                            reason=details[0].reason, fix=details[0].fix, details=details)


# --------------------------------------------------------------------------- cards


def _coverage(members: Sequence[Member]) -> list[CoverageSegment]:
    """Articles per covering country, largest first, as bar segments with start offsets in percent."""
    counts = Counter((m.country or "").upper() for m in members if m.country)
    total = sum(counts.values())
    if not total:
        return []
    ranked = sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))
    head, rest = ranked[:CARD_COUNTRIES], ranked[CARD_COUNTRIES:]
    parts = [(cc, geo.country_name(cc), flag(cc), n) for cc, n in head]
    if rest:
        parts.append(("", f"{len(rest)} other countries", "", sum(n for _, n in rest)))
    segs: list[CoverageSegment] = []
    x = 0.0
    for i, (cc, name, fl, n) in enumerate(parts):
        share = round(100.0 * n / total, 2)
        segs.append(CoverageSegment(cc=cc, name=name, flag=fl, articles=n, share=share, x=round(x, 2),
                                    slot=i if cc else "rest"))
        x += share
    return segs


def _sources(members: Sequence[Member]) -> list[SourceCount]:
    """Named outlets of a story, most articles first: name, country, flag, articles."""
    seen: dict[tuple[str, str], tuple[str | None, str, str]] = {}
    counts: Counter[tuple[str, str]] = Counter()
    for m in members:
        name = source_name(m)
        cc = (m.country or "").upper()
        key = (str(m.outlet_id or name), cc)
        seen.setdefault(key, (m.outlet_id, name, cc))
        counts[key] += 1
    out = [SourceCount(id=oid, name=name, country=cc, flag=flag(cc), articles=counts[key])
           for key, (oid, name, cc) in seen.items()]
    return sorted(out, key=lambda o: (-o.articles, o.name.lower()))


def _story_date(members: Sequence[Member], s: StoryView) -> StoryDate:
    """Newest and first publication of a story's articles; fetch times (marked) only when none has one."""
    pub = sorted(t for t in (_iso(m.published_at) for m in members) if t)
    if pub:
        return StoryDate(at=pub[-1], first=pub[0], kind="published")
    got = sorted(t for t in (_iso(m.fetched_at) for m in members) if t)
    if got:
        return StoryDate(at=got[-1], first=got[0], kind="fetched")
    return StoryDate(at=_iso(s.last_updated), first=_iso(s.first_seen), kind="fetched")


def _picture(ctx: Any, members: Sequence[Member]) -> str | None:
    """The proxied main image of the story's earliest article that has one (None when images are off)."""
    for m in members:
        if m.image_url:
            url = ctx.image_url(m.image_url)
            if url:
                return str(url)
    return None


def _headline(s: StoryView, members: Sequence[Member]) -> str:
    if s.headline:
        return s.headline
    for m in members:
        if m.title_en or m.title:
            return _cut(str(m.title_en or m.title), HEADLINE_FALLBACK_CHARS)
    if s.summary:
        return _cut(str(s.summary[0]["text"]), HEADLINE_FALLBACK_CHARS)
    return "Untitled story"


def card(ctx: Any, s: StoryView, members: Sequence[Member],
         states: Mapping[int, TranslationState] | None) -> Card:
    """A story (``queries.normalise_story``) with what its card shows."""
    first = s.summary[0] if s.summary else None
    return Card(
        id=s.id, headline=_headline(s, members), summary=s.summary,
        countries_covering=s.countries_covering, countries_mentioned=s.countries_mentioned,
        languages=s.languages, outlets=s.outlets, alternative_takes=s.alternative_takes,
        countries_elsewhere=s.countries_elsewhere, alternative_takes_elsewhere=s.alternative_takes_elsewhere,
        blindspot=s.blindspot, related_story_ids=s.related_story_ids, first_seen=s.first_seen,
        last_updated=s.last_updated, date_source=s.date_source, article_count=s.article_count,
        outlet_count=s.outlet_count, country_count=s.country_count,
        summary_line=_cut(str(first["text"]), SUMMARY_LINE_CHARS) if first else "",
        summary_language=(first or {}).get("language") or "",
        date=_story_date(members, s), sources=_sources(members), coverage=_coverage(members),
        image=_picture(ctx, members),
        english=None if states is None else story_translation(members, states, _backend_setting(ctx)),
    )


def _backend_setting(ctx: Any) -> str:
    return str(getattr(getattr(ctx.settings, "translate", None), "backend", "") or "")


def translation_states(ctx: Any, ids: list[int]) -> dict[int, TranslationState] | None:
    """``store.translation_states``, or None when the translations tables cannot be read (a half-restored
    backup): the pages then say nothing about English rather than fail or claim "pending"."""
    errors = tuple(getattr(ctx.read, "db_errors", ()) or getattr(ctx.read.store, "error_types", ())) or (sqlite3.Error,)
    try:
        states: dict[int, TranslationState] = ctx.read.store.translation_states(ids)
    except errors as exc:
        log.warning("translation_states_failed", error=str(exc)[:300])
        return None
    return states


def member_facts(ctx: Any, story_ids: list[int], *, english: bool = False) -> dict[int, list[Member]]:
    """``store.story_member_facts``, each row as the read model presents articles to readers (its
    ``present``, where the read model has one, names the source and makes the title usable); with
    ``english`` each row carries its English title (``title_en``) too."""
    facts: dict[int, list[MemberFact]] = ctx.read.store.story_member_facts(story_ids)
    # the read model's presentation works on plain rows (it is shared with the article lists)
    rows = {sid: [dataclasses.asdict(m) for m in ms] for sid, ms in facts.items()}
    if english:
        titles = ctx.read.english_titles([m.id for ms in facts.values() for m in ms])
        for rs in rows.values():
            for r in rs:
                r["title_en"] = titles.get(int(r["id"]))
    present = getattr(ctx.read, "present", None)
    if present is not None:
        for rs in rows.values():
            present(rs)
    return {sid: [Member.from_row(r) for r in rs] for sid, rs in rows.items()}


def story_cards(ctx: Any, stories: Sequence[StoryView]) -> list[Card]:
    """Cards for a list of stories: one read of their members, one of their translation states."""
    facts = member_facts(ctx, [s.id for s in stories])
    states = translation_states(ctx, [m.id for ms in facts.values() for m in ms])
    return [card(ctx, s, facts.get(s.id, []), states) for s in stories]


# --------------------------------------------------------------------------- pages (+ their API twins)

HOME_TOP_STORIES = 10
HOME_BLINDSPOT_STORIES = 8
# The front page is the same for every visitor of one window: rebuilt at most this often (two ranking
# queries over a few thousand stories, ~8 ms at 20k stories, plus one member read for the cards).
HOME_CACHE_SECONDS = 30.0


def front_page(ctx: Any, window: str | None = None) -> FrontPage:
    """The home page and ``/api/v1/front``: the globe window (asked for, or the smallest with news) with
    articles per country, top stories and blindspot stories as cards."""
    read = ctx.read
    globe = read.globe_counts(window)

    def stories() -> tuple[list[Card], list[Card]]:
        top: list[StoryView] = read.top_stories(HOME_TOP_STORIES)
        blind: list[StoryView] = read.blindspot_stories(HOME_BLINDSPOT_STORIES)
        cards = story_cards(ctx, top + [b for b in blind if b.id not in {t.id for t in top}])
        by_id = {c.id: c for c in cards}
        return [by_id[t.id] for t in top], [by_id[b.id] for b in blind]

    top, blind = read.cached("front:stories", HOME_CACHE_SECONDS, stories)
    return FrontPage(window=globe["window"], label=globe["label"], requested=globe["requested"],
                     fallback=globe["fallback"], empty_before=globe["empty_before"], counts=globe["counts"],
                     articles=globe["articles"], top=top, blindspot=blind)


def story_page(ctx: Any, story_id: int) -> StoryPage | None:
    """The story page and ``/api/v1/stories/{id}``: the story as a card, its articles grouped by country with
    named outlets, the timeline of publications, related stories as cards, and the story's events."""
    read = ctx.read
    row: StoryRow | None = read.store.get_story(story_id)
    if row is None:
        return None
    s = normalise_story(row)
    members = member_facts(ctx, [story_id], english=True).get(story_id, [])
    states = translation_states(ctx, [m.id for m in members])
    backend = _backend_setting(ctx)
    articles: list[StoryArticle] = []
    for m in members:
        at, kind = dated(m.published_at, m.fetched_at)
        fields = {f.name: getattr(m, f.name) for f in dataclasses.fields(Member)}
        fields["country"] = (m.country or "").upper() or None
        articles.append(StoryArticle(
            **fields, source=source_name(m), flag=flag(m.country), at=at, at_kind=kind,
            english=None if states is None else article_translation(states.get(m.id), m.language, backend)))
    c = card(ctx, s, members, states)
    by_cc: dict[str, list[StoryArticle]] = {}
    for a in articles:
        by_cc.setdefault(a.country or "", []).append(a)
    groups = []
    for cc, of in by_cc.items():
        of.sort(key=lambda a: (a.at is None, a.at or ""), reverse=True)
        groups.append(CountryGroup(cc=cc, name=geo.country_name(cc) if cc else "Country not known", flag=flag(cc),
                                   articles=of, outlets=_sources(of)))
    ordered = sorted(groups, key=lambda g: (-len(g.articles), g.name))
    timeline = sorted(articles, key=lambda a: (a.at_kind != "published", a.at or ""))
    published = [a for a in timeline if a.at_kind == "published"]
    undated = [a for a in timeline if a.at_kind != "published"]
    elsewhere_ids = _elsewhere_ids(row)
    cards = story_cards(ctx, read.stories_by_ids(list(dict.fromkeys(s.related_story_ids + elsewhere_ids))))
    by_id = {x.id: x for x in cards}
    return StoryPage(story=c, articles=articles, groups=ordered,
                     timeline=published[-STORY_TIMELINE_MAX:], undated=undated,
                     elsewhere=[by_id[i] for i in elsewhere_ids if i in by_id],
                     related=[by_id[i] for i in s.related_story_ids if i in by_id and i not in elsewhere_ids],
                     events=read.story_timeline(story_id))


def _elsewhere_ids(row: StoryRow) -> list[int]:
    """Stories the clustering judged to report the same event ("coverage elsewhere", kept by synthesis)."""
    items = row.data.get("coverage_elsewhere")
    if not isinstance(items, list):
        return []
    return [int(x["story_id"]) for x in items
            if isinstance(x, dict) and isinstance(x.get("story_id"), int) and not isinstance(x["story_id"], bool)]


def article_page(ctx: Any, article_id: int) -> ArticlePage | None:
    """The article page and ``/api/v1/articles/{id}``: the read model's article (``ReadModel.get_article``:
    the ``records.Article``, its outlet, translation, versions, copies) with its source's name and flag, its
    date (publication, else fetch — marked), its picture and where its English stands (``ArticleTranslation``)."""
    data: ArticleView | None = ctx.read.get_article(article_id)
    if data is None:
        return None
    a = data.article
    outlet = data.outlet
    row = {"outlet_name": data.outlet_name or (outlet.name if outlet else None), "site_name": a.site_name,
           "url": a.url, "canonical_url": a.canonical_url, "outlet_id": a.outlet_id}
    at, kind = dated(a.published_at, a.fetched_at)
    states = translation_states(ctx, [article_id])
    return ArticlePage(
        **{f.name: getattr(data, f.name) for f in dataclasses.fields(ArticleView)},
        source=source_name(row), flag=flag(a.country), at=at, at_kind=kind, image=ctx.image_url(a.image_url),
        english=None if states is None else
        article_translation(states.get(article_id), a.language, _backend_setting(ctx)))
