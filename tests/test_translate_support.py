"""Shared pieces of the translation tests (no tests here): a tiny random Marian model converted with
ctranslate2 (built once, cached under the temp dir), article factories and settings."""

from __future__ import annotations

import hashlib
import tempfile
from pathlib import Path
from typing import Any

import pytest

from globewire.records import Article
from globewire.settings import Settings
from globewire.config.translate import TranslateSettings

TINY_REPO = "test/tiny-marian-de-en"
TINY_M2M_REPO = "test/tiny-m2m100"
TINY_BUILD_VERSION = "v1"  # bump when the builder changes, to rebuild the cached model


def tiny_models_root() -> Path:
    return Path(tempfile.gettempdir()) / f"globewire-test-models-{TINY_BUILD_VERSION}"


@pytest.fixture(scope="session")
def tiny_models_dir() -> Path:
    """A models dir holding one converted (int8) random-weight Marian model, shape d_model 32 × 2+2 layers."""
    from globewire.bench.translate import TOY_SHAPE, build_converted

    root = tiny_models_root()
    build_converted(root, TINY_REPO, TOY_SHAPE, languages=["de"])
    build_converted(root, TINY_M2M_REPO, TOY_SHAPE, languages=[])
    return root


def make_settings(tmp_path: Path, **translate: Any) -> Settings:
    return Settings(data_dir=tmp_path / "data", translate=TranslateSettings(**translate))


def article(
    url: str, title: str, text: str, language: str, *, duplicate_of: int | None = None, country: str = "DE"
) -> Article:
    return Article(
        url=url,
        canonical_url=url,
        title=title,
        text=text,
        language=language,
        country=country,
        content_hash=hashlib.sha1((title + text).encode()).hexdigest(),
        duplicate_of=duplicate_of,
    )
