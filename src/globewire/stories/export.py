"""`globewire export stories --format jsonl`: one JSON object per live story."""

from __future__ import annotations

import json
from typing import IO, TYPE_CHECKING, Any

from globewire.headline import story_headline

if TYPE_CHECKING:
    from globewire.store.base import Store

EXPORT_PAGE = 500


def story_record(store: Store, story: dict[str, Any]) -> dict[str, Any]:
    """The export/JSON shape of one story (``story`` as returned by ``list_stories``/``get_story``)."""
    data = story.get("data") or {}
    sid = int(story["id"])
    article_ids = story.get("article_ids") or store.story_member_ids(sid)
    return {
        "id": sid,
        # a stored headline that fails the quality check (synthesised before it existed) is re-derived
        "headline": story_headline(str(story.get("headline") or data.get("headline") or ""),
                                   [str(x.get("text") or "") for x in data.get("summary") or [] if isinstance(x, dict)],
                                   str(data.get("headline_language") or "en"),
                                   site_names=[str(o["name"]) for o in data.get("outlets") or []
                                               if isinstance(o, dict) and o.get("name")]),
        "summary": data.get("summary") or [],
        "article_ids": article_ids,
        "article_count": story.get("article_count", len(article_ids)),
        "outlets": data.get("outlets") or [],
        "countries_covering": data.get("countries_covering") or story.get("countries_covering") or [],
        "countries_mentioned": data.get("countries_mentioned") or story.get("countries_mentioned") or [],
        "languages": data.get("languages") or [],
        "first_seen": story.get("first_seen"),
        "last_updated": story.get("last_updated"),
        "date_source": story.get("date_source") or "published",
        "related_story_ids": data.get("related_story_ids") or [],
        "alternative_takes": data.get("alternative_takes") or {},
        "blindspot": data.get("blindspot") or {"flag": bool(story.get("blindspot"))},
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
        before = (page[-1]["last_updated"], int(page[-1]["id"]))
