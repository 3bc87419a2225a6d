"""Copies and updates of one wire story, pasted from different sites and apps, are linked through their
furniture: `globewire ingest` of the .txt files on a real SQLite file links them with duplicate_of, while other
stories about the same event stay apart."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

from typer.testing import CliRunner

from globewire.bench.pasted import load_fixture
from globewire.cli import app

FIX = Path(__file__).parent / "fixtures" / "pasted" / "tune"
runner = CliRunner()

METHANE = ["wire_methane_original", "app_methane_share", "gnews_methane_update", "in_methane_update",
           "print_methane_update"]
QUAKE = ["ap_quake_original", "us_local_quake_syndicated", "app_msn_like"]
# Same events, other writers: must not be linked to each other.
SHREWSBURY = ["uk_bbc_like", "uk_independent_like"]


def _write(tmp_path: Path, names: list[str]) -> Path:
    folder = tmp_path / "pastes"
    folder.mkdir(exist_ok=True)
    for i, name in enumerate(names):
        (folder / f"{i:02d}_{name}.txt").write_text(load_fixture(FIX / f"{name}.pasted").text, encoding="utf-8")
    return folder


def _rows(db: Path) -> dict[str, dict]:
    con = sqlite3.connect(db)
    con.row_factory = sqlite3.Row
    rows = {Path(r["url"]).name.split("_", 1)[1].removesuffix(".txt"): dict(r)
            for r in con.execute("SELECT id, url, title, duplicate_of, published_at FROM articles")}
    con.close()
    return rows


def test_wire_story_its_update_and_syndicated_copies_are_linked(tmp_path) -> None:
    db = tmp_path / "gw.db"
    folder = _write(tmp_path, METHANE + QUAKE + SHREWSBURY)
    res = runner.invoke(app, ["ingest", str(folder), "--db", str(db), "--no-stories"], catch_exceptions=False)
    assert res.exit_code == 0, res.output
    rows = _rows(db)
    assert set(rows) == set(METHANE + QUAKE + SHREWSBURY)

    def root(name: str) -> int:
        r = rows[name]
        return r["duplicate_of"] or r["id"]

    # the update ("voted on Tuesday", a paragraph added), republished by an app, a site and a print view,
    # is a version of the original wire story
    assert {root(n) for n in METHANE} == {rows["wire_methane_original"]["id"]}
    assert {root(n) for n in QUAKE} == {rows["ap_quake_original"]["id"]}
    assert root("uk_bbc_like") != root("uk_independent_like")
    assert root("uk_bbc_like") not in {root(n) for n in METHANE + QUAKE}
    # the cleaned titles and dates reached the store
    assert rows["gnews_methane_update"]["title"] == "European Parliament approves methane limits for gas imports"
    assert rows["in_methane_update"]["published_at"].startswith("2024-11-05")
    assert rows["app_methane_share"]["published_at"].startswith("2024-11-04")


def test_jsonl_text_bodies_are_cleaned_like_text_files(tmp_path) -> None:
    db = tmp_path / "gw.db"
    fx = load_fixture(FIX / "in_methane_update.pasted")
    rec = {"url": "https://www.business-standard.example/world/methane", "text": fx.text}
    path = tmp_path / "records.jsonl"
    path.write_text(json.dumps(rec) + "\n", encoding="utf-8")
    res = runner.invoke(app, ["ingest", str(path), "--db", str(db), "--no-stories"], catch_exceptions=False)
    assert res.exit_code == 0, res.output
    con = sqlite3.connect(db)
    title, text, published = con.execute("SELECT title, text, published_at FROM articles").fetchone()
    con.close()
    assert title == fx.title
    assert published.startswith("2024-11-05")
    body = text.split("\n")
    assert body == list(fx.body)
    assert not set(body) & set(fx.furniture)


def test_unspaced_scripts_are_matched_on_character_pairs() -> None:
    from globewire.dedup import minhash_of, text_for_matching
    from globewire.extract.text import clean_pasted_text

    def sig(name: str, extra: str = ""):
        ex = clean_pasted_text(load_fixture(FIX / f"{name}.pasted").text + extra, "x")
        return minhash_of(text_for_matching(ex.text))

    wire = sig("cn_xinhua_like")
    # the copy on another portal, updated with one more paragraph
    update = sig("cn_163_xinhua_copy", "\n气象部门预计，台风将于17日减弱为热带风暴，上海市内交通将在当天下午逐步恢复正常运营。\n")
    other = sig("cn_thepaper_like")  # the same typhoon, another newsroom's story
    assert wire is not None and update is not None and other is not None  # no longer "too short" as one word
    assert wire.jaccard(update) >= 0.5
    assert wire.jaccard(other) < 0.2


def test_relative_date_is_read_against_the_time_the_file_was_saved(tmp_path) -> None:
    import datetime as dt
    import os

    db = tmp_path / "gw.db"
    paste = tmp_path / "saved.txt"
    body = load_fixture(FIX / "plain_no_chrome.pasted").text.split("\n", 1)[1]
    paste.write_text("City News\nCity council delays vote on new bus lanes\n2 hours ago\nShare\n" + body, encoding="utf-8")
    saved = dt.datetime(2024, 11, 5, 12, 0, tzinfo=dt.UTC)
    os.utime(paste, (saved.timestamp(), saved.timestamp()))
    res = runner.invoke(app, ["ingest", str(paste), "--db", str(db), "--no-stories"], catch_exceptions=False)
    assert res.exit_code == 0, res.output
    con = sqlite3.connect(db)
    title, published, text = con.execute("SELECT title, published_at, text FROM articles").fetchone()
    con.close()
    assert title == "City council delays vote on new bus lanes"
    assert dt.datetime.fromisoformat(published) == saved - dt.timedelta(hours=2)
    assert "Share" not in text.split("\n") and "2 hours ago" not in text
