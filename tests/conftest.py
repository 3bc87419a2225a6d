"""Shared fixtures: a real SQLite store in a temp dir, settings for loopback tests, ../shared data."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]


def shared_path() -> Path:
    env = os.environ.get("GLOBEWIRE_SHARED_DIR")
    return Path(env) if env else REPO.parent / "shared"


@pytest.fixture(scope="session")
def shared_dir() -> Path:
    p = shared_path()
    if not (p / "benchmarks").is_dir():
        pytest.skip(f"../shared benchmark data not present at {p}")
    return p


@pytest.fixture(autouse=True)
def _isolated_env(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> None:
    """Never read the developer's own config or data dir from a test."""
    home = tmp_path_factory.mktemp("home")
    monkeypatch.setenv("GLOBEWIRE_CONFIG", str(home / "globewire.toml"))
    monkeypatch.setenv("GLOBEWIRE_DATA_DIR", str(home / "data"))


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    return tmp_path / "globewire.db"


@pytest.fixture
def store(db_path: Path):
    from globewire.store import open_store

    s = open_store(str(db_path))
    yield s
    s.close()
