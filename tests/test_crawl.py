"""`crawl` end to end on the synthetic loopback news site: feeds and sitemaps → pages → pipeline → SQLite.

Real HTTP on 127.0.0.1 (virtual hosts resolved by the injected resolver), real fetcher, real store.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Iterator

import pytest

from globewire.crawl import crawl_once
from globewire.pipeline import PipelineContext
from globewire.settings import load_settings
from globewire.store import open_store
from tests.sites.newsite import NewsSite

MIN_DELAY = 0.2


@pytest.fixture
def site() -> Iterator[NewsSite]:
    with NewsSite(virtual_hosts=True) as s:
        yield s


def make_ctx(site: NewsSite, db_path) -> PipelineContext:
    settings = load_settings(workers=1)
    settings.fetch = site.fetch_settings(min_host_delay=MIN_DELAY)
    store = open_store(str(db_path))
    return PipelineContext(settings=settings, store=store, outlets={o.id: o for o in site.outlets})


def test_crawl_stores_every_allowed_article_politely(site, db_path):
    ctx = make_ctx(site, db_path)
    report = crawl_once(ctx, site.outlets, resolver=site.resolver)
    allowed = [a for a in site.articles if not a.disallowed]
    disallowed = [a for a in site.articles if a.disallowed]
    assert disallowed, "the site should link one article under a robots.txt-disallowed path"
    rows = ctx.store.query("SELECT url, outlet_id, country, language, title, duplicate_of, published_at FROM articles")
    by_url = {r["url"]: r for r in rows}
    assert set(by_url) == {a.url for a in allowed}
    for a in allowed:
        r = by_url[a.url]
        assert (r["outlet_id"], r["country"], r["language"]) == (a.outlet_id, a.country, a.language)
        assert r["published_at"] is not None
    # robots.txt: the disallowed page was never requested, and the refusal is recorded.
    for a in disallowed:
        assert not [q for q in site.requests(a.outlet_id) if q.path == a.path]
    reasons = ctx.store.stats()["failures_by_reason"]
    assert reasons.get("fetch:robots_disallowed", 0) == len(disallowed)
    # The wire story carried word for word by two outlets is stored once as original, once as duplicate.
    wire = [by_url[a.url] for a in allowed if a.wire]
    assert len(wire) == 2 and sorted(r["duplicate_of"] is None for r in wire) == [False, True]
    # Politeness: one host never sees two requests closer than the minimum delay; robots.txt asked once.
    for outlet_id in site.servers:
        times = sorted(q.at for q in site.requests(outlet_id))
        gaps = [b - a for a, b in zip(times, times[1:])]
        assert min(gaps) >= MIN_DELAY * 0.9, (outlet_id, min(gaps))
        assert len([q for q in site.requests(outlet_id) if q.path == "/robots.txt"]) == 1
        assert all("globewire" in q.headers.get("user-agent", "") for q in site.requests(outlet_id))
    assert report.batch.new == len(allowed)
    # Every fetch is logged for source health.
    assert ctx.store.scalar("SELECT COUNT(*) FROM fetch_log") >= len(site.articles)


def test_second_round_uses_conditional_get_and_fetches_nothing_twice(site, db_path):
    ctx = make_ctx(site, db_path)
    crawl_once(ctx, site.outlets, resolver=site.resolver)
    before = {oid: len(site.requests(oid)) for oid in site.servers}
    report = crawl_once(ctx, site.outlets, resolver=site.resolver)
    assert report.items_new == 0 and report.pages_fetched == 0 and report.batch.new == 0
    conditional = defaultdict(int)
    for oid in site.servers:
        for q in site.requests(oid)[before[oid]:]:
            assert "/news/" not in q.path or q.path.endswith(".xml"), f"article re-fetched: {q.path}"
            if "if-none-match" in q.headers or "if-modified-since" in q.headers:
                conditional[oid] += 1
    assert all(conditional[oid] >= 1 for oid in site.servers), conditional
    states = ctx.store.query("SELECT url, etag, last_modified, consecutive_failures FROM feed_state")
    assert states and all(s["consecutive_failures"] == 0 for s in states)


def test_crawl_cli_selects_outlets_and_reports_json(db_path, tmp_path, monkeypatch):
    """`globewire crawl --once --outlet ID` with the loopback outlets declared in a user catalogue file."""
    from typer.testing import CliRunner

    from globewire.cli import app

    user = tmp_path / "sources.toml"
    monkeypatch.setenv("GLOBEWIRE_SOURCES_FILE", str(user))
    monkeypatch.setenv("GLOBEWIRE_FETCH__ALLOW_PRIVATE_ADDRESSES", "true")
    monkeypatch.setenv("GLOBEWIRE_FETCH__MIN_HOST_DELAY", "0.05")
    monkeypatch.setenv("GLOBEWIRE_WORKERS", "1")
    # The CLI resolves names itself, so use the 127.0.0.1 URLs of a site without virtual hosts.
    with NewsSite() as plain:
        lines = ['outlets = [']
        for o in plain.outlets:
            feeds = ", ".join(f'"{f.url}"' for f in o.feeds if f.kind == "rss")
            lines.append(f'  {{ id = "{o.id}", name = "{o.name}", homepage = "{o.homepage}", country = "{o.country}", '
                         f'languages = ["{o.languages[0]}"], ownership = "private", feeds = [{feeds}] }},')
        lines.append("]")
        user.write_text("\n".join(lines) + "\n")
        res = CliRunner().invoke(app, ["crawl", "--once", "--outlet", "rheinblick", "--db", str(db_path),
                                       "--no-stories", "--json"], catch_exceptions=False)
        assert res.exit_code == 0, res.output
        out = json.loads(res.stdout)
        expected = [a for a in plain.articles if a.outlet_id == "rheinblick" and not a.disallowed]
        assert out["articles_new"] == len(expected) and out["outlets"] == 1
        # Other outlets were not touched.
        assert all(len(plain.requests(oid)) == 0 for oid in plain.servers if oid != "rheinblick")
        res = CliRunner().invoke(app, ["crawl", "--once", "--outlet", "nope", "--db", str(db_path)])
        assert res.exit_code == 2
