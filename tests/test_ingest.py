"""`globewire ingest` and `export articles` end to end, on real files and a real SQLite store."""

from __future__ import annotations

import gzip
import io
import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

from typer.testing import CliRunner

from globewire.cli import app
from tests.ingest_pages import PAGES, page_html, write_pages
from tests.warcs import write_record

runner = CliRunner()


def invoke(*args: str):
    res = runner.invoke(app, list(args), catch_exceptions=False)
    assert res.exit_code == 0, res.output
    return res


def export(db: Path) -> list[dict]:
    res = invoke("export", "articles", "--db", str(db))
    return [json.loads(line) for line in res.stdout.splitlines() if line.strip()]


def test_ingest_folder_of_html_in_several_languages(tmp_path, db_path):
    write_pages(tmp_path / "pages")
    # A gzip'd page and a syndicated copy of the English one in another outlet's folder.
    lang, url, title, paras = PAGES["en-port.html"]
    (tmp_path / "pages" / "copy").mkdir()
    (tmp_path / "pages" / "copy" / "wire.html.gz").write_bytes(gzip.compress(page_html(
        lang, "https://other-daily.test/world/port-strike", "Dockers back at work as port strike ends",
        ["By Wire Service."] + paras + ["(Reporting by A. Writer; editing by B. Editor)"]).encode()))
    res = invoke("ingest", str(tmp_path / "pages"), "--db", str(db_path), "--no-stories", "--json")
    summary = json.loads(res.stdout)
    assert summary["new"] == 5 and summary["files"] == 5
    rows = {r["canonical_url"]: r for r in export(db_path)}
    assert len(rows) == 5
    for name, (lang, url, title, _) in PAGES.items():
        r = rows[url]
        assert r["language"] == lang, (name, r["language"])
        assert r["language_confidence"] > 0.5
        assert r["title"] == title
        assert r["published_at"].startswith("2026-11-20")
        assert r["image_url"] == url + "/photo.jpg"
        assert r["content_hash"] and r["fetched_at"] and r["text"]
        for field in ("id", "url", "outlet", "country", "authors", "duplicate_of"):
            assert field in r
    # Files go in path order: copy/wire.html.gz is stored first, so the outlet's own page links to it.
    copy = rows["https://other-daily.test/world/port-strike"]
    original = rows[PAGES["en-port.html"][1]]
    assert copy["duplicate_of"] is None and original["duplicate_of"] == copy["id"]
    assert all(r["duplicate_of"] is None for u, r in rows.items() if u not in (copy["canonical_url"], original["canonical_url"]))


def test_reingest_is_idempotent_and_jsonl_roundtrips(tmp_path, db_path):
    write_pages(tmp_path / "pages")
    invoke("ingest", str(tmp_path / "pages"), "--db", str(db_path), "--no-stories")
    again = json.loads(invoke("ingest", str(tmp_path / "pages"), "--db", str(db_path), "--no-stories", "--json").stdout)
    assert again["new"] == 0 and again["unchanged"] == 4
    first = export(db_path)
    dump = tmp_path / "dump.jsonl"
    invoke("export", "articles", "--db", str(db_path), "-o", str(dump))
    db2 = tmp_path / "second.db"
    res = json.loads(invoke("ingest", str(dump), "--db", str(db2), "--no-stories", "--json").stdout)
    assert res["new"] == 4
    second = export(db2)
    keys = ("url", "canonical_url", "language", "title", "published_at", "text", "authors", "image_url", "content_hash")
    assert [{k: r[k] for k in keys} for r in first] == [{k: r[k] for k in keys} for r in second]


def test_ingest_text_warc_and_facts(tmp_path, db_path):
    from warcio.statusandheaders import StatusAndHeaders
    from warcio.warcwriter import WARCWriter

    lang, url, title, paras = PAGES["de-bahn.html"]
    warc = tmp_path / "crawl.warc.gz"
    with warc.open("wb") as fh:
        w = WARCWriter(fh, gzip=True)
        payload = page_html(lang, url, title, paras).encode()
        headers = StatusAndHeaders("200 OK", [("Content-Type", "text/html; charset=utf-8")], protocol="HTTP/1.1")
        write_record(w, url, "response", payload=io.BytesIO(payload), http_headers=headers)
        junk = StatusAndHeaders("200 OK", [("Content-Type", "image/png")], protocol="HTTP/1.1")
        write_record(w, url + ".png", "response", payload=io.BytesIO(b"\x89PNG"), http_headers=junk)
    pasted = tmp_path / "pasted.txt"
    pasted.write_text(
        "Home > World > Europe\nMuseum reopens after three years\nShare\nFacebook Twitter WhatsApp\n5 min read\n"
        + " ".join(["The city museum reopened its doors on Saturday after three years of renovation work, and "
                    "thousands of visitors queued to see the new galleries devoted to painters of the region."] * 3)
        + "\nLeave a comment\n", encoding="utf-8")
    invoke("ingest", str(warc), "--db", str(db_path), "--no-stories")
    invoke("ingest", str(pasted), "--db", str(db_path), "--no-stories", "--country", "fr", "--outlet", "my-paper")
    rows = {r["url"]: r for r in export(db_path)}
    assert rows[url]["language"] == "de" and rows[url]["title"] == title
    txt = rows[pasted.resolve().as_uri()]
    assert txt["country"] == "FR" and txt["outlet"] == "my-paper" and txt["language"] == "en"
    assert "Share" not in txt["text"].split("\n") and "min read" not in txt["text"]
    assert len(rows) == 2  # the PNG record was skipped


def test_bad_input_is_recorded_not_fatal(tmp_path, db_path):
    d = tmp_path / "bad"
    d.mkdir()
    (d / "empty.html").write_bytes(b"")
    (d / "binary.html").write_bytes(os.urandom(4096))
    (d / "broken.html.gz").write_bytes(b"not gzip at all")
    (d / "short.html").write_text("<html><body><p>Too short.</p></body></html>")
    (d / "lines.jsonl").write_text('{"url": "https://x.test/a", "title": "T", "text": "' + "word " * 60 + '"}\n'
                                   "not json\n[1,2]\n{}\n")
    write_pages(d)
    res = json.loads(invoke("ingest", str(d), "--db", str(db_path), "--no-stories", "--json").stdout)
    assert res["new"] == 5  # four pages + the one good jsonl line
    assert sum(res["failures"].values()) == 7
    stats = json.loads(invoke("stats", "--db", str(db_path), "--json").stdout)
    assert stats["articles"] == 5
    assert sum(stats["failures_by_reason"].values()) == 7


def test_kill_9_mid_ingest_leaves_a_sound_db_that_resumes(tmp_path, db_path):
    lang, url, title, paras = PAGES["en-port.html"]
    d = tmp_path / "many"
    d.mkdir()
    n = 400
    for i in range(n):
        text = [f"Report number {i} from district {i * 7 % 13}: " + p.replace("forty", str(i + 40)) for p in paras]
        text.append(" ".join(f"w{i}x{k}" for k in range(60)))  # unique content: no two files are duplicates
        (d / f"a{i:04d}.html").write_text(page_html(lang, f"https://bulk.test/a/{i}", f"{title} ({i})", text))
    env = dict(os.environ, PYTHONPATH=str(Path(__file__).resolve().parents[1] / "src"))
    cmd = [sys.executable, "-m", "globewire.cli", "ingest", str(d), "--db", str(db_path), "--no-stories"]
    proc = subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.time() + 120
    count = 0
    while time.time() < deadline:
        time.sleep(0.2)
        if db_path.exists():
            try:
                with sqlite3.connect(f"file:{db_path}?mode=ro", uri=True, timeout=1) as c:
                    count = c.execute("SELECT COUNT(*) FROM articles").fetchone()[0]
            except sqlite3.Error:
                continue
            if count >= 60:
                break
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    assert 0 < count < n, "the ingest should have been killed mid-way"
    with sqlite3.connect(db_path) as c:
        assert c.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    subprocess.run(cmd, env=env, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, timeout=600)
    with sqlite3.connect(db_path) as c:
        assert c.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        assert c.execute("SELECT COUNT(*), COUNT(DISTINCT canonical_url) FROM articles").fetchone() == (n, n)
        assert c.execute("SELECT COUNT(*) FROM articles_fts").fetchone()[0] == n


def test_unknown_outlet_gets_the_country_of_its_domain(tmp_path, db_path):
    """A saved page from a site the catalogue does not know: its country-code domain gives the country
    (for the story's "countries covering"); a generic domain gives none rather than a guess."""
    lang, _, title, paras = PAGES["de-bahn.html"]
    folder = tmp_path / "pages"
    folder.mkdir()
    (folder / "de.html").write_text(page_html(lang, "https://www.lokalblatt-beispiel.de/bahn", title, paras))
    (folder / "uk.html").write_text(page_html("en", "https://news.example.co.uk/port", *PAGES["en-port.html"][2:]))
    (folder / "tv.html").write_text(page_html("en", "https://channel-example.tv/port", "Port strike is over",
                                              PAGES["en-port.html"][3]))
    invoke("ingest", str(folder), "--db", str(db_path), "--no-stories", "--json")
    rows = {r["canonical_url"]: r for r in export(db_path)}
    assert rows["https://www.lokalblatt-beispiel.de/bahn"]["country"] == "DE"
    assert rows["https://news.example.co.uk/port"]["country"] == "GB"
    assert rows["https://channel-example.tv/port"]["country"] is None


def test_country_from_url() -> None:
    from globewire.urls import country_from_url

    assert country_from_url("https://www.abc.net.au/news/x") == "AU"
    assert country_from_url("https://lemonde.fr/") == "FR"
    assert country_from_url("https://example.com/") is None
    assert country_from_url("https://site.eu/") is None
    assert country_from_url("https://a.io/") is None
    assert country_from_url("http://10.0.0.1/") is None
    assert country_from_url("::not a url::") is None


def test_jsonl_records_get_their_outlet_and_country_from_the_url(tmp_path, db_path):
    """Imported records without outlet/country: a URL of a catalogue outlet gets that outlet and its country;
    an unknown site gets the country of its country-code domain; what a record states is kept."""
    recs = [
        {"url": "https://www.tagesschau.de/ausland/beispiel-100.html", "title": "Ein Titel", "text": "Ein Text über etwas. " * 20,
         "language": "de"},
        {"url": "https://unbekannt-beispiel.fr/article", "title": "Un titre", "text": "Un texte sur quelque chose. " * 20,
         "language": "fr"},
        {"url": "https://stated.example.com/x", "title": "T", "text": "A stated country record. " * 20,
         "language": "en", "country": "NZ"},
    ]
    f = tmp_path / "in.jsonl"
    f.write_text("\n".join(json.dumps(r) for r in recs))
    invoke("ingest", str(f), "--db", str(db_path), "--no-stories", "--json")
    rows = {r["url"]: r for r in export(db_path)}
    t = rows["https://www.tagesschau.de/ausland/beispiel-100.html"]
    assert t["outlet"] == "tagesschau" and t["country"] == "DE"
    assert rows["https://unbekannt-beispiel.fr/article"]["country"] == "FR"
    assert rows["https://unbekannt-beispiel.fr/article"]["outlet"] is None
    assert rows["https://stated.example.com/x"]["country"] == "NZ"


def test_an_imported_text_without_a_title_gets_the_one_its_address_spells(tmp_path, db_path):
    """A JSON Lines record of a scraped text whose title ran into its lead with a capitalised word after it
    (no cue in the words themselves): the slug of its address tells where the title ends, and the page's name
    after it stays out of the body."""
    f = tmp_path / "scraped.jsonl"
    text = ("Stadtrat beschließt neuen Radweg an der Ringstraße – Kreisblatt am See Die Bürgermeisterin sagte am "
            "Dienstag, der Radweg werde im Frühjahr gebaut. Die Kosten trägt zur Hälfte das Land, die andere Hälfte "
            "die Stadt. Die Arbeiten sollen im Mai beginnen und im Herbst enden.")
    f.write_text(json.dumps({"url": "https://www.kreisblatt.example/lokales/stadtrat-beschliesst-neuen-radweg-"
                                    "an-der-ringstrasse-1234567.html", "text": text, "language": "de"},
                            ensure_ascii=False) + "\n", encoding="utf-8")
    invoke("ingest", str(f), "--db", str(db_path), "--no-stories", "--json")
    (row,) = export(db_path)
    assert row["title"] == "Stadtrat beschließt neuen Radweg an der Ringstraße"
    assert row["text"].startswith("Die Bürgermeisterin sagte am Dienstag")
