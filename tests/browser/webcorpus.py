"""Fill a real store (SQLite or PostgreSQL) with the story fixture corpus (tests/corpus/stories/articles.jsonl)
through the store's own methods: outlets, articles, English translations, a crawl log, stories with synthesis
data (the blindspot judged by the real ``assess_blindspot`` over the store's crawl records), plus an untitled
article in no story and, on request, an archive of older articles of one country. Shared by the web tests
(tests/test_web_*.py) and the browser tests."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from pathlib import Path
from typing import Any

from globewire.records import Article, FetchResult, Outlet
from globewire.stories.blindspot import assess_blindspot
from globewire.stories.synthesis import ArticleView

CORPUS = Path(__file__).resolve().parents[1] / "corpus" / "stories" / "articles.jsonl"

# Fixture stories: (corpus row indexes, countries mentioned). The ferry story (index 4) has no US article.
STORIES = [
    (range(5), ["JP", "CN", "KR"]),
    (range(5, 11), ["PE", "CL"]),
    (range(11, 16), ["PT"]),
    (range(16, 22), ["DE", "FR", "IT"]),
    (range(22, 27), ["TZ", "KE", "UG"]),
    (range(27, 31), ["ES", "DE"]),
]
# An imported article with no title, in no story: search must still show it, clickable, with a derived title.
UNTITLED = {
    "url": "https://www.thecitizen.co.tz/tanzania/news/national/ferry-survivors-recount-night-on-lake-victoria-4788",
    "outlet": "the-citizen", "country": "TZ", "language": "en", "title": "",
    "text": "Survivors of the ferry that capsized on Lake Victoria near Bukoba recounted a night in the water on "
            "Monday, as divers recovered two more bodies and the regional commissioner ordered an inspection of "
            "every passenger vessel on the lake.",
}
# Older German headlines for the archive of the country page ("More articles"): (German, English).
ARCHIVE_TOPICS = [
    ("Bundestag berät über Haushalt", "Bundestag debates the budget"),
    ("Bahnstreik legt Fernverkehr lahm", "Rail strike halts long-distance trains"),
    ("Hochwasser an der Elbe geht zurück", "Elbe floodwaters recede"),
    ("Autoindustrie meldet weniger Aufträge", "Car industry reports fewer orders"),
    ("Länder einigen sich auf Schulreform", "States agree on school reform"),
    ("Mietpreise in Großstädten steigen weiter", "Rents in big cities keep rising"),
    ("Windkraft-Ausbau kommt schneller voran", "Wind power build-out speeds up"),
]


def load_rows() -> list[dict[str, Any]]:
    return [json.loads(line) for line in CORPUS.read_text(encoding="utf-8").splitlines() if line.strip()]


def _first_sentence(text: str) -> str:
    text = text.strip().split("\n")[0]
    for end in (". ", "。"):
        if end in text:
            return text.split(end)[0].strip() + end.strip()
    return text


def fill_store(store: Any, *, shift_to_now: bool = False, crawled: bool = True, archive: int = 0) -> dict[str, Any]:
    """Ingest the corpus; returns ids: {"articles": [...], "stories": [...], "untitled": id, "archive": [...]}.
    With ``shift_to_now`` the publication times are moved so that the newest article is one hour old (so
    "last 24 h" has data). ``crawled``: every outlet's feed was fetched successfully half an hour after each
    story began (the evidence a blindspot needs); without it the store looks import-only. ``archive``: that many
    older, undated-or-dated German articles (every fifth one without a publication date)."""
    rows = load_rows()
    shift = dt.timedelta(0)
    if shift_to_now:
        newest = max(dt.datetime.fromisoformat(r["published_at"]) for r in rows)
        shift = dt.datetime.now(dt.UTC) - dt.timedelta(hours=1) - newest
    outlets = {}
    for r in rows:
        outlets[r["outlet"]] = Outlet(
            id=r["outlet"], name=r.get("outlet_name") or r["outlet"], homepage=f"https://{r['outlet']}.example/",
            country=r["country"], languages=(r["language"],), ownership="private",
        )
    store.sync_outlets(outlets.values())
    ids: list[int] = []
    for n, r in enumerate(rows):
        published = dt.datetime.fromisoformat(r["published_at"])
        # Spread the day's articles over a few hours so that the ordering is deterministic.
        published = published + shift - dt.timedelta(minutes=n)
        text = r["text"]
        a = Article(
            url=r["url"], canonical_url=r["url"], title=r["title"], text=text, outlet_id=r["outlet"],
            country=r["country"], language=r["language"], language_confidence=0.99, published_at=published,
            content_hash=hashlib.sha256(text.encode()).hexdigest(), source="jsonl",
        )
        aid, _ = store.upsert_article(a)
        ids.append(aid)
        if r.get("title_en") and r["language"] != "en":
            paras = [p for p in text.split("\n") if p.strip()]
            paras_en = [p for p in r["text_en"].split("\n") if p.strip()]
            alignment = [{"para": i, "src": s, "en": e} for i, (s, e) in enumerate(zip(paras, paras_en))]
            store.save_translation(aid, r["title_en"], r["text_en"], alignment, "fixture", "hand")
            store.index_english(aid, r["title_en"], r["text_en"])
    untitled_at = dt.datetime.fromisoformat(rows[22]["published_at"]) + shift + dt.timedelta(days=1)
    untitled, _ = store.upsert_article(Article(
        url=UNTITLED["url"], canonical_url=UNTITLED["url"], title="", text=UNTITLED["text"],
        outlet_id=UNTITLED["outlet"], country=UNTITLED["country"], language="en", language_confidence=0.99,
        published_at=untitled_at, content_hash=hashlib.sha256(UNTITLED["text"].encode()).hexdigest(),
        source="jsonl"))
    archive_ids = _fill_archive(store, archive, min(dt.datetime.fromisoformat(r["published_at"]) for r in rows) + shift)
    if crawled:
        for o in outlets.values():  # feed state: every feed answered at the last crawl, but Marca's is failing
            store.update_feed_state(f"{o.homepage}feed.xml", o.id, status=200, error=None, kind="rss", item_count=20)
        for _ in range(2):
            store.update_feed_state("https://marca.example/feed.xml", "marca", status=None, error="timeout")
        for idx, _ in STORIES:
            start = min(dt.datetime.fromisoformat(rows[i]["published_at"]) for i in idx) + shift
            for o in outlets.values():
                store.record_fetch(FetchResult(url=f"{o.homepage}feed.xml", final_url=f"{o.homepage}feed.xml",
                                               status=200, kind="feed", fetched_at=start + dt.timedelta(minutes=30)),
                                   outlet_id=o.id)
    story_ids: list[int] = []
    for idx, mentioned in STORIES:
        members = [ids[i] for i in idx]
        sid = store.create_story(members, at=dt.datetime.now(dt.UTC))
        story_ids.append(sid)
    for (idx, mentioned), sid in zip(STORIES, story_ids):
        members = [(ids[i], rows[i]) for i in idx]
        views = [ArticleView(aid, r["outlet"], r.get("outlet_name"), r["country"], r["language"], r["title"], r["text"],
                             r.get("title_en"), r.get("text_en"), store.get_article(aid).published_at, None)
                 for aid, r in members]
        blindspot = assess_blindspot(views, reference_country="US",
                                     reference_outlets=store.reference_outlet_count("US"),
                                     reference_crawled=lambda a, b: store.outlets_crawled("US", a, b))
        en = [(aid, r.get("text_en") or r["text"], r.get("title_en") or r["title"]) for aid, r in members]
        covering = sorted({r["country"] for _, r in members})
        takes: dict[str, list[dict[str, Any]]] = {}
        for aid, r in members:
            sents = [s for s in (r.get("text_en") or r["text"]).replace("\n", " ").split(". ") if s.strip()]
            if len(sents) > 1:
                takes.setdefault(r["country"], []).append({"text": sents[-1].strip().rstrip(".") + ".",
                                                           "article_id": aid})
        data = {
            "headline": en[0][2],
            "summary": [{"text": _first_sentence(t), "article_id": aid} for aid, t, _ in en[:3]],
            "countries_covering": covering,
            "countries_mentioned": mentioned,
            "languages": sorted({r["language"] for _, r in members}),
            "outlets": [{"id": r["outlet"], "name": r.get("outlet_name") or r["outlet"], "country": r["country"],
                         "articles": 1} for _, r in members],
            "alternative_takes": takes,
            "blindspot": blindspot,
            "related_story_ids": [s for s in story_ids if s != sid][:2],
        }
        store.save_story_synthesis(sid, data)
    return {"articles": ids, "stories": story_ids, "rows": rows, "untitled": untitled, "archive": archive_ids}


def _fill_archive(store: Any, n: int, before: dt.datetime) -> list[int]:
    """``n`` German articles of Deutsche Welle before ``before``, one every 7 hours, every fifth undated."""
    out = []
    for k in range(n):
        de, en = ARCHIVE_TOPICS[k % len(ARCHIVE_TOPICS)]
        when = before - dt.timedelta(hours=7 * (k + 1))
        title = f"{de} ({when:%d.%m.})"
        text = f"{de}. Ein Bericht vom {when:%d.%m.%Y}, Teil {k + 1} der Archivserie."
        url = f"https://www.dw.com/de/archiv/a-{70000 + k}"
        aid, _ = store.upsert_article(Article(
            url=url, canonical_url=url, title=title, text=text, outlet_id="dw", country="DE", language="de",
            language_confidence=0.99, published_at=None if k % 5 == 4 else when,
            fetched_at=when + dt.timedelta(minutes=20), content_hash=hashlib.sha256(text.encode()).hexdigest(),
            source="jsonl"))
        store.save_translation(aid, f"{en} ({when:%b %d})", f"{en}.", [], "fixture", "hand")
        out.append(aid)
    return out
