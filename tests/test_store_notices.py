"""Store methods for repeated notices on SQLite and PostgreSQL: copies of a text, notice signatures, removal of
non-articles with everything that refers to them."""

from __future__ import annotations

import datetime as dt

import numpy as np

from globewire.records import Article
from globewire.store.base import Store
from tests.test_store_contract import store  # noqa: F401 - the two-backend fixture

AT = dt.datetime(2024, 5, 3, 12, tzinfo=dt.timezone.utc)


def art(url: str, text: str, *, content_hash: str, **kw) -> Article:
    return Article(url=url, canonical_url=url, title="Title", text=text, content_hash=content_hash, **kw)


def test_text_copies_and_repeated_roots(store: Store) -> None:  # noqa: F811
    a, _ = store.upsert_article(art("https://a.example/1", "notice text", content_hash="h1"))
    b, _ = store.upsert_article(art("https://a.example/2", "notice text", content_hash="h1", duplicate_of=a))
    c, _ = store.upsert_article(art("https://b.example/3", "notice text 2", content_hash="h2", duplicate_of=a))
    store.upsert_article(art("https://c.example/4", "other", content_hash="h3"))
    assert [r["id"] for r in store.text_copies("h1")] == [a, b]
    assert [r["id"] for r in store.text_copies("h1", a)] == [a, b, c]
    assert store.repeated_text_roots(3) == [a]
    assert store.repeated_text_roots(4) == []


def test_notices_are_remembered_and_counted(store: Store) -> None:  # noqa: F811
    assert store.notice_by_hash("h1") is None
    store.record_notice("h1", b"\x01\x02", "repeated_notice", urls=3, sample_url="https://a.example/1")
    store.record_notice("h1", b"\x01\x02", "repeated_notice", urls=2, sample_url="https://a.example/9")
    assert store.notice_by_hash("h1")["urls"] == 5
    sigs = store.notice_signatures()
    assert [(r["content_hash"], bytes(r["minhash"])) for r in sigs] == [("h1", b"\x01\x02")]


def test_removal_takes_articles_out_of_stories_and_everything_else(store: Store) -> None:  # noqa: F811
    ids = [store.upsert_article(art(f"https://a.example/{i}", f"notice text {i}", content_hash=f"n{i}",
                                    published_at=AT))[0] for i in range(3)]
    keep, _ = store.upsert_article(art("https://b.example/real", "a real article about ferries", content_hash="r",
                                       published_at=AT))
    store.set_duplicate(ids[1], ids[0], 0.9)
    story = store.create_story([*ids, keep], at=AT)
    store.save_embeddings("m", {i: np.ones(4, dtype=np.float32) for i in [*ids, keep]})
    store.save_translation(ids[0], "Notice", "notice text", [], "fixture", "test")
    store.link_articles(ids[0], [(keep, 0.7)])
    assert store.query("SELECT article_id FROM article_links ORDER BY 1") == [{"article_id": ids[0]}, {"article_id": keep}]
    touched = store.remove_not_articles(ids, stage="dedup", reason="not_article:repeated_notice", detail="3 URLs")
    assert touched == [story]
    assert store.count_articles() == 1 and store.get_article(ids[0]) is None
    assert store.story_member_ids(story) == [keep]
    assert store.get_story(story).article_count == 1
    assert set(store.get_embeddings([*ids, keep], "m")) == {keep}
    assert store.search_articles("notice") == [] and [r.id for r in store.search_articles("ferries")] == [keep]
    assert store.stats()["failures_by_reason"] == {"dedup:not_article:repeated_notice": 3}
    assert store.integrity_check() == "ok"
    assert store.query("SELECT * FROM article_links") == []
    assert store.remove_not_articles([], stage="dedup", reason="x") == []
