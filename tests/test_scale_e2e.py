"""End to end on the real services: PostgreSQL (fresh schema), RabbitMQ (queues unique to this run), Redis
(host limiter keys unique to this run), two real worker processes, the loopback news site.

One crawl round is enqueued; once the first articles are stored, one worker is killed with SIGKILL. Every
article of the site must still be stored exactly once (late acks: the killed worker's message is redelivered),
every claimed feed item must end 'stored' or 'failed', and, when the clustering stage is present, articles
of the same site story must share one story.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest

from tests.test_store_contract import PG_BASE, drop_schema, pg_reachable

REPO = Path(__file__).resolve().parents[1]
BROKER = os.environ.get("GLOBEWIRE_TEST_AMQP_URL", "amqp://guest:guest@127.0.0.1:5672//")
REDIS = os.environ.get("GLOBEWIRE_TEST_REDIS_URL", "redis://127.0.0.1:6379/0")
E2E_TIMEOUT_S = 100


def broker_reachable() -> str | None:
    from kombu import Connection

    try:
        with Connection(BROKER, connect_timeout=3) as c:
            c.ensure_connection(max_retries=1)
    except Exception as e:  # noqa: BLE001
        return f"RabbitMQ not reachable at {BROKER}: {e}"
    return None


def delete_queues(prefix: str) -> None:
    from kombu import Connection

    from globewire.config.scale import QUEUES

    with Connection(BROKER) as c:
        ch = c.default_channel
        for q in QUEUES:
            try:
                ch.queue_delete(f"{prefix}.{q}")
            except Exception:  # noqa: BLE001 - queue never declared
                ch = c.channel()


@pytest.fixture
def fleet_env(tmp_path: Path):
    for reason in (pg_reachable(), broker_reachable()):
        if reason:
            pytest.skip(reason)
    schema = "t_e2e_" + uuid.uuid4().hex[:10]
    prefix = "gwtest_" + uuid.uuid4().hex[:10]
    env = {
        **os.environ,
        "PYTHONPATH": str(REPO / "src") + os.pathsep + os.environ.get("PYTHONPATH", ""),
        "GLOBEWIRE_CONFIG": str(tmp_path / "none.toml"),
        "GLOBEWIRE_DATA_DIR": str(tmp_path / "data"),
        "GLOBEWIRE_DATABASE_URL": f"{PG_BASE}?schema={schema}",
        "GLOBEWIRE_SCALE__BROKER_URL": BROKER,
        "GLOBEWIRE_SCALE__REDIS_URL": REDIS,
        "GLOBEWIRE_SCALE__QUEUE_PREFIX": prefix,
        "GLOBEWIRE_SCALE__METRICS_PORT": "0",
        "GLOBEWIRE_FETCH__ALLOW_PRIVATE_ADDRESSES": "true",
        "GLOBEWIRE_FETCH__MIN_HOST_DELAY": "0.05",
        "GLOBEWIRE_FETCH__BACKOFF_BASE": "0.1",
        "GLOBEWIRE_FETCH__MAX_RETRIES": "1",
        "GLOBEWIRE_TRANSLATE__BACKEND": "none",
        "GLOBEWIRE_LOG_LEVEL": "WARNING",
    }
    try:
        yield env, schema, prefix
    finally:
        delete_queues(prefix)
        drop_schema(schema)


def start_worker(env: dict[str, str], name: str, log: Path) -> subprocess.Popen[bytes]:
    with log.open("wb") as out:  # the worker writes to its own copy of the descriptor
        return subprocess.Popen(
            [sys.executable, "-m", "globewire.cli.fleet", "worker", "--name", f"{name}@e2e"],
            env=env, cwd=REPO, stdout=out, stderr=subprocess.STDOUT, start_new_session=True,
        )


@pytest.mark.postgres
@pytest.mark.rabbitmq
def test_two_workers_one_killed_every_article_stored_once(fleet_env, tmp_path: Path) -> None:
    from globewire.scale.celery_app import make_app
    from globewire.config.scale import ScaleSettings, queue_name
    from globewire.store.postgres import PostgresStore
    from tests.sites.newsite import NewsSite

    env, schema, prefix = fleet_env
    with NewsSite() as site:
        store = PostgresStore(env["GLOBEWIRE_DATABASE_URL"])
        store.sync_outlets(site.outlets)
        workers = [start_worker(env, f"w{i}", tmp_path / f"w{i}.log") for i in (1, 2)]
        try:
            s = ScaleSettings(broker_url=BROKER, queue_prefix=prefix)
            producer = make_app(s)
            producer.send_task("globewire.scale.tasks.crawl_round", args=[[o.id for o in site.outlets]],
                               queue=queue_name(s, "fetch"))
            expected = {a.url for a in site.articles if not a.disallowed}
            deadline = time.monotonic() + E2E_TIMEOUT_S
            killed = False
            while time.monotonic() < deadline:
                n = store.count_articles()
                if not killed and n >= 2:
                    os.killpg(workers[0].pid, signal.SIGKILL)  # mid-run, no warning
                    killed = True
                if killed and n >= len(expected) and _settled(store):
                    break
                time.sleep(0.5)
            assert killed, "the run ended before a worker could be killed"
            rows = store.query("SELECT canonical_url, url FROM articles")
            stored = {r["url"] for r in rows}
            assert stored == expected, (
                f"missing {sorted(expected - stored)}; unexpected {sorted(stored - expected)};"
                f" failures {store.failures(20)}")
            assert len(rows) == len(stored)
            statuses = {r["status"] for r in store.query("SELECT DISTINCT status FROM seen_items")}
            assert statuses <= {"stored", "failed"}, statuses
            assert store.integrity_check() == "ok"
            try:
                import globewire.stories.stage  # noqa: F401
            except ImportError:
                pytest.skip("stored exactly once; clustering stage (globewire.stories.stage) not present yet")
            _wait_clustered(store, deadline + 20)
            rows = store.query("SELECT a.url, a.duplicate_of, sa.story_id FROM articles a"
                               " LEFT JOIN story_articles sa ON sa.article_id = a.id")
            assert all(r["story_id"] is not None for r in rows), "an article was left out of every story"
            site_story = {a.url: a.story for a in site.articles}
            mixed = {}
            for r in rows:
                mixed.setdefault(r["story_id"], set()).add(site_story[r["url"]])
            # Serialised clustering never puts two different site stories together and never leaves an
            # article in two stories (UNIQUE(article_id)); how many stories one event becomes without
            # translation is the clustering stage's recall, the same in the single-process pipeline.
            assert all(len(v) == 1 for v in mixed.values()), mixed
            assert len(store.query("SELECT id FROM stories WHERE merged_into IS NULL AND article_count > 0")) \
                == len(mixed)
        finally:
            for w in workers:
                if w.poll() is None:
                    os.killpg(w.pid, signal.SIGTERM)
            for w in workers:
                try:
                    w.wait(10)
                except subprocess.TimeoutExpired:
                    os.killpg(w.pid, signal.SIGKILL)
            store.close()


def _settled(store) -> bool:
    return not store.query("SELECT key FROM seen_items WHERE status IN ('new', 'queued') LIMIT 1")


def _wait_clustered(store, deadline: float) -> None:
    while time.monotonic() < deadline and store.unclustered_article_ids():
        time.sleep(0.5)
