"""Fill a real SQLite store with the story fixture corpus (tests/corpus/stories/articles.jsonl) through the
store's own methods: outlets, articles, English translations, stories with synthesis data. Shared by the
web tests (tests/test_web_*.py) and the browser tests."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from pathlib import Path
from typing import Any

from globewire.records import Article, Outlet

CORPUS = Path(__file__).resolve().parents[1] / "corpus" / "stories" / "articles.jsonl"

# Fixture stories: (corpus row indexes, countries mentioned, blindspot reason or "").
STORIES = [
    (range(5), ["JP", "CN", "KR"], ""),
    (range(5, 11), ["PE", "CL"], ""),
    (range(11, 16), ["PT"], ""),
    (range(16, 22), ["DE", "FR", "IT"], ""),
    (range(22, 27), ["TZ", "KE", "UG"], "Covered by 4 countries; no outlet from the United States reported it."),
    (range(27, 31), ["ES", "DE"], ""),
]


def load_rows() -> list[dict[str, Any]]:
    return [json.loads(line) for line in CORPUS.read_text(encoding="utf-8").splitlines() if line.strip()]


def _first_sentence(text: str) -> str:
    text = text.strip().split("\n")[0]
    for end in (". ", "。"):
        if end in text:
            return text.split(end)[0].strip() + end.strip()
    return text


def fill_store(store: Any, *, shift_to_now: bool = False) -> dict[str, Any]:
    """Ingest the corpus; returns ids: {"articles": [...], "stories": [...]}. With ``shift_to_now`` the
    publication times are moved so that the newest article is one hour old (so "last 24 h" has data)."""
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
    story_ids: list[int] = []
    for idx, mentioned, reason in STORIES:
        members = [ids[i] for i in idx]
        sid = store.create_story(members, at=dt.datetime.now(dt.UTC))
        story_ids.append(sid)
    for (idx, mentioned, reason), sid in zip(STORIES, story_ids):
        members = [(ids[i], rows[i]) for i in idx]
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
            "blindspot": {"flag": bool(reason), "reason": reason, "countries": covering,
                          "reference_country": "US", "reference_outlets": 3},
            "related_story_ids": [s for s in story_ids if s != sid][:2],
        }
        store.save_story_synthesis(sid, data)
    return {"articles": ids, "stories": story_ids, "rows": rows}
