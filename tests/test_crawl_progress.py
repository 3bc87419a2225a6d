"""The main job shows its work: progress counts, the network watch (probe, say once, back off), the crawl
status row and the empty home page that renders it. Real fetcher, real loopback site, real SQLite."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from globewire import progress as prog
from globewire.fetch.safety import ResolveError
from globewire.pipeline import PipelineContext
from globewire.records import Feed, Outlet
from globewire.settings import load_settings
from globewire.store import open_store
from globewire.web.app import create_app
from tests.sites.newsite import NewsSite


class CountingResolver:
    """No DNS at all (an offline machine): every lookup fails, and is counted."""

    def __init__(self) -> None:
        self.hosts: list[str] = []

    async def __call__(self, host: str, port: int) -> list[str]:
        self.hosts.append(host)
        raise ResolveError(f"{host}: Temporary failure in name resolution")


def offline_outlets(n: int) -> list[Outlet]:
    return [Outlet(id=f"o{i}", name=f"Outlet {i}", homepage=f"https://o{i}.example/", country="FR",
                   languages=("fr",), feeds=(Feed(url=f"https://o{i}.example/rss.xml"),)) for i in range(n)]


def _ctx(db: Path, outlets: list[Outlet], **fetch: object) -> PipelineContext:
    settings = load_settings(workers=1, data_dir=db.parent)
    for k, v in {"max_retries": 0, "backoff_base": 0.01, **fetch}.items():
        setattr(settings.fetch, k, v)
    return PipelineContext(settings=settings, store=open_store(str(db)), outlets={o.id: o for o in outlets})


def test_offline_round_probes_a_few_outlets_says_once_and_backs_off(tmp_path: Path, caplog) -> None:
    outlets = offline_outlets(60)
    ctx = _ctx(tmp_path / "g.db", outlets)
    resolver = CountingResolver()
    runner = prog.RoundRunner(ctx, resolver=resolver)
    said = []
    runner._say = lambda message, warn: said.append(message)  # what the user is told, captured
    report = runner.crawl(outlets)
    asked = {h for h in resolver.hosts}
    assert len(asked) <= prog.PROBE_OUTLETS, f"{len(asked)} outlets tried although the network is down"
    assert report.outlets_skipped == len(outlets) - prog.PROBE_OUTLETS
    assert runner.watch.down and len(said) == 1 and "network looks unreachable" in said[0]
    status = ctx.store.crawl_status()
    assert status["state"] == "unreachable" and "dns_error" in status["detail"] and status["next_round_at"]
    assert runner.next_delay() == prog.BACKOFF_FIRST_S
    runner.crawl(outlets)  # still offline: nothing said again, the wait doubles
    assert len(said) == 1 and runner.next_delay() == 2 * prog.BACKOFF_FIRST_S
    assert runner.next_delay() <= runner.interval_s


def test_no_outlets_enabled_is_recorded(tmp_path: Path) -> None:
    import dataclasses

    outlets = [dataclasses.replace(o, enabled=False) for o in offline_outlets(3)]
    ctx = _ctx(tmp_path / "g.db", outlets)
    runner = prog.RoundRunner(ctx)
    runner._say = lambda message, warn: None
    runner.crawl(outlets)
    assert ctx.store.crawl_status()["state"] == "no_outlets"


@pytest.fixture
def site() -> Iterator[NewsSite]:
    with NewsSite(virtual_hosts=True) as s:
        yield s


def test_round_on_a_reachable_site_counts_everything(tmp_path: Path, site: NewsSite, caplog) -> None:
    ctx = _ctx(tmp_path / "g.db", site.outlets)
    ctx.settings.fetch = site.fetch_settings(min_host_delay=0.05)
    runner = prog.RoundRunner(ctx, resolver=site.resolver)
    with caplog.at_level(logging.INFO):
        report = runner.crawl(site.outlets)
    assert not runner.watch.down and report.outlets_skipped == 0
    status = ctx.store.crawl_status()
    assert status["state"] == "idle" and status["outlets_done"] == status["outlets_total"] == len(site.outlets)
    assert status["articles_new"] == report.batch.new > 0
    assert status["failures"].get("robots_disallowed", 0) >= 1  # the site's disallowed article, by kind
    assert runner.next_delay() == runner.interval_s


def test_probe_order_puts_a_random_sample_first() -> None:
    import random

    outlets = offline_outlets(30)
    a = prog.probe_order(outlets, random.Random(1))
    assert sorted(o.id for o in a) == sorted(o.id for o in outlets)
    assert [o.id for o in a[: prog.PROBE_OUTLETS]] != [o.id for o in outlets[: prog.PROBE_OUTLETS]]


def _home(tmp_path: Path, **status: object) -> str:
    store = open_store(str(tmp_path / "web.db"))
    if status:
        store.set_crawl_status(**status)
    with TestClient(create_app(store, load_settings(data_dir=tmp_path))) as client:
        html = client.get("/").text
    store.close()
    return html


def test_empty_home_page_says_what_is_happening(tmp_path: Path) -> None:
    html = _home(tmp_path, state="crawling", round=1, outlets_total=50, outlets_done=3, articles_new=7,
                 failures={"dns_error": 2})
    assert "First crawl under way" in html and "3 of 50 outlets" in html and "7 new articles" in html
    assert "dns_error 2" in html and 'href="/outlets"' in html
    html = _home(tmp_path, state="unreachable", round=2, detail="8 fetches failed and no server answered")
    assert "network looks unreachable" in html and "8 fetches failed" in html
    html = _home(tmp_path, state="no_outlets")
    assert "No outlets are enabled" in html and 'href="/outlets"' in html


def test_home_page_with_news_shows_no_status(tmp_path: Path) -> None:
    from tests.browser.webcorpus import fill_store

    store = open_store(str(tmp_path / "full.db"))
    fill_store(store, shift_to_now=True)
    store.set_crawl_status(state="crawling", round=3, outlets_total=50, outlets_done=3)
    with TestClient(create_app(store, load_settings(data_dir=tmp_path))) as client:
        html = client.get("/").text
    store.close()
    assert "under way" not in html and "crawl-status" not in html


def test_home_page_before_any_crawl(tmp_path: Path) -> None:
    html = _home(tmp_path)
    assert "No crawl has run on this database yet" in html and 'href="/outlets"' in html


def test_crawl_command_offline_says_it_once_in_structured_logs(tmp_path: Path) -> None:
    """`globewire crawl --once` without a terminal: structured progress lines, the unreachable network said
    once, and only the probe outlets tried (every outlet's server refuses connections here)."""
    import json
    import subprocess
    import sys

    from tests.e2e_helpers import free_port, subprocess_env

    closed = free_port()
    data = tmp_path / "data"
    data.mkdir()
    lines = ["shipped = false", "outlets = ["]
    for i in range(20):
        base = f"http://127.0.0.{20 + i}:{closed}"
        lines.append(f'  {{ id = "down{i}", name = "Down {i}", homepage = "{base}/", country = "GB", '
                     f'languages = ["en"], feeds = ["{base}/feed.xml"] }},')
    (data / "sources.toml").write_text("\n".join([*lines, "]"]) + "\n", encoding="utf-8")
    env = subprocess_env({"GLOBEWIRE_DATA_DIR": str(data), "GLOBEWIRE_CONFIG": str(tmp_path / "none.toml"),
                          "GLOBEWIRE_FETCH__ALLOW_PRIVATE_ADDRESSES": "true", "GLOBEWIRE_FETCH__MAX_RETRIES": "0"})
    r = subprocess.run([sys.executable, "-m", "globewire.cli", "crawl", "--once", "--no-stories", "--json"],
                       env=env, capture_output=True, text=True, timeout=240)
    assert r.returncode == 0, r.stderr
    report = json.loads(r.stdout)
    assert report["outlets_skipped"] == 20 - prog.PROBE_OUTLETS
    assert r.stderr.count("network looks unreachable") == 1 and "connect_error" in r.stderr
    assert "crawl_round_done" in r.stderr and "outlets_total=20" in r.stderr
    st = subprocess.run([sys.executable, "-m", "globewire.cli", "stats", "--json"], env=env, capture_output=True,
                        text=True, timeout=120)
    crawl = json.loads(st.stdout)["crawl"]
    assert crawl["state"] == "unreachable" and crawl["outlets_total"] == 20
