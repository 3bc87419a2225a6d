"""The real ctranslate2 path end to end on a tiny random-weight Marian model (built and converted to
int8 in the test session). Output is gibberish: the tests assert structure, not meaning."""

from __future__ import annotations

import json
import socket

import pytest
import typer
from typer.testing import CliRunner

from globewire.translate import models as mdl
from globewire.translate.backends import Router, translator_class
from globewire.translate.base import TranslatorUnavailable
from globewire.translate.ct2 import Ct2Translator
from globewire.translate.stage import translate_pending
from tests.test_translate_support import TINY_M2M_REPO, TINY_REPO, article, make_settings, tiny_models_dir  # noqa: F401 - fixture


def _closed_port() -> int:
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def _settings(tmp_path, models_dir, **kw):
    base = {
        "models_dir": models_dir,
        "opus_models": {"de": TINY_REPO},
        "auto_download": False,
        "beam_size": 1,
        "fallback_model": "",
    }
    base.update(kw)
    return make_settings(tmp_path, **base)


def test_manifest_and_licence(tiny_models_dir) -> None:  # noqa: F811
    [m] = [m for m in mdl.list_models(tiny_models_dir) if m.repo == TINY_REPO]
    assert m.family == "marian" and m.quantization == "int8" and m.licence == "cc-by-4.0" and m.languages == ["de"]
    for f in ("model.bin", "source.spm", "target.spm", mdl.MANIFEST):
        assert (mdl.model_path(tiny_models_dir, TINY_REPO) / f).is_file()


def test_translator_one_output_per_sentence(tmp_path, tiny_models_dir) -> None:  # noqa: F811
    tr = Ct2Translator.from_settings(_settings(tmp_path, tiny_models_dir))
    assert tr.available("de") and tr.model_id("de") == TINY_REPO
    sents = ["Der Hund läuft schnell über die Straße.", "Heute regnet es in Berlin.", "東京 und Москва!", "x" * 5000]
    out = tr.translate(sents, "de")
    assert len(out) == len(sents) and all(isinstance(s, str) for s in out)
    assert tr.translate([], "de") == []


def test_entry_point_or_builtin_resolves() -> None:
    assert translator_class("ctranslate2") is Ct2Translator
    assert translator_class("none").__name__ == "NoneTranslator"


def test_stage_end_to_end_alignment_cache_provenance(tmp_path, tiny_models_dir, store) -> None:  # noqa: F811
    settings = _settings(tmp_path, tiny_models_dir)
    a, _ = store.upsert_article(
        article(
            "https://a.de/1",
            "Die Regierung hat neue Gesetze beschlossen",
            "Der Hund läuft schnell. Heute regnet es.\nDie Regierung hat beschlossen.",
            "de",
        )
    )
    d, _ = store.upsert_article(
        article(
            "https://b.de/1",
            "Die Regierung hat neue Gesetze beschlossen",
            "Der Hund läuft schnell. Heute regnet es.\nDie Regierung hat beschlossen.",
            "de",
            duplicate_of=a,
        )
    )
    router = Router(settings)
    report = translate_pending(store, settings, router=router)
    assert report.translated == 1 and report.reused_duplicates == 1 and report.failed == 0
    assert report.backend_sentences == report.sentences == 4
    t = store.get_translation(a)
    assert t.backend == "ctranslate2" and t.model == TINY_REPO and t.translated_at
    assert [x["para"] for x in t.alignment] == [-1, 0, 0, 1]
    assert [x["src"] for x in t.alignment][1:] == [
        "Der Hund läuft schnell.",
        "Heute regnet es.",
        "Die Regierung hat beschlossen.",
    ]
    assert all(isinstance(x["en"], str) for x in t.alignment)
    paras: dict[int, list[str]] = {}
    for x in t.alignment[1:]:
        if x["en"]:
            paras.setdefault(x["para"], []).append(x["en"])
    assert t.text_en == "\n".join(" ".join(p) for _, p in sorted(paras.items()))
    assert t.title_en == t.alignment[0]["en"]
    assert store.get_translation(d).notes["reused_from"] == a
    # a second (forced) run is answered from the cache: the model is not called
    again = translate_pending(store, settings, redo=True, router=router)
    assert again.translated == 1 and again.backend_sentences == 0 and again.cache_hits == 4
    assert store.get_translation(a).alignment == t.alignment
    router.close()


def test_model_change_needs_redo(tmp_path, tiny_models_dir, store) -> None:  # noqa: F811
    settings = _settings(tmp_path, tiny_models_dir)
    store.upsert_article(article("https://a.de/2", "Heute regnet es", "Der Hund läuft.", "de"))
    translate_pending(store, settings)
    # another model for the same language: nothing happens until --redo --lang de
    other = _settings(tmp_path, tiny_models_dir, opus_models={"de": "test/another-de-en"})
    assert translate_pending(store, other).considered == 0
    report = translate_pending(store, other, redo=True, language="de")
    assert report.unavailable == 1  # the new model is not installed (no auto-download here)
    assert "globewire models pull de" in report.unavailable_reasons["de"]


def test_offline_message_names_the_pull_command(tmp_path, store) -> None:
    settings = make_settings(
        tmp_path, models_dir=tmp_path / "models", auto_download=True, hub_endpoint=f"http://127.0.0.1:{_closed_port()}"
    )
    a, _ = store.upsert_article(article("https://a.se/1", "Hej", "Hunden springer. Det regnar.", "sv"))
    b, _ = store.upsert_article(article("https://a.se/2", "Hej igen", "Katten springer.", "sv"))
    report = translate_pending(store, settings)
    assert report.unavailable == 2 and report.translated == 0
    msg = report.unavailable_reasons["sv"]
    assert "Helsinki-NLP/opus-mt-sv-en" in msg and "globewire models pull sv" in msg
    for i in (a, b):
        t = store.get_translation(i)
        # a missing model is not the article's fault: no attempt is counted towards giving up
        assert t.status == "unavailable" and t.next_retry_at and t.attempts == 0
    assert store.get_article(a).text == "Hunden springer. Det regnar."
    assert store.translation_stats()["unavailable"] == 2
    with pytest.raises(TranslatorUnavailable, match="globewire models pull sv"):
        Ct2Translator.from_settings(make_settings(tmp_path, models_dir=tmp_path / "m2", auto_download=False)).translate(
            ["Hej"], "sv"
        )


def test_cli_translate_and_models_list(tmp_path, tiny_models_dir, monkeypatch) -> None:  # noqa: F811
    from globewire.log import configure
    from globewire.store import open_store
    from globewire.cli.translate import register

    configure("WARNING")  # as the root CLI does: logs on stderr, stdout stays JSON
    app = typer.Typer()
    register(app)
    db = tmp_path / "cli.db"
    s = open_store(str(db))
    s.upsert_article(article("https://a.de/3", "Die Wahl", "Der Hund läuft.", "de"))
    s.close()
    env = {
        "GLOBEWIRE_TRANSLATE__MODELS_DIR": str(tiny_models_dir),
        "GLOBEWIRE_TRANSLATE__OPUS_MODELS": json.dumps({"de": TINY_REPO}),
        "GLOBEWIRE_TRANSLATE__AUTO_DOWNLOAD": "false",
    }
    runner = CliRunner()
    res = runner.invoke(app, ["translate", "--db", str(db), "--json"], env=env)
    assert res.exit_code == 0, res.output
    assert json.loads(res.stdout)["translated"] == 1
    res = runner.invoke(app, ["models", "list", "--json"], env=env)
    assert res.exit_code == 0, res.output
    listed = {m["repo"]: m for m in json.loads(res.stdout)}
    assert listed[TINY_REPO]["licence"] == "cc-by-4.0"
    res = runner.invoke(
        app,
        ["models", "pull", "sv"],
        env={**env, "GLOBEWIRE_TRANSLATE__HUB_ENDPOINT": f"http://127.0.0.1:{_closed_port()}"},
    )
    assert res.exit_code == 1 and "cannot download" in res.output


def test_argos_without_the_package_says_how_to_install(tmp_path) -> None:
    try:
        import argostranslate  # noqa: F401
    except ImportError:
        pass
    else:  # pragma: no cover - only where argostranslate is installed
        pytest.skip("argostranslate is installed here")
    tr = translator_class("argos").from_settings(make_settings(tmp_path))
    assert tr.available("de") is False and tr.model_id("de") == "argos-de-en"
    with pytest.raises(TranslatorUnavailable, match="pip install argostranslate"):
        tr.translate(["Hallo"], "de")


def test_routes_to_none_or_unknown_backend_keep_originals(tmp_path, store) -> None:
    settings = make_settings(tmp_path, backend="none", routes={"fr": "no-such-backend"})
    a, _ = store.upsert_article(article("https://a.de/9", "Hallo", "Welt.", "de"))
    b, _ = store.upsert_article(article("https://a.fr/9", "Bonjour", "Monde.", "fr", country="FR"))
    report = translate_pending(store, settings)
    assert report.unavailable == 2 and report.failed == 0
    assert "translate.routes.de" in report.unavailable_reasons["de"]
    assert "no-such-backend" in report.unavailable_reasons["fr"]
    assert store.get_translation(a).status == store.get_translation(b).status == "unavailable"


def test_multilingual_fallback_for_languages_without_opus_mt(tmp_path, tiny_models_dir, store) -> None:  # noqa: F811
    vocab = json.loads((mdl.model_path(tiny_models_dir, TINY_M2M_REPO) / "shared_vocabulary.json").read_text())
    assert "__en__" in vocab and "__pt__" in vocab  # language tokens survived conversion
    settings = _settings(tmp_path, tiny_models_dir, fallback_model=TINY_M2M_REPO)
    tr = Ct2Translator.from_settings(settings)
    assert tr.model_id("pt") == TINY_M2M_REPO and tr.model_id("de") == TINY_REPO
    assert mdl.choose("xx", tiny_models_dir, fallback=TINY_M2M_REPO) is None  # not an M2M-100 language
    out = tr.translate(["O cão corre.", "Hoje chove."], "pt")
    assert len(out) == 2 and not any("__en__" in o for o in out)
    a, _ = store.upsert_article(article("https://a.br/1", "Eleição", "O cão corre. Hoje chove.", "pt", country="BR"))
    report = translate_pending(store, settings)
    assert report.translated == 1
    assert store.get_translation(a).model == TINY_M2M_REPO
