"""Blindspot: overlooked by the reference country's media."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from globewire.stories.blindspot import REFERENCE_CRAWL_GRACE, BlindspotError, assess_blindspot
from globewire.config.stories import StorySettings
from globewire.stories.synthesis import ArticleView, synthesise_story

T0 = datetime(2025, 7, 20, 8, 0, tzinfo=UTC)


def art(i: int, country: str, outlet: str, hours: float = 0.0) -> ArticleView:
    return ArticleView(i, outlet, outlet.upper(), country, "en", f"Ferry capsizes {i}",
                       "A ferry capsized on the lake on Saturday and rescuers searched for survivors.", None, None,
                       T0 + timedelta(hours=hours), None)  # fmt: skip


def crawled(n: int):
    """A reference_crawled answer: ``n`` reference-country outlets crawled in any period (periods recorded)."""
    asked: list[tuple[datetime, datetime]] = []

    def count(since: datetime, until: datetime) -> int:
        asked.append((since, until))
        return n

    count.asked = asked  # type: ignore[attr-defined]
    return count


FOREIGN = [
    art(1, "TZ", "citizen"),
    art(2, "KE", "nation"),
    art(3, "GB", "bbc"),
    art(4, "FR", "rfi"),
]


def test_flag_when_reference_has_no_article() -> None:
    seen = crawled(9)
    b = assess_blindspot(FOREIGN, reference_country="US", reference_outlets=14, reference_crawled=seen)
    assert b["flag"] is True and b["status"] == "overlooked" and b["reference_crawled"] == 9
    assert b["countries"] == ["FR", "GB", "KE", "TZ"]
    assert (
        b["reference_articles"] == 0
        and b["reference_outlets"] == 14
        and b["reference_country"] == "US"
    )
    assert "4 countries" in b["reason"] and "none of the 9 US outlets crawled in that period" in b["reason"]
    # the period asked about: from the first article to a day after the last one
    assert seen.asked == [(T0, T0 + REFERENCE_CRAWL_GRACE)]


@pytest.mark.parametrize("evidence", [None, 0])
def test_no_crawl_evidence_means_unknown_not_overlooked(evidence: int | None) -> None:
    """Nothing crawled in the US in the story's window (or no crawl records at all, as in an imported
    store): the story is not flagged and the reason says the coverage is unknown — never "none of the N US
    outlets covered it"."""
    b = assess_blindspot(FOREIGN, reference_country="US", reference_outlets=24,
                         reference_crawled=None if evidence is None else crawled(evidence))
    assert b["flag"] is False and b["status"] == "unknown"
    assert "US coverage unknown: no US outlet was crawled between 2025-07-20 08:00 UTC and 2025-07-21 08:00 UTC" \
        in b["reason"]
    assert "none of" not in b["reason"] and "24" not in b["reason"]


def test_undated_story_has_no_window_and_stays_unknown() -> None:
    undated = [ArticleView(a.id, a.outlet_id, a.outlet_name, a.country, "en", a.title, a.text, None, None, None, None)
               for a in FOREIGN]
    seen = crawled(5)
    b = assess_blindspot(undated, reference_country="US", reference_crawled=seen)
    assert b["status"] == "unknown" and b["window"] is None and seen.asked == []
    assert "the story has no dates" in b["reason"]


def test_one_crawled_outlet_is_named_in_the_singular() -> None:
    b = assess_blindspot(FOREIGN, reference_country="US", reference_crawled=crawled(1))
    assert b["flag"] and "the US outlet crawled in that period did not cover it" in b["reason"]


def test_no_flag_when_reference_covers() -> None:
    b = assess_blindspot(
        [*FOREIGN, art(5, "US", "ap")], reference_country="US", reference_outlets=14
    )
    assert b["flag"] is False and b["reference_articles"] == 1
    assert "US outlets published 1 of 5" in b["reason"]


def test_share_setting_allows_token_coverage() -> None:
    arts = [*FOREIGN, art(5, "US", "ap")] + [art(10 + i, "DE", "dw") for i in range(5)]
    b = assess_blindspot(
        arts, reference_country="US", reference_outlets=3, max_reference_share=0.15
    )
    # a US article exists, so US media were seen: the share is a fact without crawl records
    assert b["flag"] is True and "only 1 of 10" in b["reason"]
    assert (
        assess_blindspot(arts, reference_country="US", max_reference_share=0.05)["flag"]
        is False
    )


def test_needs_two_other_countries_and_three_articles() -> None:
    one_country = [art(1, "TZ", "a"), art(2, "TZ", "b"), art(3, "TZ", "c")]
    assert assess_blindspot(one_country, reference_country="US")["flag"] is False
    two_articles = [art(1, "TZ", "a"), art(2, "KE", "b")]
    b = assess_blindspot(two_articles, reference_country="US")
    assert b["flag"] is False and "needs 3" in b["reason"]


def test_reference_country_india() -> None:
    arts = [art(1, "US", "ap"), art(2, "GB", "bbc"), art(3, "DE", "dw")]
    assert (
        assess_blindspot(arts, reference_country="IN", reference_outlets=9, reference_crawled=crawled(4))["flag"]
        is True
    )
    assert assess_blindspot(arts, reference_country="US")["flag"] is False
    with_india = [*arts, art(4, "IN", "the-hindu")]
    assert (
        assess_blindspot(with_india, reference_country="in")["flag"] is False
    )  # case-insensitive


def test_window_excludes_late_articles() -> None:
    late_us = art(9, "US", "ap", hours=100)
    seen = crawled(3)
    b = assess_blindspot([*FOREIGN, late_us], reference_country="US", window_hours=72, reference_crawled=seen)
    assert b["flag"] is True  # the US piece came after the window
    assert seen.asked == [(T0, T0 + REFERENCE_CRAWL_GRACE)]  # the window of the articles kept
    assert (
        assess_blindspot(
            [*FOREIGN, late_us], reference_country="US", window_hours=None
        )["flag"]
        is False
    )


def test_bad_parameters() -> None:
    with pytest.raises(BlindspotError):
        assess_blindspot(FOREIGN, reference_country="USA")
    with pytest.raises(BlindspotError):
        assess_blindspot(FOREIGN, reference_country="US", max_reference_share=1.5)


def test_settings_drive_synthesis() -> None:
    s = StorySettings(reference_country="GB", blindspot_min_countries=3)
    d = synthesise_story(1, FOREIGN, settings=s, reference_outlets=7)
    assert d["blindspot"]["flag"] is False  # GB covered it
    s2 = StorySettings(reference_country="IN", blindspot_min_countries=5)
    assert (
        synthesise_story(1, FOREIGN, settings=s2, reference_outlets=7)["blindspot"][
            "flag"
        ]
        is False
    )
    s3 = StorySettings(reference_country="IN")
    assert (
        synthesise_story(1, FOREIGN, settings=s3, reference_outlets=7, reference_crawled=crawled(2))["blindspot"][
            "flag"
        ]
        is True
    )
    assert synthesise_story(1, FOREIGN, settings=s3, reference_outlets=7)["blindspot"]["status"] == "unknown"


def test_articles_of_unknown_outlets_count_as_outlets_in_the_reason() -> None:
    """Imported pages whose outlet the catalogue does not know still count (one outlet each), and one
    outlet is not "1 outlets"."""
    arts = [art(1, "TZ", "citizen"), ArticleView(2, None, None, "KE", "en", "Ferry", "A ferry capsized.", None,
                                                 None, T0, None), art(3, "TZ", "citizen")]
    b = assess_blindspot(arts, reference_country="US", reference_outlets=14, reference_crawled=crawled(14))
    assert b["flag"] is True and b["reason"].startswith("Covered by 2 outlets in 2 countries")
    one = assess_blindspot([art(1, "TZ", "citizen"), art(2, "KE", "citizen"), art(3, "KE", "citizen")],
                           reference_country="US", reference_outlets=14, reference_crawled=crawled(14))
    assert one["reason"].startswith("Covered by 1 outlet in 2 countries")
