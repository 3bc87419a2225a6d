"""Security of the web layer: headers and CSP, no stack traces, admin token + CSRF, no state-changing GET,
signed image proxy through the SSRF-safe fetcher (a real loopback HTTP server). On both store backends
(SQLite file, PostgreSQL schema) wherever a store is involved."""

from __future__ import annotations

import re
import struct
import zlib
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from globewire.settings import load_settings
from globewire.web.app import create_app
from globewire.web.security import CSP
from tests.browser.webcorpus import fill_store
from tests.sites.server import LoopbackServer, Response

ADMIN_TOKEN = "s3cret-admin-token"


def _png(size: int = 1) -> bytes:
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    raw = b"".join(b"\x00" + b"\x00\x00\x00" * size for _ in range(size))
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", size, size, 8, 2, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b""))


@pytest.fixture(params=["sqlite", "postgresql"])
def backend(request: pytest.FixtureRequest) -> str:
    return str(request.param)


class _Closing:
    """The store with ``close()`` also dropping its PostgreSQL schema."""

    def __init__(self, store: Any, done: Any) -> None:
        self._store, self._done = store, done

    def __getattr__(self, name: str) -> Any:
        return getattr(self._store, name)

    def close(self) -> None:
        self._done()


def make_client(tmp_path: Path, backend: str = "sqlite", **web: Any) -> tuple[TestClient, Any]:
    from tests.test_web_pages import open_backend

    store, done = open_backend(backend, tmp_path)
    fill_store(store)
    settings = load_settings(data_dir=tmp_path)
    settings.web = settings.web.model_copy(update=web)
    return TestClient(create_app(store, settings), raise_server_exceptions=False), _Closing(store, done)


@pytest.fixture
def client(tmp_path: Path, backend: str) -> Any:
    c, store = make_client(tmp_path, backend, admin_token=ADMIN_TOKEN, secret_key="k" * 32)
    with c:
        yield c
    store.close()


@pytest.mark.parametrize("path", ["/", "/story/1", "/article/1", "/search?q=x", "/outlets", "/country/FR",
                                  "/api/v1/stories", "/feeds/world.rss", "/nope", "/api/v1/nope",
                                  "/static/js/globe.js", "/story/0"])
def test_security_headers_everywhere(client: TestClient, path: str) -> None:
    r = client.get(path)
    h = r.headers
    assert h["content-security-policy"] == CSP
    assert "default-src 'self'" in CSP and "frame-ancestors 'none'" in CSP and "unsafe-inline" not in CSP
    assert h["x-content-type-options"] == "nosniff"
    assert h["referrer-policy"] == "no-referrer"
    assert h["x-frame-options"] == "DENY"


def test_errors_have_no_stack_traces(tmp_path: Path, backend: str) -> None:
    c, store = make_client(tmp_path, backend)
    with c:
        # a broken database: pages must fail cleanly (a renamed column, not a dropped table: on PostgreSQL a
        # dropped table would be found again in the search path's public schema)
        store.execute("ALTER TABLE story_updates RENAME COLUMN detail TO detail_gone")
        for path in ("/story/1", "/api/v1/stories/1"):
            r = c.get(path)
            assert r.status_code == 500
            assert "Traceback" not in r.text and "story_updates" not in r.text
            assert "sqlite3" not in r.text and "psycopg" not in r.text
            assert r.headers["content-security-policy"] == CSP
        assert c.get("/api/v1/stories/1").json()["error"]["status"] == 500
        r404 = c.get("/no/such/page")
        assert r404.status_code == 404 and "Not found" in r404.text
        assert c.get("/api/v1/articles/0").json()["error"]["status"] == 422
    store.close()


def test_no_inline_script_or_style_in_pages(client: TestClient) -> None:
    for path in ("/", "/story/1", "/article/1", "/country/DE", "/search?q=peru", "/outlets", "/admin"):
        html = client.get(path).text
        for tag in re.findall(r"<script\b[^>]*>", html):
            assert "src=" in tag or 'type="application/json"' in tag, (path, tag)
        assert " style=" not in html and "<style" not in html, path
        assert not re.search(r"<[^>]+\son[a-z]+=", html), path  # no inline event handlers
        assert "//cdn" not in html and "googleapis" not in html


def test_outlet_text_is_escaped(tmp_path: Path, backend: str) -> None:
    from globewire.records import Article

    c, store = make_client(tmp_path, backend)
    hostile = '<img src=x onerror=alert(1)><script>alert(2)</script>'
    aid, _ = store.upsert_article(Article(
        url="https://evil.example/a", canonical_url="javascript:alert(3)", title=hostile, text=hostile + "\nbody",
        outlet_id="nhk", country="JP", language="en", content_hash="h-evil"))
    with c:
        for path in (f"/article/{aid}", "/country/JP", "/search?q=alert"):
            html = c.get(path).text
            assert "<script>alert(2)</script>" not in html and "<img src=x" not in html, path
        assert 'href="javascript:' not in c.get(f"/article/{aid}").text
    store.close()


def _admin_form(c: TestClient) -> str:
    page = c.get("/admin")
    m = re.search(r'name="csrf" value="([^"]+)"', page.text)
    assert m, "admin page has no CSRF token"
    return m.group(1)


def test_admin_requires_token_and_csrf(client: TestClient, tmp_path: Path) -> None:
    form = {"id": "new-outlet", "name": "New Outlet", "homepage": "https://new.example/", "country": "FR",
            "language": "fr", "feed": "https://new.example/rss.xml"}
    # No CSRF, no token.
    assert client.post("/admin/outlets", data=form).status_code == 403
    csrf = _admin_form(client)
    # CSRF but wrong token.
    assert client.post("/admin/outlets", data={**form, "csrf": csrf, "token": "wrong"}).status_code == 403
    # Token but a forged CSRF value.
    forged = csrf.split(".")[0] + ".deadbeef"
    assert client.post("/admin/outlets", data={**form, "csrf": forged, "token": ADMIN_TOKEN}).status_code == 403
    # CSRF token from another session (cookie mismatch).
    other = TestClient(client.app)
    assert other.post("/admin/outlets", data={**form, "csrf": csrf, "token": ADMIN_TOKEN}).status_code == 403
    assert client.get("/api/v1/countries/FR").json()["outlets"] == [o for o in client.get(
        "/api/v1/countries/FR").json()["outlets"] if o["id"] != "new-outlet"]
    ok = client.post("/admin/outlets", data={**form, "csrf": csrf, "token": ADMIN_TOKEN}, follow_redirects=False)
    assert ok.status_code == 303, ok.text
    ids = {o["id"] for o in client.get("/api/v1/countries/FR").json()["outlets"]}
    assert "new-outlet" in ids
    user_file = tmp_path / "sources.toml"
    assert "new-outlet" in user_file.read_text()
    # Bad input is a clear 400, not a crash.
    bad = client.post("/admin/outlets", data={**form, "id": "BAD ID", "csrf": csrf, "token": ADMIN_TOKEN})
    assert bad.status_code == 400
    # A Bearer token works without CSRF (browsers never attach it on their own).
    r = client.post("/admin/recrawl", headers={"Authorization": f"Bearer {ADMIN_TOKEN}"}, follow_redirects=False)
    assert r.status_code == 303


def test_admin_opml_import(client: TestClient, tmp_path: Path) -> None:
    csrf = _admin_form(client)
    opml = """<?xml version="1.0"?><opml version="2.0"><head><title>mine</title></head><body>
      <outline text="Kiosk" type="rss" xmlUrl="https://kiosk.example/feed.xml" htmlUrl="https://kiosk.example/"
        language="it"/></body></opml>"""
    r = client.post("/admin/opml", data={"csrf": csrf, "token": ADMIN_TOKEN, "country": "IT"},
                    files={"file": ("mine.opml", opml.encode(), "text/x-opml")}, follow_redirects=False)
    assert r.status_code == 303, r.text
    assert any(o["name"] == "Kiosk" for o in client.get("/api/v1/countries/IT").json()["outlets"])
    evil = '<?xml version="1.0"?><!DOCTYPE x [<!ENTITY e "boom">]><opml><body/></opml>'
    r = client.post("/admin/opml", data={"csrf": csrf, "token": ADMIN_TOKEN},
                    files={"file": ("x.opml", evil.encode(), "text/xml")})
    assert r.status_code == 400
    assert client.post("/admin/opml", data={"token": ADMIN_TOKEN}).status_code == 403  # no CSRF


def test_admin_disabled_without_token(tmp_path: Path) -> None:
    c, store = make_client(tmp_path)
    with c:
        page = c.get("/admin").text
        assert "disabled" in page and 'name="csrf"' not in page
        r = c.post("/admin/recrawl", data={"token": ""}, headers={"Authorization": "Bearer "})
        assert r.status_code == 403 and "disabled" in r.text
    store.close()


def test_no_state_changing_get(client: TestClient) -> None:
    for path in ("/admin/outlets", "/admin/opml", "/admin/recrawl"):
        assert client.get(path).status_code == 405
    from globewire.web import feeds_out, imageproxy, routes_api, routes_pages

    # Every admin action answers POST only; every other route of the site is read-only.
    admin = [r for r in routes_pages.router.routes if r.path.startswith("/admin/")]
    assert len(admin) == 3 and all(r.methods == {"POST"} for r in admin)
    for router in (routes_pages.router, routes_api.router, feeds_out.router, imageproxy.router):
        for r in router.routes:
            if not r.path.startswith("/admin/"):
                assert r.methods <= {"GET", "HEAD"}, r.path


def test_image_proxy_signed_and_checked(tmp_path: Path) -> None:
    png = _png(2)
    with LoopbackServer() as srv:
        srv.route("/pic.png", Response(body=png, content_type="image/png"))
        srv.route("/pic.svg", Response(body=b"<svg xmlns='http://www.w3.org/2000/svg'><script>alert(1)</script></svg>",
                                       content_type="image/svg+xml"))
        srv.route("/liar.png", Response(body=b"<html>not an image</html>", content_type="image/png"))
        srv.route("/big.png", Response(body=png + b"\x00" * 20_000, content_type="image/png"))
        c, store = make_client(tmp_path, images="proxy", image_max_bytes=10_000, secret_key="x" * 32)
        ctx = c.app.state.ctx
        ctx.settings.fetch = ctx.settings.fetch.model_copy(update={"allow_private_addresses": True,
                                                                    "respect_robots": False})
        with c:
            url = ctx.image_url(srv.url("/pic.png"))
            assert url and url.startswith("/img?")
            r = c.get(url)
            assert r.status_code == 200 and r.content == png and r.headers["content-type"] == "image/png"
            assert "sandbox" in r.headers["content-security-policy"]
            # Unsigned or tampered URLs are refused without fetching.
            before = len(srv.requests)
            assert c.get("/img", params={"u": srv.url("/pic.png"), "sig": "0" * 32}).status_code == 403
            assert c.get(url.replace("pic.png", "big.png")).status_code == 403
            assert len(srv.requests) == before
            assert c.get(ctx.image_url(srv.url("/pic.svg"))).status_code == 415
            assert c.get(ctx.image_url(srv.url("/liar.png"))).status_code == 415
            assert c.get(ctx.image_url(srv.url("/big.png"))).status_code == 413
            assert ctx.image_url("javascript:alert(1)") is None
        store.close()
        # With the SSRF guard on (the default), a loopback image is never fetched.
        c2, store2 = make_client(tmp_path / "b", images="proxy")
        with c2:
            before = len(srv.requests)
            r = c2.get(c2.app.state.ctx.image_url(srv.url("/pic.png")))
            assert r.status_code == 502 and len(srv.requests) == before
        store2.close()


def test_images_proxied_by_default_and_the_setting_turns_them_off(client: TestClient, tmp_path: Path) -> None:
    # On by default: same-origin, signed proxy URLs (the browser never contacts the outlet).
    assert (client.app.state.ctx.image_url("https://example.com/a.jpg") or "").startswith("/img?u=")
    c, store = make_client(tmp_path / "off", images="off")
    with c:
        assert c.app.state.ctx.image_url("https://example.com/a.jpg") is None
        assert c.get("/img", params={"u": "https://example.com/a.jpg", "sig": "0" * 32}).status_code == 404
        assert "<img" not in c.get("/article/1").text
    store.close()
