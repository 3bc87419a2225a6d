"""`db copy` SQLite → PostgreSQL on real files and the real server: every table, ids kept, self-references,
sequences reset, full-text rebuilt (with the English text), verified, resumable and idempotent."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import numpy as np
import pytest
from typer.testing import CliRunner

from globewire.records import Article, Failure, Outlet
from globewire.store.copy import CopyError, copy_store
from globewire.store.sqlite import SQLiteStore
from tests.test_store_contract import pg_url  # noqa: F401 - fixture

AT = dt.datetime(2026, 11, 20, 9, 0, tzinfo=dt.UTC)


def _fill(src: SQLiteStore) -> dict[str, int]:
    src.sync_outlets([Outlet(id="o", name="O", homepage="https://o.test/", country="FR", languages=("fr",))])
    ids = []
    for n in range(30):
        a = Article(url=f"https://o.test/{n}", canonical_url=f"https://o.test/{n}", title=f"Titre {n} ?",
                    text=f"Texte numéro {n} avec 100 % d'accents — é", content_hash=f"h{n}", outlet_id="o",
                    country="FR", language="fr", published_at=AT, minhash=bytes([n, 255, 0]), authors=("A",))
        ids.append(src.upsert_article(a)[0])
    src.upsert_article(Article(url="https://o.test/0", canonical_url="https://o.test/0", title="Titre 0 v2",
                               text="changed", content_hash="h0b"))  # a version row
    src.set_duplicate(ids[0], ids[20], 0.95)  # points forward: needs the second pass
    src.index_english(ids[3], "Title three", "English words about harbours")
    src.save_translation(ids[3], "Title three", "English words about harbours", [], "b", "m")
    s1 = src.create_story(ids[:5], at=AT)
    s2 = src.create_story(ids[5:8], at=AT)
    src.merge_stories(s2, s1, at=AT)  # s1.merged_into = s2 (a later id)
    src.save_embeddings("m", {i: np.full(4, i, dtype=np.float32) for i in ids[:10]})
    for n in range(5):
        src.record_failure(Failure(f"https://o.test/f{n}", "fetch", "timeout"))
    src.mark_seen("k", "https://o.test/1", "o", "stored")
    return {"first": ids[0], "english": ids[3], "last": ids[-1]}


@pytest.mark.postgres
def test_copy_sqlite_to_postgres_without_loss(tmp_path: Path, pg_url: str) -> None:  # noqa: F811
    from globewire.store.postgres import PostgresStore

    src = SQLiteStore(tmp_path / "src.db")
    info = _fill(src)
    dst = PostgresStore(pg_url)
    report = copy_store(src, dst, batch=7)  # several batches per table
    assert report.ok and report.fts_rebuilt == 30
    counts = {t.table: t.target_rows for t in report.tables}
    for table in ("articles", "article_versions", "stories", "story_articles", "embeddings", "failures",
                  "translations", "outlets", "seen_items", "story_updates"):
        assert counts[table] == src.scalar(f"SELECT COUNT(*) FROM {table}") > 0, table
    a = dst.get_article(info["first"])
    assert a is not None and a.duplicate_of == info["last"] - 9 and a.title == "Titre 0 v2"
    assert dst.query_one("SELECT minhash FROM articles WHERE id = ?", (info["last"],))["minhash"] == bytes([29, 255, 0])
    assert [r.id for r in dst.search_articles("harbours")] == [info["english"]]
    assert [r.id for r in dst.search_articles("numero 7")] == [info["first"] + 7]
    assert dst.scalar("SELECT merged_into FROM stories WHERE merged_into IS NOT NULL") is not None
    assert np.array_equal(dst.get_embeddings([info["first"]], "m")[info["first"]], np.full(4, info["first"], np.float32))
    # Sequences: new rows get fresh ids after the copied ones.
    new_id, _ = dst.upsert_article(Article(url="https://o.test/new", canonical_url="https://o.test/new", title="n",
                                           text="n", content_hash="hn"))
    assert new_id == info["last"] + 1
    assert dst.integrity_check() == "ok"

    # Idempotent: a second run copies nothing and still verifies (the new article is only in dst, so the
    # articles table no longer matches: the copy says so instead of passing silently).
    with pytest.raises(CopyError, match="articles"):
        copy_store(src, dst)
    dst.execute("DELETE FROM articles_fts WHERE article_id = ?", (new_id,))
    dst.execute("DELETE FROM articles WHERE id = ?", (new_id,))

    # Resumable: lose the tail of a table (an interrupted run) and copy again.
    dst.execute("DELETE FROM failures WHERE id > 2")
    again = copy_store(src, dst)
    assert again.ok
    assert {t.table: t.copied for t in again.tables}["failures"] == 3
    assert sum(t.copied for t in again.tables) == 3
    src.close()
    dst.close()


@pytest.mark.postgres
def test_db_copy_command(tmp_path: Path, pg_url: str) -> None:  # noqa: F811
    from globewire.cli.scale import standalone
    from globewire.store.postgres import PostgresStore

    src = SQLiteStore(tmp_path / "src.db")
    _fill(src)
    src.close()
    result = CliRunner().invoke(standalone(), ["db-copy", "--from", f"sqlite:///{tmp_path / 'src.db'}",
                                               "--to", pg_url, "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.output[result.output.index("{"):])
    assert data["ok"] is True
    dst = PostgresStore(pg_url)
    assert dst.count_articles() == 30
    dst.close()
    bad = CliRunner().invoke(standalone(), ["db-copy", "--from", f"sqlite:///{tmp_path / 'src.db'}",
                                            "--to", "postgresql://nobody@127.0.0.1:1/none"])
    assert bad.exit_code != 0
