"""`globewire cluster`, `stories`, `story`, `export stories` on a real SQLite file with the corpus."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from globewire.cli import app
from globewire.store import open_store
from globewire.cli.stories import BadSince, parse_since
from tests.test_cluster_corpus import EXPECTED, load_corpus

runner = CliRunner()


@pytest.fixture(scope="module")
def db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("cli") / "gw.db"
    store = open_store(str(path))
    load_corpus(store)
    store.close()
    r = runner.invoke(app, ["cluster", "--db", str(path), "--json"])
    assert r.exit_code == 0, r.output
    out = json.loads(r.stdout)
    assert out["stories"] == len(EXPECTED["events"])
    return path


def test_stories_list_and_filters(db: Path) -> None:
    r = runner.invoke(app, ["stories", "--db", str(db), "--json"])
    assert r.exit_code == 0, r.output
    stories = json.loads(r.stdout)
    assert len(stories) == len(EXPECTED["events"])
    assert [s["last_updated"] for s in stories] == sorted((s["last_updated"] for s in stories), reverse=True)
    r = runner.invoke(app, ["stories", "--db", str(db), "--json", "--country", "JP"])
    jp = json.loads(r.stdout)
    assert jp and all("JP" in s["countries_covering"] for s in jp)
    r = runner.invoke(app, ["stories", "--db", str(db), "--json", "--since", "2025-09-01"])
    assert len(json.loads(r.stdout)) == 1  # only the EuroBasket final is that late
    r = runner.invoke(app, ["stories", "--db", str(db), "--blindspot", "--json"])
    assert r.exit_code == 0 and all(s["blindspot"]["flag"] for s in json.loads(r.stdout))
    r = runner.invoke(app, ["stories", "--db", str(db)])
    assert r.exit_code == 0 and "headline" in r.stdout


def test_bad_since_is_a_usage_error(db: Path) -> None:
    r = runner.invoke(app, ["stories", "--db", str(db), "--since", "yesterdayish"])
    assert r.exit_code == 2
    with pytest.raises(BadSince):
        parse_since("3 fortnights")
    now = dt.datetime(2026, 11, 2, tzinfo=dt.UTC)
    assert parse_since("24h", now) == dt.datetime(2026, 11, 1, tzinfo=dt.UTC)
    assert parse_since("2026-11-01", now) == dt.datetime(2026, 11, 1, tzinfo=dt.UTC)


def test_story_detail(db: Path) -> None:
    listed = json.loads(runner.invoke(app, ["stories", "--db", str(db), "--json"]).stdout)
    sid = listed[0]["id"]
    r = runner.invoke(app, ["story", str(sid), "--db", str(db), "--json"])
    assert r.exit_code == 0, r.output
    s = json.loads(r.stdout)
    assert s["id"] == sid and s["headline"] and len(s["articles"]) == len(s["article_ids"]) >= 2
    assert s["timeline"] and s["timeline"][0]["kind"] in ("created", "article_added")
    assert runner.invoke(app, ["story", str(sid), "--db", str(db)]).exit_code == 0
    assert runner.invoke(app, ["story", "999999", "--db", str(db)]).exit_code == 1


def test_export_stories_jsonl(db: Path, tmp_path: Path) -> None:
    out = tmp_path / "stories.jsonl"
    r = runner.invoke(app, ["export", "stories", "--db", str(db), "--format", "jsonl", "-o", str(out)])
    assert r.exit_code == 0, r.output
    lines = [json.loads(x) for x in out.read_text(encoding="utf-8").splitlines()]
    assert len(lines) == len(EXPECTED["events"])
    keys = {"id", "headline", "summary", "article_ids", "outlets", "countries_covering", "countries_mentioned",
            "languages", "first_seen", "last_updated", "related_story_ids", "alternative_takes", "blindspot"}
    assert all(keys <= set(x) for x in lines)


def test_cluster_rebuild_is_deterministic(db: Path, tmp_path: Path) -> None:
    import shutil

    copy = tmp_path / "copy.db"
    shutil.copy(db, copy)

    def membership(path: Path) -> list[list[int]]:
        s = open_store(str(path))
        try:
            return sorted(s.membership().values())
        finally:
            s.close()

    before = membership(copy)
    r = runner.invoke(app, ["cluster", "--rebuild", "--db", str(copy), "--json"])
    assert r.exit_code == 0, r.output
    assert membership(copy) == before
    r = runner.invoke(app, ["cluster", "--db", str(copy), "--json"])
    assert json.loads(r.stdout)["articles_in"] == 0
