"""End to end: `globewire run --rounds 1` as a child process, crawling the loopback news site listed in the user's
own sources file (the shipped catalogue disabled), serving the site while it crawls, and exiting 0 after the round.

A user who wants only their own outlets writes ``shipped = false`` in their sources file.
"""

from __future__ import annotations

import html
import json
import time
from pathlib import Path

import httpx
import pytest

from tests.e2e_helpers import (
    cli,
    free_port,
    globewire_process,
    read_log,
    subprocess_env,
    wait_http,
)
from tests.sites.newsite import SPECS, NewsSite

# A round over the five loopback outlets (≈30 pages, 0.05 s apart per host) plus clustering takes a few
# seconds here; the process must be done well within this.
RUN_TIMEOUT_SECONDS = 90.0


def user_sources(site: NewsSite) -> str:
    lines = ["# my own outlets: the loopback news site", "shipped = false", "outlets = ["]
    for spec in SPECS:
        base = site.base(spec.id)
        lines.append(
            f'  {{ id = "{spec.id}", name = {json.dumps(spec.name)}, country = "{spec.country}", '
            f'homepage = "{base}/", languages = ["{spec.language}"], ownership = "{spec.ownership}", '
            f'feeds = ["{base}{spec.feed_path}"], sitemap = "{base}{spec.sitemap_path}" }},'
        )
    lines.append("]")
    return "\n".join(lines) + "\n"


@pytest.fixture
def site():
    with NewsSite(virtual_hosts=False) as s:
        yield s


def test_run_one_round_crawls_serves_and_exits(site: NewsSite, tmp_path: Path) -> None:
    shipped = json.loads(cli("sources", "list", "--json").stdout)["outlets"]
    assert len(shipped) > 500
    sources = tmp_path / "sources.toml"
    sources.write_text(user_sources(site), encoding="utf-8")
    db = tmp_path / "globewire.db"
    env = subprocess_env({
        "GLOBEWIRE_SOURCES_FILE": str(sources),
        "GLOBEWIRE_FETCH__ALLOW_PRIVATE_ADDRESSES": "true",
        "GLOBEWIRE_FETCH__MIN_HOST_DELAY": "0.05",
        "GLOBEWIRE_TRANSLATE__BACKEND": "none",
    })
    # The user's file is what the catalogue now holds: the five outlets, nothing shipped.
    listed = json.loads(cli("sources", "list", "--json", env={"GLOBEWIRE_SOURCES_FILE": str(sources)}).stdout)
    assert sorted(o["id"] for o in listed["outlets"]) == sorted(s.id for s in SPECS)

    port = free_port()
    base = f"http://127.0.0.1:{port}"
    log = tmp_path / "run.log"
    started = time.monotonic()
    with globewire_process(["run", "--rounds", "1", "--port", str(port), "--host", "127.0.0.1", "--db", str(db)],
                           env, log) as proc:
        home = wait_http(base + "/", proc, log)
        assert home.status_code == 200 and "<html" in home.text.lower()
        try:
            rc = proc.wait(RUN_TIMEOUT_SECONDS)
        except Exception:  # noqa: BLE001 - report the output, then let the context stop the process
            raise AssertionError(f"run did not exit after one round:\n{read_log(log)}") from None
    elapsed = time.monotonic() - started
    out = read_log(log)
    assert rc == 0, out
    assert f"serving on http://127.0.0.1:{port}" in out
    assert elapsed < RUN_TIMEOUT_SECONDS
    # Every outlet's feed was read and its pages fetched; nothing else was contacted (no shipped outlet).
    for spec in SPECS:
        paths = {q.path for q in site.requests(spec.id)}
        assert spec.feed_path in paths and any(p.endswith(".html") for p in paths), (spec.id, paths)
    # The server is gone with the process.
    with pytest.raises(httpx.HTTPError):
        httpx.get(base + "/", timeout=1)

    # After the round: the same database served again shows what was crawled.
    port2 = free_port()
    base2 = f"http://127.0.0.1:{port2}"
    log2 = tmp_path / "serve.log"
    with globewire_process(["serve", "--db", str(db), "--port", str(port2), "--host", "127.0.0.1"], env, log2) as srv:
        wait_http(base2 + "/", srv, log2)
        with httpx.Client(base_url=base2, timeout=10) as http:
            stories = http.get("/api/v1/stories", params={"limit": 50})
            assert stories.status_code == 200
            items = stories.json()["items"]
            assert items, "no stories after the round"
            rhine = [a for a in site.articles if a.outlet_id == "rheinblick" and not a.disallowed]
            arts = http.get("/api/v1/articles", params={"country": "DE", "limit": 50}).json()["items"]
            assert {a["source_url"] for a in arts} == {a.url for a in rhine}
            assert all(a["outlet_id"] == "rheinblick" and a["language"] == "de" for a in arts)
            covering = {tuple(sorted(s.get("countries_covering") or [])) for s in items}
            assert any("DE" in c for c in covering), covering
            page = http.get("/country/DE")
            assert page.status_code == 200
            text = html.unescape(page.text)
            assert "Rheinblick Zeitung" in text
            assert any(a.title in text for a in rhine), [a.title for a in rhine]
