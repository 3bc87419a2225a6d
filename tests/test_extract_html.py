"""extract_html on fixture pages of our own writing: metadata, body, charsets, rules, bad input."""

from __future__ import annotations

import datetime as dt
import gzip
from pathlib import Path

import pytest

from globewire.extract import (
    ExtractionError,
    ExtractSettings,
    decode_html,
    extract_html,
)
from globewire.records import ExtractionRules

FIX = Path(__file__).parent / "fixtures" / "extract"
LOOSE = ExtractSettings(min_text_chars=50)


def load(name: str) -> bytes:
    return (FIX / name).read_bytes()


def test_german_jsonld_page() -> None:
    ex = extract_html(load("de_jsonld.html"), "https://www.beispiel-zeitung.de/politik/x?utm=1", settings=LOOSE)
    assert ex.title == "Stadtrat beschließt neues Radwegenetz"
    assert ex.published_at == dt.datetime(2024, 3, 14, 8, 30, tzinfo=dt.UTC)
    assert ex.authors == ("Anna Beispiel", "Jonas Muster")
    assert ex.canonical_url == "https://www.beispiel-zeitung.de/politik/stadtrat-radwege-123.html"
    assert ex.image_url and ex.image_url.startswith("https://www.beispiel-zeitung.de/bilder/")
    assert ex.site_name == "Beispiel Zeitung"
    assert ex.html_lang == "de-DE"
    assert ex.description.startswith("Nach langer Debatte")
    assert "vierstündigen Debatte" in ex.text and "Hauptstraße an der Reihe" in ex.text
    # furniture and the repeated headline are not body text; the caption is kept apart
    assert not ex.text.startswith("Stadtrat beschließt")
    for junk in ("Teilen", "Mehr zum Thema", "Neue Buslinie", "Alle Rechte vorbehalten", "Stadtarchiv"):
        assert junk not in ex.text
    assert ex.captions == ("Radfahrer auf der Hauptstraße. Foto: Stadtarchiv",)


def test_french_meta_only_page() -> None:
    ex = extract_html(load("fr_meta.html"), "https://www.journal-du-sud.example/eco/1", settings=LOOSE)
    assert ex.title == "Les vendanges commencent plus tôt dans le Bordelais"
    # article:published_time wins over the visible <time>
    assert ex.published_at == dt.datetime(2023, 8, 21, 6, 15, tzinfo=dt.UTC)
    assert ex.authors == ("Claire Dupont",)
    assert ex.canonical_url == "https://www.journal-du-sud.example/economie/vendanges-2023"
    assert ex.image_url == "https://cdn.journal-du-sud.example/img/vigne.jpg"
    assert ex.html_lang == "fr"
    assert "Saint-Émilion" in ex.text
    assert "commentaires" not in ex.text and "Accueil" not in ex.text


def test_jsonld_graph_with_broken_block_and_escaped_title() -> None:
    ex = extract_html(load("jsonld_graph.html"), "https://coastline.example/news/ferry", settings=LOOSE)
    assert ex.title == "Harbour ferry service to resume after storm repairs"
    # the NewsArticle's date, not the WebPage's 2001 one
    assert ex.published_at == dt.datetime(2022, 11, 2, 14, 5, tzinfo=dt.UTC)
    assert ex.authors == ("Tom Walker", "Priya Shah")
    assert ex.image_url == "https://coastline.example/img/ferry.jpg"
    assert "four thousand people" in ex.text
    assert "Share this article" not in ex.text


def test_broken_html_gives_best_effort_body() -> None:
    ex = extract_html(load("broken.html"), "https://example.org/budget", settings=LOOSE)
    assert "marathon session" in ex.text
    assert "known for weeks" in ex.text
    assert ex.title == "Broken page"


@pytest.mark.parametrize("name", ["ru_cp1251_declared_utf8.html", "ru_cp1251_undeclared.html"])
def test_windows_1251_wrongly_declared_or_undeclared(name: str) -> None:
    ex = extract_html(load(name), "https://gorod.example/most", settings=LOOSE)
    assert ex.title == "Новый мост через реку откроют летом"
    assert "восемьсот метров" in ex.text


def test_shift_jis_declared_in_meta() -> None:
    ex = extract_html(load("ja_shift_jis.html"), "https://toshokan.example/news", settings=LOOSE)
    assert ex.title == "新しい図書館が駅前に開館"
    assert "三十万冊" in ex.text


def test_http_header_charset_wins_over_meta() -> None:
    page = '<html><head><meta charset="iso-8859-1"><title>Zürich</title></head><body><p>Grüße aus Zürich.</p></body></html>'
    d = decode_html(page.encode("utf-8"), {"Content-Type": "text/html; charset=UTF-8"})
    assert "Grüße" in d.text and d.source == "header"
    # Latin-1 declared but the bytes are UTF-8: read as UTF-8 (the common mislabel)
    d2 = decode_html(page.encode("utf-8"))
    assert "Grüße" in d2.text
    # and genuine windows-1252 bytes stay windows-1252
    d3 = decode_html(page.encode("cp1252"))
    assert "Grüße" in d3.text and d3.encoding == "cp1252"


def test_utf8_bom_and_utf16() -> None:
    page = "<html><body><p>Ça marche très bien.</p></body></html>"
    assert "Ça marche" in decode_html(b"\xef\xbb\xbf" + page.encode("utf-8")).text
    assert "Ça marche" in decode_html(page.encode("utf-16")).text


def test_gzipped_body_is_inflated() -> None:
    ex = extract_html(gzip.compress(load("fr_meta.html")), "https://www.journal-du-sud.example/eco/1", settings=LOOSE)
    assert ex.title.startswith("Les vendanges")


@pytest.mark.parametrize(
    ("content", "reason"),
    [
        (b"", "empty"),
        (b"   \n\t ", "empty"),
        ("", "empty"),
        (b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj", "binary"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "binary"),
        (bytes(range(256)) * 20, "binary"),
        (b'{"json": "not a page", "items": [1, 2, 3]}', "not_html"),
        (b"<html><head><title>Nothing here</title></head><body></body></html>", "too_short"),
    ],
)
def test_bad_input_gives_typed_error(content: bytes | str, reason: str) -> None:
    with pytest.raises(ExtractionError) as err:
        extract_html(content, "https://example.org/x")
    assert err.value.reason == reason


def test_too_short_respects_setting() -> None:
    page = b"<html><body><article><p>Short note about the weather today.</p></article></body></html>"
    with pytest.raises(ExtractionError):
        extract_html(page, "https://example.org/x")
    # with no minimum, a best-effort result comes back
    ex = extract_html(page, "https://example.org/x", settings=ExtractSettings(min_text_chars=0))
    assert isinstance(ex.text, str)


def test_huge_single_line_page_is_handled() -> None:
    para = "<p>" + ("The committee met again to discuss the proposal in detail. " * 30) + "</p>"
    page = "<html><head><title>Long</title></head><body><article>" + para * 1500 + "</article></body></html>"
    assert "\n" not in page and len(page) > 2_500_000
    ex = extract_html(page.encode(), "https://example.org/long", settings=ExtractSettings(max_html_chars=1_000_000))
    assert "committee met again" in ex.text


def test_site_rules_win_and_drop() -> None:
    rules = ExtractionRules(
        title=".x-titular", body=".x-cuerpo", date=".x-fecha", authors=".x-firma", image="img.x-foto",
        drop=(".x-anuncio", "#promo"),
    )
    ex = extract_html(load("rules_site.html"), "https://puerto.example/noticia/1", rules=rules, settings=LOOSE)
    assert ex.title == "El puerto amplía su terminal de contenedores"
    assert ex.text.split("\n")[0].startswith("La autoridad portuaria")
    assert "Publicidad" not in ex.text and "Suscríbete" not in ex.text
    assert ex.published_at == dt.datetime(2024, 5, 2, 6, 0, tzinfo=dt.UTC)
    assert ex.authors == ("Lucía Romero",)
    assert ex.image_url == "https://puerto.example/fotos/puerto.jpg"


def test_rules_that_do_not_match_fall_back_to_generic() -> None:
    rules = ExtractionRules(title=".nope", body="div.missing", drop=("p.comments", "[[invalid selector"))
    ex = extract_html(load("fr_meta.html"), "https://www.journal-du-sud.example/eco/1", rules=rules, settings=LOOSE)
    assert ex.title == "Les vendanges commencent plus tôt dans le Bordelais"
    assert "Saint-Émilion" in ex.text


def test_canonical_must_be_http() -> None:
    page = (
        '<html><head><link rel="canonical" href="javascript:alert(1)"><meta property="og:url" content="ftp://x.example/a">'
        "</head><body><article><p>" + "Text of the story goes here. " * 20 + "</p></article></body></html>"
    )
    ex = extract_html(page, "https://example.org/story", settings=LOOSE)
    assert ex.canonical_url is None


def test_xhtml_with_xml_declaration() -> None:
    page = (
        '<?xml version="1.0" encoding="utf-8"?>\n<!DOCTYPE html><html xmlns="http://www.w3.org/1999/xhtml" xml:lang="en">'
        "<head><title>Water prices rise</title></head><body><article><p>"
        + "Water prices will rise by four percent next year, the regulator said on Friday. " * 6
        + "</p></article></body></html>"
    )
    for content in (page, page.encode("utf-8")):
        ex = extract_html(content, "https://a.example/water", settings=LOOSE)
        assert ex.html_lang == "en"
        assert "regulator said" in ex.text


def test_bylines_dates_and_credits_at_the_edges_of_a_body_are_trimmed_not_inside_it() -> None:
    """A byline, a "Stand:" line and a photo credit above or below the text are page furniture; the same shapes
    inside the text (a dated entry, a quoted line) stay."""
    from globewire.extract.body import clean_body

    prose = [
        "Der Stadtrat hat am Dienstag beschlossen, die Radwege in der Innenstadt bis zum Sommer zu verbreitern.",
        "Die Bürgermeisterin sprach von einem guten Tag für alle, die in der Stadt mit dem Rad unterwegs sind.",
        "05.08.2024, 20:59 Uhr",
        "Die Opposition kritisierte die Kosten und verlangte eine Prüfung durch den Rechnungshof der Stadt.",
    ]
    body = "\n".join(["Von Anna Beispiel, Kassel", "Stand: 22.04.2024, 06:00 Uhr", *prose, "Foto: dpa"])
    assert clean_body(body).split("\n") == prose


def test_teasers_of_other_articles_and_a_trailing_syndication_note_are_dropped() -> None:
    """"Read more: <another headline>" inside the text and "First published in …" after it are furniture; the
    same words in a sentence (no colon; a second clause) are the article's."""
    from globewire.extract.body import clean_body

    prose = [
        "Protesters gathered outside the town hall on Saturday to oppose the closure of the local hospital.",
        "Read more about the hospital's finances in the council's published report from last year.",
        "The health authority said the decision was final, but promised a review of ambulance times.",
        "First published in 1998, the hospital's charter guarantees an emergency ward for the district.",
    ]
    body = "\n".join([prose[0], "Read more: Plymouth protests erupt as police face stones and bottles in city centre",
                      prose[1], "Lesen Sie auch: Klinikreform – was sich für Patienten ändert", prose[2], prose[3],
                      "First published in The Conversation."])
    assert clean_body(body).split("\n") == prose


def test_a_byline_after_the_standfirst_and_a_credit_inside_the_text_are_dropped() -> None:
    from globewire.extract.body import clean_body

    standfirst = "Deutscher Handel mit dem Iran: Wie die Sanktionen die Firmen im Land treffen und was sie nun tun."
    prose = [
        "Die Unternehmen im Land spüren die Sanktionen seit Monaten, sagen die Verbände der Industrie und des Handels.",
        "Viele Firmen haben ihre Geschäfte bereits eingestellt oder suchen nach anderen Märkten in der Region.",
        "Die Regierung verspricht Hilfe, doch die Verbände halten die angekündigten Mittel für viel zu gering.",
        "Der nächste Bericht der Kommission soll im Herbst vorgelegt werden und neue Zahlen enthalten.",
    ]
    body = "\n".join([standfirst, "von Katja Beispiel", prose[0], prose[1], "Фото: Иван Петров, Коммерсантъ",
                      prose[2], prose[3]])
    assert clean_body(body).split("\n") == [standfirst, *prose]
