"""`globewire bench first-run`: a new user's first minute, measured.

From an empty data dir, ``globewire run`` is started as a child process (the real main job: serve +
crawl on the schedule + process) over a loopback news site of N outlets, each on its own loopback address
(127.0.0.X, so per-host politeness applies as it would on the internet) with robots.txt, an RSS feed and
English article pages. The only non-default setting is ``fetch.allow_private_addresses`` (loopback is
refused otherwise). Measured from the process start: the first page the site serves, the first stored
article, the first story. Goals (issue #15): first page < 5 s, first story < 60 s.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
from email.utils import format_datetime
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape

from globewire.bench.loopback import LoopbackHTTP
from globewire.records import utcnow

GOAL_FIRST_PAGE_S = 5.0
GOAL_FIRST_STORY_S = 60.0
ARTICLES_PER_OUTLET = 4
POLL_S = 0.2

# Twelve events; every outlet writes about a few of them in its own words (sentences drawn from each event's
# pool in an outlet-specific order), so stories form across outlets without the copies being duplicates.
EVENTS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("Floods force thousands from their homes in the river delta", (
        "Heavy rain swelled the river overnight and water spread across low-lying districts of the delta.",
        "Rescue teams used boats to reach families stranded on rooftops in several villages.",
        "Officials said more than twelve thousand people had moved into temporary shelters.",
        "The weather service warned that more rain was expected before the end of the week.",
        "Schools in the affected districts were closed and turned into emergency centres.",
        "Farmers fear the flooding has destroyed much of the rice harvest in the region.",
        "The government released emergency funds and sent army units to reinforce the embankments.",
    )),
    ("Central bank raises interest rates to fight inflation", (
        "The central bank raised its benchmark interest rate by half a percentage point on Thursday.",
        "Policymakers said inflation remained well above their target despite earlier increases.",
        "Consumer prices rose by more than six percent over the past year, driven by food and energy.",
        "The decision was widely expected by economists and markets reacted calmly.",
        "Mortgage holders will face higher monthly payments as banks pass on the increase.",
        "The governor said further rises could not be ruled out if prices keep climbing.",
        "The currency strengthened slightly against the dollar after the announcement.",
    )),
    ("Earthquake shakes mountain region, damaging hundreds of buildings", (
        "A strong earthquake struck the mountain region early in the morning as most residents slept.",
        "Hundreds of houses were damaged and several old stone buildings collapsed.",
        "Emergency services said dozens of people were injured and taken to hospitals.",
        "Aftershocks continued for hours, frightening residents who spent the night outdoors.",
        "Roads into the valley were blocked by landslides, slowing the arrival of aid.",
        "Seismologists measured the quake at magnitude six point two at a shallow depth.",
        "Neighbouring countries offered rescue teams and medical supplies.",
    )),
    ("Leaders agree on new climate finance deal at summit", (
        "Leaders meeting at the summit agreed on a new fund to help poorer countries adapt to climate change.",
        "Wealthy nations pledged to contribute billions of dollars over the next five years.",
        "Negotiators worked through the night to settle disputes over who should pay.",
        "Campaigners welcomed the deal but said the sums remained far below what is needed.",
        "Small island states had pushed hard for the fund, warning that rising seas threaten their survival.",
        "The agreement still has to be approved by national parliaments.",
        "Details of how the money will be distributed are to be worked out next year.",
    )),
    ("Rail workers strike over pay, halting trains across the country", (
        "Rail workers walked out on Monday in a dispute over pay and working conditions.",
        "Most passenger and freight trains were cancelled and stations stood empty.",
        "The union said wages had fallen behind the rising cost of living.",
        "The rail operator called the strike unnecessary and urged the union to return to talks.",
        "Commuters crowded onto buses and roads were congested in the main cities.",
        "Businesses warned that deliveries of goods would be delayed by the walkout.",
        "Further strike days have been announced for later in the month.",
    )),
    ("Election results delayed as vote counting continues", (
        "Vote counting continued for a third day after a closely fought national election.",
        "The electoral commission said results from remote districts were still arriving.",
        "Both main candidates urged their supporters to stay calm and wait for official figures.",
        "International observers said the vote had been largely orderly.",
        "Turnout was estimated at around seventy percent, higher than at the last election.",
        "Opposition parties raised concerns about irregularities at some polling stations.",
        "The commission expects to announce final results by the end of the week.",
    )),
    ("Wildfire spreads near the coast as firefighters battle strong winds", (
        "A wildfire driven by strong winds spread quickly through forests near the coast.",
        "Firefighters backed by water-dropping aircraft struggled to contain the flames.",
        "Several villages were evacuated as the fire approached homes.",
        "Temperatures above forty degrees and dry conditions fed the blaze.",
        "Smoke drifted over the nearby city, prompting health warnings.",
        "Authorities said the fire may have been started by a power line.",
        "Hundreds of hectares of woodland have already burned.",
    )),
    ("Vaccination campaign begins after measles outbreak", (
        "Health authorities began a vaccination campaign after an outbreak of measles.",
        "More than two hundred cases have been reported in the past month, mostly among children.",
        "Mobile clinics were sent to villages where vaccination rates are low.",
        "Doctors urged parents to check that their children had received both doses.",
        "The outbreak was first detected in schools in the northern provinces.",
        "International health agencies provided vaccines and staff to support the effort.",
        "Officials hope to vaccinate a million children within three weeks.",
    )),
    ("Tech company announces thousands of job cuts", (
        "The technology company said it would cut several thousand jobs worldwide.",
        "The chief executive blamed slowing demand and rising costs.",
        "Most of the cuts will fall on sales and administrative staff.",
        "Shares in the company rose after the announcement.",
        "Unions criticised the decision and called for talks with management.",
        "The company had hired rapidly during the pandemic years.",
        "Affected employees will receive severance pay and help finding new work.",
    )),
    ("Drought threatens harvest and water supplies", (
        "A prolonged drought has left reservoirs at their lowest levels in decades.",
        "Farmers say the wheat harvest could fall by a third this year.",
        "Several towns have introduced water rationing and banned garden watering.",
        "Scientists link the lack of rain to changing weather patterns.",
        "The government is considering emergency aid for farmers.",
        "River transport has been disrupted as water levels dropped.",
        "Forecasters see little chance of significant rain in the coming weeks.",
    )),
    ("Football club wins the league title on the final day", (
        "The club clinched the league title with a win on the final day of the season.",
        "Thousands of fans celebrated in the streets late into the night.",
        "The coach praised his players for their determination after a difficult start.",
        "The team's top scorer netted twice in the deciding match.",
        "It is the club's first championship in more than twenty years.",
        "Their rivals finished just one point behind after also winning.",
        "The players will parade the trophy through the city on Sunday.",
    )),
    ("Bridge collapse closes main highway", (
        "Part of a highway bridge collapsed on Tuesday, closing the main road between two cities.",
        "Several vehicles fell into the river below and divers searched for survivors.",
        "Engineers had warned about the condition of the bridge several years ago.",
        "Traffic was diverted onto smaller roads, causing long delays.",
        "The transport ministry ordered inspections of all bridges of a similar design.",
        "Prosecutors opened an investigation into the maintenance of the structure.",
        "Rebuilding the bridge is expected to take at least a year.",
    )),
)
FILLER = (
    "Our correspondent contributed reporting from the scene.",
    "This article will be updated as more information becomes available.",
    "Readers can follow the latest developments on our website.",
    "The story was compiled from official statements and local interviews.",
)


def outlet_articles(i: int) -> list[tuple[str, str, list[str]]]:
    """(slug, title, paragraphs) of outlet ``i``: ARTICLES_PER_OUTLET events in its own wording."""
    out = []
    for k in range(ARTICLES_PER_OUTLET):
        e = (i + k * 3) % len(EVENTS)
        title, pool = EVENTS[e]
        order = sorted(range(len(pool)), key=lambda j: ((j + 1) * (i + 7) * 31) % 17)
        chosen = [pool[j] for j in order[:5]]
        paras = [" ".join(chosen[:2]), " ".join(chosen[2:4]), chosen[4] + " " + FILLER[(i + k) % len(FILLER)]]
        out.append((f"event-{e}-{i}", f"{title} ({['update', 'report', 'latest', 'analysis'][k % 4]})", paras))
    return out


class LoopbackOutlet:
    """One outlet: robots.txt, /feed.xml and article pages on its own loopback address."""

    def __init__(self, i: int, address: str) -> None:
        self.i = i
        self.articles = outlet_articles(i)
        self.server = LoopbackHTTP(self._answer, address)
        self.base = self.server.base

    def _answer(self, path: str) -> tuple[bytes, str] | None:
        if path == "/robots.txt":
            return b"User-agent: *\nAllow: /\n", "text/plain"
        if path == "/feed.xml":
            return self.feed(), "application/rss+xml"
        for slug, title, paras in self.articles:
            if path == f"/news/{slug}.html":
                return self.page(title, paras), "text/html; charset=utf-8"
        return None

    def feed(self) -> bytes:
        now = format_datetime(utcnow())
        items = "".join(
            f"<item><title>{escape(t)}</title><link>{self.base}/news/{s}.html</link><pubDate>{now}</pubDate></item>"
            for s, t, _ in self.articles)
        return (f"<?xml version='1.0'?><rss version='2.0'><channel><title>Loopback {self.i}</title>"
                f"<link>{self.base}/</link>{items}</channel></rss>").encode()

    def page(self, title: str, paras: list[str]) -> bytes:
        body = "".join(f"<p>{escape(p)}</p>" for p in paras)
        return (f"<!doctype html><html lang='en'><head><meta charset='utf-8'><title>{escape(title)} - Loopback "
                f"{self.i}</title><meta property='article:published_time' content='{utcnow().isoformat()}'>"
                f"</head><body><nav>Home World</nav><article><h1>{escape(title)}</h1>{body}</article>"
                f"<footer>Loopback {self.i}</footer></body></html>").encode()


def _addresses(n: int) -> list[str]:
    """n loopback addresses that can be bound here (127.0.0.10 …)."""
    out = []
    for k in range(10, 250):
        addr = f"127.0.0.{k}"
        try:
            with socket.socket() as s:
                s.bind((addr, 0))
        except OSError:
            continue
        out.append(addr)
        if len(out) == n:
            return out
    raise RuntimeError(f"only {len(out)} loopback addresses can be bound here; need {n}")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def run_first_run_bench(*, outlets: int = 50, timeout_s: float = 180.0, keep: Path | None = None) -> dict[str, Any]:
    import logging

    import httpx

    from globewire.store import open_store

    logging.getLogger("httpx").setLevel(logging.WARNING)  # one INFO line per poll otherwise
    home = Path(keep or tempfile.mkdtemp(prefix="gw-bench-first-run-"))
    data = home / "data"
    data.mkdir(parents=True, exist_ok=True)
    site = [LoopbackOutlet(i, a) for i, a in enumerate(_addresses(outlets))]
    for o in site:
        o.server.start()
    lines = ["shipped = false", "", "outlets = ["]
    for o in site:
        lines.append(f'  {{ id = "loop{o.i:02d}", name = "Loopback {o.i}", homepage = "{o.base}/", country = "GB", '
                     f'languages = ["en"], feeds = ["{o.base}/feed.xml"] }},')
    lines.append("]")
    (data / "sources.toml").write_text("\n".join(lines) + "\n", encoding="utf-8")
    port = _free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("GLOBEWIRE_")}
    env.update({"GLOBEWIRE_DATA_DIR": str(data), "GLOBEWIRE_CONFIG": str(home / "globewire.toml"),
                "GLOBEWIRE_FETCH__ALLOW_PRIVATE_ADDRESSES": "true"})
    log_path = home / "run.log"
    marks: dict[str, float | None] = {"first_page_s": None, "first_article_s": None, "first_story_s": None}
    home_text_at_first_page = ""
    counts = {"articles": 0, "stories": 0}
    db = data / "globewire.db"
    started = time.monotonic()
    with log_path.open("wb") as log:
        proc = subprocess.Popen([sys.executable, "-m", "globewire.cli", "run", "--port", str(port)], env=env,
                                stdout=log, stderr=subprocess.STDOUT)
        store = None
        try:
            while time.monotonic() - started < timeout_s and marks["first_story_s"] is None:
                if proc.poll() is not None:
                    raise RuntimeError(f"globewire run exited {proc.returncode}: {log_path.read_text()[-2000:]}")
                now = time.monotonic() - started
                if marks["first_page_s"] is None:
                    try:
                        r = httpx.get(f"http://127.0.0.1:{port}/", timeout=5)
                        if r.status_code == 200:
                            marks["first_page_s"] = round(time.monotonic() - started, 2)
                            home_text_at_first_page = r.text
                    except httpx.HTTPError:
                        pass
                if store is None and db.exists():
                    try:
                        store = open_store(str(db), migrate=False)
                    except Exception:  # noqa: BLE001 - still being created
                        store = None
                if store is not None:
                    try:
                        counts["articles"] = store.count_articles()
                        counts["stories"] = len(store.all_story_ids())
                    except Exception:  # noqa: BLE001 - tables not migrated yet
                        pass
                    if counts["articles"] and marks["first_article_s"] is None:
                        marks["first_article_s"] = round(now, 2)
                    if counts["stories"] and marks["first_story_s"] is None:
                        marks["first_story_s"] = round(now, 2)
                time.sleep(POLL_S)
        finally:
            if proc.poll() is None:
                proc.send_signal(signal.SIGINT)
                try:
                    proc.wait(20)
                except subprocess.TimeoutExpired:
                    proc.kill()
                    proc.wait(10)
            if store is not None:
                store.close()
            for o in site:
                o.server.stop()
    status_shown = any(s in home_text_at_first_page for s in ("under way", "No crawl has run", "last crawl finished"))
    return {
        "outlets": outlets,
        "articles_per_outlet": ARTICLES_PER_OUTLET,
        **marks,
        "articles_at_first_story": counts["articles"],
        "stories_at_end": counts["stories"],
        "home_page_showed_crawl_status": status_shown,
        "goals": {"first_page_s": GOAL_FIRST_PAGE_S, "first_story_s": GOAL_FIRST_STORY_S},
        "met": {
            "first_page": marks["first_page_s"] is not None and marks["first_page_s"] < GOAL_FIRST_PAGE_S,
            "first_story": marks["first_story_s"] is not None and marks["first_story_s"] < GOAL_FIRST_STORY_S,
        },
        "politeness": "defaults (fetch.min_host_delay etc.); each outlet on its own loopback address",
        "log": str(log_path),
    }
