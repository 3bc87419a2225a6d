"""Crash test: `globewire ingest` and `globewire cluster` are killed with SIGKILL at random points, as real
processes, on SQLite and on PostgreSQL; then a plain rerun must finish the job.

After every kill: the killed command's process group holds no process any more (pool workers, the
forkserver and the multiprocessing resource tracker included; read from /proc). After the final rerun: the
database passes its integrity check, no article is stored twice, EVERY article is in a story, no story waits
for a synthesis, and `globewire db check` finds nothing stuck. A SIGTERM (what `timeout` and service managers
send) ends `ingest` and `run` cleanly, leaving no process behind either.

The corpus is the story corpus of ``tests/corpus/stories`` written out as saved pages (in the long variant
each article in ``LONG_COPIES`` variants: own URL, one sentence of its own); ingest batches are large enough
to use the process pool (``GLOBEWIRE_WORKERS=2``). The kill points are drawn from a seeded RNG (the seed is in the
assertion messages); the short variant runs in the default suite, the long one is marked slow.
"""

from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest

from tests.e2e_helpers import REPO, corpus_lines, saved_page
from tests.test_store_contract import pg_url  # noqa: F401 - a fixture (PostgreSQL, fresh schema)

# Variants of each of the 31 corpus articles in the long variant (62 files: a full batch of 50 and a rest);
# the short one ingests each once (31 files: one batch, still above pipeline.PARALLEL_MIN_BATCH, so both use
# the process pool).
LONG_COPIES = 2
# How long the processes of a killed group may take to notice and exit (the pool workers poll their owner
# every workers.WATCHDOG_INTERVAL_S = 0.5 s; the forkserver and resource tracker follow at once).
LEFTOVER_GRACE_S = 10.0
# Upper bound of a random kill point. A full ingest of the corpus with clustering takes ~15-30 s on this
# shared 2-core machine (start-up ~3 s, extract + language ~5 s, embed + cluster + synthesis the rest):
# kills land in start-up, storing, clustering and synthesis alike.
MAX_KILL_S = 12.0
# The final rerun of everything (ingest + clustering of what is left) must end within this.
RERUN_TIMEOUT_S = 300.0


def write_corpus(folder: Path, copies: int = 1) -> int:
    """Write the pages; returns how many articles they hold (the corpus carries one article twice: an update)."""
    folder.mkdir(parents=True, exist_ok=True)
    urls = set()
    for lineno, r in enumerate(corpus_lines()):
        for j in range(copies):
            rec = dict(r, url=f"{r['url'].rstrip('/')}-v{j}",
                       text=r["text"] + f"\nCorrespondent note {j}-{lineno}: filed from desk {j * 31 + lineno}.")
            (folder / f"{lineno:02d}-{j}-{r['outlet']}.html").write_text(saved_page(rec), encoding="utf-8")
            urls.add(rec["url"])
    return len(urls)


def process_env(tmp_path: Path, db_url: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("GLOBEWIRE_")}
    env.update({
        "PYTHONPATH": os.pathsep.join(filter(None, [str(REPO / "src"), str(REPO), env.get("PYTHONPATH")])),
        "GLOBEWIRE_CONFIG": str(tmp_path / "none.toml"),
        "GLOBEWIRE_DATA_DIR": str(tmp_path / "data"),
        "GLOBEWIRE_DATABASE_URL": db_url,
        "GLOBEWIRE_WORKERS": "2",
        "GLOBEWIRE_TRANSLATE__BACKEND": "none",
        "GLOBEWIRE_LOG_LEVEL": "WARNING",
    })
    return env


def start(args: list[str], env: dict[str, str], log: Path) -> subprocess.Popen[bytes]:
    """`globewire ARGS` in a process group of its own (its pid is the group id)."""
    with log.open("ab") as fh:
        return subprocess.Popen([sys.executable, "-m", "globewire.cli", *args], env=env, stdout=fh,
                                stderr=subprocess.STDOUT, start_new_session=True)


def group_members(pgid: int) -> list[tuple[int, str]]:
    """(pid, command line) of the live processes of process group ``pgid`` (zombies excluded), from /proc."""
    out = []
    for d in Path("/proc").iterdir():
        if not d.name.isdigit():
            continue
        try:
            stat = (d / "stat").read_bytes()
            rest = stat[stat.rfind(b")") + 2 :].split()
            state, pgrp = rest[0], int(rest[2])
            if pgrp != pgid or state in (b"Z", b"X"):
                continue
            cmd = (d / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")[:160]
        except (OSError, ValueError, IndexError):
            continue
        out.append((int(d.name), cmd))
    return out


def assert_no_leftovers(pgid: int, what: str) -> None:
    deadline = time.monotonic() + LEFTOVER_GRACE_S
    left = group_members(pgid)
    while left and time.monotonic() < deadline:
        time.sleep(0.1)
        left = group_members(pgid)
    if left:
        for pid, _ in left:  # clean up what we started before failing
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
    assert not left, f"{what}: processes still alive {LEFTOVER_GRACE_S}s later: {left}"


def kill_at(proc: subprocess.Popen[bytes], delay: float) -> bool:
    """SIGKILL ``proc`` (the group leader only, as an OOM killer or `kill -9 PID` would) after ``delay`` s;
    False when it had already exited by then."""
    try:
        proc.wait(delay)
        return False
    except subprocess.TimeoutExpired:
        pass
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait(10)
    return True


def db_check(env: dict[str, str], log: Path, *extra: str) -> dict[str, Any]:
    r = subprocess.run([sys.executable, "-m", "globewire.cli", "db", "check", "--json", *extra], env=env,
                       capture_output=True, timeout=RERUN_TIMEOUT_S)
    with log.open("ab") as fh:
        fh.write(r.stderr)
    assert r.returncode == 0, f"db check exited {r.returncode}: {r.stdout[-2000:]!r} {r.stderr[-2000:]!r}"
    return json.loads(r.stdout)


def open_db(db_url: str) -> Any:
    from globewire.store import open_store

    return open_store(db_url)


def stored_then(proc: subprocess.Popen[bytes], store: Any, before: int, extra: float) -> float:
    """Seconds from now to a kill point ``extra`` s after ``proc`` stored its first new article (or at once if
    it stores none within MAX_KILL_S): kills land while it stores, clusters or synthesises."""
    t0 = time.monotonic()
    while time.monotonic() - t0 < MAX_KILL_S and proc.poll() is None and store.count_articles() <= before:
        time.sleep(0.05)
    return extra


def crash_and_resume(tmp_path: Path, db_url: str, *, iterations: int, seed: int, copies: int = 1) -> None:
    pages = tmp_path / "pages"
    n = write_corpus(pages, copies)
    env = process_env(tmp_path, db_url)
    log = tmp_path / "crash.log"
    rng = random.Random(seed)
    killed = 0
    watch = open_db(db_url)  # creates the schema first; then only reads (how many articles are stored)
    try:
        for i in range(iterations):
            for args in (["ingest", str(pages)], ["cluster"]):
                before = watch.count_articles()
                proc = start(args, env, log)
                if args[0] == "ingest":  # a random point after it began to store
                    delay = stored_then(proc, watch, before, rng.uniform(0.0, 4.0))
                else:  # a random point after start: loading the embedder, clustering, synthesising
                    delay = rng.uniform(0.5, MAX_KILL_S)
                stored = watch.count_articles()
                if kill_at(proc, delay):
                    killed += 1
                    print(f"seed {seed} round {i}: {args[0]} killed ({before}->{stored} articles stored,"
                          f" {len(watch.unclustered_article_ids())} in no story)")
                else:
                    assert proc.returncode == 0, (
                        f"seed {seed}: {args[0]} exited {proc.returncode}: {log.read_text()[-3000:]}")
                assert_no_leftovers(proc.pid, f"seed {seed}, round {i}, {args[0]} killed")
    finally:
        watch.close()
    assert killed, f"seed {seed}: every command ended before its kill point"
    # a plain rerun of the ingest finishes the job: what is stored is not stored again, what is not yet in a
    # story (left by any of the killed runs) is clustered, what waits for a synthesis gets one
    proc = start(["ingest", str(pages)], env, log)
    assert proc.wait(RERUN_TIMEOUT_S) == 0, f"seed {seed}: rerun failed: {log.read_text()[-3000:]}"
    assert_no_leftovers(proc.pid, "the rerun")
    store = open_db(db_url)
    try:
        assert store.integrity_check() == "ok"
        rows = store.query("SELECT canonical_url FROM articles")
        assert len(rows) == len({r["canonical_url"] for r in rows}) == n, f"seed {seed}"
        assert store.unclustered_article_ids() == [], f"seed {seed}: articles left out of every story"
        assert store.stories_due_synthesis() == [], f"seed {seed}: stories left without their synthesis"
        assert store.stories_with_wrong_counts() == []
        members = store.query("SELECT article_id FROM story_articles")
        assert len(members) == len({r["article_id"] for r in members}) == n
    finally:
        store.close()
    check = db_check(env, log)
    assert check["integrity"] == "ok" and not any(check["stuck"].values()), check


def test_killed_ingest_and_cluster_resume_on_sqlite(tmp_path: Path) -> None:
    crash_and_resume(tmp_path, f"sqlite:///{tmp_path / 'gw.db'}", iterations=1, seed=1411)


@pytest.mark.postgres
def test_killed_ingest_and_cluster_resume_on_postgresql(tmp_path: Path, pg_url: str) -> None:  # noqa: F811
    crash_and_resume(tmp_path, pg_url, iterations=1, seed=1412)


@pytest.mark.slow
@pytest.mark.parametrize("seed", [7, 8, 9])
def test_many_kills_resume_on_sqlite(tmp_path: Path, seed: int) -> None:
    crash_and_resume(tmp_path, f"sqlite:///{tmp_path / 'gw.db'}", iterations=5, seed=seed, copies=LONG_COPIES)


@pytest.mark.slow
@pytest.mark.postgres
@pytest.mark.parametrize("seed", [17, 18])
def test_many_kills_resume_on_postgresql(tmp_path: Path, pg_url: str, seed: int) -> None:  # noqa: F811
    crash_and_resume(tmp_path, pg_url, iterations=5, seed=seed, copies=LONG_COPIES)


def test_sigterm_ends_ingest_and_its_workers(tmp_path: Path) -> None:
    """The SIGTERM of `timeout` or a service manager: the command exits 143 promptly, the database is sound
    and no worker process remains (that a rerun finishes the job is the crash tests' part)."""
    pages = tmp_path / "pages"
    write_corpus(pages)
    db_url = f"sqlite:///{tmp_path / 'gw.db'}"
    env = process_env(tmp_path, db_url)
    log = tmp_path / "term.log"
    proc = start(["ingest", str(pages)], env, log)
    # wait until the pool runs (workers are children of the forkserver, in the command's process group)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and len(group_members(proc.pid)) < 4 and proc.poll() is None:
        time.sleep(0.05)
    assert proc.poll() is None, f"ingest ended before the pool started: {log.read_text()[-3000:]}"
    pool = len(group_members(proc.pid))
    os.kill(proc.pid, signal.SIGTERM)
    assert proc.wait(30) == 128 + signal.SIGTERM, log.read_text()[-3000:]
    assert pool >= 4, f"the pool never started: {pool} processes"  # leader, tracker, forkserver, workers
    assert_no_leftovers(proc.pid, "ingest after SIGTERM")
    store = open_db(db_url)
    try:
        assert store.integrity_check() == "ok"
    finally:
        store.close()


def test_sigterm_ends_run(tmp_path: Path) -> None:
    """`globewire run` (web server + crawl loop) under SIGTERM: exits 143 within seconds, nothing left."""
    from tests.e2e_helpers import free_port, wait_http

    sources = tmp_path / "sources.toml"
    sources.write_text("shipped = false\noutlets = []\n", encoding="utf-8")
    env = process_env(tmp_path, f"sqlite:///{tmp_path / 'gw.db'}")
    env["GLOBEWIRE_SOURCES_FILE"] = str(sources)
    port = free_port()
    log = tmp_path / "run.log"
    proc = start(["run", "--host", "127.0.0.1", "--port", str(port)], env, log)
    try:
        wait_http(f"http://127.0.0.1:{port}/", proc, log)
        os.kill(proc.pid, signal.SIGTERM)
        assert proc.wait(30) == 128 + signal.SIGTERM, log.read_text()[-3000:]
    finally:
        if proc.poll() is None:
            os.kill(proc.pid, signal.SIGKILL)
            proc.wait(10)
    assert_no_leftovers(proc.pid, "run after SIGTERM")


POOL_OWNER = """
import sys, time
from globewire import workers
pool = workers.process_pool(2)
assert sorted(pool.map(abs, [-1, -2, -3])) == [1, 2, 3]
print(len(workers.pool_pids()), flush=True)
time.sleep(120)
"""


def test_pool_workers_forkserver_and_tracker_go_with_their_owner(tmp_path: Path) -> None:
    """The process pool alone (no globewire command around it): SIGKILL of its owner ends the workers, the
    forkserver and the resource tracker (a plain ProcessPoolExecutor over a forkserver leaves all of them)."""
    env = process_env(tmp_path, f"sqlite:///{tmp_path / 'gw.db'}")
    proc = subprocess.Popen([sys.executable, "-c", POOL_OWNER], env=env, stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, start_new_session=True)
    try:
        assert proc.stdout is not None and proc.stdout.readline().strip() == b"2"
        assert len(group_members(proc.pid)) >= 4  # owner, resource tracker, forkserver, 2 workers
    finally:
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait(10)
        if proc.stdout is not None:
            proc.stdout.close()
    assert_no_leftovers(proc.pid, "the pool's owner killed")


BUSY_POOL_OWNER = """
import sys, time
from globewire import workers
if __name__ == "__main__":
    workers.install_signal_handlers()
    pool = workers.process_pool(2)
    futures = [pool.submit(time.sleep, 120) for _ in range(2)]
    time.sleep(0.5)
    print("busy", flush=True)
    futures[0].result()
"""


STRAY_SIGTERM_OWNER = """
import signal, sys, threading, time
from globewire import workers
if __name__ == "__main__":
    workers.install_signal_handlers()
    pool = workers.process_pool(2)
    futures = [pool.submit(time.sleep, 120) for _ in range(2)]
    time.sleep(0.5)
    def land_here():
        # the kernel gives a process-directed signal to any thread that does not block it
        time.sleep(0.5)
        signal.pthread_kill(threading.get_ident(), signal.SIGTERM)
    threading.Thread(target=land_here, daemon=True).start()
    print("busy", flush=True)
    futures[0].result()
"""


def _owner_ends_within(tmp_path: Path, source: str, *, send_sigterm: bool, why: str) -> None:
    """Run ``source`` (it prints "busy" once its pool is busy); optionally send it SIGTERM; it must exit 143
    within 30 s and leave no process behind."""
    script = tmp_path / "owner.py"
    script.write_text(source, encoding="utf-8")
    env = process_env(tmp_path, f"sqlite:///{tmp_path / 'gw.db'}")
    proc = subprocess.Popen([sys.executable, str(script)], env=env, stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, start_new_session=True)
    try:
        assert proc.stdout is not None and proc.stdout.readline().strip() == b"busy"
        started = time.monotonic()
        if send_sigterm:
            os.kill(proc.pid, signal.SIGTERM)
        assert proc.wait(90) == 128 + signal.SIGTERM
        assert time.monotonic() - started < 30, why
    finally:
        if proc.poll() is None:
            os.kill(proc.pid, signal.SIGKILL)
            proc.wait(10)
        if proc.stdout is not None:
            proc.stdout.close()
    assert_no_leftovers(proc.pid, f"the pool's owner after SIGTERM ({why})")


def test_sigterm_on_another_thread_still_ends_the_owner_at_once(tmp_path: Path) -> None:
    """The SIGTERM lands on a thread other than the main one, which is blocked waiting for a future: Python runs
    the handler only in the main thread, so without a nudge the owner would sit until the work finished (120 s)."""
    _owner_ends_within(tmp_path, STRAY_SIGTERM_OWNER, send_sigterm=False,
                       why="the main thread slept through a SIGTERM taken by another thread")


def test_sigterm_abandons_running_work_at_once(tmp_path: Path) -> None:
    """SIGTERM while every worker is deep in a long task (a model load, a huge page): the owner exits 143 within
    seconds and takes the workers along; it does not wait for the running work to finish (the interpreter joins
    the pool's manager thread, which waits for that work, before any exit hook runs)."""
    _owner_ends_within(tmp_path, BUSY_POOL_OWNER, send_sigterm=True, why="the owner waited for the running work")
