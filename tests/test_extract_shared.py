"""Extraction over a slice of the real AEB pages in ../shared (skipped when absent)."""

from __future__ import annotations

import gzip
import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from globewire.bench.scoring import corpus_score, shingle_counts
from globewire.extract import ExtractionError, ExtractSettings, extract_html

# 20 pages, every 9th of the sorted ids. Measured F1 on this slice: 0.976; the floor leaves room
# for library upgrades but catches a broken extractor (plain trafilatura: ~0.95 on the full set).
AEB_SLICE_FLOOR = 0.93
PAGES = 20


@pytest.mark.shared
def test_aeb_slice_f1_floor(shared_dir: Path) -> None:
    data = shared_dir / "benchmarks" / "extraction-aeb"
    truth = json.loads((data / "ground-truth.json").read_text(encoding="utf-8"))
    ids = sorted(truth)[::9][:PAGES]
    t0 = time.perf_counter()
    counts = []
    for pid in ids:
        raw = gzip.decompress((data / "html" / f"{pid}.html.gz").read_bytes())
        try:
            text = extract_html(raw, truth[pid]["url"], settings=ExtractSettings(min_text_chars=0)).text
        except ExtractionError:
            text = ""
        counts.append(shingle_counts(truth[pid]["articleBody"], text))
    score = corpus_score(counts)
    assert score.pages == PAGES
    assert score.f1 >= AEB_SLICE_FLOOR, score
    assert time.perf_counter() - t0 < 60


@pytest.mark.shared
def test_bench_extract_command_writes_json(shared_dir: Path, tmp_path: Path) -> None:
    # In a child process: the CLI configures logging for its own streams.
    out = tmp_path / "extract.json"
    src = Path(__file__).resolve().parents[1] / "src"
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(src), os.environ.get("PYTHONPATH", "")])}
    data_dir = shared_dir / "benchmarks" / "extraction-aeb"
    res = subprocess.run(
        [sys.executable, "-m", "globewire.cli", "bench", "extract", "--data", str(data_dir), "--limit", "3", "--out", str(out)],
        capture_output=True, text=True, env=env, timeout=120, check=False,
    )
    assert res.returncode == 0, res.stdout + res.stderr
    assert "extraction-aeb" in res.stdout
    data = json.loads(out.read_text())
    assert data["pages"] == 3 and 0.0 <= data["all"]["f1"] <= 1.0 and data["pages_per_s"] > 0
