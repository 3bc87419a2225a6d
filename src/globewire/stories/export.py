"""`globewire export stories --format jsonl`: one JSON object per live story."""

from __future__ import annotations

import json
from typing import IO, TYPE_CHECKING, Any

from globewire.headline import story_headline

if TYPE_CHECKING:
    from globewire.store.base import Store
    from globewire.store.types import StoryRow

EXPORT_PAGE = 500


def story_record(store: Store, story: StoryRow) -> dict[str, Any]:
    """The export/JSON shape of one story (as returned by ``list_stories``/``get_story``)."""
    data = story.data
    sid = story.id
    article_ids = list(story.article_ids) or store.story_member_ids(sid)
    return {
        "id": sid,
        # a stored headline that fails the quality check (synthesised before it existed) is re-derived
        "headline": story_headline(str(story.headline or data.get("headline") or ""),
                                   [str(x.get("text") or "") for x in data.get("summary") or [] if isinstance(x, dict)],
                                   str(data.get("headline_language") or "en"),
                                   site_names=[str(o["name"]) for o in data.get("outlets") or []
                                               if isinstance(o, dict) and o.get("name")]),
        "summary": data.get("summary") or [],
        "article_ids": article_ids,
        "article_count": story.article_count,
        "outlets": data.get("outlets") or [],
        "countries_covering": data.get("countries_covering") or list(story.countries_covering),
        "countries_mentioned": data.get("countries_mentioned") or list(story.countries_mentioned),
        "languages": data.get("languages") or [],
        "first_seen": story.first_seen,
        "last_updated": story.last_updated,
        "date_source": story.date_source or "published",
        "related_story_ids": data.get("related_story_ids") or [],
        "alternative_takes": data.get("alternative_takes") or {},
        "blindspot": data.get("blindspot") or {"flag": story.blindspot},
    }


def export_stories(store: Store, fh: IO[str]) -> int:
    """Write every live story, most recently updated first, one JSON per line; returns the count."""
    n = 0
    before: tuple[str, int] | None = None
    while True:
        page = store.list_stories(limit=EXPORT_PAGE, before=before)
        if not page:
            return n
        for s in page:
            fh.write(json.dumps(story_record(store, s), ensure_ascii=False, default=str) + "\n")
            n += 1
        before = (str(page[-1].last_updated), page[-1].id)
