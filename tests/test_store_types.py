"""The store's typed rows (``store/types.py``): built from query rows by their annotations, frozen, and a story's
``data`` read the same whether a backend hands it over as JSON text or parsed."""

from __future__ import annotations

import dataclasses
import json

import pytest

from globewire.store.types import ArticleRow, OutletHealthRow, SearchHit, StoryMember, StoryRow

HIT = {"id": "3", "title": "T", "url": "https://a.test/1", "canonical_url": None, "outlet_id": "o",
       "outlet_name": "O", "country": "FR", "language": "fr", "published_at": None, "fetched_at": "2026-12-01",
       "title_en": None, "snippet": "a [b] c", "rank": None}


def test_a_row_is_converted_by_its_annotations_and_frozen() -> None:
    hit = SearchHit.from_row(HIT)
    assert hit.id == 3 and hit.rank == 0.0 and hit.canonical_url is None
    assert list(hit.as_row()) == list(HIT)  # the columns, in the declared order
    with pytest.raises(dataclasses.FrozenInstanceError):
        hit.title = "changed"  # type: ignore[misc]
    health = OutletHealthRow.from_row({
        "id": "o", "name": "O", "homepage": "https://o.test", "country": "FR", "languages": '["fr"]',
        "ownership": "private", "enabled": 1, "last_success_at": None, "last_fetch_at": None, "failing_feeds": None,
        "feeds": "2", "consecutive_failures": None, "last_error": None, "articles": "5", "articles_24h": 0})
    assert health.enabled is True and health.feeds == 2 and health.articles == 5


def test_a_missing_column_is_an_error_unless_the_field_has_a_default() -> None:
    with pytest.raises(KeyError, match="snippet"):
        SearchHit.from_row({k: v for k, v in HIT.items() if k != "snippet"})
    base = {k: HIT[k] for k in ("id", "title", "url", "canonical_url", "outlet_id", "country", "language",
                                "published_at", "fetched_at", "outlet_name")}
    row = ArticleRow.from_row({**base, "duplicate_of": None, "site_name": None})
    assert row.t is None and "t" not in row.as_row()
    member = StoryMember.from_row({**base, "site_name": None, "duplicate_of": "2", "score": 0.5, "joined_at": None})
    assert member.text is None and member.duplicate_of == 2


@pytest.mark.parametrize("stored", [json.dumps({"headline": "H", "languages": ["de"]}),
                                    {"headline": "H", "languages": ["de"]}])
def test_a_storys_data_reads_the_same_as_text_or_parsed(stored: object) -> None:
    row = StoryRow.from_row({"id": 4, "headline": "", "data": stored, "blindspot": 0, "article_count": 2})
    assert row.data == {"headline": "H", "languages": ["de"]} and row.blindspot is False and row.article_count == 2


@pytest.mark.parametrize("stored", ["{not json", "[1, 2]", None, ""])
def test_damaged_story_data_reads_as_no_synthesis(stored: object) -> None:
    assert StoryRow.from_row({"id": 4, "data": stored}).data == {}
