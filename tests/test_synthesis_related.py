"""related_stories: nearby stories sharing entities / countries."""

from __future__ import annotations

import json

from globewire.stories.synthesis import related_stories


def story(
    i: int,
    headline: str,
    ents: list[str],
    countries: list[str],
    when: str,
    **kw: object,
) -> dict:
    data = {
        "entities": ents,
        "countries_mentioned": countries,
        "last_updated": when,
        "headline": headline,
    }
    return {"id": i, "headline": headline, "data": data, "last_updated": when, **kw}


SUMMIT = story(
    1,
    "Japan, China and South Korea agree on disaster aid at Tokyo summit",
    ["Tokyo", "South Korea", "Japan", "China", "Seoul"],
    ["JP", "KR", "CN"],
    "2025-05-12T12:00:00Z",
)
CANDS = [
    story(2, "Foreign ministers prepare next trilateral summit in Seoul",
          ["Seoul", "South Korea", "Japan", "China"], ["KR", "JP", "CN"], "2025-06-20T09:00:00Z"),
    story(3, "Earthquake in southern Peru kills 17", ["Arequipa", "Peru"], ["PE", "CL"], "2025-05-14T10:00:00Z"),
    story(4, "Japan's central bank holds rates", ["Bank of Japan", "Japan"], ["JP"], "2025-05-13T10:00:00Z"),
    story(5, "Tokyo summit: leaders meet", ["Tokyo", "South Korea", "Japan", "China"], ["JP", "KR", "CN"],
          "2025-05-12T13:00:00Z", merged_into=1),
    {"id": 6, "headline": "China and Japan sign fisheries deal in Tokyo", "last_updated": "2025-05-15T00:00:00Z",
     "data": json.dumps({"entities": ["Tokyo", "China", "Japan"], "countries_mentioned": ["CN", "JP"]})},
]  # fmt: skip


def test_related_ranks_shared_entities() -> None:
    got = related_stories(SUMMIT, CANDS + [SUMMIT])
    assert got[:2] == [6, 2] or got[:2] == [2, 6]
    assert 3 not in got  # nothing shared
    assert 5 not in got  # merged into another story
    assert 1 not in got  # itself


def test_limit_and_determinism() -> None:
    assert related_stories(SUMMIT, CANDS, limit=1) == related_stories(
        SUMMIT, list(reversed(CANDS)), limit=1
    )
    assert len(related_stories(SUMMIT, CANDS, limit=1)) == 1
    assert related_stories(SUMMIT, CANDS, limit=0) == []


def test_time_decay() -> None:
    near = story(
        7,
        "Seoul summit",
        ["Seoul", "South Korea", "Japan", "China"],
        ["KR", "JP", "CN"],
        "2025-05-13T00:00:00Z",
    )
    far = story(
        8,
        "Seoul summit",
        ["Seoul", "South Korea", "Japan", "China"],
        ["KR", "JP", "CN"],
        "2025-12-13T00:00:00Z",
    )
    assert related_stories(SUMMIT, [far, near]) == [7]  # seven months later is too far


def test_tolerates_missing_data() -> None:
    assert (
        related_stories(
            {"id": 1}, [{"id": 2}, {"id": 3, "data": "not json"}, {"headline": "no id"}]
        )
        == []
    )


def test_flat_synthesis_dicts_as_the_story_stage_passes_them() -> None:
    flat_summit = dict(SUMMIT["data"], id=1)
    flat = [dict(c["data"] if isinstance(c["data"], dict) else json.loads(c["data"]), id=c["id"])
            for c in CANDS if not c.get("merged_into")]  # fmt: skip
    assert related_stories(flat_summit, flat)[:2] in ([6, 2], [2, 6])
