"""The hostile corpus: our own broken archives, deep JSON, odd characters and non-regular files
(tests/fixtures/hostile/, see its README), each with the reason it must be recorded under; the feedparser
corpus from ../shared; extreme stored dates in the story window; hostile stored text in the feeds."""

from __future__ import annotations

import collections
import datetime as dt
import json
import os
import shutil
import socket
import sqlite3
from pathlib import Path
from typing import Any

import pytest
from lxml import etree
from typer.testing import CliRunner

from globewire.cli import app
from globewire.textnorm import clean_text
from tests.test_store_contract import pg_url  # noqa: F401 - fixture
from tests.warcs import write_record

FIXTURES = Path(__file__).parent / "fixtures" / "hostile"
runner = CliRunner()

# What `ingest` must record for the corpus (plus the FIFO, socket, /dev/null and long line made at test time).
EXPECTED_FAILURES = {
    "ingest:truncated": 5,  # cut-member.warc.gz, cut-body.warc, cut-headers.warc, truncated.html.gz, cut.jsonl.gz
    "ingest:bad_gzip": 1,
    "ingest:not_regular_file": 3,
    "ingest:too_deep": 2,
    "ingest:bad_field": 9,
    "ingest:bad_json": 1,
    "ingest:bad_record": 1,
    "ingest:undecodable": 1,
    "ingest:too_long": 1,
}
EXPECTED_PER_FILE = {
    "cut-member.warc.gz": ["truncated"],
    "cut-body.warc": ["truncated"],
    "cut-headers.warc": ["truncated"],
    "not-gzip.html.gz": ["bad_gzip"],
    "truncated.html.gz": ["truncated"],
    "cut.jsonl.gz": ["truncated"],
    "pipe.html": ["not_regular_file"],
    "sock.jsonl": ["not_regular_file"],
    "null": ["not_regular_file"],
    "records.jsonl": ["too_deep", "too_deep", "bad_field", "bad_field", "bad_field", "bad_field", "bad_field",
                      "bad_field", "bad_field", "bad_field", "bad_field", "bad_json", "bad_record", "undecodable"],
    "long.jsonl": ["too_long"],
}
EXPECTED_STORED = {
    "https://hostile-warc.test/gz/0", "https://hostile-warc.test/gz/1", "https://hostile-warc.test/plain/0",
    "https://hostile-warc.test/hdr/0", "https://hostile-jsonl.test/1", "https://hostile-jsonl.test/11",
    "https://hostile-jsonl.test/12", "https://hostile-jsonl.test/14", "https://hostile-jsonl.test/20",
    "https://hostile-jsonl.test/21", "https://hostile-jsonl.test/22", "https://hostile-jsonl.test/99",
    "good.html", "odd-characters.html", "bad-canonical.html",
}


def _corpus(tmp_path: Path) -> Path:
    d = tmp_path / "hostile"
    shutil.copytree(FIXTURES, d, ignore=shutil.ignore_patterns("README.md"))
    os.mkfifo(d / "pipe.html")  # opening it for reading would block forever
    sock = socket.socket(socket.AF_UNIX)
    sock.bind(str(d / "sock.jsonl"))
    sock.close()
    good = {"url": "https://hostile-jsonl.test/99", "title": "After the long line", "language": "en",
            "text": "Dock workers returned to work on Monday after the strike ended, union leaders said. " * 3}
    with (d / "long.jsonl").open("wb") as fh:  # one line over the 16 MB cap, then a good record
        fh.write(b'{"url": "https://hostile-jsonl.test/98", "text": "' + b"x" * (17 * 1024 * 1024) + b'"}\n')
        fh.write(json.dumps(good).encode() + b"\n")
    return d


@pytest.fixture(params=["sqlite", "postgresql"])
def any_db(request: pytest.FixtureRequest, tmp_path: Path) -> Any:
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'hostile.db'}"
    return request.getfixturevalue("pg_url")  # a fresh schema, dropped afterwards (skips without PostgreSQL)


@pytest.mark.timeout(300)
def test_hostile_corpus_is_recorded_by_reason_and_loses_nothing(tmp_path: Path, any_db: str) -> None:
    from globewire.store import open_store

    d = _corpus(tmp_path)
    null = tmp_path / "null"
    null.symlink_to("/dev/null")  # a character device, named on the command line
    env = {"GLOBEWIRE_DATABASE_URL": any_db}  # (`--db` takes a SQLite path)
    res = runner.invoke(app, ["ingest", str(d), str(null), "--no-stories", "--json"], env=env,
                        catch_exceptions=False)
    assert res.exit_code == 0, res.output
    summary = json.loads(res.stdout)
    assert summary["files"] == 14
    stats = json.loads(runner.invoke(app, ["stats", "--json"], env=env).stdout)
    assert stats["failures_by_reason"] == EXPECTED_FAILURES
    store = open_store(any_db)
    try:
        rows = [(r["url"], r["reason"], r["detail"]) for r in store.query("SELECT url, reason, detail FROM failures")]
        arts = store.query("SELECT url, title, text FROM articles")
    finally:
        store.close()
    stored = {r["url"] if r["url"].startswith("https://") else r["url"].rsplit("/", 1)[-1] for r in arts}
    titles = {r["url"]: r["title"] for r in arts}
    texts = [r["text"] for r in arts]
    per_file: dict[str, list[str]] = collections.defaultdict(list)
    for url, reason, detail in rows:
        name = url.rsplit("/", 1)[-1].split(":")[0].split("@")[0]
        # A record cut mid-body is reported under its own URL.
        if url.startswith("https://hostile-warc.test/plain/"):
            name = "cut-body.warc"
        if url.startswith("https://hostile-warc.test/gz/"):
            name = "cut-member.warc.gz"
        per_file[name].append(reason)
        assert detail and clean_text(detail) == detail
    assert {k: sorted(v) for k, v in per_file.items()} == {k: sorted(v) for k, v in EXPECTED_PER_FILE.items()}
    # Every good record of every file is stored, whatever failed before or after it in the same run.
    assert stored == EXPECTED_STORED
    # Field errors name their field.
    details = " | ".join(d for _, r, d in rows if r == "bad_field")
    for field in ("published_at", "url", "language", "language_confidence", "country", "image_url", "authors"):
        assert f"{field}:" in details
    # Odd characters are gone from what was stored, and did not stop the extractor.
    odd = next(t for u, t in titles.items() if u.endswith("odd-characters.html"))
    assert odd == "Odd characters in a title"
    assert titles["https://hostile-jsonl.test/11"] == "Odd title with controls"  # controls gone, spaces folded
    assert all(clean_text(t) == t for t in [*titles.values(), *texts])


def test_truncated_warc_record_is_never_stored_as_whole(tmp_path: Path, db_path: Path) -> None:
    runner.invoke(app, ["ingest", str(FIXTURES / "cut-body.warc"), "--db", str(db_path), "--no-stories"],
                  catch_exceptions=False)
    with sqlite3.connect(db_path) as c:
        urls = {u for (u,) in c.execute("SELECT url FROM articles")}
        reasons = c.execute("SELECT url, reason FROM failures").fetchall()
    assert urls == {"https://hostile-warc.test/plain/0"}
    assert reasons == [("https://hostile-warc.test/plain/1", "truncated")]


def test_bad_command_line_facts_are_refused_clearly(tmp_path: Path, db_path: Path) -> None:
    page = FIXTURES / "good.html"
    for opt, value in (("--url", "javascript:alert(1)"), ("--country", "ZZ"), ("--language", "x" * 50)):
        res = runner.invoke(app, ["ingest", str(page), "--db", str(db_path), opt, value])
        assert res.exit_code == 2 and opt in res.output


# ------------------------------------------------------------------ feedparser corpus


@pytest.mark.shared
def test_feedparser_corpus_items_are_clean_or_typed_errors(shared_dir: Path) -> None:
    from globewire import validate
    from globewire.feeds import FeedError, parse_feed, parse_sitemap
    from globewire.urls import is_http_url

    root = shared_dir / "benchmarks" / "feeds-feedparser" / "tests"
    if not root.is_dir():
        pytest.skip(f"{root} missing")
    counts: collections.Counter[str] = collections.Counter()
    for path in sorted(p for p in root.rglob("*") if p.is_file()):
        body = path.read_bytes()
        try:
            items = parse_feed(body, feed_url="http://example.org/feed.xml", outlet_id="corpus")
        except FeedError as exc:
            counts[f"feed:{exc.reason}"] += 1
            items = []
        counts["entries"] += bool(items)
        for it in items:
            assert is_http_url(it.url), path
            for s in (it.title, it.summary, it.guid):
                assert clean_text(s) == s, (path, s)
                etree.Element("x").text = s
            assert it.published_at is None or validate.plausible_datetime(it.published_at), path
        try:
            parse_sitemap(body, sitemap_url="http://example.org/sitemap.xml", outlet_id="corpus")
            counts["sitemap:ok"] += 1
        except FeedError as exc:
            counts[f"sitemap:{exc.reason}"] += 1
    print(f"\nfeedparser corpus: {dict(sorted(counts.items()))}")
    assert counts["entries"] > 50


# ------------------------------------------------------------------ stored extremes (defence in depth)


def _raw_article(i: int, when: dt.datetime | None, title: str) -> Any:
    from globewire.records import Article

    return Article(url=f"https://extreme.test/{i}", canonical_url=f"https://extreme.test/{i}", title=title,
                   text="Dock workers returned to work on Monday after the port strike ended, union leaders said. "
                        * 8 + f"Report {i}.", language="en", language_confidence=1.0, published_at=when,
                   country="GB", content_hash=f"extreme-{i}")


def test_extreme_stored_dates_do_not_break_clustering(store: Any, tmp_path: Path) -> None:
    """Rows stored before validation existed (written straight to the store here): clustering and synthesis
    of the whole database still work."""
    from globewire.settings import load_settings
    from globewire.stories.stage import update_stories

    whens = [dt.datetime(9999, 12, 31, 23, 59, tzinfo=dt.UTC), dt.datetime(1, 1, 1, tzinfo=dt.UTC),
             dt.datetime.now(dt.UTC) - dt.timedelta(hours=1), None]
    ids = [store.upsert_article(_raw_article(i, w, f"Port strike ends, report {i}"))[0] for i, w in enumerate(whens)]
    report = update_stories(store, ids, load_settings(data_dir=tmp_path))
    assert report.synthesis_failures == 0
    assert report.created + report.joined == len(ids)


def test_feeds_stay_valid_with_hostile_stored_text(store: Any, tmp_path: Path) -> None:
    from fastapi.testclient import TestClient

    from globewire.settings import load_settings
    from globewire.web.app import create_app

    when = dt.datetime.now(dt.UTC) - dt.timedelta(hours=2)
    store.upsert_article(_raw_article(1, when, "Bad \ufffe<b>bold</b>\x01 \u202etitle"))
    with TestClient(create_app(store, load_settings(data_dir=tmp_path)), raise_server_exceptions=False) as client:
        for fmt in ("rss", "atom"):
            for url in (f"/feeds/country/GB.{fmt}", f"/feeds/search.{fmt}?q=bold"):
                r = client.get(url)
                assert r.status_code == 200, (url, r.text[:200])
                root = etree.fromstring(r.content)
                text = etree.tostring(root, encoding="unicode")
                assert "\ufffe" not in text and "\u202e" not in text
        rss = etree.fromstring(client.get("/feeds/search.rss?q=bold").content)
        desc = [el.text for item in rss.iter("item") for el in item.iter("description") if "bold" in (el.text or "")]
        # Plain text as HTML that renders as that text: the markup in the title is escaped, never live.
        assert desc and "&lt;b&gt;" in desc[0] and "<b>" not in desc[0]
        atom = etree.fromstring(client.get("/feeds/search.atom?q=bold").content)
        summaries = list(atom.iter("{http://www.w3.org/2005/Atom}summary"))
        assert summaries and all(s.get("type") == "text" for s in summaries)
        assert client.get("/api/v1/articles?country=GB").status_code == 200
        # The stored title carries markup, so the country page shows the title derived from the lead (issue
        # #13: a headline is never junk); the search page still finds it by the word in that title.
        for page, shown in (("/country/GB", "Dock workers returned to work"), ("/search?q=bold", "bold")):
            r = client.get(page)
            assert r.status_code == 200 and shown in r.text
            assert "\ufffe" not in r.text and "\x01" not in r.text and "\u202e" not in r.text


@pytest.mark.parametrize("gz", [True, False])
def test_every_cut_of_a_warc_is_reported_and_never_stored_as_whole(tmp_path: Path, gz: bool) -> None:
    """Cut a three-record archive at every 7th byte: reading never raises, every document yielded is a
    whole record's body, and a cut anywhere but between two records is reported as `truncated`."""
    import io

    from warcio.statusandheaders import StatusAndHeaders
    from warcio.warcwriter import WARCWriter

    from globewire.ingest import Facts, read_path
    from globewire.records import Failure, RawDocument

    buf = io.BytesIO()
    w = WARCWriter(buf, gzip=gz)
    bodies = {}
    ends: list[int] = []  # a cut exactly here leaves a valid, shorter archive
    for i in range(3):
        url = f"https://cut.test/{i}"
        bodies[url] = (f"<html><body><p>Record {i}.</p>" + "<p>words</p>" * (20 + 30 * i) + "</body></html>").encode()
        h = StatusAndHeaders("200 OK", [("Content-Type", "text/html")], protocol="HTTP/1.1")
        write_record(w, url, "response", payload=io.BytesIO(bodies[url]), http_headers=h)
        ends.append(buf.tell())
    data = buf.getvalue()
    path = tmp_path / ("a.warc.gz" if gz else "a.warc")
    for cut in sorted({*range(1, len(data), 7), *ends[:-1]}):
        path.write_bytes(data[:cut])
        items = list(read_path(path, Facts()))
        docs = [it for it in items if isinstance(it, RawDocument)]
        fails = [it for it in items if isinstance(it, Failure)]
        assert all(d.content == bodies[d.url] for d in docs), cut
        # A cut between records, or (plain WARC) inside the blank lines that end one, loses nothing.
        whole = [i for i, e in enumerate(ends) if e - (0 if gz else 4) <= cut <= e]
        if whole:
            assert not fails and len(docs) == whole[0] + 1, (cut, fails)
            continue
        assert fails and all(f.reason == "truncated" for f in fails), (cut, fails)
    path.write_bytes(data)
    assert [it.url for it in read_path(path, Facts())] == list(bodies)
