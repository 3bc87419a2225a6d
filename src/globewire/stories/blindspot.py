"""Blindspot: a story overlooked by one country's media (the reference country, "US" by default).

A story is overlooked by <reference> media when, within the story window, outlets in at least
``BLINDSPOT_MIN_OTHER_COUNTRIES`` countries other than the reference covered it with at least
``BLINDSPOT_MIN_ARTICLES`` articles in all, and the reference country's share of the articles is at most
``max_reference_share`` (default 0: no reference-country article at all). The reason says who covered it and
how many reference-country outlets (in the catalogue) could have.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from globewire.stories.synthesis import ArticleView

# Product rules rather than tuned values: two other countries make it an international story; three
# articles keep a single outlet's follow-ups from flagging. The share is 0 by default (zero articles).
BLINDSPOT_MIN_OTHER_COUNTRIES = 2
BLINDSPOT_MIN_ARTICLES = 3
BLINDSPOT_MAX_REFERENCE_SHARE = 0.0


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


def assess_blindspot(
    articles: Sequence[ArticleView],
    *,
    reference_country: str = "US",
    reference_outlets: int = 0,
    min_other_countries: int = BLINDSPOT_MIN_OTHER_COUNTRIES,
    min_articles: int = BLINDSPOT_MIN_ARTICLES,
    max_reference_share: float = BLINDSPOT_MAX_REFERENCE_SHARE,
    window_hours: float | None = None,
) -> dict[str, Any]:
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
    base: dict[str, Any] = {
        "countries": others,
        "reference_country": ref,
        "reference_outlets": int(reference_outlets),
        "reference_articles": ref_articles,
    }
    could = (
        f"none of the {reference_outlets} {ref} outlets in the catalogue covered it"
        if reference_outlets
        else f"no {ref} outlet covered it"
    )
    if len(others) < min_other_countries:
        return base | {
            "flag": False,
            "reason": f"covered by {len(others)} non-{ref} countries (needs {min_other_countries})",
        }
    if total < min_articles:
        return base | {
            "flag": False,
            "reason": f"{total} articles (needs {min_articles})",
        }
    if ref_articles and share > max_reference_share:
        return base | {
            "flag": False,
            "reason": f"{ref} outlets published {ref_articles} of {total} articles",
        }
    who = ", ".join(f"{cc} ({per_country[cc]})" for cc in others)
    if ref_articles:
        could = f"{ref} outlets published only {ref_articles} of {total} articles ({share:.0%})"
    outlets_word = "outlet" if outlets_other == 1 else "outlets"
    reason = f"Covered by {outlets_other} {outlets_word} in {len(others)} countries — {who}; {could}."
    return base | {"flag": True, "reason": reason}
