"""ruff over the source and the tests, with the rules in pyproject.toml ([tool.ruff.lint])."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def test_ruff_is_clean() -> None:
    if shutil.which("ruff") is None:
        pytest.skip("ruff not installed (it comes with the test extra)")
    out = subprocess.run([sys.executable, "-m", "ruff", "check", "--no-cache", "src", "tests"], cwd=ROOT,
                         capture_output=True, text=True, timeout=300)
    assert out.returncode == 0, out.stdout + out.stderr


STRICT_PATHS = ["src/globewire/records.py", "src/globewire/store", "src/globewire/pipeline.py", "src/globewire/clustering",
                "src/globewire/stories", "src/globewire/web/front.py", "src/globewire/web/queries.py",
                "src/globewire/web/views.py", "src/globewire/config", "src/globewire/settings.py"]


def test_mypy_strict_on_the_typed_core() -> None:
    """records, store, pipeline, clustering, stories, web/front.py, web/queries.py, web/views.py, config and settings
    type-check under --strict (config: [tool.mypy] in pyproject)."""
    if shutil.which("mypy") is None:
        pytest.skip("mypy not installed (it comes with the test extra)")
    out = subprocess.run([sys.executable, "-m", "mypy", "--strict", "--no-incremental", *STRICT_PATHS], cwd=ROOT,
                         capture_output=True, text=True, timeout=900)
    assert out.returncode == 0, out.stdout[-4000:] + out.stderr[-2000:]
