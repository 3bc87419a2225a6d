"""A thin, portable DB layer the store mixins are written against.

Mixins use ``?`` placeholders and portable SQL (``ON CONFLICT``, ``RETURNING``); a backend
translates what it must (a PostgreSQL backend maps ``?`` to ``%s``). Rows come back as dicts.
"""

from __future__ import annotations

import abc
import contextlib
import datetime as dt
import json
from collections.abc import Iterable, Iterator, Sequence
from importlib import resources
from typing import Any

Params = Sequence[Any] | dict[str, Any]


def iso(value: dt.datetime | None) -> str | None:
    """Datetimes are stored as ISO-8601 UTC text (sortable)."""
    if value is None:
        return None
    if value.tzinfo is None:
        value = value.replace(tzinfo=dt.UTC)
    return value.astimezone(dt.UTC).isoformat(timespec="seconds")


def parse_iso(value: str | None) -> dt.datetime | None:
    if not value:
        return None
    out = dt.datetime.fromisoformat(value)
    return out if out.tzinfo else out.replace(tzinfo=dt.UTC)


def dumps(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, default=str, sort_keys=True)


@contextlib.contextmanager
def joined_tx(local: Any, depth: int) -> Iterator[None]:
    """A transaction nested in the one this thread has open (``local.depth`` of them deep): it only counts
    the depth, the outer transaction commits or rolls back."""
    local.depth = depth + 1
    try:
        yield
    finally:
        local.depth = depth


class Database(abc.ABC):
    """What every store mixin may use."""

    dialect: str = "abstract"
    # The exceptions this backend's driver raises for database errors (a broken table, a lost connection):
    # callers that must survive them (a web page) catch ``store.error_types`` whatever the backend.
    error_types: tuple[type[BaseException], ...] = ()

    @abc.abstractmethod
    def execute(self, sql: str, params: Params = ()) -> int:
        """Run one statement; return the affected row count."""

    @abc.abstractmethod
    def executemany(self, sql: str, rows: Iterable[Params]) -> None: ...

    @abc.abstractmethod
    def query(self, sql: str, params: Params = ()) -> list[dict[str, Any]]: ...

    def query_one(self, sql: str, params: Params = ()) -> dict[str, Any] | None:
        rows = self.query(sql, params)
        return rows[0] if rows else None

    def scalar(self, sql: str, params: Params = ()) -> Any:
        row = self.query_one(sql, params)
        return None if row is None else next(iter(row.values()))

    @abc.abstractmethod
    @contextlib.contextmanager
    def tx(self) -> Iterator[None]:
        """A transaction; nested calls join the outer one."""

    @abc.abstractmethod
    def close(self) -> None: ...

    # -- migrations -------------------------------------------------------------------------

    def migration_files(self) -> list[tuple[str, str]]:
        folder = resources.files("globewire.store") / "migrations" / self.dialect
        files = sorted((p.name, p.read_text(encoding="utf-8")) for p in folder.iterdir() if p.name.endswith(".sql"))
        return files

    def applied_migrations(self) -> set[str]:
        return {r["name"] for r in self.query("SELECT name FROM schema_migrations")}
