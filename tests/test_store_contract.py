"""One store contract, run on every backend: SQLite (a real file) and PostgreSQL (the real server on
127.0.0.1:5432, a fresh schema per test, dropped afterwards).

Besides the tests below, the ``store`` tests of the other areas (``tests/test_*_store.py``: translations,
sources, stories, ...) are imported and re-run here on both backends, so a mixin method that lands with
SQLite-only SQL fails on PostgreSQL in this file.
"""

from __future__ import annotations

import datetime as dt
import importlib
import inspect
import os
import sqlite3
import uuid
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest

from globewire.records import Article, Failure, FetchResult, Outlet
from globewire.store.base import Store

PG_BASE = os.environ.get("GLOBEWIRE_TEST_PG_URL", "postgresql://postgres@127.0.0.1:5432/test")


def pg_reachable() -> str | None:
    """None when PostgreSQL answers, else the reason (used in the skip message)."""
    try:
        import psycopg
    except ImportError as e:
        return f"psycopg not installed: {e}"
    try:
        with psycopg.connect(PG_BASE, connect_timeout=3) as c:
            c.execute("SELECT 1")
    except Exception as e:  # noqa: BLE001
        return f"PostgreSQL not reachable at {PG_BASE}: {e}"
    return None


def drop_schema(schema: str) -> None:
    import psycopg

    with psycopg.connect(PG_BASE, autocommit=True) as c:
        c.execute(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')


@pytest.fixture
def pg_url() -> Iterator[str]:
    """A PostgreSQL URL with a fresh schema (dropped after the test)."""
    reason = pg_reachable()
    if reason:
        pytest.skip(reason)
    schema = "t_" + uuid.uuid4().hex[:12]
    try:
        yield f"{PG_BASE}?schema={schema}"
    finally:
        drop_schema(schema)


@pytest.fixture(params=["sqlite", "postgresql"])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Store]:
    if request.param == "sqlite":
        from globewire.store.sqlite import SQLiteStore

        s: Store = SQLiteStore(tmp_path / "contract.db")
    else:
        reason = pg_reachable()
        if reason:
            pytest.skip(reason)
        from globewire.store.postgres import PostgresStore

        schema = "t_" + uuid.uuid4().hex[:12]
        request.addfinalizer(lambda: drop_schema(schema))
        s = PostgresStore(f"{PG_BASE}?schema={schema}")
    yield s
    s.close()


def art(url: str, text: str, title: str = "Title", **kw) -> Article:
    return Article(url=url, canonical_url=url, title=title, text=text, content_hash=str(hash(text)), **kw)


# --------------------------------------------------------------------------- schema


def test_every_sqlite_migration_has_a_postgresql_twin() -> None:
    from importlib import resources

    base = resources.files("globewire.store") / "migrations"
    lite = sorted(p.name for p in (base / "sqlite").iterdir() if p.name.endswith(".sql"))
    pg = sorted(p.name for p in (base / "postgresql").iterdir() if p.name.endswith(".sql"))
    assert lite == pg


def test_migrate_is_idempotent(store) -> None:
    assert "0001_core.sql" in store.applied_migrations()
    assert store.migrate() == []
    assert store.integrity_check() == "ok"


# --------------------------------------------------------------------------- articles


def test_upsert_is_idempotent_and_keeps_versions(store) -> None:
    a = art("https://example.org/a", "first text of the article", minhash=b"\x00\x01\xff")
    i1, st1 = store.upsert_article(a)
    i2, st2 = store.upsert_article(a)
    assert (st1, st2) == ("new", "unchanged") and i1 == i2
    b = art("https://example.org/a", "second, corrected text", title="Title (updated)")
    assert store.upsert_article(b) == (i1, "updated")
    versions = store.article_versions(i1)
    assert [v["version"] for v in versions] == [1] and versions[0]["title"] == "Title"
    got = store.get_article(i1)
    assert got is not None and got.title == "Title (updated)" and "corrected" in got.text
    assert store.count_articles() == 1
    assert [m for _, m in store.recent_minhashes(dt.datetime(2000, 1, 1, tzinfo=dt.UTC))] == []
    c_id, _ = store.upsert_article(art("https://example.org/c", "third", minhash=b"\x00\x01\xff"))
    assert list(store.recent_minhashes(dt.datetime(2000, 1, 1, tzinfo=dt.UTC))) == [(c_id, b"\x00\x01\xff")]


def test_guid_matches_an_article_whose_url_changed(store) -> None:
    i1, _ = store.upsert_article(art("https://example.org/old-slug", "text one", guid="g1"))
    i2, st = store.upsert_article(art("https://example.org/new-slug", "text two", guid="g1"))
    assert i1 == i2 and st == "updated"


def test_round_trip_of_every_article_field(store) -> None:
    pub = dt.datetime(2026, 11, 20, 8, 30, tzinfo=dt.UTC)
    a = Article(url="https://ex.fr/x?a=1", canonical_url="https://ex.fr/x", title="Élysée — 100 %", text="Texte ?",
                outlet_id="lemonde", country="FR", language="fr", language_confidence=0.93, published_at=pub,
                authors=("A. B", "C"), image_url="https://ex.fr/i.jpg", site_name="Le Site", html_lang="fr-FR",
                guid="g", content_hash="h1", duplicate_of=None, source="crawl", extra={"captions": ["c ?"]})
    i, _ = store.upsert_article(a)
    b = store.get_article(i)
    assert b is not None
    for f in ("url", "canonical_url", "title", "text", "outlet_id", "country", "language", "language_confidence",
              "published_at", "authors", "image_url", "site_name", "html_lang", "guid", "content_hash", "extra"):
        assert getattr(b, f) == getattr(a, f), f
    dup, _ = store.upsert_article(art("https://ex.fr/y", "Texte ? copie", duplicate_of=i, duplicate_similarity=0.9))
    assert store.duplicates_of(i)[0]["id"] == dup
    assert store.article_id_by_hash("h1") == i and store.article_id_by_url("https://ex.fr/x") == i
    store.set_duplicate(dup, None, None)
    assert store.duplicates_of(i) == []
    assert [x.id for x in store.get_articles([dup, i, 12345])] == [dup, i]


@pytest.mark.parametrize("hostile", ['"', "NEAR(a b)", "title:x", "*", "a OR b", "-x", "(", "a AND", "^", "!", "&|",
                                     "'); DROP TABLE articles; --", "?", "%", "%s", "a:*", "\\", "\x00x"])
def test_search_is_safe_against_query_syntax(store, hostile) -> None:
    store.upsert_article(art("https://example.org/a", "The central bank raised interest rates"))
    store.search_articles(hostile)  # must not raise, whatever the user typed
    assert store.count_articles() == 1


def test_search_finds_words_translations_and_filters(store) -> None:
    i, _ = store.upsert_article(art("https://example.de/a", "Die Zentralbank erhöht die Zinsen", title="Zinsen steigen",
                                    country="DE", language="de"))
    hits = store.search_articles("Zentralbank")
    assert [r["id"] for r in hits] == [i]
    assert set(hits[0]) == {"id", "title", "url", "canonical_url", "outlet_id", "outlet_name", "country", "language",
                            "published_at", "fetched_at", "title_en", "snippet", "rank"}
    assert "[" in hits[0]["snippet"]
    assert [r["id"] for r in store.search_articles("erhoht")] == [i]  # diacritics folded
    assert [r["id"] for r in store.search_articles("Zentral*")] == [i]  # prefix
    assert store.search_articles("interest") == []
    store.index_english(i, "Interest rates rise", "The central bank raises interest rates")
    hits = store.search_articles("interest rates")
    assert [r["id"] for r in hits] == [i] and hits[0]["title_en"] == "Interest rates rise"
    assert store.search_articles("interest", country="FR") == []
    assert [r["id"] for r in store.search_articles("interest", country="de", language="DE")] == [i]
    assert store.search_articles("interest", since=dt.datetime(2100, 1, 1, tzinfo=dt.UTC)) == []
    store.upsert_article(art("https://example.de/a", "Die Zentralbank erhöht die Zinsen erneut",
                             title="Zinsen steigen", country="DE", language="de"))
    assert [r["id"] for r in store.search_articles("interest")] == [i]  # update keeps English
    assert [r["id"] for r in store.search_articles("erneut")] == [i]


def test_search_ranks_title_hits_first_and_pages(store) -> None:
    body, title = (store.upsert_article(art(f"https://x.test/{n}", t, title=h))[0]
                   for n, t, h in ((1, "Flooding in the valley; the river rose", "Weather"),
                                   (2, "Officials met", "River floods the valley")))
    assert [r["id"] for r in store.search_articles("river")] == [title, body]
    assert [r["id"] for r in store.search_articles("river", limit=1, offset=1)] == [body]


def test_iter_articles_streams_all_in_order(store) -> None:
    for n in range(7):
        store.upsert_article(art(f"https://example.org/{n}", f"text {n}", country="FR" if n % 2 else "DE"))
    assert [a.canonical_url[-1] for a in store.iter_articles(batch=3)] == [str(n) for n in range(7)]
    assert len(list(store.iter_articles(country="FR"))) == 3


# --------------------------------------------------------------------------- crawl state


def test_outlets_sync_and_read(store) -> None:
    o = Outlet(id="x", name="X News", homepage="https://x.test/", country="FR", languages=("fr", "en"))
    assert store.sync_outlets([o]) == 1
    store.sync_outlets([o])
    got = store.get_outlet("x")
    assert got is not None and got["languages"] == ["fr", "en"] and got["enabled"] == 1
    assert [r["id"] for r in store.list_outlets("fr")] == ["x"]


def test_feed_state_counts_consecutive_failures(store) -> None:
    store.update_feed_state("https://x.test/feed", "x", status=200, error=None, etag='"abc"', item_count=3)
    store.update_feed_state("https://x.test/feed", "x", status=500, error="http_error")
    store.update_feed_state("https://x.test/feed", "x", status=None, error="timeout")
    s = store.feed_state("https://x.test/feed")
    assert s["consecutive_failures"] == 2 and s["etag"] == '"abc"' and s["item_count"] == 3
    assert s["last_success_at"] is not None
    store.update_feed_state("https://x.test/feed", "x", status=304, error=None)
    assert store.feed_state("https://x.test/feed")["consecutive_failures"] == 0


def test_seen_items(store) -> None:
    assert store.unseen_keys(["a", "b"]) == {"a", "b"}
    store.mark_seen("a", "https://x.test/a", "x", "stored")
    store.mark_seen("b", "https://x.test/b", "x", "new")
    assert store.unseen_keys(["a", "b", "c"]) == {"b", "c"}
    assert store.unseen_keys([]) == set()


def test_failures_fetches_and_stats(store) -> None:
    store.record_failure(Failure("https://x.test/1", "extract", "too_short", "12 characters"))
    store.record_fetch(FetchResult(url="https://x.test/feed", final_url="https://x.test/feed", status=None,
                                   error="timeout"), outlet_id="x")
    store.upsert_article(art("https://x.test/a", "t", country="FR", language="fr"))
    st = store.stats()
    assert st["failures_by_reason"] == {"extract:too_short": 1}
    assert st["fetches"] == {"timeout": 1}
    assert st["by_country"] == {"FR": 1} and st["articles"] == 1
    assert store.failures()[0]["reason"] == "too_short"


# --------------------------------------------------------------------------- transactions / raw layer


def test_transactions_roll_back_on_error(store) -> None:
    errors: tuple[type[BaseException], ...] = (sqlite3.IntegrityError,)
    try:
        import psycopg

        errors += (psycopg.errors.IntegrityError,)
    except ImportError:
        pass
    with pytest.raises(errors):
        with store.tx():
            store.upsert_article(art("https://example.org/t", "text"))
            with store.tx():  # nested: joins the outer transaction
                store.record_failure(Failure("u", "s", "r"))
            store.execute("INSERT INTO articles(id, url, canonical_url, content_hash, fetched_at, updated_at)"
                          " VALUES (1, 'u', 'u2', 'h', 'x', 'x')")
    assert store.count_articles() == 0 and store.failures() == []
    assert store.integrity_check() == "ok"
    with store.tx():
        store.upsert_article(art("https://example.org/t", "text"))
    assert store.count_articles() == 1


def test_db_layer_placeholders_quotes_and_literals(store) -> None:
    store.execute("INSERT INTO failures(url, stage, reason, detail, at) VALUES (?, 'st?ge', ?, '100%', ?)",
                  ("u?", "r", "2026"))
    row = store.query_one("SELECT url, stage, detail FROM failures WHERE reason = ? AND detail LIKE '10%'", ("r",))
    assert row == {"url": "u?", "stage": "st?ge", "detail": "100%"}
    store.executemany("INSERT INTO failures(url, stage, reason, at) VALUES (?,?,?,?)",
                      [("a", "s", "x", "t"), ("b", "s", "x", "t")])
    store.executemany("INSERT INTO failures(url, stage, reason, at) VALUES (?,?,?,?)", [])
    assert store.scalar("SELECT COUNT(*) FROM failures WHERE reason = ?", ["x"]) == 2
    assert store.execute("DELETE FROM failures WHERE reason = ?", ("x",)) == 2
    # SQLite's `IS NOT` between values means "distinct from" (NULL-safe) on both backends.
    assert store.scalar("SELECT COUNT(*) FROM failures WHERE outlet_id IS NOT ?", ("o",)) == 1
    assert store.scalar("SELECT COUNT(*) FROM failures WHERE outlet_id IS ?", (None,)) == 1


# --------------------------------------------------------------------------- stories / embeddings (portable parts)


def test_embeddings_round_trip(store) -> None:
    ids = [store.upsert_article(art(f"https://e.test/{n}", f"text {n}"))[0] for n in range(3)]
    vecs = {i: np.eye(4, dtype=np.float32)[n] for n, i in enumerate(ids)}
    store.save_embeddings("m", vecs)
    got = store.get_embeddings(ids, "m")
    assert all(np.array_equal(got[i], vecs[i]) for i in ids)
    assert [i for i, _ in store.window_embeddings(dt.datetime(2000, 1, 1, tzinfo=dt.UTC), "m")] == ids


def test_story_membership_and_counts(store) -> None:
    at = dt.datetime(2026, 11, 20, tzinfo=dt.UTC)
    a = store.upsert_article(art("https://s.test/1", "one", country="FR", outlet_id="o1", published_at=at))[0]
    b = store.upsert_article(art("https://s.test/2", "two", country="DE", outlet_id="o2", published_at=at))[0]
    sid = store.create_story([a], at=at)
    store.add_to_story(sid, b, score=0.8, at=at)
    st = store.get_story(sid)
    assert st is not None and st["article_ids"] == [a, b] and st["country_count"] == 2
    assert store.unclustered_article_ids() == []
    assert store.membership() == {sid: [a, b]}


def test_story_lists_filter_and_page_by_keyset(store) -> None:
    at = dt.datetime(2026, 11, 20, tzinfo=dt.UTC)
    sids = []
    for n, (covering, flag) in enumerate([(["FR"], False), (["FR", "US"], True), (["DE"], True), (["US"], False)]):
        aids = [store.upsert_article(art(f"https://l.test/{n}/{cc}", f"text {n} {cc}", country=cc,
                                         published_at=at + dt.timedelta(hours=n)))[0] for cc in covering]
        sid = store.create_story(aids, at=at)  # country_count: 2 for the FR+US story, else 1
        store.save_story_synthesis(sid, {"headline": f"h{n}", "countries_covering": covering,
                                         "countries_mentioned": ["CL"] if n == 2 else [],
                                         "blindspot": {"flag": flag}})
        sids.append(sid)
    newest_first = sids[::-1]

    def ids(rows: list[dict]) -> list[int]:
        return [int(r["id"]) for r in rows]

    assert ids(store.list_stories()) == newest_first
    assert ids(store.list_stories(country="fr")) == [sids[1], sids[0]]
    assert ids(store.list_stories(exclude_covering="US")) == [sids[2], sids[0]]
    assert ids(store.list_stories(country="FR", exclude_covering="US")) == [sids[0]]
    assert ids(store.list_stories(mentioned="CL")) == [sids[2]]
    assert ids(store.list_stories(blindspot=True)) == [sids[2], sids[1]]
    assert ids(store.list_stories(blindspot=False)) == [sids[3], sids[0]]
    assert ids(store.list_stories(since=at + dt.timedelta(hours=2))) == [sids[3], sids[2]]
    page, seen = store.list_stories(limit=3), []
    while page:
        seen += ids(page)
        page = store.list_stories(limit=3, before=(page[-1]["last_updated"], page[-1]["id"]))
    assert seen == newest_first
    assert ids(store.blindspot_stories()) == [sids[1], sids[2]]  # most countries covering first
    assert ids(store.top_stories(limit=1)) == [sids[1]]
    assert ids(store.top_stories(since=at + dt.timedelta(hours=3))) == [sids[3]]


# --------------------------------------------------------------------------- the other areas' store tests

_OTHER_AREA_TESTS = sorted(
    p.stem for p in Path(__file__).parent.glob("test_*_store.py") if p.stem not in ("test_store_contract",)
)


def _portable(fn: object) -> bool:
    """A test that needs nothing but the ``store`` fixture (plus its own parametrize arguments)."""
    params = set(inspect.signature(fn).parameters)  # type: ignore[arg-type]
    marks = getattr(fn, "pytestmark", [])
    for m in marks:
        if m.name == "parametrize":
            names = m.args[0]
            params -= set(names.split(",") if isinstance(names, str) else names)
    return params == {"store"}


for _mod_name in _OTHER_AREA_TESTS:
    try:
        _mod = importlib.import_module(f"tests.{_mod_name}")
    except Exception:  # noqa: BLE001 - a broken foreign test module is reported by its own file, not here
        continue
    for _name, _fn in vars(_mod).items():
        if _name.startswith("test_") and inspect.isfunction(_fn) and _fn.__module__ == _mod.__name__ and _portable(_fn):
            globals()[f"test_{_mod_name.removeprefix('test_')}__{_name.removeprefix('test_')}"] = _fn


def test_adding_to_a_merged_story_adds_to_the_story_that_kept_its_articles(store) -> None:
    at = dt.datetime(2026, 11, 20, 12, tzinfo=dt.UTC)
    a, b, c = (store.upsert_article(art(f"https://m.example/{i}", f"text {i}"))[0] for i in range(3))
    keep = store.create_story([a], at=at)
    gone = store.create_story([b], at=at)
    store.merge_stories(keep, gone, at=at)
    assert store.live_story_id(gone) == keep and store.live_story_id(keep) == keep
    store.add_to_story(gone, c, score=0.9, at=at)  # a caller holding the id from before the merge
    assert store.story_of_article(c) == keep
    assert sorted(store.story_member_ids(keep)) == sorted([a, b, c])


def test_a_translation_drops_the_vector_made_without_it(store) -> None:
    aid = store.upsert_article(art("https://t.example/1", "Ein Text", language="de"))[0]
    store.save_embeddings("m", {aid: np.ones(4, dtype=np.float32) / 2})
    assert aid in store.get_embeddings([aid], "m", fresh_only=True)
    store.save_translation(aid, "A title", "A text", [], "test", "test-model")
    assert store.get_embeddings([aid], "m") == {}


# --------------------------------------------------------------------------- story dates (issue 13 item 5)


def test_story_is_dated_by_its_articles_publication_times(store) -> None:
    """first_seen/last_updated are the members' publication times; a later-fetched undated copy moves
    neither; date_source says 'published'."""
    pub1 = dt.datetime(2024, 11, 5, 9, 10, tzinfo=dt.UTC)
    pub2 = dt.datetime(2024, 11, 6, 7, 0, tzinfo=dt.UTC)
    fetched = dt.datetime(2026, 12, 1, tzinfo=dt.UTC)  # ingested two years later
    a = store.upsert_article(art("https://d.test/1", "one", published_at=pub1, fetched_at=fetched))[0]
    b = store.upsert_article(art("https://d.test/2", "two", published_at=pub2, fetched_at=fetched))[0]
    c = store.upsert_article(art("https://d.test/3", "three", fetched_at=fetched))[0]  # no date known
    sid = store.create_story([a, b, c], at=fetched)
    st = store.get_story(sid)
    assert st["first_seen"].startswith("2024-11-05T09:10")
    assert st["last_updated"].startswith("2024-11-06T07:00")
    assert st["date_source"] == "published"


def test_story_without_any_publication_time_is_dated_by_fetch_and_says_so(store) -> None:
    f1 = dt.datetime(2026, 12, 1, 8, tzinfo=dt.UTC)
    f2 = dt.datetime(2026, 12, 2, 8, tzinfo=dt.UTC)
    a = store.upsert_article(art("https://e.test/1", "one", fetched_at=f1))[0]
    b = store.upsert_article(art("https://e.test/2", "two", fetched_at=f2))[0]
    sid = store.create_story([a], at=f2)
    assert store.get_story(sid)["date_source"] == "fetched"
    store.add_to_story(sid, b, at=f2)
    st = store.get_story(sid)
    assert st["first_seen"].startswith("2026-12-01T08") and st["last_updated"].startswith("2026-12-02T08")
    assert st["date_source"] == "fetched"
    # a dated member arrives: the story is now dated by it alone
    pub = dt.datetime(2026, 11, 30, 12, tzinfo=dt.UTC)
    c = store.upsert_article(art("https://e.test/3", "three", published_at=pub, fetched_at=f2))[0]
    store.add_to_story(sid, c, at=f2)
    st = store.get_story(sid)
    assert st["first_seen"].startswith("2026-11-30T12") and st["last_updated"].startswith("2026-11-30T12")
    assert st["date_source"] == "published"


def test_story_dates_migration_backfills_stories_stored_before(store) -> None:
    """The 0007 backfill re-dates a story whose row still carries ingest times (as stored before it)."""
    from globewire.store.db import iso

    pub = dt.datetime(2022, 3, 1, 10, tzinfo=dt.UTC)
    fetched = dt.datetime(2026, 12, 3, tzinfo=dt.UTC)
    a = store.upsert_article(art("https://f.test/1", "one", published_at=pub, fetched_at=fetched))[0]
    b = store.upsert_article(art("https://f.test/2", "two", fetched_at=fetched))[0]
    sid = store.create_story([a, b], at=fetched)
    # what the old maintenance stored: COALESCE(published, fetched) extremes, no date_source
    store.execute("UPDATE stories SET last_updated = ?, date_source = 'fetched' WHERE id = ?", (iso(fetched), sid))
    sql = next(text for name, text in store.migration_files() if name.startswith("0007"))
    backfill = sql[sql.index("UPDATE stories"):]
    with store.tx():
        store.execute(backfill)
    st = store.get_story(sid)
    assert st["first_seen"].startswith("2022-03-01T10") and st["last_updated"].startswith("2022-03-01T10")
    assert st["date_source"] == "published"


# --------------------------------------------------------------------------- pending work (resume by state)


def test_pending_work_is_found_by_state(store) -> None:
    """What a killed run leaves half done is found from the tables alone: articles in no story, translated
    articles not re-clustered with their English, stories whose members changed since their synthesis,
    clustered articles without a vector, story counts out of step with the members, overdue translations."""
    at = dt.datetime(2026, 11, 20, 12, tzinfo=dt.UTC)
    a, b, c, d = (store.upsert_article(art(f"https://p.example/{i}", f"Text {i}", language="de"))[0]
                  for i in range(4))
    assert store.unclustered_article_ids() == [a, b, c, d] and store.unclustered_article_ids(limit=2) == [a, b]
    assert not store.has_stories()
    sid = store.create_story([a, b], at=at)
    assert store.has_stories()
    assert store.unclustered_article_ids() == [c, d]
    # members changed, no synthesis yet: due; the synthesis clears it; a new member makes it due again
    assert store.stories_due_synthesis() == [sid]
    store.save_story_synthesis(sid, {"headline": "H"})
    assert store.stories_due_synthesis() == []
    store.add_to_story(sid, c, score=0.9, at=at)
    assert store.stories_due_synthesis() == [sid]
    store.save_story_synthesis(sid, {"headline": "H"})
    # a story merged away is never due
    other = store.create_story([d], at=at)
    store.merge_stories(sid, other, at=at)
    store.save_story_synthesis(sid, {"headline": "H"})
    assert store.stories_due_synthesis() == []
    # vectors: clustered articles without one of this model
    store.save_embeddings("m", {i: np.ones(4, dtype=np.float32) / 2 for i in (a, b, c)})
    assert store.clustered_without_embedding_ids("m") == [d]
    assert store.clustered_without_embedding_ids("other") == [a, b, c, d]
    # a translation waits for its re-clustering (a new vector alone, made by whoever reads the story window,
    # does not count); a re-clustering that started before a newer translation leaves that one pending
    assert store.translated_not_reclustered_ids() == []
    before = dt.datetime.now(dt.UTC) - dt.timedelta(seconds=5)
    store.save_translation(b, "A title", "A text", [], "test", "test-model")
    assert store.translated_not_reclustered_ids() == [b]
    store.save_embeddings("m", {b: np.ones(4, dtype=np.float32) / 2})
    assert store.translated_not_reclustered_ids() == [b]
    store.mark_reclustered([b], translated_before=before)
    assert store.translated_not_reclustered_ids() == [b]
    store.mark_reclustered([b, d], translated_before=dt.datetime.now(dt.UTC) + dt.timedelta(seconds=5))
    assert store.translated_not_reclustered_ids() == []
    # overdue translations: pending and stored before the given time
    later = dt.datetime.now(dt.UTC) + dt.timedelta(hours=1)
    assert store.translations_overdue(later) == [a, c, d]
    assert store.translations_overdue(later - dt.timedelta(days=1)) == []
    # counts: a live story whose members are gone
    assert store.stories_with_wrong_counts() == []
    store.execute("UPDATE stories SET article_count = 5 WHERE id = ?", (sid,))  # a count out of step
    assert store.stories_with_wrong_counts() == [sid]
    store.refresh_story_counts([sid])
    assert store.stories_with_wrong_counts() == []


def test_coverage_elsewhere_links_follow_the_articles_stories(store) -> None:
    at = dt.datetime(2026, 11, 20, 12, tzinfo=dt.UTC)
    a, b, c, d = (store.upsert_article(art(f"https://l.example/{i}", f"text {i}"))[0] for i in range(4))
    s1 = store.create_story([a], at=at)
    s2 = store.create_story([b], at=at)
    s3 = store.create_story([c, d], at=at)
    store.link_articles(a, [(b, 0.62), (c, 0.55), (a, 0.99)])  # a link to itself is ignored
    store.link_articles(b, [(a, 0.70)])  # the higher score of a pair wins, in both directions
    assert store.coverage_elsewhere(s1) == [(s2, 0.7), (s3, 0.55)]
    assert store.coverage_elsewhere(s2) == [(s1, 0.7)]
    assert store.coverage_elsewhere(s3) == [(s1, 0.55)]
    assert store.coverage_elsewhere(s1, limit=1) == [(s2, 0.7)]
    store.merge_stories(s1, s2, at=at)  # confirmed later: the link now lies inside one story
    assert store.coverage_elsewhere(s1) == [(s3, 0.55)]
    store.clear_stories()
    assert store.query("SELECT COUNT(*) AS n FROM article_links")[0]["n"] == 0


# --------------------------------------------------------------------------- domain methods behind former SQL


def test_claiming_a_feed_item_admits_exactly_one_caller(store) -> None:
    assert store.claim_seen_item("k1", "https://c.test/1", "o") is True
    assert store.claim_seen_item("k1", "https://c.test/1", "o") is False  # already queued
    store.mark_seen("k2", "https://c.test/2", "o", "new")
    assert store.claim_seen_item("k2", "https://c.test/2", "o") is True  # 'new' may be claimed once
    assert store.claim_seen_item("k2", "https://c.test/2", "o") is False
    store.mark_seen("k3", "https://c.test/3", "o", "stored")
    assert store.claim_seen_item("k3", "https://c.test/3", "o") is False
    assert store.unseen_keys(["k1", "k2", "k3", "k4"]) == {"k4"}


def test_outlet_counts_by_country_count_enabled_outlets(store) -> None:
    assert store.outlet_counts_by_country() == {}
    store.sync_outlets([
        Outlet(id="f1", name="F1", homepage="https://f1.test/", country="FR", languages=("en",)),
        Outlet(id="f2", name="F2", homepage="https://f2.test/", country="FR", languages=("en",)),
        Outlet(id="d1", name="D1", homepage="https://d1.test/", country="DE", languages=("en",)),
        Outlet(id="d2", name="D2", homepage="https://d2.test/", country="DE", enabled=False, languages=("en",)),
        Outlet(id="e1", name="E1", homepage="https://e1.test/", country="ES", enabled=False, languages=("en",)),
    ])
    assert store.outlet_counts_by_country() == {"FR": 2, "DE": 1}


def test_article_lookups_for_dedup_and_boilerplate(store) -> None:
    assert store.max_article_id() == 0 and store.minhashes_after(0) == []
    a = store.upsert_article(art("https://m.test/a", "alpha text", outlet_id="o1", minhash=b"\x01\x02"))[0]
    b = store.upsert_article(art("https://m.test/b", "beta text", outlet_id="o1"))[0]
    c = store.upsert_article(art("https://m.test/c", "gamma text", outlet_id="o1", minhash=b"\x03"))[0]
    d = store.upsert_article(art("https://m.test/d", "delta text", outlet_id="o2"))[0]
    assert store.max_article_id() == max(a, b, c, d)
    assert store.minhashes_after(0) == [(a, b"\x01\x02"), (c, b"\x03")]
    assert store.minhashes_after(a) == [(c, b"\x03")]
    assert store.minhashes_after(c) == []
    store.set_duplicate(c, a, 0.93)
    assert store.duplicate_of(c) == a
    assert store.duplicate_of(a) is None and store.duplicate_of(10**9) is None
    # originals only, newest first, bounded by id and limit, one outlet
    assert store.recent_outlet_texts("o1", up_to_id=d, limit=10) == ["beta text", "alpha text"]
    assert store.recent_outlet_texts("o1", up_to_id=a, limit=10) == ["alpha text"]
    assert store.recent_outlet_texts("o1", up_to_id=d, limit=1) == ["beta text"]
    assert store.recent_outlet_texts("nobody", up_to_id=d, limit=10) == []
    # without a catalogue outlet: by site (the domain and its subdomains; LIKE wildcards in it are literal)
    e = store.upsert_article(art("https://news.police.example/r/1", "release one"))[0]
    f = store.upsert_article(art("https://police.example/r/2", "release two"))[0]
    store.upsert_article(art("https://otherpolice.example/r/3", "not theirs"))
    store.upsert_article(art("https://police_example.test/r/4", "underscore site"))
    assert store.recent_site_texts("police.example", up_to_id=10**9, limit=10) == ["release two", "release one"]
    assert store.recent_site_texts("police.example", up_to_id=e, limit=10) == ["release one"]
    assert store.recent_site_texts("police.example", up_to_id=f, limit=1) == ["release two"]
    assert store.recent_site_texts("m.test", up_to_id=10**9, limit=10) == []  # those have an outlet
    assert store.recent_site_texts("police%example", up_to_id=10**9, limit=10) == []
    assert store.recent_site_texts("police_example.test", up_to_id=10**9, limit=10) == ["underscore site"]


def test_stories_fingerprint_count_and_sample(store) -> None:
    assert store.stories_fingerprint() == (0, 0, 0)
    assert store.count_stories() == 0 and store.sample_story_ids(5) == []
    at = dt.datetime(2026, 11, 20, tzinfo=dt.UTC)
    a, b = (store.upsert_article(art(f"https://f.test/{i}", f"text {i}"))[0] for i in range(2))
    s1 = store.create_story([a], at=at)
    first = store.stories_fingerprint()
    assert first[1] >= 1 and first[2] == s1
    s2 = store.create_story([b], at=at)
    second = store.stories_fingerprint()
    assert second != first and second[2] == s2 and second[1] > first[1]
    assert store.count_stories() == 2
    assert sorted(store.sample_story_ids(10)) == sorted([s1, s2])
    assert len(store.sample_story_ids(1)) == 1


def test_backfill_bookkeeping_comes_from_the_migrations(store) -> None:
    assert "0015_backfill.sql" in store.applied_migrations()
    assert store.has_backfill_job("j1") is False
    assert store.backfill_progress("j1") == {"ranges": 0, "done": 0, "records": 0, "stored": 0, "failures": 0}
    ranges = [("/w/b.warc.gz", 0, 100), ("/w/a.warc.gz", 5000, 100), ("/w/a.warc.gz", 0, 100)]
    store.create_backfill_job("j1", paths='["/w/a.warc.gz", "/w/b.warc.gz"]', facts="{}", ranges=ranges)
    store.create_backfill_job("j1", paths="[]", facts="{}", ranges=ranges)  # idempotent: nothing doubles
    assert store.has_backfill_job("j1") is True
    todo = store.backfill_ranges_todo("j1")
    assert [(r["path"], int(r["start_offset"]), int(r["record_count"])) for r in todo] == sorted(ranges)
    store.finish_backfill_range("j1", "/w/a.warc.gz", 5000, records=100, stored=90, failures=3)
    assert [(r["path"], int(r["start_offset"])) for r in store.backfill_ranges_todo("j1")] == [
        ("/w/a.warc.gz", 0), ("/w/b.warc.gz", 0)]
    assert store.backfill_progress("j1") == {"ranges": 3, "done": 1, "records": 100, "stored": 90, "failures": 3}
    assert store.backfill_ranges_todo("other") == []


def test_bulk_load_writes_rows_and_the_search_index(store) -> None:
    now = "2026-11-20T12:00:00+00:00"
    store.bulk_insert("outlets", ("id", "name", "homepage", "country", "languages", "ownership", "ownership_source",
                                  "enabled", "data", "updated_at"),
                      [("bx", "BX", "https://bx.test/", "FR", '["fr"]', "private", "", 1, "{}", now)])
    cols = ("id", "url", "canonical_url", "outlet_id", "country", "language", "title", "text", "published_at",
            "authors", "content_hash", "source", "version", "fetched_at", "updated_at", "extra")
    rows = [(i, f"https://bx.test/{i}", f"https://bx.test/{i}", "bx", "FR", "fr", f"Titre {w}",
             f"Le texte parle de {w}.", now, "[]", f"h{i}", "bulk", 1, now, now, "{}")
            for i, w in ((10, "pommes"), (20, "poires"))]
    assert store.bulk_insert("articles", cols, rows) == 2
    assert store.bulk_insert("articles", cols, rows) == 2  # rows already present are skipped
    assert store.count_articles() == 2 and store.max_article_id() == 20
    fts = [(r[0], r[6], r[7], "", "") for r in rows]
    store.bulk_index_search(fts)
    store.bulk_index_search(fts)  # already indexed: left as it is, no second hit
    assert [h["id"] for h in store.search_articles("poires")] == [20]
    assert store.outlet_counts_by_country() == {"FR": 1}
    assert sorted(store.sample_article_titles(5)) == ["Titre poires", "Titre pommes"]
    store.analyze()
    # the next id generated comes after the loaded ones (PostgreSQL's sequence is moved past them)
    new_id, status = store.upsert_article(art("https://bx.test/new", "un autre texte"))
    assert status == "new" and new_id > 20
    s = store.create_story([10], at=dt.datetime(2026, 11, 20, tzinfo=dt.UTC))
    store.bulk_insert("story_articles", ("story_id", "article_id", "score", "joined_at"), [(s, 20, 1.0, now)])
    assert store.membership()[s] == [10, 20]
    with pytest.raises(ValueError, match="not one of"):
        store.bulk_insert("schema_migrations", ("name", "applied_at"), [("x", now)])
    with pytest.raises(ValueError, match="values for 3 columns"):
        store.bulk_insert("story_countries", ("story_id", "country", "role"), [(s, "FR", "covering"), (s, "DE")])
    with pytest.raises(ValueError, match="not column names"):
        store.bulk_insert("story_countries", ("story_id", "country; DROP TABLE x"), [(s, "FR")])
    assert store.count_stories() == 1 and store.bulk_insert("stories", ("id", "headline"), []) == 0
