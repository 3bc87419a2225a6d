"""The web read model's typed rows (``web/views.py``): ``to_json`` is the shape ``normalise_story`` has always
returned — the same keys in the same order, the same values, None where a value is not known."""

from __future__ import annotations

import json
from typing import Any

import pytest

from globewire.store.types import StoryRow
from globewire.web.queries import normalise_story
from globewire.web import front
from globewire.web.views import BlindspotView, SearchGroup, StoryView, TimelineEvent

STORY_KEYS = ["id", "headline", "summary", "countries_covering", "countries_mentioned", "languages", "outlets",
              "alternative_takes", "countries_elsewhere", "alternative_takes_elsewhere", "blindspot", "related_story_ids", "first_seen", "last_updated", "date_source",
              "article_count", "outlet_count", "country_count"]
BLINDSPOT_KEYS = ["flag", "status", "reason", "countries", "reference_country", "reference_crawled",
                  "reference_outlets"]

FULL = {
    "id": 7, "headline": "old", "first_seen": "2026-01-01T00:00:00+00:00", "last_updated": "2026-01-02T00:00:00+00:00",
    "date_source": "fetched", "article_count": 5, "outlet_count": 3, "country_count": 2, "blindspot": 1,
    "data": json.dumps({
        "headline": "Floods close the main port of Hamburg for a second day",
        "summary": [{"text": "Floods closed the port.", "article_id": 3, "language": "en"}, {"text": ""}, "junk"],
        "countries_covering": ["de", "fr"], "countries_mentioned": ["de"], "languages": ["de", "fr"],
        "outlets": [{"id": "o1", "name": "Zeitung", "country": "DE"}, 5],
        "alternative_takes": {"fr": [{"text": "Le port est fermé.", "article_id": 4}, "x"]},
        "blindspot": {"flag": True, "status": "overlooked", "reason": "no US outlet", "countries": ["us"],
                      "reference_country": "US", "reference_crawled": 4, "reference_outlets": 9},
        "related_story_ids": [1, "2", 3],
    }),
}
BARE: dict[str, Any] = {"id": "8", "data": None}


@pytest.mark.parametrize("row", [FULL, BARE], ids=["full", "bare"])
def test_story_json_keeps_the_read_models_shape(row: dict[str, Any]) -> None:
    s = normalise_story(StoryRow.from_row(row))
    assert isinstance(s, StoryView) and isinstance(s.blindspot, BlindspotView)
    out = s.to_json()
    assert list(out) == STORY_KEYS and list(out["blindspot"]) == BLINDSPOT_KEYS
    json.dumps(out)  # plain data only
    assert out["id"] == int(row["id"]) and out["headline"] == s.headline


def test_story_json_values() -> None:
    out = normalise_story(StoryRow.from_row(FULL)).to_json()
    assert out["summary"] == [{"text": "Floods closed the port.", "article_id": 3, "language": "en"}]
    assert out["countries_covering"] == ["DE", "FR"] and out["countries_mentioned"] == ["DE"]
    assert out["outlets"] == [{"id": "o1", "name": "Zeitung", "country": "DE"}]
    assert out["alternative_takes"] == {"FR": [{"text": "Le port est fermé.", "article_id": 4}]}
    assert out["blindspot"] == {"flag": True, "status": "overlooked", "reason": "no US outlet", "countries": ["US"],
                                "reference_country": "US", "reference_crawled": 4, "reference_outlets": 9}
    assert out["related_story_ids"] == [1, 3]
    assert (out["date_source"], out["article_count"], out["outlet_count"], out["country_count"]) == ("fetched", 5, 3, 2)


def test_unknown_values_are_null_not_missing() -> None:
    out = normalise_story(StoryRow.from_row(BARE)).to_json()
    assert out["first_seen"] is None and out["last_updated"] is None
    assert out["blindspot"] == {"flag": False, "status": "unchecked", "reason": "", "countries": [],
                                "reference_country": "", "reference_crawled": None, "reference_outlets": 0}
    assert (out["date_source"], out["article_count"], out["country_count"]) == ("published", 0, 0)


def test_story_json_is_a_copy() -> None:
    s = normalise_story(StoryRow.from_row(FULL))
    s.to_json()["summary"][0]["text"] = "changed"
    s.to_json()["countries_covering"].append("XX")
    assert s.summary[0]["text"] == "Floods closed the port." and s.countries_covering == ["DE", "FR"]


def test_search_group_and_timeline_json() -> None:
    story = normalise_story(StoryRow.from_row(FULL))
    hit = {"id": 3, "title": "Hafen", "display_title": "Hafen"}
    g = SearchGroup(story=story, title=story.headline, url="/story/7", hits=[hit], more_hits=2)
    out = g.to_json()
    assert list(out) == ["story", "title", "url", "hits", "more_hits"]
    assert out["story"] == story.to_json() and out["hits"] == [hit] and out["hits"][0] is not hit
    lone = SearchGroup(story=None, title="Hafen", url="/article/3", hits=[hit], more_hits=0).to_json()
    assert lone["story"] is None
    ev = TimelineEvent(at="2026-01-01T00:00:00+00:00", kind="headline_changed", detail={"to": "New"})
    assert ev.to_json() == {"at": "2026-01-01T00:00:00+00:00", "kind": "headline_changed", "detail": {"to": "New"}}
    assert front.jsonable([ev]) == [ev.to_json()]  # the API's one conversion uses to_json
