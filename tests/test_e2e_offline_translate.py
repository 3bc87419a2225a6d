"""End to end, offline: the default ctranslate2 backend with no model installed and the model hub unreachable
(its endpoint set to a closed loopback port). A German page is ingested, stored untranslated, flagged for a later
retry, and the user is told which command fetches the model."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest

from globewire.store import open_store
from tests.e2e_helpers import cli, free_port
from tests.ingest_pages import PAGES, page_html

FIX = "globewire models pull de"
LOG_LINE = re.compile(r"^\d{4}-\d\d-\d\dT")  # structlog's console lines start with a timestamp


@pytest.fixture
def offline(tmp_path: Path) -> dict[str, Any]:
    lang, url, title, paras = PAGES["de-bahn.html"]
    (tmp_path / "pages").mkdir()
    (tmp_path / "pages" / "bahn.html").write_text(page_html(lang, url, title, paras), encoding="utf-8")
    closed = free_port()  # bound and released: nothing listens there
    env = {"GLOBEWIRE_TRANSLATE__HUB_ENDPOINT": f"http://127.0.0.1:{closed}",
           "GLOBEWIRE_TRANSLATE__MODELS_DIR": str(tmp_path / "models"), "GLOBEWIRE_WORKERS": "1"}
    assert "GLOBEWIRE_TRANSLATE__BACKEND" not in env  # the default backend: ctranslate2
    db = tmp_path / "globewire.db"
    res = cli("ingest", str(tmp_path / "pages"), "--db", str(db), env=env)
    return {"db": db, "env": env, "url": url, "title": title, "ingest": res}


def user_lines(stderr: str) -> list[str]:
    """The messages the command prints for the user on stderr about German (not the structured log lines),
    each joined back into one line when the terminal width wrapped it."""
    out: list[str] = []
    for line in stderr.splitlines():
        if line.startswith("de: "):
            out.append(line)
        elif out and line.strip() and not LOG_LINE.match(line) and not line.startswith("translating"):
            out[-1] += " " + line.strip()
    return out


def test_offline_ingest_keeps_the_article_untranslated_and_names_the_fix(offline: dict[str, Any]) -> None:
    res = offline["ingest"]
    lines = user_lines(res.stderr)
    assert len(lines) == 1 and FIX in lines[0], res.stderr
    assert "Ingest" in res.stdout
    store = open_store(str(offline["db"]))
    try:
        [row] = store.query("SELECT id, language, title FROM articles")
        assert row["language"] == "de" and row["title"] == offline["title"]
        t = store.get_translation(int(row["id"]))
        assert t is not None and t.status == "unavailable"
        assert not t.title_en and not t.text_en
        assert t.next_retry_at  # retried later, not given up
        assert FIX in (t.last_error or "")
    finally:
        store.close()
    # The JSON report of the same run carries the full reason too.
    again = json.loads(cli("translate", "--db", str(offline["db"]), "--json", env=offline["env"]).stdout)
    assert again["translated"] == 0  # not due yet: nothing is retried at once


def test_stats_flag_the_untranslated_article(offline: dict[str, Any]) -> None:
    stats = json.loads(cli("stats", "--db", str(offline["db"]), "--json", env=offline["env"]).stdout)
    assert stats["articles"] == 1 and stats["by_language"] == {"de": 1}
    tr = stats["translation"]
    assert tr["unavailable"] == 1 and tr["translated"] == 0
    assert tr["by_language"]["de"] == {"unavailable": 1}
    assert tr["next_retry_at"] and tr["oldest_untranslated_at"]
    assert stats["failures_by_reason"].get("translate:unavailable") == 1
    assert any("de" in e for e in tr["last_errors"])


def test_stats_name_the_fix(offline: dict[str, Any]) -> None:
    """`globewire stats` is where a user looks for why nothing is translated: the reason must keep its fix."""
    stats = json.loads(cli("stats", "--db", str(offline["db"]), "--json", env=offline["env"]).stdout)
    errors = " ".join(stats["translation"]["last_errors"])
    assert FIX in errors, f"the stats cut the reason before the command that fixes it: {errors!r}"


def test_translate_command_repeats_the_fix_when_retried(offline: dict[str, Any]) -> None:
    # `--redo` forgets the flag and tries again at once: still offline, still the same advice.
    res = cli("translate", "--db", str(offline["db"]), "--redo", env=offline["env"])
    assert any(FIX in line for line in user_lines(res.stderr)), res.stderr
