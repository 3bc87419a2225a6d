"""Exclusive sections across processes and the whole fleet: a PostgreSQL session advisory lock (released by
the server if the holder dies), or an flock on a file next to a SQLite database (released by the kernel)."""

from __future__ import annotations

import contextlib
import fcntl
import zlib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from globewire.log import get_logger

log = get_logger(__name__)


def lock_key(name: str, scope: str = "") -> int:
    """A stable signed 64-bit key for pg_advisory_lock. ``scope`` (the store's schema) keeps two fleets on
    one database, each in its own schema, from waiting on each other's locks."""
    label = f"globewire:{scope}:{name}" if scope else f"globewire:{name}"
    return zlib.crc32(label.encode()) - (1 << 31)


def store_lock_key(store: Any, name: str) -> int:
    """The advisory-lock key of ``name`` for this store (scoped by its PostgreSQL schema, if it has one)."""
    return lock_key(name, str(getattr(store, "schema", None) or ""))


@contextlib.contextmanager
def exclusive(store: Any, name: str) -> Iterator[None]:
    """Hold the lock ``name`` across the whole fleet for the duration of the block (blocking)."""
    if getattr(store, "dialect", "") == "postgresql":
        key = store_lock_key(store, name)
        with store.pool.connection() as c:  # a connection of its own: the lock lives as long as it does
            c.execute("SELECT pg_advisory_lock(%s)", (key,))
            try:
                yield
            finally:
                c.execute("SELECT pg_advisory_unlock(%s)", (key,))
        return
    path = Path(str(getattr(store, "path", ":memory:")))
    if str(path) == ":memory:":
        yield
        return
    lock_path = path.with_name(path.name + f".{name}.lock")
    with lock_path.open("a") as fh:
        fcntl.flock(fh, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(fh, fcntl.LOCK_UN)


@contextlib.contextmanager
def try_exclusive(store: Any, name: str) -> Iterator[bool]:
    """Like ``exclusive`` without waiting: yields True while holding the lock ``name``, False (at once, the
    lock not held) when another process holds it."""
    if getattr(store, "dialect", "") == "postgresql":
        key = store_lock_key(store, name)
        with store.pool.connection() as c:
            got = bool(c.execute("SELECT pg_try_advisory_lock(%s) AS ok", (key,)).fetchone()["ok"])
            try:
                yield got
            finally:
                if got:
                    c.execute("SELECT pg_advisory_unlock(%s)", (key,))
        return
    path = Path(str(getattr(store, "path", ":memory:")))
    if str(path) == ":memory:":
        yield True
        return
    with path.with_name(path.name + f".{name}.lock").open("a") as fh:
        try:
            fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            yield False
            return
        try:
            yield True
        finally:
            fcntl.flock(fh, fcntl.LOCK_UN)
