"""The pasted-text cleaner on its own: date lines in many languages and shapes, year-less and relative dates,
headline/byline/caption/chrome decisions, JSON Lines text bodies, dedup on text without furniture, and the
pasted benchmark's floor on tests/fixtures/pasted."""

from __future__ import annotations

import datetime as dt
import json
import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from globewire.bench.pasted import load_fixture, score_pasted
from globewire.dedup import text_for_matching
from globewire.extract.dates import parse_date_line, resolve_date_lines
from globewire.extract.text import clean_pasted_text, clean_text_record

FIX = Path(__file__).parent / "fixtures" / "pasted"
BODY = (
    "The regional council approved a new plan on Monday to rebuild the old harbour wall before next winter.\n"
    "Engineers said the work would take eight months and would close the ferry pier for part of that time.\n"
    "Local fishermen welcomed the decision but asked for compensation for the weeks without access.\n"
)


@pytest.mark.parametrize(
    ("line", "day", "role"),
    [
        ("date 2024-11-05", "2024-11-05", ""),
        ("Tuesday, November 5, 2024 | 09:10 AM IST", "2024-11-05", ""),
        ("5 Nov 2024, 09:10", "2024-11-05", ""),
        ("Last Updated : Nov 05 2024 | 8:10 PM IST", "2024-11-05", "updated"),
        ("First Published: Nov 05 2024 | 8:10 PM IST", "2024-11-05", "published"),
        ("Veröffentlicht am 05.11.2024, 16.45 Uhr", "2024-11-05", "published"),
        ("Stand: 06.02.2024 11:20 Uhr", "2024-02-06", ""),
        ("Publié le 12 juin 2024 à 10h45", "2024-06-12", "published"),
        ("Barcelona - 03 abr 2024 - 05:40 CEST", "2024-04-03", ""),
        ("7.mai.2024 às 12h15", "2024-05-07", ""),
        ("2024年1月10日 19時05分", "2024-01-10", ""),
        ("2024-09-16 08:21:30", "2024-09-16", ""),
        ("الثلاثاء 15 أكتوبر 2024 03:20 م", "2024-10-15", ""),
        ("٢٥ سبتمبر ٢٠٢٤", "2024-09-25", ""),
        ("Обновлено 20 августа 2024, 12:40", "2024-08-20", "updated"),
        ("5 नवंबर 2024", "2024-11-05", ""),
        ("Giriş Tarihi: 06.02.2024 14:20", "2024-02-06", "published"),
        ("15 września 2024, 09:40", "2024-09-15", ""),
        ("30 ottobre 2024", "2024-10-30", ""),
        ("송고2024-07-18 15:30", "2024-07-18", "published"),
        ("Kompas.com - 12/08/2024, 14:30 WIB", "2024-08-12", ""),
        ("06/20/2024", "2024-06-20", ""),  # a second number over 12: month first
        ("Priya Menon / TNN / Updated: Tuesday, November 5, 2024 | 09:10 AM IST", "2024-11-05", "updated"),
    ],
)
def test_date_lines(line: str, day: str, role: str) -> None:
    d = parse_date_line(line)
    assert d is not None, line
    assert not d.yearless and not d.relative
    assert d.when.date().isoformat() == day
    assert d.role == role


@pytest.mark.parametrize("line", ["5 killed in crash", "Share", "The 19-km line is expected", "1450", "g1",
                                  "Weather 54°F", "EU climate chief says 2040 target talks will be difficult"])
def test_not_date_lines(line: str) -> None:
    d = parse_date_line(line)
    assert d is None or d.relative  # never an absolute date


def test_yearless_date_takes_the_year_of_the_other_clues_and_its_weekday() -> None:
    d = parse_date_line("Tuesday, November 5")
    assert d is not None and d.yearless and d.weekday == 1
    # another date line in the text gives the year
    upd = parse_date_line("Updated: Nov 6, 2024")
    assert resolve_date_lines([d, upd], []) == d.when.replace(year=2024)
    # years the body mentions: not before the latest of them; the printed weekday decides (2024 is a Tuesday)
    assert resolve_date_lines([d], [2022, 2019]).year == 2024
    # never after the reference time: in March 2025, "Tuesday, November 5" is 2024
    ref = dt.datetime(2025, 3, 1, tzinfo=dt.UTC)
    assert resolve_date_lines([d], [], ref).date() == dt.date(2024, 11, 5)
    # without a weekday: the latest year not in the future of the reference
    xmas = parse_date_line("25 December")
    assert xmas is not None and xmas.yearless
    assert resolve_date_lines([xmas], [], dt.datetime(2024, 11, 1, tzinfo=dt.UTC)).date() == dt.date(2023, 12, 25)


def test_relative_dates_need_a_reference_time() -> None:
    d = parse_date_line("2 hours ago")
    assert d is not None and d.relative
    assert resolve_date_lines([d], []) is None
    ref = dt.datetime(2024, 11, 5, 12, 0, tzinfo=dt.UTC)
    assert resolve_date_lines([d], [], ref) == ref - dt.timedelta(hours=2)
    # an absolute date line wins over a relative one
    absolute = parse_date_line("4 Nov 2024")
    assert resolve_date_lines([d, absolute], [], ref).date() == dt.date(2024, 11, 4)


def test_a_relative_clock_time_keeps_its_clock_on_the_reference_day() -> None:
    """"today, 21:03" names a time of day, not an offset from noon: seen at 23:41 it is 21:03 that day (it was
    stored as 08:44 the next morning, a story dated in the future); "yesterday 08:15" is the day before; a clock
    time later than the reference belongs to the previous day; an offset ("3 hours ago") still moves the
    reference."""
    ref = dt.datetime(2026, 12, 4, 23, 41, tzinfo=dt.UTC)
    cases = {
        "vandaag, 21:03": dt.datetime(2026, 12, 4, 21, 3, tzinfo=dt.UTC),
        "Aangepast vandaag, 21:40": dt.datetime(2026, 12, 4, 21, 40, tzinfo=dt.UTC),
        "gisteren 08:15": dt.datetime(2026, 12, 3, 8, 15, tzinfo=dt.UTC),
        "yesterday at 7:45 PM": dt.datetime(2026, 12, 3, 19, 45, tzinfo=dt.UTC),
        "today 23:55": dt.datetime(2026, 12, 3, 23, 55, tzinfo=dt.UTC),
        "vor 3 Stunden": ref - dt.timedelta(hours=3),
        "il y a 5 minutes": ref - dt.timedelta(minutes=5),
        "il y a 2 heures": ref - dt.timedelta(hours=2),
    }
    for line, when in cases.items():
        d = parse_date_line(line)
        assert d is not None and d.relative, line
        assert resolve_date_lines([d], [], ref) == when, line


def test_first_published_wins_over_updated() -> None:
    upd = parse_date_line("Last Updated: Nov 06 2024 | 8:10 PM IST")
    pub = parse_date_line("First Published: Nov 05 2024 | 8:10 PM IST")
    assert resolve_date_lines([upd, pub], []).date() == dt.date(2024, 11, 5)


def test_share_menu_breadcrumb_read_in_and_reading_time_are_dropped() -> None:
    text = ("Get link\nFacebook\nX\nPinterest\nEmail\nOther Apps\nHome / World News / Harbour wall\nहिंदी में पढ़ें\n"
            "Council approves plan to rebuild harbour wall\n3 min read\nTuesday, November 5, 2024 | 09:10 AM IST\n"
            + BODY + "Labels\nRegion\nShare\nGet link\nFacebook\nX\nPinterest\nEmail\nOther Apps\n")
    ex = clean_pasted_text(text, "https://x.example/a")
    assert ex.title == "Council approves plan to rebuild harbour wall"
    assert ex.text == BODY.strip()
    assert ex.published_at is not None and ex.published_at.date() == dt.date(2024, 11, 5)


def test_crosshead_kept_caption_apart_related_block_ends_the_body() -> None:
    paras = BODY.strip().split("\n")
    text = "\n".join([
        "Council approves plan to rebuild harbour wall", "By Jane Doe, Portsmouth", "5 Nov 2024, 09:10",
        paras[0], "Fishermen's worries", paras[1],
        "Workers inspect the harbour wall on Monday. (Photo: Reuters)", paras[2],
        "Related", "Ferry company cuts winter timetable", "Storm damages seafront shelters",
    ])
    ex = clean_pasted_text(text, "https://x.example/b")
    assert ex.text.split("\n") == [paras[0], "Fishermen's worries", paras[1], paras[2]]
    assert ex.captions == ("Workers inspect the harbour wall on Monday. (Photo: Reuters)",)
    assert ex.authors == ("Jane Doe",)


def test_standfirst_after_headline_and_logo_before_it() -> None:
    text = ("The Daily Ledger\nCouncil approves plan to rebuild harbour wall\n"
            "The eight-month project closes the ferry pier\nJane Doe\n9 July 2024\n" + BODY)
    ex = clean_pasted_text(text, "https://x.example/c")
    assert ex.title == "Council approves plan to rebuild harbour wall"
    assert ex.authors == ("Jane Doe",)
    assert "Daily Ledger" not in ex.text and "ferry pier\n" not in ex.text


def test_outlet_note_and_author_bio_after_the_body_are_dropped() -> None:
    text = ("Harbour News\nCouncil approves plan to rebuild harbour wall\nBy Jane Doe\n5 Nov 2024\n" + BODY
            + "Doe covers the south coast for Harbour News.\n")
    ex = clean_pasted_text(text, "https://x.example/d")
    assert ex.text == BODY.strip()


def test_jsonl_record_text_is_cleaned_and_fills_missing_fields() -> None:
    fx = load_fixture(FIX / "tune" / "de_spiegel_like.pasted")
    rec = clean_text_record({"url": "https://spiegel.example/a", "text": fx.text}, "https://spiegel.example/a")
    assert rec["title"] == fx.title
    assert rec["text"].split("\n") == list(fx.body)
    assert rec["published_at"].startswith("2024-10-08")
    assert rec["authors"] == ["Jonas Richter"]
    # a title the record has is kept; a globewire export (content_hash) is left alone
    kept = clean_text_record({"title": "Mine", "text": fx.text}, "u")
    assert kept["title"] == "Mine"
    export = {"title": "", "text": fx.text, "content_hash": "abc"}
    assert clean_text_record(export, "u") is export


def test_persian_and_indic_joiners_are_kept() -> None:
    text = "بی‌بی‌سی فارسی\nجستجو برای بالگرد ادامه دارد\n" + "تیم‌های امداد و نجات شب گذشته به جستجو ادامه دادند که در شمال غرب ایران است.\n"
    ex = clean_pasted_text(text, "u")
    assert "تیم\u200cهای" in ex.text


def test_dedup_matches_on_text_without_furniture_lines() -> None:
    text = "Share\nAdvertisement\n" + BODY + "(Reporting by Jane Doe; Editing by John Roe)\n"
    assert text_for_matching(text).split("\n") == BODY.strip().split("\n")


def test_pasted_benchmark_floor() -> None:
    """Measured on tests/fixtures/pasted (110 fixtures: tune 43, held_out_1 15, held_out_2 10, held_out_3 10,
    held_out_4 8, held_out_5 12, held_out_6 12) in session 6, after the language-independent furniture shapes
    (text._shape_furniture: picture credits and their captions, related-story teasers, ad labels, newsletter
    promos; one teaser no longer ends the body): title 100 %, date 98.2 %, byline 92.7 %, residue 87.3 per 1,000
    body lines (39 of 447; before the shapes 125.8), body recall 100 % (before 98.5 %). Floors: title, date and
    byline 3 points below, residue plus 10 %, body recall 3 points below.

    Per split, before -> after the shapes (residue per 1,000 body lines; body recall; title / date / byline
    unchanged on every split):
      tune         0 -> 6.5 (1 line: a promo after a "Baca juga:" teaser is now read as the article going on);
                   recall 100 % -> 100 %
      held_out_1..3  0 -> 0; recall 100 %
      held_out_4   90.9 -> 76.9 (2 paywall prompts); recall 83.3 % -> 100 % (a paragraph after one teaser is kept)
      held_out_5   278.7 -> 117.6 (6 lines: captions that are sentences before a credit, a paywall prompt);
                   recall 97.2 % -> 100 %
    held_out_4 and held_out_5 were tuning data for the shapes. held_out_6 (12 texts: hu, fi, da, nb, sk, hr, bg,
    uk, lt, ms, sw, he; written blind by a helper in session 6) was not: measured once with the shapes in place,
    351.4 -> 294.1 per 1,000 (39 of 111 -> 30 of 102), body recall 100 % -> 100 %, title 100 %, date 91.7 %,
    byline 75 % (unchanged). The splits are pinned at their measured values minus one fixture's worth (residue:
    plus 10 %)."""
    res = score_pasted(FIX)
    s = res["all"]
    assert s["fixtures"] >= 110
    assert s["title_accuracy"] >= 0.97
    assert s["date_accuracy"] >= 0.95
    assert s["byline_accuracy"] >= 0.89
    assert s["residue_per_1000_lines"] <= 96
    assert s["body_recall"] >= 0.97
    assert set(res["splits"]) == {"tune", "held_out_1", "held_out_2", "held_out_3", "held_out_4", "held_out_5",
                                  "held_out_6"}
    h6 = res["splits"]["held_out_6"]
    assert h6["title_accuracy"] >= 0.91 and h6["date_accuracy"] >= 0.83 and h6["byline_accuracy"] >= 0.66
    assert h6["body_recall"] >= 0.91 and h6["residue_per_1000_lines"] <= 324
    h4 = res["splits"]["held_out_4"]
    assert h4["title_accuracy"] >= 0.875 and h4["date_accuracy"] >= 0.75 and h4["byline_accuracy"] >= 0.75
    assert h4["body_recall"] >= 0.875 and h4["residue_per_1000_lines"] <= 85
    h5 = res["splits"]["held_out_5"]
    assert h5["title_accuracy"] >= 0.91 and h5["date_accuracy"] >= 0.91 and h5["byline_accuracy"] >= 0.66
    assert h5["body_recall"] >= 0.91 and h5["residue_per_1000_lines"] <= 130


def test_bench_pasted_command_writes_json(tmp_path) -> None:
    from globewire.cli import app

    data = tmp_path / "fx" / "tune"
    data.mkdir(parents=True)
    for name in ("wire_methane_original", "jp_nhk_like", "plain_no_chrome"):
        shutil.copy(FIX / "tune" / f"{name}.pasted", data)
    out = tmp_path / "pasted.json"
    res = CliRunner().invoke(app, ["bench", "pasted", "--data", str(tmp_path / "fx"), "--out", str(out)],
                             catch_exceptions=False)
    assert res.exit_code == 0, res.output
    got = json.loads(out.read_text(encoding="utf-8"))
    assert got["all"]["fixtures"] == 3 and got["all"]["title_accuracy"] == 1.0
    assert "tune" in res.output
    bad = CliRunner().invoke(app, ["bench", "pasted", "--data", str(tmp_path / "nope")])
    assert bad.exit_code != 0


def test_a_long_table_of_numbers_is_cleaned_in_bounded_time() -> None:
    import time

    rows = "\n".join(f"{i} {i * 3}.{i % 7} {i % 13}" for i in range(3000))
    text = "Closing prices\n" + rows + "\n" + BODY
    t0 = time.perf_counter()
    ex = clean_pasted_text(text, "u")
    assert time.perf_counter() - t0 < 60  # ~2 s here: only MAX_DATE_LINES lines go to dateparser
    assert ex.text.endswith(BODY.strip())


def test_a_bulleted_list_inside_the_body_is_kept() -> None:
    paras = BODY.strip().split("\n")
    items = ["- Eight months of work on the outer wall", "- The ferry pier closed from March", "- A new storm gate by 2026"]
    text = "\n".join(["Council approves plan to rebuild harbour wall", "5 Nov 2024", paras[0], *items, paras[1], paras[2]])
    ex = clean_pasted_text(text, "u")
    assert ex.text.split("\n") == [paras[0], *items, paras[1], paras[2]]


@pytest.mark.parametrize("mid", ["Image", "[Image]", "Video", "Play video", "toggle caption", "Bild vergrößern",
                                 "写真", "صورة", "Фото", "फोटो", "Open in app", "Continue reading the main story"])
def test_placeholders_between_paragraphs_are_dropped(mid: str) -> None:
    paras = BODY.strip().split("\n")
    ex = clean_pasted_text("\n".join(["Harbour wall plan approved", paras[0], mid, paras[1]]), "u")
    assert ex.text.split("\n") == paras[:2]


def test_cross_headings_between_paragraphs_are_kept() -> None:
    paras = BODY.strip().split("\n")
    for head in ("Why the wall matters", "Reaktionen aus Berlin", "背景と課題"):
        ex = clean_pasted_text("\n".join(["Harbour wall plan approved", paras[0], head, paras[1]]), "u")
        assert ex.text.split("\n") == [paras[0], head, paras[1]]


def test_a_record_whose_title_ran_into_its_text_gets_both_apart() -> None:
    """A scraped record without a title, its title glued to the body on one line: the title is filled, the body
    starts after it (as an HTML page's body does), nothing of the text is lost."""
    text = ("Harbour cranes stand still as dock workers strike LISBON: Dock workers at the main container port "
            "walked out on Monday and the strike is the first in a decade at the port, where the cranes stood "
            "still in the rain and the ships waited in the bay.")
    rec = clean_text_record({"url": "https://example.test/a", "text": text}, "https://example.test/a")
    assert rec["title"] == "Harbour cranes stand still as dock workers strike"
    assert rec["text"].startswith("LISBON: Dock workers")
    assert f"{rec['title']} {rec['text']}" == text


def test_a_double_space_between_title_and_text_is_read_before_spaces_are_normalised() -> None:
    text = ("Neue Radwege für die Innenstadt beschlossen  Kassel (dpa) Der Stadtrat hat am Dienstag neue Radwege "
            "beschlossen, die bis zum Sommer fertig sein sollen.")
    rec = clean_text_record({"url": "https://example.test/b", "text": text}, "https://example.test/b")
    assert rec["title"] == "Neue Radwege für die Innenstadt beschlossen"
    assert rec["text"].startswith("Kassel (dpa) Der Stadtrat")


# --- language-independent furniture shapes (session 6): invented lines in languages the fixtures do not have
# (Estonian, Latvian, Slovenian, Albanian, Basque, Icelandic, Afrikaans), so that no word list can pass them.

def _mid(*between: str) -> list[str]:
    """The body's paragraphs with ``between`` inserted after the first; the cleaned text (a list of lines)."""
    paras = BODY.strip().split("\n")
    text = "\n".join(["Harbour wall plan approved", "5 Nov 2024", paras[0], *between, paras[1], paras[2]])
    return clean_pasted_text(text, "u").text.split("\n")


@pytest.mark.parametrize("label", ["Loe ka:", "Lasiet arī:", "Preberite tudi:", "Irakurri ere bai:"])
def test_a_short_label_ending_in_a_colon_and_the_headline_after_it_are_a_teaser(label: str) -> None:
    paras = BODY.strip().split("\n")
    assert _mid(label, "Valitsus kinnitas uue sadamaehituse kava ja eelarve") == paras


def test_a_teaser_followed_by_one_paragraph_does_not_end_the_body() -> None:
    paras = BODY.strip().split("\n")
    text = "\n".join(["Harbour wall plan approved", "5 Nov 2024", paras[0], paras[1], "Lexo edhe:",
                      "Qeveria miraton planin e ri për portin e qytetit", paras[2]])
    assert clean_pasted_text(text, "u").text.split("\n") == paras


@pytest.mark.parametrize("line", ["Preberite tudi: Vlada sprejela nov zakon o javnih financah",
                                  "Lexo edhe: Qeveria miraton planin e ri për portin e qytetit",
                                  "LEES OOK: Hawe se muur sal vanjaar nog herstel word"])
def test_a_verb_phrase_label_colon_and_a_headline_on_one_line_is_a_teaser(line: str) -> None:
    assert _mid(line) == BODY.strip().split("\n")


@pytest.mark.parametrize("label", ["LEXO EDHE", "TENGDAR FRÉTTIR"])
def test_a_label_in_capitals_before_a_headline_is_a_teaser(label: str) -> None:
    assert _mid(label, "Ríkisstjórnin samþykkir nýja áætlun um höfnina") == BODY.strip().split("\n")


@pytest.mark.parametrize(("caption", "credit"), [
    ("Teadlased sadama juures esmaspäeval", "Pilt: Mari Tamm"),
    ("Ostas ehitajad eile õhtul", "Argazkia: Jon Etxeberria / EFE"),
    ("Strādnieki ostā pirmdienas rītā", "Jāņa Ozola foto."),
    ("Strādnieki ostā pirmdienas rītā", "Ilustr. Jānis Bērziņš"),
    ("Ostas ehitajad eile õhtul", "Pilt Mari Tamm/ERR"),
])
def test_a_picture_credit_and_the_caption_before_it_are_dropped(caption: str, credit: str) -> None:
    paras = BODY.strip().split("\n")
    ex = clean_pasted_text("\n".join(["Harbour wall plan approved", "5 Nov 2024", paras[0], caption, credit,
                                      paras[1], paras[2]]), "u")
    assert ex.text.split("\n") == paras
    assert caption in ex.captions and credit in ex.captions


def test_a_paragraph_before_a_bare_credit_is_kept() -> None:
    """A credit straight after a paragraph: the paragraph is text, only the credit goes."""
    paras = BODY.strip().split("\n")
    short = "Vallavanem hindas kahju sadadesse miljonitesse eurodesse."
    text = "\n".join(["Harbour wall plan approved", "5 Nov 2024", paras[0], short, "Pilt: Mari Tamm", paras[1]])
    assert clean_pasted_text(text, "u").text.split("\n") == [paras[0], short, paras[1]]


@pytest.mark.parametrize("line", ["Reklāma", "Continua dopo la pubblicità", "Artikkelen fortsetter etter annonse",
                                  "Publicitat patrocinada"])
def test_ad_labels_are_dropped(line: str) -> None:
    assert _mid(line) == BODY.strip().split("\n")


def test_a_newsletter_label_and_its_promo_are_dropped() -> None:
    paras = BODY.strip().split("\n")
    promo = "Tellige meie uudiskiri ja saate iga hommikul kõige olulisemad uudised."
    assert _mid("Newsletter", promo) == paras


@pytest.mark.parametrize("caption", [
    "Hafnarverkamenn við gamla vegginn í Reykjavík, á mánudagsmorgun",  # place, time: a comma, 9 words
    "Werkers by die ou hawemuur in Kaapstad op Maandagoggend nadat die storm die pier beskadig het",  # 16 words
])
def test_a_long_non_sentence_line_between_paragraphs_is_a_caption(caption: str) -> None:
    paras = BODY.strip().split("\n")
    ex = clean_pasted_text("\n".join(["Harbour wall plan approved", "5 Nov 2024", paras[0], caption, paras[1]]), "u")
    assert ex.text.split("\n") == paras[:2]
    assert caption in ex.captions


@pytest.mark.parametrize("head", [
    "Hvers vegna veggurinn skiptir máli fyrir bæinn",  # 7 words, no comma
    "Færri ferjur, hærri fargjöld",                   # a comma, 4 words

    "REAKCIJE V MESTU",            # a crosshead in capitals
    "Analiza: kaj sledi zdaj",     # a one-word label and a colon
    "Kaj se spremeni: nova pravila za ladjarje in ribiče",  # lower case after the colon
    "Jan Novák: Proč zůstávám v přístavu",  # a name, a colon, his words
    "Ofertas hasta el domingo",
])
def test_crossheads_and_label_crossheads_are_kept(head: str) -> None:
    paras = BODY.strip().split("\n")
    assert _mid(head) == [paras[0], head, paras[1], paras[2]]


def test_a_crosshead_in_capitals_and_a_colon_before_a_quotation_are_kept() -> None:
    paras = BODY.strip().split("\n")
    quote = "“Me ehitame kõik uuesti üles ja sadam avatakse kevadel”"
    assert _mid("Linnapea ütles:", quote) == [paras[0], "Linnapea ütles:", quote, paras[1], paras[2]]
    assert _mid("MIS EDASI") == [paras[0], "MIS EDASI", paras[1], paras[2]]
