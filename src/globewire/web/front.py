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

import datetime as dt
import functools
import sqlite3
from collections import Counter
from typing import Any
from urllib.parse import urlsplit

from globewire.log import get_logger
from globewire.store.db import parse_iso
from globewire.web import geo
from globewire.web.queries import normalise_story

log = get_logger(__name__)

CARD_SOURCES = 4  # outlet names on a card before "+N more" (a card stays three lines tall)
CARD_COUNTRIES = 6  # coverage-bar segments before the rest are drawn as one "other countries" segment
SUMMARY_LINE_CHARS = 200  # the card's summary line is cut at a word before this many characters
HEADLINE_FALLBACK_CHARS = 90  # a story without a headline shows its first article's title, cut like this
STORY_TIMELINE_MAX = 60  # publications listed on a story page's timeline (newest kept when longer)
NOT_TRANSLATED = ("en", "und", "")  # languages that never wait for English (see store/translations.py)


# --------------------------------------------------------------------------- small helpers


@functools.lru_cache(maxsize=1024)
def flag(cc: str | None) -> str:
    """The emoji flag of an ISO 3166-1 alpha-2 code (two regional-indicator symbols), "" for anything else."""
    if not cc or len(cc) != 2 or not cc.isascii() or not cc.isalpha() or not geo.is_country_code(cc):
        return ""
    return "".join(chr(0x1F1E6 + ord(c) - ord("A")) for c in cc.upper())


def source_name(row: dict[str, Any]) -> str:
    """The name the read model gives a source (catalogue name, else the page's site name), else the host
    of its URL — never "unknown" while a URL exists."""
    for key in ("source_name", "outlet_name", "site_name"):
        v = str(row.get(key) or "").strip()
        if v:
            return v
    host = urlsplit(str(row.get("canonical_url") or row.get("url") or "")).hostname or ""
    host = host.removeprefix("www.")
    return host or str(row.get("outlet_id") or "") or "source not recorded"


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
        return parse_iso(str(value)).isoformat()
    except (TypeError, ValueError):
        return None


def dated(row: dict[str, Any]) -> tuple[str | None, str]:
    """(ISO time, "published" | "fetched") of an article row: its publication time, else its fetch time."""
    pub = _iso(row.get("published_at"))
    if pub:
        return pub, "published"
    return _iso(row.get("fetched_at")), "fetched"


# --------------------------------------------------------------------------- translation status


def _fix_for(state: str, lang: str, st: dict[str, Any]) -> str:
    if state == "off":
        return ("Translation is turned off: set translate.backend (e.g. GLOBEWIRE_TRANSLATE__BACKEND=ctranslate2), "
                "then run `globewire translate`.")
    if state == "pending":
        return "Run `globewire translate` (`globewire run` translates after every crawl)."
    retry = _iso(st.get("next_retry_at"))
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
    n = int(st.get("attempts") or 0)
    return (f"Given up after {n} attempt{'s' if n != 1 else ''}: `globewire translate --redo --lang {lang}` "
            f"tries again (it redoes every {lang} article).")


def article_translation(state: dict[str, Any] | None, language: str | None, backend_setting: str) -> dict[str, Any] | None:
    """Why an article has no English yet and what fixes it; None when it has English or needs none.
    ``state``: a row of ``store.translation_states``."""
    lang = (language or "").lower()
    if lang in NOT_TRANSLATED:
        return None
    st = state or {}
    status = st.get("status")
    if (status == "done" and not st.get("stale")) or st.get("reused"):
        return None
    if status is None and backend_setting == "none":
        kind, reason = "off", "Translation is turned off on this server."
    elif status is None:
        kind, reason = "pending", "Waiting for its translation: not tried yet."
    elif status == "done":
        kind, reason = "pending", "Its text changed since it was translated; waiting for the new translation."
    elif status == "unavailable":
        kind, reason = "unavailable", str(st.get("last_error") or "No translator can serve this language now.")
    else:
        kind = "failed"
        reason = "Translation failed: " + str(st.get("last_error") or "no detail recorded")
    return {"state": kind, "language": lang, "reason": reason, "fix": _fix_for(kind, lang, st),
            "retry_at": st.get("next_retry_at"), "attempts": int(st.get("attempts") or 0)}


STATE_WORDS = {"pending": "waiting for translation", "unavailable": "no translator available",
               "failed": "translation failed", "off": "translation turned off"}
STATE_ORDER = ("unavailable", "failed", "off", "pending")  # the state a story's note leads with
STORY_REASONS = 2  # distinct reasons (and fixes) a story's note quotes per state


def story_translation(members: list[dict[str, Any]], states: dict[int, dict[str, Any]],
                      backend_setting: str) -> dict[str, Any] | None:
    """For a story with no English at all (no English article, no translation): how many of its articles
    wait and why, the distinct reasons, and what fixes them; None when any English exists."""
    per: list[dict[str, Any]] = []
    for m in members:
        lang = (m.get("language") or "").lower()
        if lang == "en":
            return None
        t = article_translation(states.get(int(m["id"])), lang, backend_setting)
        if t is None:
            if lang not in NOT_TRANSLATED:
                return None  # this one has English
            continue
        per.append(t)
    if not per:
        return None
    counts = Counter(t["state"] for t in per)
    details = []
    for state in (s for s in STATE_ORDER if counts.get(s)):
        of = [t for t in per if t["state"] == state]
        details.append({"state": state, "articles": len(of), "words": STATE_WORDS[state],
                        "reason": " ".join(list(dict.fromkeys(t["reason"] for t in of))[:STORY_REASONS]),
                        "fix": " ".join(list(dict.fromkeys(t["fix"] for t in of))[:STORY_REASONS])})
    return {"state": details[0]["state"], "articles": len(per), "by_state": dict(counts),
            "languages": sorted({t["language"] for t in per}),
            "summary": ", ".join(f"{d['articles']} {d['words']}" for d in details),
            "reason": details[0]["reason"], "fix": details[0]["fix"], "details": details}


# --------------------------------------------------------------------------- cards


def _coverage(members: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Articles per covering country, largest first, as bar segments with start offsets in percent."""
    counts = Counter((m.get("country") or "").upper() for m in members if m.get("country"))
    total = sum(counts.values())
    if not total:
        return []
    ranked = sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))
    head, rest = ranked[:CARD_COUNTRIES], ranked[CARD_COUNTRIES:]
    segs = [{"cc": cc, "name": geo.country_name(cc), "flag": flag(cc), "articles": n} for cc, n in head]
    if rest:
        segs.append({"cc": "", "name": f"{len(rest)} other countries", "flag": "",
                     "articles": sum(n for _, n in rest)})
    x = 0.0
    for i, s in enumerate(segs):
        s["share"] = round(100.0 * s["articles"] / total, 2)
        s["x"] = round(x, 2)
        s["slot"] = i if s["cc"] else "rest"
        x += s["share"]
    return segs


def _sources(members: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Named outlets of a story, most articles first: name, country, flag, articles."""
    seen: dict[tuple[str, str], dict[str, Any]] = {}
    for m in members:
        name = source_name(m)
        cc = (m.get("country") or "").upper()
        key = (str(m.get("outlet_id") or name), cc)
        if key not in seen:
            seen[key] = {"id": m.get("outlet_id"), "name": name, "country": cc, "flag": flag(cc), "articles": 0}
        seen[key]["articles"] += 1
    return sorted(seen.values(), key=lambda o: (-o["articles"], o["name"].lower()))


def _story_date(members: list[dict[str, Any]], s: dict[str, Any]) -> dict[str, Any]:
    """Newest and first publication of a story's articles; fetch times (marked) only when none has one."""
    pub = sorted(t for t in (_iso(m.get("published_at")) for m in members) if t)
    if pub:
        return {"at": pub[-1], "first": pub[0], "kind": "published"}
    got = sorted(t for t in (_iso(m.get("fetched_at")) for m in members) if t)
    if got:
        return {"at": got[-1], "first": got[0], "kind": "fetched"}
    return {"at": _iso(s.get("last_updated")), "first": _iso(s.get("first_seen")), "kind": "fetched"}


def _picture(ctx: Any, members: list[dict[str, Any]]) -> str | None:
    """The proxied main image of the story's earliest article that has one (None when images are off)."""
    for m in members:
        if m.get("image_url"):
            url = ctx.image_url(m["image_url"])
            if url:
                return url
    return None


def _headline(s: dict[str, Any], members: list[dict[str, Any]]) -> str:
    if s.get("headline"):
        return str(s["headline"])
    for m in members:
        if m.get("title_en") or m.get("title"):
            return _cut(str(m.get("title_en") or m["title"]), HEADLINE_FALLBACK_CHARS)
    if s.get("summary"):
        return _cut(str(s["summary"][0]["text"]), HEADLINE_FALLBACK_CHARS)
    return "Untitled story"


def card(ctx: Any, s: dict[str, Any], members: list[dict[str, Any]],
         states: dict[int, dict[str, Any]] | None) -> dict[str, Any]:
    """A story (``queries.normalise_story``) with what its card shows."""
    c = dict(s)
    c["headline"] = _headline(s, members)
    first = s["summary"][0] if s.get("summary") else None
    c["summary_line"] = _cut(str(first["text"]), SUMMARY_LINE_CHARS) if first else ""
    c["summary_language"] = (first or {}).get("language") or ""
    c["date"] = _story_date(members, s)
    c["sources"] = _sources(members)
    c["coverage"] = _coverage(members)
    c["image"] = _picture(ctx, members)
    c["english"] = None if states is None else story_translation(members, states, _backend_setting(ctx))
    return c


def _backend_setting(ctx: Any) -> str:
    return str(getattr(getattr(ctx.settings, "translate", None), "backend", "") or "")


def translation_states(ctx: Any, ids: list[int]) -> dict[int, dict[str, Any]] | None:
    """``store.translation_states``, or None when the translations tables cannot be read (a half-restored
    backup): the pages then say nothing about English rather than fail or claim "pending"."""
    errors = tuple(getattr(ctx.read, "db_errors", ()) or getattr(ctx.read.store, "error_types", ())) or (sqlite3.Error,)
    try:
        return ctx.read.store.translation_states(ids)
    except errors as exc:
        log.warning("translation_states_failed", error=str(exc)[:300])
        return None


def member_facts(ctx: Any, story_ids: list[int], *, english: bool = False) -> dict[int, list[dict[str, Any]]]:
    """``store.story_member_facts``, each row as the read model presents articles to readers (its
    ``present``, where the read model has one, names the source and makes the title usable); with
    ``english`` each row carries its English title (``title_en``) too."""
    facts = ctx.read.store.story_member_facts(story_ids)
    if english:
        titles = ctx.read.english_titles([int(m["id"]) for rows in facts.values() for m in rows])
        for rows in facts.values():
            for m in rows:
                m["title_en"] = titles.get(int(m["id"]))
    present = getattr(ctx.read, "present", None)
    if present is not None:
        for rows in facts.values():
            present(rows)
    return facts


def story_cards(ctx: Any, stories: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Cards for a list of stories: one read of their members, one of their translation states."""
    facts = member_facts(ctx, [s["id"] for s in stories])
    states = translation_states(ctx, [m["id"] for ms in facts.values() for m in ms])
    return [card(ctx, s, facts.get(s["id"], []), states) for s in stories]


# --------------------------------------------------------------------------- pages (+ their API twins)

HOME_TOP_STORIES = 10
HOME_BLINDSPOT_STORIES = 8
# The front page is the same for every visitor of one window: rebuilt at most this often (two ranking
# queries over a few thousand stories, ~8 ms at 20k stories, plus one member read for the cards).
HOME_CACHE_SECONDS = 30.0


def front_page(ctx: Any, window: str | None = None) -> dict[str, Any]:
    """The home page and ``/api/v1/front``: the globe window (asked for, or the smallest with news) with
    articles per country, top stories and blindspot stories as cards."""
    read = ctx.read
    globe = read.globe_counts(window)

    def stories() -> dict[str, list[dict[str, Any]]]:
        top = read.top_stories(HOME_TOP_STORIES)
        blind = read.blindspot_stories(HOME_BLINDSPOT_STORIES)
        cards = story_cards(ctx, top + [b for b in blind if b["id"] not in {t["id"] for t in top}])
        by_id = {c["id"]: c for c in cards}
        return {"top": [by_id[t["id"]] for t in top], "blindspot": [by_id[b["id"]] for b in blind]}

    lists = read.cached("front:stories", HOME_CACHE_SECONDS, stories)
    return {**globe, **lists}


def story_page(ctx: Any, story_id: int) -> dict[str, Any] | None:
    """The story page and ``/api/v1/stories/{id}``: the story as a card, its articles grouped by country with
    named outlets, the timeline of publications, related stories as cards, and the story's events."""
    read = ctx.read
    row = read.store.get_story(story_id)
    if row is None:
        return None
    s = normalise_story(row)
    members = member_facts(ctx, [story_id], english=True).get(story_id, [])
    states = translation_states(ctx, [m["id"] for m in members])
    backend = _backend_setting(ctx)
    articles = []
    for m in members:
        at, kind = dated(m)
        articles.append({**m, "source": source_name(m),
                         "country": (m.get("country") or "").upper() or None, "flag": flag(m.get("country")),
                         "at": at, "at_kind": kind,
                         "english": None if states is None else
                         article_translation(states.get(int(m["id"])), m.get("language"), backend)})
    c = card(ctx, s, members, states)
    groups: dict[str, dict[str, Any]] = {}
    for a in articles:
        cc = a["country"] or ""
        g = groups.setdefault(cc, {"cc": cc, "name": geo.country_name(cc) if cc else "Country not known",
                                   "flag": flag(cc), "articles": [], "outlets": []})
        g["articles"].append(a)
    for g in groups.values():
        g["articles"].sort(key=lambda a: (a["at"] is None, a["at"] or ""), reverse=True)
        g["outlets"] = _sources(g["articles"])
    ordered = sorted(groups.values(), key=lambda g: (-len(g["articles"]), g["name"]))
    timeline = sorted(articles, key=lambda a: (a["at_kind"] != "published", a["at"] or ""))
    published = [a for a in timeline if a["at_kind"] == "published"]
    undated = [a for a in timeline if a["at_kind"] != "published"]
    elsewhere_ids = _elsewhere_ids(row)
    cards = story_cards(ctx, read.stories_by_ids(list(dict.fromkeys(s["related_story_ids"] + elsewhere_ids))))
    by_id = {x["id"]: x for x in cards}
    return {"story": c, "articles": articles, "groups": ordered,
            "timeline": published[-STORY_TIMELINE_MAX:], "undated": undated,
            "elsewhere": [by_id[i] for i in elsewhere_ids if i in by_id],
            "related": [by_id[i] for i in s["related_story_ids"] if i in by_id and i not in elsewhere_ids],
            "events": read.story_timeline(story_id)}


def _elsewhere_ids(row: dict[str, Any] | None) -> list[int]:
    """Stories the clustering judged to report the same event ("coverage elsewhere", kept by synthesis)."""
    data = (row or {}).get("data")
    items = data.get("coverage_elsewhere") if isinstance(data, dict) else None
    if not isinstance(items, list):
        return []
    return [int(x["story_id"]) for x in items
            if isinstance(x, dict) and isinstance(x.get("story_id"), int) and not isinstance(x["story_id"], bool)]


def article_page(ctx: Any, article_id: int) -> dict[str, Any] | None:
    """The article page and ``/api/v1/articles/{id}``: the read model's article with its source's name and
    flag, its date (publication, else fetch — marked), its picture and where its English stands."""
    data = ctx.read.get_article(article_id)
    if data is None:
        return None
    a = data["article"]
    outlet = data["outlet"]
    row = {"outlet_name": data.get("outlet_name") or (outlet["name"] if outlet else None), "site_name": a.site_name,
           "url": a.url, "canonical_url": a.canonical_url, "outlet_id": a.outlet_id}
    at, kind = dated({"published_at": a.published_at, "fetched_at": a.fetched_at})
    states = translation_states(ctx, [article_id])
    return {**data, "source": source_name(row), "flag": flag(a.country), "at": at, "at_kind": kind,
            "image": ctx.image_url(a.image_url),
            "english": None if states is None else
            article_translation(states.get(article_id), a.language, _backend_setting(ctx))}
