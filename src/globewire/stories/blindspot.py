"""Blindspot: a story overlooked by one country's media (the reference country, "US" by default).

A story is overlooked by <reference> media when, within the story window, outlets in at least
``BLINDSPOT_MIN_OTHER_COUNTRIES`` countries other than the reference covered it with at least
``BLINDSPOT_MIN_ARTICLES`` articles in all, the reference country's share of the articles is at most
``max_reference_share`` (default 0: no reference-country article at all), **and** reference-country outlets
were crawled successfully in that window. Without that evidence (nothing crawled there then, or a store
filled only by import) the story says that coverage in the reference country is unknown: absence of
articles we never tried to fetch is not absence of coverage.

``status`` of the result: ``overlooked`` (flagged), ``unknown`` (would be flagged, no crawl evidence),
``covered`` (the reference country published enough), ``local`` (too few other countries), ``small`` (too
few articles), ``no articles``.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Sequence
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from globewire.stories.views import ArticleView

# Product rules rather than tuned values: two other countries make it an international story; three
# articles keep a single outlet's follow-ups from flagging. The share is 0 by default (zero articles).
BLINDSPOT_MIN_OTHER_COUNTRIES = 2
BLINDSPOT_MIN_ARTICLES = 3
BLINDSPOT_MAX_REFERENCE_SHARE = 0.0
# How long after the story window a successful crawl of a reference-country outlet still counts as having
# looked: a news feed lists its last ~20-100 items, about a day of an outlet's output (the catalogue's feeds,
# as the crawler reads them), so a crawl within a day of the window saw what the outlet published in it.
REFERENCE_CRAWL_GRACE = timedelta(hours=24)

# (since, until) -> number of reference-country outlets crawled successfully in that period
CrawledOutlets = Callable[[datetime, datetime], int]


class BlindspotError(ValueError):
    """Bad parameters (e.g. a reference country that is not an ISO alpha-2 code)."""


def _utc(t: datetime) -> datetime:
    return t.replace(tzinfo=UTC) if t.tzinfo is None else t


def _in_window(
    articles: Sequence[ArticleView], window_hours: float | None
) -> list[ArticleView]:
    dated = [_utc(a.published_at) for a in articles if a.published_at is not None]
    if window_hours is None or not dated:
        return list(articles)
    start = min(dated)
    end = start + timedelta(hours=window_hours)
    return [
        a for a in articles if a.published_at is None or _utc(a.published_at) <= end
    ]


def crawl_window(articles: Sequence[ArticleView]) -> tuple[datetime, datetime] | None:
    """The period in which a reference-country outlet must have been crawled for the absence of its
    articles to mean something: from the first dated article to ``REFERENCE_CRAWL_GRACE`` after the last.
    None when no article has a date (the window is unknown)."""
    dated = [_utc(a.published_at) for a in articles if a.published_at is not None]
    if not dated:
        return None
    return min(dated), max(dated) + REFERENCE_CRAWL_GRACE


def _day(t: datetime) -> str:
    return t.strftime("%Y-%m-%d %H:%M UTC")


def assess_blindspot(
    articles: Sequence[ArticleView],
    *,
    reference_country: str = "US",
    reference_outlets: int = 0,
    reference_crawled: CrawledOutlets | None = None,
    min_other_countries: int = BLINDSPOT_MIN_OTHER_COUNTRIES,
    min_articles: int = BLINDSPOT_MIN_ARTICLES,
    max_reference_share: float = BLINDSPOT_MAX_REFERENCE_SHARE,
    window_hours: float | None = None,
) -> dict[str, Any]:
    """Whether the reference country's media overlooked the story, with the reason in words.

    ``reference_outlets``: the reference country's outlets in the catalogue (reported, never claimed as
    having looked). ``reference_crawled(since, until)``: how many of them were crawled successfully in a
    period (``store.outlets_crawled``); without it, or when it answers 0 for the story's window, a story
    with no reference-country article is ``unknown``, not flagged."""
    ref = (reference_country or "").strip().upper()
    if len(ref) != 2 or not ref.isalpha():
        raise BlindspotError(
            f"reference country must be an ISO 3166-1 alpha-2 code, got {reference_country!r}"
        )
    if not 0.0 <= max_reference_share < 1.0:
        raise BlindspotError("max_reference_share must be in [0, 1)")
    arts = _in_window(articles, window_hours)
    per_country = Counter(a.country.upper() for a in arts if a.country)
    ref_articles = per_country.get(ref, 0)
    others = sorted(
        (cc for cc in per_country if cc != ref), key=lambda cc: (-per_country[cc], cc)
    )
    total = len(arts)
    share = ref_articles / total if total else 0.0
    # outlets outside the reference country; an article whose outlet the catalogue does not know (an
    # imported page) counts as an outlet of its own rather than as none
    outlets_other = len(
        {
            a.outlet_id or f"#{a.id}"
            for a in arts
            if a.country and a.country.upper() != ref
        }
    )
    window = crawl_window(arts)
    base: dict[str, Any] = {
        "countries": others,
        "reference_country": ref,
        "reference_outlets": int(reference_outlets),
        "reference_articles": ref_articles,
        "reference_crawled": None,
        "window": [window[0].isoformat(), window[1].isoformat()] if window else None,
    }
    if len(others) < min_other_countries:
        return base | {
            "flag": False, "status": "local",
            "reason": f"covered by {len(others)} non-{ref} countries (needs {min_other_countries})",
        }
    if total < min_articles:
        return base | {
            "flag": False, "status": "small",
            "reason": f"{total} articles (needs {min_articles})",
        }
    if ref_articles and share > max_reference_share:
        return base | {
            "flag": False, "status": "covered",
            "reason": f"{ref} outlets published {ref_articles} of {total} articles",
        }
    who = ", ".join(f"{cc} ({per_country[cc]})" for cc in others)
    outlets_word = "outlet" if outlets_other == 1 else "outlets"
    covered = f"Covered by {outlets_other} {outlets_word} in {len(others)} countries — {who}"
    if ref_articles:
        # a reference-country article exists, so its media were seen: the share is a fact, crawl or import
        could = f"{ref} outlets published only {ref_articles} of {total} articles ({share:.0%})"
        return base | {"flag": True, "status": "overlooked", "reason": f"{covered}; {could}."}
    crawled = 0
    if reference_crawled is not None and window is not None:
        crawled = int(reference_crawled(window[0], window[1]))
    base["reference_crawled"] = crawled
    if not crawled:
        period = f" between {_day(window[0])} and {_day(window[1])}" if window else " (the story has no dates)"
        return base | {
            "flag": False, "status": "unknown",
            "reason": f"{covered}; {ref} coverage unknown: no {ref} outlet was crawled{period}.",
        }
    crawled_word = "outlet" if crawled == 1 else "outlets"
    could = (f"the {ref} outlet crawled in that period did not cover it" if crawled == 1
             else f"none of the {crawled} {ref} {crawled_word} crawled in that period covered it")
    return base | {"flag": True, "status": "overlooked", "reason": f"{covered}; {could}."}
