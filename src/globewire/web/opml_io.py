"""Catalogue I/O of the web layer: OPML export of the outlets the store knows, and the admin actions that
add outlets (a form entry or a user's OPML). New outlets are written to the user catalogue file (so the
crawler keeps them) and mirrored into the store's ``outlets`` table (so the site shows them at once).
The OPML format and the user file are owned by ``globewire.sources``; this module only calls it."""

from __future__ import annotations

from typing import Any

from globewire.records import Outlet
from globewire.sources.catalogue import CatalogueError, default_user_file, load_catalogue
from globewire.sources.opml import OpmlError, export_opml, import_opml
from globewire.sources.userfile import append_outlets

__all__ = ["CatalogueError", "OpmlError", "add_outlets", "export_store_opml", "outlets_from_store"]


def outlets_from_store(store: Any) -> list[Outlet]:
    """The store's mirror of the catalogue as Outlet records."""
    return list(store.list_outlets())


def export_store_opml(store: Any, title: str) -> str:
    return export_opml([o for o in outlets_from_store(store) if o.enabled], title=title)


def add_outlets(settings: Any, store: Any, entries: list[dict[str, Any]]) -> list[str]:
    """Append user-catalogue entries to the user file (validated by the sources package; raises
    CatalogueError) and mirror the resulting outlets into the store. Returns the ids added."""
    if not entries:
        return []
    path = default_user_file(settings)
    append_outlets(path, entries)
    ids = {e["id"] for e in entries}
    catalogue = load_catalogue(settings, user_file=path)
    added = [o for o in catalogue.outlets if o.id in ids]
    store.sync_outlets(added)
    return [o.id for o in added]


def import_user_opml(
    settings: Any, store: Any, text: str, *, country: str | None, language: str | None
) -> tuple[list[str], list[str]]:
    """Outlets from a user's OPML, minus feeds the catalogue has; returns (ids added, notes)."""
    catalogue = load_catalogue(settings, user_file=default_user_file(settings))
    entries, notes = import_opml(text, catalogue=catalogue, default_country=country, default_language=language)
    return add_outlets(settings, store, entries), notes
