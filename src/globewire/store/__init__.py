"""Storage behind one interface. ``open_store(url)`` picks the backend registered for the URL scheme
(entry point group ``globewire.stores``; built-in: ``sqlite``, ``postgresql``)."""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import urlparse

from globewire.store.base import Store

__all__ = ["DatabaseURLError", "Store", "database_url", "open_store"]

_SCHEME = re.compile(r"^([A-Za-z][A-Za-z0-9+.\-]*)://")
_POSTGRES_SCHEMES = ("postgresql", "postgres")


class DatabaseURLError(ValueError):
    """What the user gave as a database is neither a file path nor a URL of a known store."""


def database_url(text: str | Path) -> str:
    """What a user types for ``--db`` or ``database_url`` → a store URL.

    A path (relative or absolute, ``~`` expanded) is a SQLite file: ``sqlite:///<absolute path>``.
    ``sqlite:///path`` and ``sqlite:///:memory:`` are kept; ``postgresql://``, ``postgres://`` and
    ``postgresql+psycopg://`` go to PostgreSQL; any other ``scheme://`` is an error unless a plugin
    registered a store under that scheme."""
    raw = str(text).strip()
    if not raw:
        raise DatabaseURLError("empty database: give a file path, sqlite:///path or postgresql://...")
    if raw == ":memory:":
        return "sqlite:///:memory:"
    m = _SCHEME.match(raw)
    if m is None:
        return f"sqlite:///{Path(raw).expanduser().resolve()}"
    scheme = _scheme_name(m.group(1))
    if scheme == "sqlite":
        rest = raw[m.end() :]
        if not rest.startswith("/"):
            raise DatabaseURLError(f"{raw!r}: a SQLite URL is sqlite:///<path> (three slashes) or sqlite:///:memory:")
        path = rest[1:]
        if path in ("", ":memory:"):
            return "sqlite:///:memory:"
        return f"sqlite:///{Path(path).expanduser().resolve()}" if not path.startswith("/") else f"sqlite:///{path}"
    if scheme == "postgresql":
        if not urlparse(raw).netloc and not urlparse(raw).path.strip("/"):
            raise DatabaseURLError(f"{raw!r}: a PostgreSQL URL is postgresql://user@host:port/database")
        return raw
    from globewire.plugins import available

    if scheme in available("globewire.stores"):
        return raw
    raise DatabaseURLError(
        f"{raw!r}: unknown database scheme '{m.group(1)}' — use a file path (SQLite), sqlite:///path or postgresql://..."
    )


def _scheme_name(scheme: str) -> str:
    base = scheme.lower().split("+")[0]
    return "postgresql" if base in _POSTGRES_SCHEMES else base


def open_store(url: str | Path, *, migrate: bool = True) -> Store:
    """Open the store for a URL or path (see :func:`database_url`)."""
    from globewire.plugins import load_backend

    url = database_url(url)
    scheme = _scheme_name(urlparse(url).scheme)
    cls = load_backend("globewire.stores", scheme)
    store: Store
    if scheme == "sqlite":
        store = cls(url[len("sqlite:///") :] or ":memory:", migrate=migrate)
    else:
        store = cls(url, migrate=migrate)
    return store
