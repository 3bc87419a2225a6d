"""Story synthesis: turn a story's articles into the JSON the store keeps in ``stories.data``.

Public API (used by the clustering stage):

* :class:`ArticleView` — the slice of an article synthesis needs.
* :func:`synthesise_story` — neutral headline, summary with sources, countries covering / mentioned,
  outlets, alternative takes per country, blindspot, entities; JSON-able.
* :func:`related_stories` — nearby stories sharing entities / countries mentioned.

The headline and summary come from a summariser backend (``StorySettings.summariser``, entry point group
``globewire.summarisers``); every other field is computed here and does not depend on the backend.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any, Protocol

from globewire.log import get_logger
from globewire.stories.blindspot import CrawledOutlets, assess_blindspot
from globewire.config.stories import StorySettings
from globewire.stories.gazetteer import countries_mentioned
from globewire.stories.sentences import split_sentences
from globewire.stories.summarise import (
    ExtractiveSummariser,
    StorySummary,
    english_text,
    english_title,
    unique_articles,
)
from globewire.stories.takes import alternative_takes
from globewire.stories.views import ArticleView

log = get_logger(__name__)

SUMMARISER_GROUP = "globewire.summarisers"

MAX_ENTITIES = 12
# Related stories: weights of shared entities / countries mentioned / headline words, and the time scale
# over which relatedness fades hyperbolically (score / (1 + days / scale)): a summit and the preparatory
# meeting for the next one six weeks later keep ~40% of their score; stories half a year apart drop below
# RELATED_MIN_SCORE unless nearly identical. RELATED_MIN_SCORE keeps stories sharing one country and
# nothing else out (Jaccard weights checked on hand-made story pairs in tests/test_synthesis_related.py).
RELATED_ENTITY_WEIGHT = 0.6
RELATED_COUNTRY_WEIGHT = 0.3
RELATED_HEADLINE_WEIGHT = 0.1
RELATED_TIME_SCALE_DAYS = 30.0
RELATED_MIN_SCORE = 0.12


class SynthesisError(ValueError):
    """Bad input to synthesis (e.g. articles with duplicate ids)."""


class Summariser(Protocol):
    name: str

    def summarise(self, articles: Sequence[ArticleView]) -> StorySummary: ...


def make_summariser(settings: StorySettings) -> Summariser:
    """The configured summariser backend (entry point or built-in, see ``globewire.plugins``);
    unknown names raise BackendNotFound."""
    from globewire import plugins

    cls = plugins.load_backend(SUMMARISER_GROUP, settings.summariser or "extractive")
    return cls(settings)  # type: ignore[no-any-return]


# --------------------------------------------------------------------------- helpers


def _iso(t: datetime | None) -> str | None:
    if t is None:
        return None
    if t.tzinfo is None:
        t = t.replace(tzinfo=UTC)
    return t.astimezone(UTC).isoformat().replace("+00:00", "Z")


_ENTITY_STOP = frozenset(
    [
        "the",
        "a",
        "an",
        "and",
        "or",
        "but",
        "in",
        "on",
        "at",
        "of",
        "for",
        "to",
        "by",
        "with",
        "from",
        "as",
        "it",
        "its",
        "this",
        "that",
        "these",
        "those",
        "he",
        "she",
        "they",
        "we",
        "i",
        "his",
        "her",
        "their",
        "our",
        "after",
        "before",
        "while",
        "when",
        "where",
        "what",
        "who",
        "why",
        "how",
        "said",
        "says",
        "monday",
        "tuesday",
        "wednesday",
        "thursday",
        "friday",
        "saturday",
        "sunday",
        "january",
        "february",
        "march",
        "april",
        "may",
        "june",
        "july",
        "august",
        "september",
        "october",
        "november",
        "december",
        "mr",
        "mrs",
        "ms",
        "dr",
        "however",
        "also",
        "there",
        "here",
        "some",
        "many",
        "more",
        "most",
        "under",
        "several",
    ]
)
# A run of capitalised words ("European Central Bank", "Bank of England"); "of"/"de" may join two names.
_NAME_RUN = re.compile(
    r"[A-ZÀ-Þ][\w’'-]*(?:\s+(?:(?:of|de|del|la)\s+)?[A-ZÀ-Þ][\w’'-]*)*"
)
_SENT_START = re.compile(r"^[\W\d]*$")


def _names_in(sentence: str) -> list[tuple[str, bool]]:
    """(name, at_sentence_start) for each capitalised run in ``sentence``."""
    out: list[tuple[str, bool]] = []
    for m in _NAME_RUN.finditer(sentence):
        name = re.sub(r"(?:'s|’s)$", "", m.group(0))
        parts = name.split()
        while parts and parts[0].lower() in _ENTITY_STOP:
            parts = parts[1:]
        while parts and parts[-1].lower() in _ENTITY_STOP | {"of", "de", "del", "la"}:
            parts = parts[:-1]
        if not parts:
            continue
        if all(p.isupper() and len(p) > 4 for p in parts):  # datelines: "TOKYO (AP) —"
            continue
        name = " ".join(parts)
        if len(name) < 2:
            continue
        out.append((name, bool(_SENT_START.match(sentence[: m.start()]))))
    return out


def extract_entities(
    articles: Sequence[ArticleView], limit: int = MAX_ENTITIES
) -> list[str]:
    """Capitalised names (multi-word runs like "European Central Bank") found in several articles.

    A single word seen only at the start of sentences ("Turnout", "Survivors") is not a name.
    """
    per_article: list[set[str]] = []
    mid_sentence: set[str] = set()
    starts: list[tuple[int, str]] = []
    for a in unique_articles(articles):
        found: set[str] = set()
        for text in filter(None, [english_title(a), english_text(a)]):
            for sent in split_sentences(text, "en"):
                for name, at_start in _names_in(sent):
                    if at_start and " " not in name:
                        starts.append((len(per_article), name))
                    else:
                        mid_sentence.add(name)
                        found.add(name)
        per_article.append(found)
    for idx, name in starts:
        if name in mid_sentence:
            per_article[idx].add(name)
    counts: Counter[str] = Counter(e for s in per_article for e in s)
    need = 2 if len(per_article) > 1 else 1
    ranked = sorted(
        (e for e, n in counts.items() if n >= need),
        key=lambda e: (-counts[e], -len(e), e),
    )
    return ranked[:limit]


def _outlets(articles: Sequence[ArticleView]) -> list[dict[str, Any]]:
    counts: Counter[str] = Counter()
    meta: dict[str, tuple[str | None, str | None]] = {}
    for a in articles:
        # an outlet outside the catalogue is told apart by the name it was given (site name or domain)
        key = a.outlet_id or f"unknown:{a.outlet_name or a.country or '??'}"
        counts[key] += 1
        meta.setdefault(key, (a.outlet_name, a.country))
    return [
        {
            "id": k if not k.startswith("unknown:") else None,
            "name": meta[k][0],
            "country": meta[k][1],
            "articles": n,
        }
        for k, n in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))
    ]


def _validate(articles: Sequence[ArticleView]) -> None:
    ids = [a.id for a in articles]
    if len(set(ids)) != len(ids):
        raise SynthesisError("articles of a story must have distinct ids")
    for a in articles:
        if not isinstance(a, ArticleView):
            raise SynthesisError(f"expected ArticleView, got {type(a).__name__}")


# --------------------------------------------------------------------------- synthesis


def synthesise_story(
    story_id: int,
    articles: Sequence[ArticleView],
    *,
    settings: StorySettings,
    reference_outlets: int,
    summariser: Summariser | None = None,
    reference_crawled: CrawledOutlets | None = None,
) -> dict[str, Any]:
    """JSON-able synthesis of one story.

    Keys: headline (<= 90 chars), headline_language, summary [{text, article_id}], summariser,
    countries_covering, countries_mentioned, mention_counts, languages, outlets [{id, name, country, articles}],
    article_count, outlet_count, alternative_takes {cc: [{text, article_id}]}, blindspot {flag, reason,
    countries, reference_country, reference_outlets, reference_articles}, entities, and first_seen /
    last_updated (ISO, UTC) when any article has a date. ``reference_crawled(since, until)`` counts the
    reference country's outlets crawled successfully in a period: without it no story is called overlooked
    (see ``blindspot.assess_blindspot``).
    """
    _validate(articles)
    arts = sorted(
        articles,
        key=lambda a: (a.published_at is None, _iso(a.published_at) or "", a.id),
    )
    if not arts:
        return _empty(story_id, settings, reference_outlets)

    backend = summariser or make_summariser(settings)
    try:
        summ = backend.summarise(arts)
    except Exception as exc:  # noqa: BLE001 - a backend must never take synthesis down; extractive is always available
        log.warning(
            "summariser_failed",
            backend=getattr(backend, "name", "?"),
            error=repr(exc),
            story_id=story_id,
        )
        summ = ExtractiveSummariser(settings).summarise(arts)
    finally:
        if summariser is None and callable(close := getattr(backend, "close", None)):
            close()  # we made it, we close it (HTTP clients); callers passing their own keep ownership

    country_counts = Counter(a.country.upper() for a in arts if a.country)
    covering = sorted(country_counts, key=lambda cc: (-country_counts[cc], cc))
    texts = [
        t
        for a in unique_articles(arts)
        for t in (english_title(a), english_text(a))
        if t
    ]
    # articles with no English yet are read in their own language (country names only)
    originals = [
        (a.language or "", f"{a.title}\n{a.text}")
        for a in unique_articles(arts)
        if not english_text(a) and a.language
    ]
    mentioned, mention_counts = countries_mentioned(texts, originals)
    lang_counts = Counter((a.language or "und").lower() for a in arts)
    outlets = _outlets(arts)
    blind = assess_blindspot(
        arts,
        reference_country=settings.reference_country,
        reference_outlets=reference_outlets,
        reference_crawled=reference_crawled,
        min_other_countries=settings.blindspot_min_countries,
        min_articles=settings.blindspot_min_articles,
        max_reference_share=settings.blindspot_max_reference_share,
        window_hours=settings.window_hours,
    )
    dates = [a.published_at for a in arts if a.published_at is not None]
    utc = [d.replace(tzinfo=UTC) if d.tzinfo is None else d for d in dates]
    data: dict[str, Any] = {
        "story_id": story_id,
        "headline": summ.headline,
        "headline_language": summ.headline_language,
        "summary": summ.summary,
        "summariser": summ.backend,
        "summariser_detail": summ.extra,
        "countries_covering": covering,
        "countries_mentioned": mentioned,
        "mention_counts": dict(
            sorted(mention_counts.items(), key=lambda kv: (-kv[1], kv[0]))
        ),
        "languages": sorted(lang_counts, key=lambda lg: (-lang_counts[lg], lg)),
        "outlets": outlets,
        "article_count": len(arts),
        "outlet_count": len({o["id"] for o in outlets if o["id"]}) or len(outlets),
        "alternative_takes": alternative_takes(arts),
        "blindspot": blind,
        "entities": extract_entities(arts),
    }
    if (
        utc
    ):  # absent when no article has a date: the caller keeps the story row's own times
        data["first_seen"] = _iso(min(utc))
        data["last_updated"] = _iso(max(utc))
    log.debug(
        "story_synthesised",
        story_id=story_id,
        articles=len(arts),
        backend=summ.backend,
        blindspot=blind["flag"],
    )
    return data


def _empty(
    story_id: int, settings: StorySettings, reference_outlets: int
) -> dict[str, Any]:
    return {
        "story_id": story_id, "headline": "", "headline_language": "en", "summary": [], "summariser": "none", "summariser_detail": {},
        "countries_covering": [], "countries_mentioned": [], "mention_counts": {}, "languages": [], "outlets": [],
        "article_count": 0, "outlet_count": 0, "alternative_takes": {},
        "blindspot": {"flag": False, "status": "no articles", "reason": "no articles", "countries": [],
                      "reference_country": settings.reference_country.upper(),
                      "reference_outlets": reference_outlets, "reference_articles": 0},
        "entities": [],
    }  # fmt: skip


# --------------------------------------------------------------------------- related stories


def _data(story: dict[str, Any]) -> dict[str, Any]:
    """The synthesis fields of a story dict: a stored row (fields under ``data``, maybe as JSON text) or a
    flat synthesis dict (fields at the top level); ``data`` wins where both have a key."""
    d = story.get("data")
    if isinstance(d, str):
        try:
            d = json.loads(d)
        except json.JSONDecodeError:
            d = None
    flat = {k: v for k, v in story.items() if k != "data"}
    return flat | d if isinstance(d, dict) else flat


def _when(story: dict[str, Any]) -> datetime | None:
    d = _data(story)
    for v in (
        story.get("last_updated"),
        d.get("last_updated"),
        story.get("first_seen"),
        d.get("first_seen"),
    ):
        if isinstance(v, datetime):
            return v if v.tzinfo else v.replace(tzinfo=UTC)
        if isinstance(v, str) and v:
            try:
                t = datetime.fromisoformat(v)
            except ValueError:
                continue
            return t if t.tzinfo else t.replace(tzinfo=UTC)
    return None


def _jaccard(a: set[str], b: set[str]) -> float:
    return len(a & b) / len(a | b) if a and b else 0.0


def _headline_words(story: dict[str, Any]) -> set[str]:
    from globewire.stories.summarise import content_words

    return set(
        content_words(str(story.get("headline") or _data(story).get("headline") or ""))
    )


def related_score(story: dict[str, Any], other: dict[str, Any]) -> float:
    d, o = _data(story), _data(other)
    ents = {e.lower() for e in d.get("entities") or []}
    oents = {e.lower() for e in o.get("entities") or []}
    score = (
        RELATED_ENTITY_WEIGHT * _jaccard(ents, oents)
        + RELATED_COUNTRY_WEIGHT
        * _jaccard(
            set(d.get("countries_mentioned") or []),
            set(o.get("countries_mentioned") or []),
        )
        + RELATED_HEADLINE_WEIGHT
        * _jaccard(_headline_words(story), _headline_words(other))
    )
    if not ents & oents and score < 2 * RELATED_MIN_SCORE:
        score *= 0.5  # countries alone are weak evidence
    t1, t2 = _when(story), _when(other)
    if t1 and t2:
        days = abs((t1 - t2).total_seconds()) / 86400
        score /= 1.0 + days / RELATED_TIME_SCALE_DAYS
    return score


def related_stories(
    story: dict[str, Any], candidates: Sequence[dict[str, Any]], limit: int = 5
) -> list[int]:
    """Ids of up to ``limit`` candidate stories most related to ``story`` (not itself, not merged ones)."""
    if limit <= 0:
        return []
    sid = story.get("id")
    scored: list[tuple[float, int]] = []
    for c in candidates:
        cid = c.get("id")
        if not isinstance(cid, int) or cid == sid or c.get("merged_into"):
            continue
        s = related_score(story, c)
        if s >= RELATED_MIN_SCORE:
            scored.append((-round(s, 9), cid))
    scored.sort()
    return [cid for _, cid in scored[:limit]]
