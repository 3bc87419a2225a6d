"""clean_pasted_text on realistic copy-paste dumps in four languages."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from globewire.extract import ExtractionError, clean_pasted_text
from globewire.extract.furniture import classify

FIX = Path(__file__).parent / "fixtures" / "extract"


def paste(name: str):
    return clean_pasted_text((FIX / name).read_text(encoding="utf-8"), "https://news.example/a")


def test_english_paste() -> None:
    ex = paste("paste_en.txt")
    assert ex.title == "Typhoon forces thousands to leave coastal villages"
    assert ex.authors == ("Maria Santos", "Ken Ito")
    assert ex.published_at == dt.datetime(2024, 9, 12, tzinfo=dt.UTC)
    assert ex.captions and ex.captions[0].startswith("Photo: Residents")
    lines = ex.text.split("\n")
    assert lines[0].startswith("Thousands of people were moved")
    assert lines[-1].startswith("The weather agency")
    for junk in ("Home >", "min read", "Share", "WhatsApp", "Advertisement", "newsletter", "Read in English", "comment", "cookies"):
        assert junk not in ex.text


def test_german_paste() -> None:
    ex = paste("paste_de.txt")
    assert ex.title == "Regierung einigt sich auf Entlastungspaket"
    assert ex.authors == ("Lena Hoffmann",)
    assert ex.published_at is not None and ex.published_at.date() == dt.date(2024, 5, 3)
    assert any(c.startswith("Bildunterschrift") for c in ex.captions)
    assert "Foto: dpa" in ex.captions
    assert len(ex.text.split("\n")) == 3
    for junk in ("Startseite", "Lesezeit", "Teilen", "Drucken", "Anzeige", "Englisch", "Mehr zum Thema", "Kommentare", "Newsletter"):
        assert junk not in ex.text


def test_spanish_paste() -> None:
    ex = paste("paste_es.txt")
    assert ex.title == "El Gobierno anuncia un plan para reducir las listas de espera"
    assert ex.authors == ("Javier Morales",)
    assert ex.published_at == dt.datetime(2024, 2, 18, tzinfo=dt.UTC)
    assert ex.captions and "(EFE)" in ex.captions[0]
    assert len(ex.text.split("\n")) == 3
    for junk in ("Inicio", "Compartir", "Publicidad", "Leer en", "cookies", "comentarios", "Teilen"):
        assert junk not in ex.text


def test_french_paste() -> None:
    ex = paste("paste_fr.txt")
    assert ex.title == "La SNCF annonce de nouvelles lignes de train de nuit"
    assert ex.authors == ("Sophie Martin",)
    assert ex.published_at is not None and ex.published_at.date() == dt.date(2024, 6, 7)
    assert len(ex.text.split("\n")) == 3
    for junk in ("Accueil", "Temps de lecture", "Partager", "Publicité", "Lire en", "commentaire"):
        assert junk not in ex.text


def test_article_sentences_that_look_like_furniture_are_kept() -> None:
    text = (
        "Markets slide on rate fears\n"
        "Share prices fell sharply on Monday as investors worried that central banks would keep interest rates higher for longer.\n"
        "By the end of the day, the main index had lost 3 percent, its worst fall since March.\n"
        "Advertisement spending by large companies is also expected to slow, analysts said.\n"
    )
    ex = clean_pasted_text(text, "https://news.example/m")
    assert ex.title == "Markets slide on rate fears"
    assert ex.authors == ()
    assert len(ex.text.split("\n")) == 3


def test_only_furniture_is_an_error() -> None:
    with pytest.raises(ExtractionError) as err:
        clean_pasted_text("Share\nTweet\nAdvertisement\n5 min read\n", "https://x.example")
    assert err.value.reason == "empty"
    with pytest.raises(ExtractionError):
        clean_pasted_text("   ", "https://x.example")


@pytest.mark.parametrize(
    ("line", "kind"),
    [
        ("Facebook Twitter WhatsApp", "drop"),
        ("Auf Deutsch lesen", "drop"),
        ("Lire en français", "drop"),
        ("Read in English", "drop"),
        ("12 Kommentare", "drop"),
        ("Home > World > Asia", "drop"),
        ("7 min read", "drop"),
        ("Werbung", "drop"),
        ("By Jane Doe", "byline"),
        ("Por Ana García", "byline"),
        ("Image caption Rescue teams at the scene", "caption"),
        ("Foto: Imago", "caption"),
        ("Published 3 May 2024", "date"),
    ],
)
def test_pattern_table(line: str, kind: str) -> None:
    hit = classify(line)
    assert hit is not None and hit[0] == kind
