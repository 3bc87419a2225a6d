"""The site in a real browser (Debian's Chromium via Playwright) against `globewire serve` started as a
subprocess on each store backend — a real SQLite file, and the real PostgreSQL server (a fresh schema,
dropped afterwards) — filled from the story fixture corpus. Screenshots of each page go to
test-artifacts/screenshots/ (``-pg`` suffix for the PostgreSQL run)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest

from tests.browser.harness import CHROMIUM, REPO, Tab, serve
from tests.browser.webcorpus import fill_store

SHOTS = REPO / "test-artifacts" / "screenshots"

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not Path(CHROMIUM).exists(), reason=f"Chromium not installed at {CHROMIUM}"),
]


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def server(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    from globewire.store import open_store

    from tests.test_web_pages import backend_url

    home = tmp_path_factory.mktemp("browser")
    url, remove = backend_url(request.param, home)
    request.addfinalizer(remove)
    store = open_store(url)
    info = fill_store(store, shift_to_now=True, archive=40)
    store.close()
    # SQLite: --db FILE; PostgreSQL: the store the environment's URL names
    with serve(home / "site.db" if request.param == "sqlite" else None, home,
               {"GLOBEWIRE_DATABASE_URL": url}) as (base, _):
        yield {"base": base, "suffix": "" if request.param == "sqlite" else "-pg", **info}


class Watched(Tab):
    """A page that records every request and every console error."""

    suffix = ""

    def shot(self, name: str, full_page: bool = True) -> None:
        SHOTS.mkdir(parents=True, exist_ok=True)
        self.page.screenshot(path=str(SHOTS / f"{name}{self.suffix}.png"), full_page=full_page)

    def check_clean(self) -> None:
        hosts = {urlsplit(u).hostname for u in self.requests if not u.startswith("data:")}
        assert hosts <= {"127.0.0.1"}, f"requests left loopback: {hosts}"
        assert not self.errors, self.errors

    def close(self) -> None:
        self.context.close()


@pytest.fixture
def watched(browser: Any, server: dict[str, Any]) -> Iterator[Watched]:
    w = Watched(browser)
    w.suffix = server["suffix"]
    yield w
    w.check_clean()
    w.close()


def test_globe_renders_hover_and_click(server: dict[str, Any], watched: Watched) -> None:
    from globewire.web import geo

    page = watched.page
    page.goto(server["base"] + "/")
    page.wait_for_selector("#globe svg path.country[data-cc]")
    expected = len({s.cc for s in geo.shapes() if s.cc} | set(geo.numeric_to_alpha2().values()))
    assert page.locator("#globe svg path.country[data-cc]").count() == expected
    assert page.locator('#globe path[data-cc="DE"]').count() == 1
    assert "lvl-" in (page.locator('#globe path[data-cc="DE"]').get_attribute("class") or "")
    watched.shot("home", full_page=False)
    # Bring Germany to the front with the country list, hover it: the tooltip names it with its count.
    page.select_option("#cc-select", "DE")
    page.wait_for_timeout(300)
    de = page.locator('#globe path[data-cc="DE"]')
    de.hover()
    tip = page.locator("#globe .tooltip")
    assert tip.is_visible() and "Germany" in tip.inner_text() and "1 article" in tip.inner_text()
    assert "Germany" in de.locator("title").text_content()
    watched.shot("home-hover", full_page=False)
    de.click()
    page.wait_for_url("**/country/DE")
    assert "Germany" in page.locator("h1").inner_text()
    watched.shot("country")


def test_globe_keyboard(server: dict[str, Any], watched: Watched) -> None:
    page = watched.page
    page.goto(server["base"] + "/")
    page.wait_for_selector("#globe svg path.country[data-cc]")
    svg = page.locator("#globe svg")
    sphere_before = page.locator("#globe .sphere").get_attribute("d")
    us_before = page.locator('#globe path[data-cc="BR"]').get_attribute("d")
    svg.focus()
    page.keyboard.press("ArrowLeft")
    page.keyboard.press("+")
    page.wait_for_timeout(200)
    assert page.locator('#globe path[data-cc="BR"]').get_attribute("d") != us_before
    assert page.locator("#globe .sphere").get_attribute("d") != sphere_before  # zoomed
    # The globe is one widget: the country in the middle is named (and marked); Enter opens it.
    page.keyboard.press("0")  # back to the start view, centred on Africa
    page.wait_for_timeout(200)
    centred = page.locator("#globe path.country.active").get_attribute("data-cc")
    assert centred and len(centred) == 2
    assert page.locator("#globe-status").inner_text().startswith(page.locator(
        f'#globe path[data-cc="{centred}"] title').text_content().split(" — ")[0])
    page.keyboard.press("Enter")
    page.wait_for_url(f"**/country/{centred}")


def test_story_page(server: dict[str, Any], watched: Watched) -> None:
    page = watched.page
    page.goto(f"{server['base']}/story/{server['stories'][1]}")
    groups = page.locator(".country-group")
    assert groups.count() >= 2
    assert page.locator(".takes dt").count() >= 2
    assert page.locator(".static-map use.cov").count() >= 2
    watched.shot("story")
    page.goto(f"{server['base']}/story/{server['stories'][4]}")
    assert page.locator(".blindspot .badge").is_visible()
    watched.shot("story-blindspot")


def test_article_page(server: dict[str, Any], watched: Watched) -> None:
    page = watched.page
    page.goto(f"{server['base']}/article/{server['articles'][3]}")  # tagesschau, German
    assert page.locator(".pair").count() >= 2
    link = page.locator("a", has_text="Read at the source")
    assert link.get_attribute("rel") == "noopener noreferrer nofollow"
    watched.shot("article")


def reader_checks(page: Any) -> None:
    """What no page may show a reader: a placeholder headline ("Story 12", "Article 3"), "unknown outlet",
    or a link without text."""
    text = page.locator("main").inner_text()
    assert not re.search(r"\b(Story|Article) \d+\b", text), re.search(r"\b(Story|Article) \d+\b", text)
    assert "unknown outlet" not in text.lower()
    empty = page.evaluate("""[...document.querySelectorAll('a')]
        .filter(a => !a.innerText.trim() && !a.getAttribute('aria-label') && !a.querySelector('img[alt]'))
        .filter(a => a.offsetParent !== null).map(a => a.outerHTML)""")
    assert not empty, empty


def no_sideways_scroll(page: Any, width: int) -> None:
    scroll = page.evaluate("document.documentElement.scrollWidth")
    assert scroll <= width, f"horizontal scroll at {width}px: {scroll}px"


def test_search_finds_by_english_word(server: dict[str, Any], watched: Watched) -> None:
    page = watched.page
    page.goto(server["base"] + "/")
    page.fill("#top-q", "ferry")
    page.press("#top-q", "Enter")
    page.wait_for_url("**/search?q=ferry*")
    titles = page.locator("ol.results-grouped a.hl").all_inner_texts()
    # The German and French articles are found through their English translations.
    assert any("Lake Victoria" in t and "Tanzania" in t for t in titles)
    assert page.locator("ol.results-grouped .orig", has_text="Fährunglück").count() + page.locator(
        "ol.results-grouped .orig", has_text="Tanzanie").count() >= 1
    watched.shot("search")


def test_search_by_story(server: dict[str, Any], watched: Watched) -> None:
    page = watched.page
    page.goto(server["base"] + "/search?q=ferry")
    groups = page.locator("ol.results-grouped > li")
    ferry = f"/story/{server['stories'][4]}"
    assert page.locator(f'ol.results-grouped a[href="{ferry}"]').count() == 1  # one hit for the story
    first = groups.nth(0)
    assert first.locator(".pg-hits a.hl").count() >= 4  # its matching articles under it
    lone = page.locator(f'ol.results-grouped a.pg-title[href="/article/{server["untitled"]}"]')
    assert lone.inner_text().startswith("Survivors of the ferry")  # untitled article: derived title
    reader_checks(page)
    watched.shot("search-by-story")
    lone.click()
    page.wait_for_url(f"**/article/{server['untitled']}")


def test_blindspot_page(server: dict[str, Any], watched: Watched) -> None:
    page = watched.page
    page.goto(server["base"] + "/")
    page.click("header.top nav a[href='/blindspot']")
    page.wait_for_url("**/blindspot")
    assert "Overlooked by United States media" in page.locator("h1").inner_text()
    item = page.locator("ol.pg-list > li")
    assert item.count() == 1
    assert "none of the 3 US outlets crawled in that period covered it" in item.locator(".pg-reason").inner_text()
    assert page.locator('link[rel="alternate"][href="/feeds/blindspot.atom"]').count() == 1
    reader_checks(page)
    watched.shot("blindspot")


def test_country_page_more(server: dict[str, Any], watched: Watched) -> None:
    page = watched.page
    page.goto(server["base"] + "/country/DE")
    first = page.locator("ul.pg-articles a.hl").all_inner_texts()
    assert len(first) == 30
    reader_checks(page)
    watched.shot("country-DE")
    page.click("a.pg-more")
    page.wait_for_url("**/country/DE?cursor=*")
    more = page.locator("ul.pg-articles a.hl").all_inner_texts()
    assert more and not set(more) & set(first)
    assert page.locator("ul.pg-articles", has_text="no publication date").count() == 1
    reader_checks(page)
    page.evaluate("window.scrollTo(0, 0)")  # the #articles anchor scrolled it: a full-page shot from the top
    watched.shot("country-DE-more")


def test_outlets_page(server: dict[str, Any], watched: Watched) -> None:
    page = watched.page
    page.goto(server["base"] + "/outlets")
    assert page.locator("table.outlets-table tbody tr").count() >= 20
    watched.shot("outlets")
    # the filters are a plain form: choose, submit, the URL carries them
    page.select_option("#f-language", "de")
    page.click("form.pg-filters button")
    page.wait_for_url("**/outlets?*language=de*")
    rows = page.locator("table.outlets-table tbody tr")
    assert 3 <= rows.count() < 20
    page.select_option("#f-health", "failing")
    page.select_option("#f-language", "")
    page.click("form.pg-filters button")
    page.wait_for_url("**/outlets?*health=failing*")
    assert page.locator("table.outlets-table tbody tr").count() == 1
    assert "Marca" in page.locator("table.outlets-table tbody").inner_text()
    reader_checks(page)
    watched.shot("outlets-failing")


@pytest.mark.parametrize("path,name", [("/outlets", "outlets"), ("/outlets?country=DE", "outlets-DE"),
                                       ("/search?q=ferry", "search"), ("/blindspot", "blindspot"),
                                       ("/country/DE", "country-DE")])
def test_pages_on_a_phone(server: dict[str, Any], browser: Any, path: str, name: str) -> None:
    w = Watched(browser)
    w.suffix = server["suffix"]
    try:
        w.page.set_viewport_size({"width": 390, "height": 844})
        w.page.goto(server["base"] + path)
        no_sideways_scroll(w.page, 390)
        reader_checks(w.page)
        if name == "outlets":  # each outlet a card with labelled fields, names readable
            first = w.page.locator("table.outlets-table tbody tr").first
            box = first.bounding_box()
            assert box and box["width"] <= 390
            labels = first.evaluate("""tr => [...tr.querySelectorAll('td')]
                .map(td => getComputedStyle(td, '::before').content)""")
            assert '"Health"' in labels and '"Country"' in labels, labels
        w.shot(f"{name}-phone", full_page=False)  # the first screen a phone reader sees
        w.check_clean()
    finally:
        w.close()


def test_without_javascript(server: dict[str, Any], browser: Any) -> None:
    w = Watched(browser, java_script_enabled=False)
    w.suffix = server["suffix"]
    try:
        page = w.page
        page.goto(server["base"] + "/")
        assert page.locator("#globe svg[role=application]").count() == 0  # no globe without script...
        assert page.locator('.flat-map use.lvl-5[data-cc]').count() >= 1  # ...a flat map of the same counts
        link = page.locator('.country-table a[href="/country/ES"]')
        assert link.count() == 1
        w.shot("home-nojs")
        page.select_option("#cc-select", "JP")
        page.click(".country-pick button")
        page.wait_for_url("**/country/JP")
        w.check_clean()
    finally:
        w.close()


def test_mobile_layout(server: dict[str, Any], browser: Any) -> None:
    w = Watched(browser)
    w.suffix = server["suffix"]
    try:
        w.page.set_viewport_size({"width": 390, "height": 844})
        w.page.goto(server["base"] + "/")
        w.page.wait_for_selector("#globe svg path.country[data-cc]")
        width = w.page.evaluate("document.documentElement.scrollWidth")
        assert width <= 390, f"horizontal scroll on mobile: {width}px"
        w.shot("home-mobile", full_page=False)
        w.check_clean()
    finally:
        w.close()
