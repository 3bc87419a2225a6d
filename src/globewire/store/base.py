"""The storage interface: the portable DB layer plus one mixin per area.

Stages never see SQL; they call these methods. A backend (SQLite, PostgreSQL) subclasses
``Store`` and implements the DB layer of ``globewire.store.db.Database`` and the dialect hooks.
"""

from __future__ import annotations

from globewire.store.articles import ArticlesRepo
from globewire.store.backfill import BackfillRepo
from globewire.store.bulk import BulkRepo
from globewire.store.crawlstatus import CrawlStatusRepo
from globewire.store.db import Database
from globewire.store.front import FrontRepo
from globewire.store.notices import NoticesRepo
from globewire.store.reads import ReadsRepo
from globewire.store.sources import SourcesRepo
from globewire.store.stories import StoriesRepo
from globewire.store.translations import TranslationsRepo


class Store(ArticlesRepo, TranslationsRepo, StoriesRepo, SourcesRepo, CrawlStatusRepo, NoticesRepo, FrontRepo,
            ReadsRepo, BackfillRepo, BulkRepo, Database):
    """Everything globewire keeps. Open one with ``globewire.store.open_store(url)``."""

    def migrate(self) -> list[str]:  # pragma: no cover - implemented by backends
        raise NotImplementedError

    def integrity_check(self) -> str:  # pragma: no cover
        return "ok"

    def __enter__(self) -> "Store":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
