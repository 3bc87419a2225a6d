"""SQLite store: the default. WAL, busy_timeout, foreign keys, one connection per thread."""

from __future__ import annotations

import contextlib
import sqlite3
import threading
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

from globewire.records import utcnow
from globewire.store.base import Store
from globewire.store.db import Params, iso, joined_tx

BUSY_TIMEOUT_MS = 30_000  # writers wait up to 30 s for the lock (crawler + web + CLI on one file)


def _quote(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


class SQLiteStore(Store):
    dialect = "sqlite"
    error_types = (sqlite3.Error,)

    def __init__(self, path: str | Path, *, migrate: bool = True) -> None:
        self.path = str(path)
        if self.path != ":memory:":
            Path(self.path).expanduser().parent.mkdir(parents=True, exist_ok=True)
        self._local = threading.local()
        # Every connection opened, with the thread that owns it: closed when that thread has ended (web
        # servers' worker pools retire idle threads, ~10 s for anyio's) or on close().
        self._all: list[tuple[threading.Thread, sqlite3.Connection]] = []
        self._lock = threading.Lock()
        if migrate:
            self.migrate()

    # -- connection ------------------------------------------------------------------------

    @property
    def conn(self) -> sqlite3.Connection:
        c = getattr(self._local, "conn", None)
        if c is None:
            c = sqlite3.connect(self.path, timeout=BUSY_TIMEOUT_MS / 1000, isolation_level=None, check_same_thread=False)
            c.row_factory = sqlite3.Row
            c.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
            c.execute("PRAGMA journal_mode=WAL")
            c.execute("PRAGMA synchronous=NORMAL")
            c.execute("PRAGMA foreign_keys=ON")
            self._local.conn = c
            self._local.depth = 0
            with self._lock:
                self._close_orphans()
                self._all.append((threading.current_thread(), c))
        return c

    def _close_orphans(self) -> None:
        """Close the connections of threads that have ended (a thread-local dies with its thread, but this
        list kept its connection, file handles and page cache open for the life of the process)."""
        alive = []
        for owner, c in self._all:
            if owner.is_alive():
                alive.append((owner, c))
            else:
                with contextlib.suppress(Exception):
                    c.close()
        self._all = alive

    def execute(self, sql: str, params: Params = ()) -> int:
        cur = self.conn.execute(sql, params)
        return cur.rowcount

    def executemany(self, sql: str, rows: Iterable[Params]) -> None:
        self.conn.executemany(sql, rows)

    def query(self, sql: str, params: Params = ()) -> list[dict[str, Any]]:
        return [dict(r) for r in self.conn.execute(sql, params).fetchall()]

    @contextlib.contextmanager
    def tx(self) -> Iterator[None]:
        conn = self.conn
        depth = getattr(self._local, "depth", 0)
        if depth:
            with joined_tx(self._local, depth):
                yield
            return
        conn.execute("BEGIN IMMEDIATE")
        self._local.depth = 1
        try:
            yield
        except BaseException:
            conn.execute("ROLLBACK")
            raise
        else:
            conn.execute("COMMIT")
        finally:
            self._local.depth = 0

    def close(self) -> None:
        with self._lock:
            for _owner, c in self._all:
                with contextlib.suppress(Exception):
                    c.close()
            self._all.clear()
        self._local = threading.local()

    # -- migrations ------------------------------------------------------------------------

    def migrate(self) -> list[str]:
        self.conn.execute(
            "CREATE TABLE IF NOT EXISTS schema_migrations (name TEXT PRIMARY KEY, applied_at TEXT NOT NULL)"
        )
        done = self.applied_migrations()
        applied = []
        for name, sql in self.migration_files():
            if name in done:
                continue
            # executescript commits implicitly; wrap the file and its record in one explicit transaction.
            try:
                self.conn.executescript(
                    "BEGIN IMMEDIATE;\n" + sql + "\n;INSERT INTO schema_migrations(name, applied_at) VALUES ("
                    + _quote(name) + ", " + _quote(iso(utcnow()) or "") + ");\nCOMMIT;"
                )
            except sqlite3.Error:
                if self.conn.in_transaction:
                    self.conn.execute("ROLLBACK")
                raise
            applied.append(name)
        return applied

    # -- dialect hooks -----------------------------------------------------------------------

    def integrity_check(self) -> str:
        return str(self.scalar("PRAGMA integrity_check"))
