"""`globewire sources add/check/list/disable` against real loopback sites (127.0.0.1)."""

from __future__ import annotations

import asyncio
import email.utils
import json
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from globewire.fetch import Fetcher, FetchSettings
from globewire.sources.discover import discover_feeds
from tests.sites.server import LoopbackServer, Response, redirect, static

RSS = "application/rss+xml; charset=utf-8"
HTML = "text/html; charset=utf-8"
READ_TIMEOUT = 0.5  # seconds; the slow feed sends its first byte after SLOW_DELAY
SLOW_DELAY = 2.0


def rss(base: str, n: int = 3, age_days: float = 0.0) -> str:
    items = "".join(
        f"<item><title>Story {i}</title><link>{base}/story/{i}</link><guid>{base}/story/{i}</guid>"
        f"<pubDate>{email.utils.formatdate(time.time() - age_days * 86400 - i * 3600, usegmt=True)}</pubDate></item>"
        for i in range(n)
    )
    return f'<?xml version="1.0"?><rss version="2.0"><channel><title>T</title><link>{base}/</link>{items}</channel></rss>'


def atom(base: str) -> str:
    return (
        '<?xml version="1.0" encoding="utf-8"?><feed xmlns="http://www.w3.org/2005/Atom"><title>A</title>'
        f'<id>{base}/</id><updated>2026-11-22T10:00:00Z</updated>'
        f'<entry><title>Eintrag</title><id>{base}/e/1</id><link href="{base}/e/1"/><updated>2026-11-22T10:00:00Z</updated></entry>'
        "</feed>"
    )


def news_sitemap(base: str) -> str:
    return (
        '<?xml version="1.0" encoding="UTF-8"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9" '
        'xmlns:news="http://www.google.com/schemas/sitemap-news/0.9">'
        + "".join(
            f"<url><loc>{base}/a/{i}</loc><news:news><news:publication><news:name>S</news:name>"
            f"<news:language>es</news:language></news:publication>"
            f"<news:publication_date>2026-11-22T0{i}:00:00Z</news:publication_date><news:title>N{i}</news:title>"
            "</news:news></url>"
            for i in range(4)
        )
        + "</urlset>"
    )


def page(title: str, lang: str, head: str = "") -> str:
    return f'<!doctype html><html lang="{lang}"><head><title>{title}</title>{head}</head><body><p>hi</p></body></html>'


@pytest.fixture
def env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> dict[str, Path]:
    user = tmp_path / "sources.toml"
    db = tmp_path / "gw.db"
    monkeypatch.setenv("GLOBEWIRE_SOURCES_FILE", str(user))
    monkeypatch.setenv("GLOBEWIRE_FETCH__ALLOW_PRIVATE_ADDRESSES", "true")
    monkeypatch.setenv("GLOBEWIRE_FETCH__MIN_HOST_DELAY", "0")
    monkeypatch.setenv("GLOBEWIRE_FETCH__MAX_RETRIES", "0")
    monkeypatch.setenv("GLOBEWIRE_FETCH__READ_TIMEOUT", str(READ_TIMEOUT))
    monkeypatch.setenv("GLOBEWIRE_FETCH__TOTAL_TIMEOUT", "5")
    return {"user": user, "db": db}


def _app():
    try:
        from globewire.cli import app
    except ImportError:
        import typer

        from globewire.cli.sources import register

        app = typer.Typer()
        register(app)
    return app


def invoke(*args: str):
    return CliRunner().invoke(_app(), list(args))


@pytest.fixture
def servers() -> Iterator[list[LoopbackServer]]:
    started: list[LoopbackServer] = []

    def make() -> LoopbackServer:
        s = LoopbackServer().start()
        started.append(s)
        return s

    yield make  # type: ignore[misc]
    for s in started:
        s.stop()


# --------------------------------------------------------------------------- add


def test_add_finds_link_rel_feeds(env, servers) -> None:
    s = servers()
    b = s.base_url
    s.route("/", static(page("Le Journal Test", "fr-FR",
                             f'<link rel="alternate" type="application/rss+xml" href="/rss/une.xml">'
                             f'<link rel="alternate" type="application/atom+xml" href="{b}/atom">'
                             '<link rel="alternate" type="application/rss+xml" href="/missing.xml">'
                             '<link rel="stylesheet" href="/style.css">')))
    s.route("/rss/une.xml", static(rss(b), RSS))
    s.route("/atom", static(atom(b), "application/atom+xml"))
    r = invoke("sources", "add", s.url("/"), "--country", "fr", "--json")
    assert r.exit_code == 0, r.output
    added = json.loads(r.stdout)["added"]
    assert added["id"] == "le-journal-test" and added["country"] == "FR" and added["languages"] == ["fr"]
    assert added["feeds"] == [f"{b}/rss/une.xml", f"{b}/atom"]  # the dead declared feed is left out
    assert s.hits("/feed") == []  # found by <link>: no guessing of common paths
    text = env["user"].read_text()
    assert text.count('{ id = "le-journal-test"') == 1 and len([ln for ln in text.splitlines() if "le-journal-test" in ln]) == 1
    r = invoke("sources", "list", "--country", "FR", "--json")
    assert r.exit_code == 0, r.output
    ids = {o["id"] for o in json.loads(r.stdout)["outlets"]}
    assert "le-journal-test" in ids and "le-monde" in ids


def test_add_falls_back_to_common_path(env, servers) -> None:
    s = servers()
    s.route("/", static(page("Diario Ejemplo", "es")))
    s.route("/rss.xml", static(rss(s.base_url), RSS))
    r = invoke("sources", "add", s.url("/"), "--country", "AR", "--name", "Diario Ejemplo", "--id", "diario-ejemplo", "--json")
    assert r.exit_code == 0, r.output
    added = json.loads(r.stdout)["added"]
    assert added["feeds"] == [f"{s.base_url}/rss.xml"] and added["languages"] == ["es"] and added["id"] == "diario-ejemplo"
    assert s.hits("/feed") and s.hits("/rss")  # tried the earlier common paths first


def test_add_sitemap_only_site(env, servers) -> None:
    s = servers()
    b = s.base_url
    s.route("/", static(page("Noticias", "es")))
    s.route("/robots.txt", static(f"User-agent: *\nAllow: /\nSitemap: {b}/sitemaps/news.xml\n", "text/plain"))
    s.route("/sitemaps/news.xml", static(news_sitemap(b), "application/xml"))
    r = invoke("sources", "add", s.url("/"), "--country", "CL", "--language", "es", "--json")
    assert r.exit_code == 0, r.output
    added = json.loads(r.stdout)["added"]
    assert added["feeds"] == [] and added["sitemap"] == f"{b}/sitemaps/news.xml"
    from globewire.sources.catalogue import load_catalogue

    o = load_catalogue(user_file=env["user"]).by_id(added["id"])
    assert o is not None and [f.kind for f in o.feeds] == ["sitemap"]


def test_add_nothing_found_is_a_clear_error(env, servers) -> None:
    s = servers()
    s.route("/", static(page("Empty", "en")))
    s.route("/feed", static(page("not a feed", "en")))  # HTML at a feed path must not count
    r = invoke("sources", "add", s.url("/"), "--country", "GB")
    assert r.exit_code == 2
    assert "no feed or sitemap found" in r.output
    assert not env["user"].exists()


def test_add_needs_country_when_domain_has_none(env, servers) -> None:
    s = servers()
    r = invoke("sources", "add", s.url("/"))
    assert r.exit_code == 2 and "cannot infer the country of '127.0.0.1'" in r.output
    r = invoke("sources", "add", s.url("/"), "--country", "QQ")
    assert r.exit_code == 2 and "'QQ' is not an ISO 3166-1" in r.output
    r = invoke("sources", "add", "ftp://example.org/")
    assert r.exit_code == 2 and "not an http(s) URL" in r.output


def test_add_without_language_hint(env, servers) -> None:
    s = servers()
    s.route("/", Response(body=b"<html><head><title>x</title></head></html>", content_type=HTML))
    s.route("/feed", static(rss(s.base_url), RSS))
    r = invoke("sources", "add", s.url("/"), "--country", "DE")
    assert r.exit_code == 2 and "pass --language" in r.output


def test_discover_accepts_a_feed_url_directly(servers) -> None:
    s = servers()
    s.route("/only/feed.xml", static(rss(s.base_url), RSS))

    async def run():
        async with Fetcher(FetchSettings(allow_private_addresses=True, min_host_delay=0.0)) as f:
            return await discover_feeds(s.url("/only/feed.xml"), f)

    feeds = asyncio.run(run())
    assert [(x.url, x.kind) for x in feeds] == [(s.url("/only/feed.xml"), "rss")]


# --------------------------------------------------------------------------- disable


def test_disable(env) -> None:
    r = invoke("sources", "disable", "npr")
    assert r.exit_code == 0, r.output
    r = invoke("sources", "list", "--country", "US", "--json")
    ids = {o["id"] for o in json.loads(r.stdout)["outlets"]}
    assert "npr" not in ids and "nytimes" in ids
    r = invoke("sources", "list", "--country", "US", "--all", "--json")
    assert any(o["id"] == "npr" and not o["enabled"] for o in json.loads(r.stdout)["outlets"])
    r = invoke("sources", "disable", "no-such-outlet")
    assert r.exit_code == 2 and "unknown outlet id" in r.output


def test_list_summary_line(env) -> None:
    r = invoke("sources", "list")
    assert r.exit_code == 0, r.output
    last = [ln for ln in r.stdout.splitlines() if ln.strip()][-1]
    assert "outlets" in last and "countries" in last and "Europe" in last and "US " in last
    data = json.loads(invoke("sources", "list", "--json").stdout)["summary"]
    assert data["outlets"] >= 150 and data["countries"] >= 50 and data["us_outlets"] >= 10
    assert all(data["per_continent"][c] > 0 for c in data["per_continent"])


# --------------------------------------------------------------------------- check


def test_check_live_dead_slow_redirect(env, servers) -> None:
    s = servers()
    b = s.base_url
    s.route("/live.xml", static(rss(b, n=5), RSS))
    s.route("/old.xml", static(rss(b, n=2, age_days=90), RSS))
    s.route("/moved.xml", redirect(f"{b}/new-home.xml", 301))
    s.route("/new-home.xml", static(rss(b, n=2), RSS))

    def slow_body() -> Iterator[bytes]:
        yield rss(b).encode()

    s.route("/slow.xml", Response(body=slow_body, content_type=RSS, chunk_delay=SLOW_DELAY))
    s.route("/broken.xml", Response(status=500, body=b"oops", content_type="text/plain"))
    s.route("/html.xml", static(page("not a feed", "en")))
    s.route("/sitemap.xml", static(news_sitemap(b), "application/xml"))
    env["user"].write_text(
        "outlets = [\n"
        f'  {{ id = "site-a", name = "A", country = "US", homepage = "{b}/", languages = ["en"], feeds = ["{b}/live.xml", "{b}/gone.xml", "{b}/broken.xml", "{b}/old.xml"] }},\n'
        f'  {{ id = "site-b", name = "B", country = "US", homepage = "{b}/", languages = ["en"], feeds = ["{b}/slow.xml", "{b}/moved.xml", "{b}/html.xml"], sitemap = "{b}/sitemap.xml" }},\n'
        "]\n"
    )
    t0 = time.monotonic()
    r = invoke("sources", "check", "--outlet", "site-a", "--outlet", "site-b", "--db", str(env["db"]), "--json")
    elapsed = time.monotonic() - t0
    assert r.exit_code == 0, r.output
    out = json.loads(r.stdout)
    res = {h["url"].rsplit("/", 1)[-1]: h for h in out["results"]}
    assert out["feeds"] == 8 and out["alive"] == 4
    assert res["live.xml"]["alive"] and res["live.xml"]["item_count"] == 5 and res["live.xml"]["newest_item_at"]
    assert res["live.xml"]["latency_ms"] > 0 and not res["live.xml"]["stale"]
    assert res["old.xml"]["alive"] and res["old.xml"]["stale"]
    assert res["gone.xml"]["status"] == 404 and not res["gone.xml"]["alive"] and res["gone.xml"]["error"]
    assert res["broken.xml"]["status"] == 500 and not res["broken.xml"]["alive"]
    assert res["slow.xml"]["error"] == "timeout" and not res["slow.xml"]["alive"]
    assert res["moved.xml"]["alive"] and res["moved.xml"]["final_url"] == f"{b}/new-home.xml"
    assert res["html.xml"]["error"].startswith("feed_error:") and not res["html.xml"]["alive"]
    assert res["sitemap.xml"]["alive"] and res["sitemap.xml"]["kind"] == "sitemap" and res["sitemap.xml"]["item_count"] == 4
    assert elapsed < 30
    # Stored: dead feeds are flagged, not dropped; a second run counts consecutive failures.
    invoke("sources", "check", "--outlet", "site-a", "--db", str(env["db"]), "--json")
    from globewire.store import open_store

    st = open_store(str(env["db"]))
    try:
        rows = {r["url"].rsplit("/", 1)[-1]: r for r in st.feed_health()}
        assert len(rows) == 8
        assert rows["gone.xml"]["consecutive_failures"] == 2 and rows["gone.xml"]["checks"] == 2
        assert rows["live.xml"]["consecutive_failures"] == 0 and rows["live.xml"]["last_success_at"]
        assert rows["slow.xml"]["checks"] == 1 and rows["slow.xml"]["last_error"] == "timeout"
        summary = {r["outlet_id"]: r for r in st.outlet_health_summary()}
        assert summary["site-a"]["feeds"] == 4 and summary["site-a"]["alive_feeds"] == 2
    finally:
        st.close()
    # Table output and the stored view.
    r = invoke("sources", "health", "--dead", "--db", str(env["db"]), "--json")
    assert r.exit_code == 0, r.output
    dead = {row["url"].rsplit("/", 1)[-1] for row in json.loads(r.stdout)}
    assert dead == {"gone.xml", "broken.xml", "slow.xml", "html.xml"}
    r = invoke("sources", "health", "--db", str(env["db"]))
    assert r.exit_code == 0 and "Stored feed health" in r.stdout
    r = invoke("sources", "check", "--outlet", "site-a", "--db", str(env["db"]))
    assert r.exit_code == 0 and "2/4 feeds alive" in r.stdout


def test_check_unknown_outlet(env) -> None:
    r = invoke("sources", "check", "--outlet", "nope", "--db", str(env["db"]))
    assert r.exit_code == 2 and "unknown outlet id(s): nope" in r.output


def test_bad_user_file_is_reported_with_line(env) -> None:
    env["user"].write_text('outlets = [\n  { id = "ok-one", name = "x", country = "FR", homepage = "https://x.example/", languages = ["xx"], feeds = ["https://x.example/f"] },\n]\n')
    r = invoke("sources", "list")
    assert r.exit_code == 2
    assert f"{env['user']}:2:" in r.output.replace("\n", "") and "'xx' is not an ISO 639-1" in r.output


def test_add_unreachable_site_names_the_reason(env) -> None:
    import socket

    with socket.socket() as sock:  # a port nobody listens on
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    r = invoke("sources", "add", f"http://127.0.0.1:{port}/", "--country", "FR", "--language", "fr")
    assert r.exit_code == 2
    assert "no feed or sitemap found" in r.output and "connect_error" in r.output
    assert "tried 1 URL " in r.output  # an unreachable host is not probed further
    assert not env["user"].exists()
