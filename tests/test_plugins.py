"""Backends by entry point: a third-party package adds one; globewire's own install metadata cannot break one."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from tests.e2e_helpers import REPO

PROBE = """
import json
from globewire import plugins
print(json.dumps(plugins.available("globewire.embedders")))
"""


def _dist(root: Path, name: str, entry_points: str) -> None:
    info = root / f"{name}-9.9.dist-info"
    info.mkdir(parents=True)
    (info / "METADATA").write_text(f"Metadata-Version: 2.1\nName: {name}\nVersion: 9.9\n", encoding="utf-8")
    (info / "entry_points.txt").write_text(entry_points, encoding="utf-8")


def test_stale_own_entry_points_are_ignored_third_party_ones_count(tmp_path: Path) -> None:
    """Install metadata of globewire from before a module moved (``usem3`` pointing at a module that is gone)
    does not override the built-in; another package's backend is offered beside the built-ins."""
    _dist(tmp_path, "globewire", '[globewire.embedders]\nusem3 = globewire.stories.embed:USEM3Embedder\n')
    _dist(tmp_path, "acme-embed", '[globewire.embedders]\nacme = acme_embed:AcmeEmbedder\n')
    env = dict(os.environ, PYTHONPATH=os.pathsep.join([str(tmp_path), str(REPO / "src")]))
    out = subprocess.run([sys.executable, "-c", PROBE], env=env, capture_output=True, text=True, check=True)
    found = json.loads(out.stdout)
    assert found["usem3"] == "globewire.clustering.embed:USEM3Embedder"
    assert found["acme"] == "acme_embed:AcmeEmbedder"
