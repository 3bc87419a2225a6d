"""What the reader's front is tested on: the story fixture corpus (``webcorpus.fill_store``) plus pictures for
some articles (served by a loopback picture server, fetched by the image proxy), and a story with no English
at all — a Polish and a Czech report of a flood, one waiting for a translator that has no model, one never
tried and undated — with sources that are not in the catalogue. Built through the store's own methods."""

from __future__ import annotations

import datetime as dt
import hashlib
import math
import struct
import zlib
from typing import Any

from globewire.records import Article, Outlet
from tests.browser.webcorpus import fill_store

# Story index in webcorpus.STORIES -> corpus rows whose articles carry a picture (the card shows the earliest).
PICTURES = {0: (2,), 1: (6, 9), 3: (17,), 4: (23,), 5: (28, 30)}
UNAVAILABLE = "ctranslate2: no model for 'pl' is installed; run `globewire models pull pl`"
FLOOD = [
    {"url": "https://gazetawroclawska.pl/powodz-wroclaw-odra/ar/c1-1875", "outlet": None,
     "site_name": "Gazeta Wrocławska", "country": "PL", "language": "pl", "dated": True,
     "title": "Fala powodziowa na Odrze dotarła do Wrocławia, miasto umacnia wały",
     "text": "Fala powodziowa na Odrze dotarła w nocy do Wrocławia. Strażacy i wolontariusze umacniali wały "
             "workami z piaskiem na Kozanowie i Marszowicach.\nWojewoda ogłosił alarm powodziowy dla "
             "sześciu powiatów. Szkoły w zagrożonych dzielnicach są zamknięte do piątku."},
    {"url": "https://ct24.ceskatelevize.cz/clanek/domaci/povodne-odra-ostrava-352811", "outlet": "ct24",
     "site_name": None, "country": "CZ", "language": "cs", "dated": False,
     "title": "Odra v Ostravě klesá, hasiči odčerpávají vodu ze zatopených domů",
     "text": "Hladina Odry v Ostravě od rána klesá. Hasiči odčerpávají vodu ze zatopených domů v Nové "
             "Vsi a Přívoze.\nKrajský úřad odhaduje škody na stovky milionů korun."},
]


def picture(seed: int, width: int = 320, height: int = 200) -> bytes:
    """A PNG landscape (sky, hills, water) whose colours depend on ``seed``: something a card can show."""
    hue = [(52, 120, 196), (214, 128, 52), (46, 150, 96), (160, 76, 180), (200, 70, 60), (58, 160, 168)][seed % 6]
    rows = []
    for y in range(height):
        row = bytearray(b"\x00")
        for x in range(width):
            hill = height * (0.55 + 0.12 * math.sin(x / 37.0 + seed) + 0.05 * math.sin(x / 11.0))
            if y < hill:  # sky: light at the top, the story's colour towards the horizon
                t = y / hill
                px = [int(235 - (235 - c) * t * 0.7) for c in hue]
            elif y < height * 0.85:
                shade = 0.55 + 0.25 * math.sin((x + y) / 23.0)
                px = [int(c * shade * 0.6) for c in hue]
            else:
                px = [int(40 + c * 0.3) for c in hue]
            row += bytes(px)
        rows.append(bytes(row))

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(b"".join(rows), 6)) + chunk(b"IEND", b""))


def fill_front_store(store: Any, *, picture_base: str | None = None, shift_to_now: bool = True) -> dict[str, Any]:
    """``fill_store`` plus pictures (``picture_base``/N.png, when given) and the untranslated flood story.
    Returns fill_store's ids plus "flood_story", "flood" (article ids) and "pictures" (paths served)."""
    info = fill_store(store, shift_to_now=shift_to_now)
    paths: list[str] = []
    if picture_base:
        for k, rows in PICTURES.items():
            for i in rows:
                path = f"/pictures/{k}-{i}.png"
                paths.append(path)
                # test setup only: the store has no "set picture" method (extraction sets it on insert)
                store.execute("UPDATE articles SET image_url = ? WHERE id = ?",
                              (picture_base + path, info["articles"][i]))
    store.sync_outlets([Outlet(id="ct24", name="ČT24", homepage="https://ct24.ceskatelevize.cz/", country="CZ",
                               languages=("cs",), ownership="public")])
    newest = max(store.get_article(a).published_at for a in info["articles"])
    flood = []
    for n, f in enumerate(FLOOD):
        when = newest - dt.timedelta(hours=3 - n)
        aid, _ = store.upsert_article(Article(
            url=f["url"], canonical_url=f["url"], title=f["title"], text=f["text"], outlet_id=f["outlet"],
            country=f["country"], language=f["language"], language_confidence=0.98, site_name=f["site_name"],
            published_at=when if f["dated"] else None, fetched_at=when,
            content_hash=hashlib.sha256(f["text"].encode()).hexdigest(), source="jsonl"))
        flood.append(aid)
    store.mark_translation_failed(flood[0], UNAVAILABLE, newest + dt.timedelta(hours=1), status="unavailable",
                                  backend="ctranslate2", count_attempt=False)
    sid = store.create_story(flood, at=newest)
    store.save_story_synthesis(sid, {
        "headline": FLOOD[0]["title"], "headline_language": "pl",
        "summary": [{"text": FLOOD[0]["text"].split(". ")[0] + ".", "article_id": flood[0], "language": "pl"}],
        "countries_covering": ["PL", "CZ"], "countries_mentioned": ["PL", "CZ"], "languages": ["pl", "cs"],
        "outlets": [{"id": None, "name": None, "country": "PL", "articles": 1},
                    {"id": "ct24", "name": "ČT24", "country": "CZ", "articles": 1}],
        "alternative_takes": {}, "blindspot": {"flag": False, "reason": ""}, "related_story_ids": [],
    })
    return {**info, "flood_story": sid, "flood": flood, "pictures": paths}
