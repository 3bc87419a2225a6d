"""Catalogue feeds cross-checked against public feed lists, offline (sources/verify.py)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from globewire.sources.catalogue import CatalogueError, load_catalogue, parse_catalogue_text
from globewire.sources.verify import (
    MIN_OUTLETS_PER_COUNTRY,
    breakdown,
    classify,
    cms_convention,
    crosscheck,
    load_references,
    site_of,
    url_key,
)

CATALOGUE = """
country = "XA"
outlets = [
  { id = "paper", name = "Paper", homepage = "https://www.paper.example/", languages = ["en"], feeds = ["https://www.paper.example/top.rss", "https://www.paper.example/guess.rss"] },
  { id = "wp-site", name = "WP", homepage = "https://wp.example/", languages = ["en"], feeds = ["https://wp.example/feed/"] },
  { id = "caster-en", name = "Caster EN", homepage = "https://www.caster.example/en/", languages = ["en"], feeds = ["https://www.caster.example/en/rss-guess"] },
  { id = "caster-es", name = "Caster ES", homepage = "https://www.caster.example/es/", languages = ["es"], feeds = ["https://www.caster.example/es/rss-guess"] },
  { id = "lone", name = "Lone", homepage = "https://lone.example/", languages = ["en"], feeds = ["https://lone.example/news.xml"] },
]
""".replace('"XA"', '"GB"')


def write_refs(root: Path) -> Path:
    root.mkdir()
    rows = [
        {"country": "GB", "name": "Paper", "domain": "https://paper.example", "rss": ["http://paper.example/top.rss/"],
         "sitemaps": [], "news_sitemaps": ["https://www.paper.example/news.xml"]},
        {"country": "GB", "name": "Caster", "domain": "https://www.caster.example/de", "rss": ["https://www.caster.example/de/all.rss"],
         "sitemaps": [], "news_sitemaps": []},
        {"country": "IS", "name": "Islandic", "domain": "https://frettir.example.is", "rss": ["https://frettir.example.is/rss"],
         "sitemaps": [], "news_sitemaps": []},
    ]
    (root / "publishers.jsonl").write_text("\n".join(json.dumps(r) for r in rows) + "\n", encoding="utf-8")
    sub = root / "opml"
    sub.mkdir()
    # Not well-formed XML (bare & in an attribute), as real OPML often is: read leniently.
    (sub / "Iceland.opml").write_text(
        '<?xml version="1.0"?><opml><body><outline text="News & more" title="News & more" '
        'xmlUrl="https://other-news.is/feed?a=1&amp;b=2" type="rss" /></body></opml>', encoding="utf-8")
    return root


def test_url_key_and_site() -> None:
    assert url_key("https://www.Example.com/feed/") == url_key("http://example.com/feed")
    assert url_key("https://a.example/x?y=1") != url_key("https://a.example/x")
    assert site_of("https://news.bbc.co.uk/rss") == "bbc.co.uk"
    assert site_of("https://www.abc.net.au/news/feed/1/rss.xml") == "abc.net.au"
    assert site_of("https://rss.dw.com/xml/rss-de-all") == "dw.com"


def test_cms_conventions() -> None:
    assert cms_convention("https://site.example/feed/") == "wordpress"
    assert cms_convention("https://site.example/category/world/feed") == "wordpress"
    assert cms_convention("https://site.example/?feed=rss2") == "wordpress"
    assert cms_convention("https://site.example/arc/outboundfeeds/rss/?outputType=xml") == "arc-xp"
    assert cms_convention("https://site.example/rss.xml") == "drupal"
    assert cms_convention("https://site.example/feeds/posts/default") == "blogger"
    assert cms_convention("https://site.example/news/latest.rss") is None
    assert cms_convention("https://site.example/feedback") is None


def test_references_are_read_leniently(tmp_path: Path) -> None:
    refs = load_references(write_refs(tmp_path / "refs"))
    urls = {f.url for p in refs.publishers for f in p.feeds}
    assert "https://other-news.is/feed?a=1&b=2" in urls  # entity decoded, file not well-formed
    iceland = [p for p in refs.publishers if p.source == "opml"]
    assert iceland and iceland[0].country == "IS" and iceland[0].name == "News & more"
    with pytest.raises(ValueError, match="no reference lists"):
        load_references(tmp_path)  # a folder without lists (the refs folder is one level down)


def test_crosscheck_statuses_and_what_to_fix(tmp_path: Path) -> None:
    refs = load_references(write_refs(tmp_path / "refs"))
    outlets = parse_catalogue_text(CATALOGUE, "gb.toml").outlets
    check = crosscheck(outlets, refs)
    status = {f.url: (f.status, f.evidence, f.site_known) for f in check.feeds}
    assert status["https://www.paper.example/top.rss"] == ("reference", "publishers", True)
    # A guess on a site whose feeds a list knows: must be fixed.
    assert status["https://www.paper.example/guess.rss"] == ("unverified", "", True)
    assert status["https://wp.example/feed/"] == ("cms", "wordpress", False)
    # Two editions share a host: a German-edition reference feed says nothing about /en/ or /es/.
    assert status["https://www.caster.example/en/rss-guess"][2] is False
    assert status["https://www.caster.example/es/rss-guess"][2] is False
    assert status["https://lone.example/news.xml"] == ("unverified", "", False)
    assert [f.url for f in check.contradicted] == ["https://www.paper.example/guess.rss"]
    # Every feed is recorded "unverified" in this catalogue: the references now say otherwise for two.
    assert {f.url for f in check.stale} == {"https://www.paper.example/top.rss", "https://wp.example/feed/"}
    # Iceland has no outlet: both Icelandic publishers of the lists are candidates; GB has 5 already.
    assert MIN_OUTLETS_PER_COUNTRY == 5
    assert sorted(p.country for p in check.missing) == ["IS", "IS"]


def test_classify_matches_normalised_urls(tmp_path: Path) -> None:
    refs = load_references(write_refs(tmp_path / "refs"))
    assert classify("https://paper.example/top.rss", refs) == ("reference", "publishers")
    assert classify("https://www.paper.example/news.xml/", refs) == ("reference", "publishers")


def test_recorded_status_is_validated() -> None:
    bad = CATALOGUE.replace('"https://lone.example/news.xml"', '{ url = "https://lone.example/news.xml", verified = "trust-me" }')
    with pytest.raises(CatalogueError, match="verified"):
        parse_catalogue_text(bad, "gb.toml")
    ok = CATALOGUE.replace('"https://lone.example/news.xml"',
                           '{ url = "https://lone.example/news.xml", kind = "sitemap", verified = "reference", evidence = "list" }')
    lone = [o for o in parse_catalogue_text(ok, "gb.toml").outlets if o.id == "lone"][0]
    assert (lone.feeds[0].kind, lone.feeds[0].verified, lone.feeds[0].evidence) == ("sitemap", "reference", "list")


def test_shipped_catalogue_records_a_status_for_every_feed() -> None:
    outlets = load_catalogue(user_file=Path("/nonexistent/sources.toml")).outlets
    report = breakdown(list(outlets))
    assert report["outlets"] >= 400 and report["countries"] >= 100
    assert sum(report["by_status"].values()) == report["feeds"]
    assert report["by_status"]["reference"] > 0 and report["by_status"]["cms"] > 0


@pytest.mark.shared
def test_shipped_catalogue_agrees_with_the_public_lists(shared_dir: Path) -> None:
    """0 guessed feed URLs where a list knows the outlet; recorded statuses current; thin countries filled."""
    refs = load_references(shared_dir / "benchmarks" / "feed-references")
    outlets = load_catalogue(user_file=Path("/nonexistent/sources.toml")).outlets
    check = crosscheck(list(outlets), refs)
    assert [(f.outlet_id, f.url) for f in check.contradicted] == []
    assert [(f.outlet_id, f.url, f.recorded, f.status) for f in check.stale] == []
    assert [(p.country, p.name) for p in check.missing] == []
    assert sum(1 for f in check.feeds if f.site_known) >= 100


def test_cli_offline_check_needs_no_network(tmp_path: Path) -> None:
    refs = write_refs(tmp_path / "refs")
    user = tmp_path / "sources.toml"
    user.write_text('shipped = false\n' + CATALOGUE, encoding="utf-8")
    env_file = tmp_path / "globewire.toml"
    env_file.write_text(f'sources_file = "{user}"\n', encoding="utf-8")
    import os

    env = {**os.environ, "GLOBEWIRE_CONFIG": str(env_file), "GLOBEWIRE_DATA_DIR": str(tmp_path / "data")}
    out = subprocess.run([sys.executable, "-m", "globewire.cli", "sources", "check", "--offline", "--references", str(refs),
                          "--json", "--db", str(tmp_path / "g.db")], capture_output=True, text=True, env=env, timeout=120)
    assert out.returncode == 0, out.stderr
    report = json.loads(out.stdout)
    assert report["outlets"] == 5 and report["feeds"] == 6
    assert report["by_status"] == {"reference": 0, "cms": 0, "unverified": 6}
    assert report["references"]["by_status"] == {"reference": 1, "unverified": 4, "cms": 1}
    assert report["references"]["guessed_where_reference_knows"] == [
        {"outlet": "paper", "url": "https://www.paper.example/guess.rss", "status": "unverified"}]
    bad = subprocess.run([sys.executable, "-m", "globewire.cli", "sources", "check", "--offline", "--references",
                          str(tmp_path / "none")], capture_output=True, text=True, env=env, timeout=120)
    assert bad.returncode == 2 and "not a folder" in bad.stderr and "Traceback" not in bad.stderr
