"""The reader's front in a real browser (Debian's Chromium via Playwright) against `globewire serve` on a real
SQLite store (tests/browser/frontcorpus.py): home on a desktop and a phone, a multi-country story, articles;
pictures come through the image proxy from a loopback picture server. Screenshots go to a temporary folder,
and are copied to the folder named by GLOBEWIRE_FRONT_SHOTS when it is set (for people to look at)."""

from __future__ import annotations

import os
import re
import shutil
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import httpx
import pytest

from tests.browser.frontcorpus import fill_front_store, picture
from tests.browser.harness import CHROMIUM, Tab, serve
from tests.sites.server import LoopbackServer, Response

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not Path(CHROMIUM).exists(), reason=f"Chromium not installed at {CHROMIUM}"),
]

PLACEHOLDER = re.compile(r"\b(Story|Article) \d+\b")


@pytest.fixture(scope="module")
def shots(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    folder = tmp_path_factory.mktemp("front-shots")
    yield folder
    keep = os.environ.get("GLOBEWIRE_FRONT_SHOTS")
    if keep:
        Path(keep).mkdir(parents=True, exist_ok=True)
        for f in folder.glob("*.png"):
            shutil.copy(f, Path(keep) / f.name)


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    from globewire.store import open_store

    home = tmp_path_factory.mktemp("front")
    db = home / "site.db"
    with LoopbackServer() as pictures:
        store = open_store(str(db))
        info = fill_front_store(store, picture_base=pictures.base_url)
        store.close()
        for n, path in enumerate(info["pictures"]):
            pictures.route(path, Response(body=picture(n), content_type="image/png"))
        # the picture server is on 127.0.0.1: let the proxy's fetcher reach it (tests only)
        env = {"GLOBEWIRE_FETCH__ALLOW_PRIVATE_ADDRESSES": "true", "GLOBEWIRE_FETCH__RESPECT_ROBOTS": "false"}
        with serve(db, home, env) as (base, port):
            yield {"base": base, "port": port, "pictures": pictures, **info}


class Reader(Tab):
    """A browser tab that records every request and console error; ``done`` checks that every request
    went to the app on 127.0.0.1 (pictures included: through /img) and nothing failed."""

    def __init__(self, browser: Any, site: dict[str, Any], width: int = 1280, height: int = 800, **ctx: Any) -> None:
        super().__init__(browser, {"width": width, "height": height}, **ctx)
        self.site = site

    def go(self, path: str) -> Any:
        self.page.goto(self.site["base"] + path)
        self.page.wait_for_load_state("networkidle")
        return self.page

    def shot(self, folder: Path, name: str, full_page: bool = False) -> Path:
        path = folder / f"{name}.png"
        self.page.screenshot(path=str(path), full_page=full_page)
        return path

    def readable(self) -> None:
        """What no page may show: placeholder headlines, "unknown outlet", a card without a date."""
        text = self.page.locator("main").inner_text()
        assert not PLACEHOLDER.search(text), PLACEHOLDER.search(text)
        assert "unknown outlet" not in text.lower()
        cards = self.page.locator("li.card")
        for i in range(cards.count()):
            assert cards.nth(i).locator("time[datetime]").count() >= 1, cards.nth(i).inner_text()

    def done(self) -> None:
        outside = {u for u in self.requests
                   if not u.startswith("data:") and urlsplit(u).netloc != f"127.0.0.1:{self.site['port']}"}
        assert not outside, f"requests that did not go to the app: {sorted(outside)[:5]}"
        assert not self.errors, self.errors
        self.context.close()


def test_home_desktop(site: dict[str, Any], browser: Any, shots: Path) -> None:
    r = Reader(browser, site)
    page = r.go("/")
    page.wait_for_selector("#globe svg path.country[data-cc]")
    assert page.locator(".windows a.on").inner_text() == "24 hours"
    assert "last 24 hours" in page.locator("#window-note").inner_text()
    first = page.locator("#stories li.card").first
    assert first.locator(".card-sum").inner_text().strip()
    assert first.locator(".card-src .flag").count() >= 1
    assert page.locator("#stories .coverage-bar rect").count() >= 3
    # Pictures arrive through the proxy: loaded, same origin.
    imgs = page.locator("#stories .thumb img")
    assert imgs.count() >= 3
    assert all(imgs.nth(i).evaluate("i => i.complete && i.naturalWidth > 0") for i in range(imgs.count()))
    assert all(imgs.nth(i).get_attribute("src").startswith("/img?u=") for i in range(imgs.count()))
    # The story with no English says so on its card.
    assert page.locator("li.card", has_text="Fala powodziowa").locator(".badge.tr").count() == 1
    # The browser may load pictures from this server only (the image proxy), nothing from elsewhere.
    csp = httpx.get(site["base"] + "/").headers["content-security-policy"]
    assert "img-src 'self' data:;" in csp and "default-src 'self'" in csp
    r.readable()
    r.shot(shots, "home-desktop")
    r.shot(shots, "home-desktop-full", full_page=True)
    r.done()


def test_globe_window_changes_the_counts(site: dict[str, Any], browser: Any) -> None:
    r = Reader(browser, site)
    page = r.go("/")
    page.wait_for_selector("#globe svg path.country[data-cc]")
    day = page.locator(".front-countries .ranked li").all_inner_texts()
    page.click(".windows a:has-text('All time')")
    page.wait_for_url("**/?window=all")
    page.wait_for_selector("#globe svg path.country[data-cc]")
    assert page.locator(".windows a.on").inner_text() == "All time"
    assert "all time" in page.locator("#window-note").inner_text()
    everything = page.locator(".front-countries .ranked li").all_inner_texts()
    assert len(everything) > len(day)
    assert any("Tanzania" in c for c in everything) and not any("Tanzania" in c for c in day)
    # the globe is shaded from the window's counts too
    assert "lvl-" in (page.locator('#globe path[data-cc="TZ"]').get_attribute("class") or "")
    r.readable()
    r.done()


def wait_js(page: Any, expression: str, timeout: float = 10.0) -> Any:
    """Poll ``expression`` until it is truthy and return its value. Not ``page.wait_for_function``: when its first
    check fails it re-evaluates the text inside the page, which the site's CSP (no 'unsafe-eval') refuses, so the
    wait failed whenever the focus landed a frame late; ``page.evaluate`` runs outside the page's CSP."""
    deadline = time.monotonic() + timeout
    while True:
        value = page.evaluate(expression)
        if value:
            return value
        assert time.monotonic() < deadline, f"still false after {timeout} s: {expression}"
        time.sleep(0.05)


def test_skip_link_and_one_tab_stop_for_the_globe(site: dict[str, Any], browser: Any) -> None:
    r = Reader(browser, site)
    page = r.go("/")
    page.wait_for_selector("#globe svg path.country[data-cc]")
    assert page.locator("#globe [tabindex]").count() == 1  # the globe itself, not its ~175 countries
    # Tab from the page's top reaches the skip link before the globe; Enter jumps past it, one Tab later
    # the first story is focused.
    page.locator(".skip-globe").focus()
    assert page.locator(".skip-globe").is_visible()
    page.keyboard.press("Enter")
    page.keyboard.press("Tab")
    # (waited for, not read once: on a loaded machine the focus lands a frame later, and activeElement may be
    # null in between)
    focused = wait_js(page, "(() => { const a = document.activeElement; return a && a.closest('li.card') !== null"
                            " && a.href; })()")
    assert focused and "/story/" in focused
    # Without the skip link: the globe is ONE Tab stop, the next one is the first story.
    page.locator(".skip-globe").focus()
    page.keyboard.press("Tab")
    wait_js(page, "(() => { const a = document.activeElement; return a && a.closest('#globe') !== null; })()")
    page.keyboard.press("ArrowLeft")
    # the centred country (or that there is none) is said, after the globe has turned
    wait_js(page, "(document.getElementById('globe-status') || {textContent: ''}).textContent.length > 0", 15.0)
    assert urlsplit(page.url).path == "/", page.url
    page.keyboard.press("Tab")
    wait_js(page, "(() => { const a = document.activeElement; return a && a.closest('#stories li.card') !== null; })()")
    r.done()


def test_home_phone_scrolls_over_the_globe_and_shows_a_story(site: dict[str, Any], browser: Any, shots: Path) -> None:
    r = Reader(browser, site, width=390, height=844, is_mobile=True, has_touch=True, device_scale_factor=2)
    page = r.go("/")
    page.wait_for_selector("#globe svg path.country[data-cc]")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    box = page.locator("#stories li.card").first.bounding_box()
    assert box is not None and box["y"] + 60 < 844, f"first story starts at {box}"
    # A vertical swipe on the globe scrolls the page (touch-action lets the browser pan vertically).
    assert page.evaluate("getComputedStyle(document.querySelector('#globe svg')).touchAction") == "pan-y"
    r.readable()
    r.shot(shots, "home-phone")
    # A finger dragged upwards on the globe scrolls the page (real touch events through the DevTools protocol).
    globe = page.locator("#globe svg").bounding_box()
    x, y = globe["x"] + globe["width"] / 2, globe["y"] + globe["height"] * 0.8
    cdp = r.context.new_cdp_session(page)
    cdp.send("Input.dispatchTouchEvent", {"type": "touchStart", "touchPoints": [{"x": x, "y": y}]})
    for step in range(1, 11):
        cdp.send("Input.dispatchTouchEvent", {"type": "touchMove", "touchPoints": [{"x": x, "y": y - 30 * step}]})
    cdp.send("Input.dispatchTouchEvent", {"type": "touchEnd", "touchPoints": []})
    page.wait_for_timeout(300)
    assert page.evaluate("window.scrollY") > 100
    r.done()


def test_multi_country_story(site: dict[str, Any], browser: Any, shots: Path) -> None:
    r = Reader(browser, site)
    page = r.go(f"/story/{site['stories'][1]}")  # the Peru earthquake: US, PE, ES, CL, FR
    assert page.locator(".country-group").count() >= 4
    groups = page.locator(".country-group h3").all_inner_texts()
    assert any("Peru" in g and "El Comercio" in g for g in groups)
    assert page.locator(".story-head .coverage-bar rect").count() >= 4
    times = page.locator("ol.pubs time").evaluate_all("ts => ts.map(t => t.getAttribute('datetime'))")
    assert len(times) >= 5 and times == sorted(times)  # real publication times, oldest first
    assert page.locator(".lead-figure img").evaluate("i => i.complete && i.naturalWidth > 0")
    assert page.locator("#rel-h").count() == 1
    r.readable()
    r.shot(shots, "story-multi-country", full_page=True)
    r.done()


def test_untranslated_story_and_articles_say_why(site: dict[str, Any], browser: Any, shots: Path) -> None:
    from tests.browser.frontcorpus import UNAVAILABLE

    r = Reader(browser, site)
    page = r.go(f"/story/{site['flood_story']}")
    note = page.locator(".tr-status").first.inner_text()
    assert "Not in English yet" in note and UNAVAILABLE not in note  # one line; the operator's detail is folded
    page.locator(".tr-status summary").first.click()
    note = page.locator(".tr-status").first.inner_text()
    assert "Not in English yet" in note and UNAVAILABLE in note and "globewire translate" in note
    assert page.locator("ol.pubs.undated li").count() == 1  # the Czech report has no publication time
    sources = page.locator(".story-src").inner_text()
    assert "Gazeta Wrocławska" in sources and "ČT24" in sources
    r.readable()
    r.shot(shots, "story-untranslated", full_page=True)
    page = r.go(f"/article/{site['flood'][1]}")  # Czech, never tried
    page.locator(".tr-status summary").click()
    note = page.locator(".tr-status").inner_text()
    assert "not tried yet" in note and "`globewire translate`" in note
    assert "fetched" in page.locator(".page-head .sub").inner_text()
    r.readable()
    r.shot(shots, "article-untranslated")
    r.done()


def test_translated_article(site: dict[str, Any], browser: Any, shots: Path) -> None:
    r = Reader(browser, site)
    page = r.go(f"/article/{site['articles'][6]}")  # El Comercio, Spanish, translated, with a picture
    assert page.locator(".pair").count() >= 2 and page.locator(".tr-status").count() == 0
    assert "El Comercio" in page.locator(".page-head .sub").inner_text()
    assert page.locator(".article-img img").evaluate("i => i.complete && i.naturalWidth > 0")
    r.readable()
    r.shot(shots, "article", full_page=True)
    r.done()
