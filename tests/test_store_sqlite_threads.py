"""The SQLite store's per-thread connections: a thread that ends does not keep its connection open."""

from __future__ import annotations

import sqlite3
import threading
from pathlib import Path

import pytest

from globewire.store.sqlite import SQLiteStore


def _conn_of_new_thread(store: SQLiteStore, keep_alive: threading.Event | None = None) -> tuple[
        sqlite3.Connection, threading.Thread]:
    got: list[sqlite3.Connection] = []

    def work() -> None:
        store.query("SELECT 1")
        got.append(store.conn)
        if keep_alive is not None:
            keep_alive.wait(10)

    t = threading.Thread(target=work)
    t.start()
    if keep_alive is None:
        t.join()
    else:
        while not got:
            t.join(0.01)
    return got[0], t


def test_connection_of_ended_thread_is_closed_when_next_one_opens(tmp_path: Path) -> None:
    store = SQLiteStore(tmp_path / "g.db")
    ended, _ = _conn_of_new_thread(store)
    release = threading.Event()
    running, runner = _conn_of_new_thread(store, keep_alive=release)
    try:
        with pytest.raises(sqlite3.ProgrammingError):  # closed: its thread had ended
            ended.execute("SELECT 1")
        assert running.execute("SELECT 1").fetchone()[0] == 1  # its thread still runs
        assert store.query("SELECT 2 AS n") == [{"n": 2}]  # this thread's own connection works
    finally:
        release.set()
        runner.join()
        store.close()
