"""Startup of a serving app: lazily built structures warmed, the heap frozen out of full GC passes."""

from __future__ import annotations

import gc
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from globewire.settings import load_settings
from globewire.store import open_store
from globewire.web import geo, heap
from globewire.web.app import create_app


@pytest.fixture
def clean_gc() -> Iterator[None]:
    saved = gc.get_threshold()
    gc.unfreeze()
    yield
    gc.unfreeze()
    gc.set_threshold(*saved)


def test_serving_app_warms_and_freezes_at_startup(tmp_path: Path, clean_gc: None) -> None:
    store = open_store(str(tmp_path / "g.db"))
    app = create_app(store, load_settings(data_dir=tmp_path), serving=True)
    env = app.state.ctx.templates.env
    assert gc.get_freeze_count() == 0
    with TestClient(app) as client:
        assert gc.get_freeze_count() > 10_000  # the app, its libraries and the warmed structures
        assert gc.get_threshold()[0] == heap.GEN0_THRESHOLD
        assert geo.shapes.cache_info().currsize == 1
        compiled = {t.name for t in env.cache.values()} if env.cache is not None else set()
        assert {"story.html", "home.html", "country.html", "search.html"} <= compiled
        # Objects made after startup are still collected: a cycle created now is found by a full pass.
        cycle: list[object] = []
        cycle.append(cycle)
        del cycle
        assert gc.collect() >= 1
        assert client.get("/").status_code == 200
    store.close()


def test_app_not_serving_leaves_the_collector_alone(tmp_path: Path, clean_gc: None) -> None:
    store = open_store(str(tmp_path / "g.db"))
    before = gc.get_threshold()
    with TestClient(create_app(store, load_settings(data_dir=tmp_path))) as client:
        assert client.get("/api/v1/countries").status_code == 200
    assert gc.get_freeze_count() == 0 and gc.get_threshold() == before
    store.close()
