"""OPML export/import: round trip, hostile XML, missing facts, and the CLI commands."""

from __future__ import annotations

from pathlib import Path

import pytest

from globewire.sources.catalogue import load_catalogue
from globewire.sources.opml import OpmlError, country_from_url, export_opml, import_opml, parse_opml
from globewire.sources.userfile import append_outlets

NO_USER = Path("/nonexistent/sources.toml")


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    d = tmp_path / "data"
    d.mkdir()
    (d / "fr.toml").write_text(
        'country = "FR"\noutlets = [\n'
        '  { id = "le-test", name = "Le Test & Co", homepage = "https://letest.example/", languages = ["fr", "en"], ownership = "private", ownership_source = "Groupe <Test>", feeds = [{ url = "https://letest.example/rss?a=1&b=2", section = "une" }, "https://letest.example/monde.xml"], sitemap = "https://letest.example/news-sitemap.xml" },\n'
        '  { id = "agence", name = "Agence", homepage = "https://agence.example/", languages = ["fr"], ownership = "public", ownership_source = "Loi", wire = true, feeds = ["https://agence.example/feed"] },\n'
        "]\n"
    )
    (d / "jp.toml").write_text(
        'country = "JP"\noutlets = [\n'
        '  { id = "nippon", name = "日本ニュース", homepage = "https://nippon.example/", languages = ["ja"], ownership = "public", ownership_source = "x", feeds = ["https://nippon.example/rss.xml"] },\n'
        "]\n"
    )
    return d


def _as_dict(o) -> dict:
    return {
        "id": o.id, "name": o.name, "country": o.country, "homepage": o.homepage, "languages": o.languages,
        "ownership": o.ownership, "ownership_source": o.ownership_source,
        "feeds": [(f.url, f.section, f.kind) for f in o.feeds],
    }


def test_round_trip_through_opml_and_user_file(data_dir: Path, tmp_path: Path) -> None:
    cat = load_catalogue(user_file=NO_USER, data_dir=data_dir)
    text = export_opml(cat.outlets, wire_ids=cat.wire_ids)
    root = parse_opml(text)
    groups = root.find("body").findall("outline")  # type: ignore[union-attr]
    assert [g.get("country") for g in groups] == ["FR", "JP"]
    assert len(groups[0].findall("outline")) == 4  # 3 feeds + 1 sitemap of two outlets
    entries, notes = import_opml(text)
    assert notes == []
    # Load the imported entries as a user file over an empty shipped folder: same outlets come back.
    empty = tmp_path / "empty"
    empty.mkdir()
    user = tmp_path / "sources.toml"
    append_outlets(user, entries)
    back = load_catalogue(user_file=user, data_dir=empty)
    assert sorted(map(_as_dict, back.outlets), key=lambda d: d["id"]) == sorted(
        map(_as_dict, cat.outlets), key=lambda d: d["id"]
    )
    assert back.is_wire("agence") and not back.is_wire("le-test")


def test_import_skips_feeds_already_in_catalogue(data_dir: Path) -> None:
    cat = load_catalogue(user_file=NO_USER, data_dir=data_dir)
    entries, notes = import_opml(export_opml(cat.outlets), catalogue=cat)
    assert entries == []
    assert len(notes) == 5 and all("already in the catalogue" in n for n in notes)


def test_import_plain_reader_opml_infers_country_from_tld() -> None:
    opml = b"""<?xml version="1.0"?>
    <opml version="1.0"><head><title>my feeds</title></head><body>
      <outline text="News">
        <outline type="rss" text="Le Blog" xmlUrl="https://blog.example.fr/feed" htmlUrl="https://blog.example.fr/" language="fr-FR"/>
        <outline type="rss" text="Le Blog, sport" xmlUrl="https://blog.example.fr/sport/feed" htmlUrl="https://blog.example.fr/"/>
        <outline type="rss" text="UK paper" xmlUrl="https://paper.co.uk/rss"/>
        <outline type="rss" text="bad" xmlUrl="ftp://x.example/feed"/>
      </outline>
    </body></opml>"""
    entries, notes = import_opml(opml, default_language="en")
    assert [(e["id"], e["country"], e["languages"], len(e["feeds"])) for e in entries] == [
        ("le-blog", "FR", ["fr"], 2),
        ("uk-paper", "GB", ["en"], 1),
    ]
    assert entries[1]["homepage"] == "https://paper.co.uk/"
    assert len(notes) == 1 and "non-http(s)" in notes[0]


def test_import_without_country_is_a_clear_error() -> None:
    opml = '<opml version="2.0"><body><outline text="x" xmlUrl="https://feeds.example.com/a" language="en"/></body></opml>'
    with pytest.raises(OpmlError, match=r"body/outline\[1\] \(https://feeds\.example\.com/a\): no country"):
        import_opml(opml)
    entries, _ = import_opml(opml, default_country="US")
    assert entries[0]["country"] == "US"


@pytest.mark.parametrize(
    ("payload", "needle"),
    [
        (
            b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;">]>'
            b"<opml><body><outline text='&lol2;'/></body></opml>",
            "refused unsafe XML",
        ),
        (
            b'<?xml version="1.0"?><!DOCTYPE opml [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>'
            b"<opml><body><outline text='&xxe;'/></body></opml>",
            "refused unsafe XML",
        ),
        (b"<opml><body><outline></body></opml>", "not well-formed"),
        (b"<rss><channel/></rss>", "not an OPML document"),
        (b"<opml><head/></opml>", "no <body>"),
    ],
)
def test_hostile_or_broken_xml(payload: bytes, needle: str) -> None:
    with pytest.raises(OpmlError, match=needle):
        import_opml(payload)


def test_country_from_url() -> None:
    assert country_from_url("https://www.lemonde.fr/") == "FR"
    assert country_from_url("https://www.bbc.co.uk/news") == "GB"
    assert country_from_url("https://example.com/") is None
    assert country_from_url("https://example.zz/") is None


# --------------------------------------------------------------------------- CLI


def _runner_app():
    from typer.testing import CliRunner

    try:
        from globewire.cli import app
    except ImportError:  # the root app is written by the lead; fall back to our sub-app
        import typer

        from globewire.cli.sources import register

        app = typer.Typer()
        register(app)
    return CliRunner(), app


def test_cli_export_then_import(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    user = tmp_path / "sources.toml"
    monkeypatch.setenv("GLOBEWIRE_SOURCES_FILE", str(user))
    runner, app = _runner_app()
    out = tmp_path / "catalogue.opml"
    r = runner.invoke(app, ["sources", "opml", "export", str(out), "--country", "US"])
    assert r.exit_code == 0, r.output
    exported = out.read_text()
    assert 'xmlUrl="https://feeds.npr.org/1001/rss.xml"' in exported and 'country="US"' in exported
    # Importing the shipped feeds adds nothing; a new feed is added to the user file.
    mine = tmp_path / "mine.opml"
    mine.write_text(
        '<opml version="2.0"><body><outline text="Tech" country="DE" language="de">'
        '<outline type="rss" text="Heise-like" xmlUrl="https://news.example.com/rss" htmlUrl="https://news.example.com/"/>'
        '<outline type="rss" text="NPR" xmlUrl="https://feeds.npr.org/1001/rss.xml"/>'
        "</outline></body></opml>"
    )
    r = runner.invoke(app, ["sources", "opml", "import", str(mine), "--json"])
    assert r.exit_code == 0, r.output
    assert '"id": "heise-like"' in r.stdout
    r = runner.invoke(app, ["sources", "list", "--country", "DE", "--json"])
    assert r.exit_code == 0, r.output
    assert '"heise-like"' in r.stdout and '"country": "DE"' in r.stdout
    # Hostile OPML: clear error, exit 2, user file unchanged.
    before = user.read_text()
    bad = tmp_path / "bad.opml"
    bad.write_text('<!DOCTYPE x [<!ENTITY a "b">]><opml><body/></opml>')
    r = runner.invoke(app, ["sources", "opml", "import", str(bad)])
    assert r.exit_code == 2 and "refused unsafe XML" in r.output
    assert user.read_text() == before
