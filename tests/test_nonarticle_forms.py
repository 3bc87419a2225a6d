"""Registration and trial forms copied as text: a drop-down list of places with no punctuation between the
options gives them away in any language (extract/nonarticle.py, ``form_verdict``)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from globewire.cli import app
from globewire.clustering.signature import count_place_names
from globewire.extract import nonarticle
from globewire.extract.nonarticle import NOTICE_MAX_CHARS, OPTION_MIN_PLACES



def form_verdict(text: str) -> nonarticle.Verdict | None:
    return nonarticle.form_verdict(text, count_place_names)


def option_lists(text: str) -> list[tuple[int, int, int]]:
    return nonarticle.option_lists(text, count_place_names)


# Invented, in the shape of a research firm's trial form (French labels; the options are CLDR-style names).
FORM = (
    "Perspectives économiques 2027. ESSAI GRATUIT. Les utilisateurs inscrits peuvent lire trois rapports. "
    "Saisissez vos coordonnées ci-dessous. Adresse e-mail Prénom Nom Société Fonction Téléphone Ville Pays "
    "––– choisir ––– Allemagne Autriche Belgique Bulgarie Canada Chili Chine Danemark Espagne Estonie Finlande "
    "France Grèce Hongrie Inde Irlande Italie Japon Lettonie Lituanie Mexique Norvège Pologne Portugal Roumanie "
    "Suède Suisse Tchéquie Turquie Ukraine Intérêt principal --- Actions Obligations Immobilier Devises "
    "J'accepte les conditions d'utilisation. Envoyer"
)
PROSE = (
    "Les ministres de vingt pays, dont l'Allemagne, l'Autriche, la Belgique, la Bulgarie, le Canada, le Chili, "
    "la Chine, le Danemark, l'Espagne, l'Estonie, la Finlande, la France, la Grèce, la Hongrie, l'Inde, "
    "l'Irlande, l'Italie, le Japon, la Lettonie et la Lituanie, se sont réunis mardi à Genève."
)


def test_a_drop_down_list_of_places_is_a_form_whatever_the_language() -> None:
    assert form_verdict(FORM) is not None
    (start, end, n), = option_lists(FORM)
    assert n >= OPTION_MIN_PLACES and "Pologne" in FORM[start:end]  # (spans are whole windows of words)
    assert "ESSAI GRATUIT" not in FORM[start:end]
    de = "Bitte wählen Sie Ihr Land: Deutschland Österreich Schweiz Italien Frankreich Spanien Polen Ungarn Tschechien Dänemark Schweden Norwegen Finnland"
    assert form_verdict(de) is not None


def test_places_listed_in_prose_are_not_a_form() -> None:
    assert option_lists(PROSE) == [] and form_verdict(PROSE) is None
    assert form_verdict("Italien Frankreich Spanien Polen") is None  # a few names in a row say nothing


def test_an_article_with_a_form_below_it_is_kept() -> None:
    article = ("Der Stadtrat hat am Dienstag den Haushalt beschlossen. " * 40)[: NOTICE_MAX_CHARS + 200]
    assert form_verdict(article + " " + FORM) is None
    # a long text is not searched at all (a hostile run of capitalised words would cost seconds)
    assert form_verdict(FORM + " Berlin Paris" * (nonarticle.FORM_MAX_CHARS // 12)) is None


FORM_URL = "https://research.example/reports/outlook-2027"


def _inputs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[Path, Path]:
    """A JSON Lines file of the form and an article, and the store's path (data dir and config in tmp_path)."""
    monkeypatch.setenv("GLOBEWIRE_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("GLOBEWIRE_CONFIG", str(tmp_path / "none.toml"))
    f = tmp_path / "in.jsonl"
    rows = [{"url": FORM_URL, "title": "Perspectives économiques 2027", "text": FORM, "language": "fr"},
            {"url": "https://news.example/geneve-ministres", "title": "Réunion des ministres à Genève",
             "text": PROSE + " " + PROSE, "language": "fr"}]
    f.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in rows) + "\n", encoding="utf-8")
    return f, tmp_path / "gw.db"


def test_ingest_rejects_the_form_and_keeps_the_article_beside_it(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    f, db = _inputs(tmp_path, monkeypatch)
    res = CliRunner().invoke(app, ["ingest", str(f), "--db", str(db), "--no-stories", "--json"])
    assert res.exit_code == 0, res.output
    out = json.loads(res.stdout)
    assert out["new"] == 1 and out["failures"] == {"dedup:not_article:paywall": 1}


SEMEVAL = Path(__file__).resolve().parents[2] / "shared" / "benchmarks" / "story-pairs-semeval2022" / "pairs.jsonl"


@pytest.mark.skipif(not SEMEVAL.exists(), reason="../shared absent")
def test_on_real_texts_only_the_trial_forms_are_taken_for_forms() -> None:
    """Measured when set: of the 1,982 SemEval-2022 texts, the two copies of one firm's trial form hold 12 and
    13 place names in a 20-word unpunctuated window; every other text at most 5. Pinned: exactly those two."""
    texts: dict[str, str] = {}
    for line in SEMEVAL.read_text(encoding="utf-8").splitlines():
        r = json.loads(line)
        for i in (1, 2):
            texts[r[f"link{i}"]] = r[f"text{i}"]
    flagged = sorted(u for u, t in texts.items() if form_verdict(t) is not None)
    assert len(texts) > 1900 and len(flagged) == 2 and all("capitaleconomics" in u for u in flagged)


def ingest_undetected(f: Path, db: Path, monkeypatch: pytest.MonkeyPatch, stored: int) -> CliRunner:
    """Ingest ``f`` into ``db`` as a store filled before the non-article tests would (``stored`` records kept)."""
    monkeypatch.setenv("GLOBEWIRE_EXTRACT__DETECT_NONARTICLES", "false")
    runner = CliRunner()
    res = runner.invoke(app, ["ingest", str(f), "--db", str(db), "--json"])
    assert res.exit_code == 0, res.output
    assert json.loads(res.stdout)["new"] == stored
    monkeypatch.delenv("GLOBEWIRE_EXTRACT__DETECT_NONARTICLES")
    return runner


def test_purge_notices_removes_forms_stored_before_the_test(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    f, db = _inputs(tmp_path, monkeypatch)
    runner = ingest_undetected(f, db, monkeypatch, 2)
    dry = runner.invoke(app, ["purge-notices", "--db", str(db), "--dry-run", "--json"])
    assert dry.exit_code == 0, dry.output
    assert [n["sample_url"] for n in json.loads(dry.stdout)["notices"]] == [FORM_URL]
    done = runner.invoke(app, ["purge-notices", "--db", str(db), "--json"])
    assert done.exit_code == 0, done.output
    stats = json.loads(runner.invoke(app, ["stats", "--db", str(db), "--json"]).stdout)
    assert stats["articles"] == 1 and stats["failures_by_reason"].get("dedup:not_article:paywall") == 1
