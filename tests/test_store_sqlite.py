"""The SQLite store on real files: migrations, idempotent upserts, versions, FTS search, failures."""

from __future__ import annotations

import sqlite3

import pytest

from globewire.records import Article, Failure, FetchResult
from globewire.store import open_store


def art(url: str, text: str, title: str = "Title", **kw) -> Article:
    return Article(url=url, canonical_url=url, title=title, text=text, content_hash=str(hash(text)), **kw)


def test_migrations_are_recorded_and_wal_is_on(db_path):
    s = open_store(str(db_path))
    names = s.applied_migrations()
    assert "0001_core.sql" in names
    assert s.scalar("PRAGMA journal_mode") == "wal"
    s.close()
    # Re-opening applies nothing new.
    s2 = open_store(str(db_path))
    assert s2.migrate() == []
    s2.close()


def test_upsert_is_idempotent_and_keeps_versions(store):
    a = art("https://example.org/a", "first text of the article")
    i1, st1 = store.upsert_article(a)
    i2, st2 = store.upsert_article(a)
    assert (st1, st2) == ("new", "unchanged") and i1 == i2
    b = art("https://example.org/a", "second, corrected text of the article", title="Title (updated)")
    i3, st3 = store.upsert_article(b)
    assert (i3, st3) == (i1, "updated")
    versions = store.article_versions(i1)
    assert [v.version for v in versions] == [1]
    assert versions[0].title == "Title"
    got = store.get_article(i1)
    assert got.title == "Title (updated)" and "corrected" in got.text
    assert store.count_articles() == 1


def test_guid_matches_an_article_whose_url_changed(store):
    i1, _ = store.upsert_article(art("https://example.org/old-slug", "text one", guid="g1"))
    i2, st = store.upsert_article(art("https://example.org/new-slug", "text two", guid="g1"))
    assert i1 == i2 and st == "updated"


@pytest.mark.parametrize("hostile", ['"', "NEAR(a b)", "title:x", "*", "a OR b", "-x", "(", "a AND", "^", "'); DROP TABLE articles; --"])
def test_search_is_safe_against_fts_syntax(store, hostile):
    store.upsert_article(art("https://example.org/a", "The central bank raised interest rates"))
    # Must not raise, whatever the user typed.
    store.search_articles(hostile)
    assert store.count_articles() == 1


def test_search_finds_words_and_english_translations(store):
    i, _ = store.upsert_article(art("https://example.de/a", "Die Zentralbank erhöht die Zinsen", title="Zinsen steigen",
                                    country="DE", language="de"))
    assert [r.id for r in store.search_articles("Zentralbank")] == [i]
    assert store.search_articles("interest") == []
    store.index_english(i, "Interest rates rise", "The central bank raises interest rates")
    hits = store.search_articles("interest rates")
    assert [r.id for r in hits] == [i] and hits[0].title_en == "Interest rates rise"
    assert store.search_articles("interest", country="FR") == []
    assert [r.id for r in store.search_articles("interest", country="de", language="DE")] == [i]
    # An update of the original keeps the English columns.
    store.upsert_article(art("https://example.de/a", "Die Zentralbank erhöht die Zinsen erneut", title="Zinsen steigen",
                             country="DE", language="de"))
    assert [r.id for r in store.search_articles("interest")] == [i]


def test_iter_articles_streams_all_in_order(store):
    for n in range(7):
        store.upsert_article(art(f"https://example.org/{n}", f"text {n}", country="FR" if n % 2 else "DE"))
    assert [a.canonical_url[-1] for a in store.iter_articles(batch=3)] == [str(n) for n in range(7)]
    assert len(list(store.iter_articles(country="FR"))) == 3


def test_failures_fetches_and_stats(store):
    store.record_failure(Failure("https://x.test/1", "extract", "too_short", "12 characters"))
    store.record_fetch(FetchResult(url="https://x.test/feed", final_url="https://x.test/feed", status=None,
                                   error="timeout"), outlet_id="x")
    st = store.stats()
    assert st["failures_by_reason"] == {"extract:too_short": 1}
    assert st["fetches"] == {"timeout": 1}


def test_feed_state_counts_consecutive_failures(store):
    store.update_feed_state("https://x.test/feed", "x", status=200, error=None, etag='"abc"', item_count=3)
    store.update_feed_state("https://x.test/feed", "x", status=500, error="http_error")
    store.update_feed_state("https://x.test/feed", "x", status=None, error="timeout")
    s = store.feed_state("https://x.test/feed")
    assert s["consecutive_failures"] == 2 and s["etag"] == '"abc"' and s["item_count"] == 3
    assert s["last_success_at"] is not None
    store.update_feed_state("https://x.test/feed", "x", status=304, error=None)
    assert store.feed_state("https://x.test/feed")["consecutive_failures"] == 0


def test_seen_items(store):
    assert store.unseen_keys(["a", "b"]) == {"a", "b"}
    store.mark_seen("a", "https://x.test/a", "x", "stored")
    store.mark_seen("b", "https://x.test/b", "x", "new")
    assert store.unseen_keys(["a", "b", "c"]) == {"b", "c"}


def test_transactions_roll_back_on_error(store):
    with pytest.raises(sqlite3.IntegrityError):
        with store.tx():
            store.upsert_article(art("https://example.org/t", "text"))
            store.execute("INSERT INTO articles(id, url, canonical_url, content_hash, fetched_at, updated_at)"
                          " VALUES (1, 'u', 'u2', 'h', 'x', 'x')")
    assert store.count_articles() == 0
    assert store.integrity_check() == "ok"
