"""Storage behind one interface. ``open_store(url)`` picks the backend registered for the URL scheme
(entry point group ``globewire.stores``; built-in: ``sqlite``)."""

from __future__ import annotations

from urllib.parse import urlparse

from globewire.store.base import Store

__all__ = ["Store", "open_store"]


def open_store(url: str, *, migrate: bool = True) -> Store:
    """``sqlite:///abs/path.db``, ``sqlite:///:memory:``, a bare file path, or a URL whose scheme
    names a registered store backend (e.g. ``postgresql://``)."""
    from globewire.plugins import load_backend

    if "://" not in url:
        url = "sqlite:///" + url
    scheme = urlparse(url).scheme.split("+")[0]
    if scheme in ("postgres", "postgresql"):
        scheme = "postgresql"
    cls = load_backend("globewire.stores", scheme)
    if scheme == "sqlite":
        path = url[len("sqlite:///") :] if url.startswith("sqlite:///") else urlparse(url).path
        return cls(path or ":memory:", migrate=migrate)
    return cls(url, migrate=migrate)
