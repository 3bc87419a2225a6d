"""The real download code against a loopback model hub (``tests/model_hub.py``): a model published already
converted for ctranslate2 is fetched, verified against the hub's metadata, installed with its provenance
and translates; a corrupted file, a missing repo and an unreachable hub each give one clear error."""

from __future__ import annotations

import json
import tempfile
from pathlib import Path

import pytest

from globewire.translate import models as mdl
from globewire.translate.ct2 import Ct2Translator
from tests.e2e_helpers import free_port
from tests.model_hub import ModelHub, build_published_marian
from tests.test_translate_support import make_settings

PUBLISHED = "gaudi/opus-mt-de-en-ctranslate2"
TEMPLATE = "gaudi/{name}-ctranslate2"


@pytest.fixture(scope="session")
def published_model() -> Path:
    root = Path(tempfile.gettempdir()) / "globewire-test-published-v1"
    folder = root / "model"
    if not (folder / "model.bin").is_file():
        root.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryDirectory(dir=root) as work:
            tmp = Path(work) / "model"
            build_published_marian(tmp, Path(work))
            try:
                tmp.rename(folder)
            except OSError:  # another test process (xdist) built it meanwhile
                assert (folder / "model.bin").is_file()
    return folder


def test_pull_prefers_the_published_conversion(tmp_path: Path, published_model: Path) -> None:
    with ModelHub() as hub:
        repo = hub.add(PUBLISHED, published_model)
        m = mdl.pull("de", tmp_path / "models", endpoint=hub.url, converted=TEMPLATE, fallback="")
    assert m.repo == "Helsinki-NLP/opus-mt-de-en" and m.source_repo == PUBLISHED and m.revision == repo.sha
    assert m.languages == ["de"] and m.licence.startswith("cc-by-4.0")
    folder = Path(m.path)
    for name, data in repo.files.items():
        if name != ".gitattributes":
            assert (folder / name).read_bytes() == data
            assert m.files is not None and len(m.files[name]) == 64
    assert not (tmp_path / "models" / ".hub").exists()  # the download cache is not kept twice
    # nothing of the original (unconverted) repo was asked for: no conversion, no torch at run time
    assert not any("Helsinki-NLP" in p for _, p in hub.requests)
    settings = make_settings(tmp_path, models_dir=tmp_path / "models", auto_download=False, beam_size=1,
                             fallback_model="")
    tr = Ct2Translator.from_settings(settings)
    out = tr.translate(["Der Hund läuft schnell.", "Heute regnet es."], "de")
    assert len(out) == 2 and all(isinstance(s, str) for s in out)


def test_corrupted_download_is_refused(tmp_path: Path, published_model: Path) -> None:
    with ModelHub() as hub:
        repo = hub.add(PUBLISHED, published_model)
        good = repo.files["model.bin"]
        repo.served["model.bin"] = good[:-1] + bytes([good[-1] ^ 0xFF])  # same size, one byte flipped
        with pytest.raises(mdl.ModelError, match="sha256"):
            mdl.pull("de", tmp_path / "models", endpoint=hub.url, converted=TEMPLATE, fallback="")
    assert not mdl.is_installed(tmp_path / "models", "Helsinki-NLP/opus-mt-de-en")
    assert [p.name for p in (tmp_path / "models").iterdir()] == []  # no half-installed folder left


def test_not_found_and_offline_are_one_line(tmp_path: Path) -> None:
    with ModelHub() as hub:
        with pytest.raises(mdl.ModelNotFound) as nf:
            mdl.pull("de", tmp_path / "models", endpoint=hub.url, converted=TEMPLATE, fallback="")
    assert "\n" not in str(nf.value) and "Helsinki-NLP/opus-mt-de-en is not on the hub" in str(nf.value)
    with pytest.raises(mdl.ModelError) as off:
        mdl.pull("de", tmp_path / "models", endpoint=f"http://127.0.0.1:{free_port()}", converted=TEMPLATE,
                 fallback="")
    assert "\n" not in str(off.value) and "the model hub is unreachable" in str(off.value)


def test_manifest_is_json_with_provenance(tmp_path: Path, published_model: Path) -> None:
    with ModelHub() as hub:
        hub.add(PUBLISHED, published_model)
        m = mdl.pull("de", tmp_path / "models", endpoint=hub.url, converted=TEMPLATE, fallback="")
    data = json.loads((Path(m.path) / mdl.MANIFEST).read_text(encoding="utf-8"))
    assert data["source_repo"] == PUBLISHED and data["revision"] and data["files"]["model.bin"]
    assert "apache-2.0" in data["licence"]  # the converted copy's card licence is recorded beside the upstream one
