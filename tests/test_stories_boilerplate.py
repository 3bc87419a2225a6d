"""Per-outlet boilerplate (cookie/paywall notices, report templates) is stripped from what the clusterer sees."""

from __future__ import annotations

import datetime as dt
import hashlib
from pathlib import Path

from globewire.records import Article, Outlet
from globewire.settings import Settings
from globewire.store import open_store
from globewire.clustering import boilerplate
from globewire.clustering.boilerplate import Boilerplate
from globewire.stories.stage import update_stories

NOTICE = (
    "We use cookies and similar technologies to give you the full range of functions of our website and to "
    "show you personalised content and advertising. By clicking Accept you agree to this. You can change your "
    "choice at any time under Privacy settings at the bottom of every page. Subscribers read without ads and "
    "without tracking for one low monthly price, cancel any time."
)
BODIES = [
    ("Town council approves new cycle lanes", "The town council approved four kilometres of new cycle lanes "
     "along the river on Tuesday after a two-hour debate."),
    ("Local bakery wins national bread award", "A family bakery in the old quarter won the national award "
     "for the best sourdough loaf, beating 300 entries."),
    ("Storm closes coastal road for a day", "High winds and waves closed the coastal road between the two "
     "harbours for most of Wednesday, police said."),
    ("School choir to sing at the cathedral", "The primary school choir will give a Christmas concert in the "
     "cathedral next Sunday, with tickets free for families."),
    ("Hospital opens a new children's ward", "The regional hospital opened a children's ward with 24 beds "
     "and a playroom paid for by a charity appeal."),
]


def test_learn_and_strip() -> None:
    texts = [f"{NOTICE}\n{b}" for _, b in BODIES]
    bp = Boilerplate.learn(texts)
    assert bp.keys  # the notice's sentences recur in every article
    cleaned = bp.strip(texts[0])
    assert "cookies" not in cleaned and BODIES[0][1] in cleaned
    # a sentence in only 2 of 5 articles is not boilerplate (a background paragraph of one running story)
    shared = "The council had rejected an earlier version of the plan in the spring of last year."
    bp2 = Boilerplate.learn([texts[0] + " " + shared, texts[1] + " " + shared, *texts[2:]])
    assert shared in bp2.strip(texts[0] + "\n" + shared)
    # short pieces never count, and a text made only of boilerplate is left as it is
    assert Boilerplate.learn(["Photo: AP"] * 5).keys == frozenset()
    assert bp.strip(NOTICE) == NOTICE


def _store_outlet_articles(store, outlet: str, country: str, texts: list[tuple[str, str]], start: int) -> list[int]:
    at = dt.datetime(2026, 11, 20, 8, tzinfo=dt.UTC)
    ids = []
    for i, (title, text) in enumerate(texts):
        url = f"https://{outlet}.example/{start + i}"
        a = Article(url=url, canonical_url=url, title=title, text=text, outlet_id=outlet, country=country,
                    language="en", published_at=at + dt.timedelta(hours=i),
                    content_hash=hashlib.sha256(text.encode()).hexdigest())
        ids.append(store.upsert_article(a)[0])
    return ids


def test_unrelated_articles_of_a_site_with_a_notice_stay_apart(tmp_path: Path) -> None:
    store = open_store(str(tmp_path / "gw.db"))
    store.sync_outlets([Outlet("cookiesite", "Cookie Site", "https://cookiesite.example", "GB", ("en",))])
    ids = _store_outlet_articles(store, "cookiesite", "GB", [(t, f"{NOTICE}\n{b}") for t, b in BODIES], 0)
    # what the clusterer reads has no notice; the stored text keeps it
    rows = boilerplate.clustering_rows(store, ids)
    assert all("cookies" not in r["text"] for r in rows)
    assert all("cookies" in (store.query_one("SELECT text FROM articles WHERE id = ?", (i,)) or {})["text"]
               for i in ids)
    update_stories(store, ids, Settings(data_dir=tmp_path / "data"))
    stories = {store.story_of_article(i) for i in ids}
    assert len(stories) == len(ids)  # five unrelated local stories, five stories
    # nor does it reach what the story pages show
    from globewire.stories.stage import article_views

    assert all("cookies" not in v.text for sid in stories for v in article_views(store, sid))
    store.close()


def test_without_stripping_the_notice_would_merge_them(tmp_path: Path) -> None:
    """The control: the same five articles from five different outlets (nothing recurs within an outlet, so
    nothing is stripped) are pulled together by the shared notice. This is what the stripping prevents."""
    store = open_store(str(tmp_path / "gw.db"))
    outlets = [f"site{i}" for i in range(len(BODIES))]
    store.sync_outlets([Outlet(o, o, f"https://{o}.example", "GB", ("en",)) for o in outlets])
    ids = []
    for i, (o, (t, b)) in enumerate(zip(outlets, BODIES, strict=True)):
        ids += _store_outlet_articles(store, o, "GB", [(t, f"{NOTICE}\n{b}")], i)
    assert all("cookies" in r["text"] for r in boilerplate.clustering_rows(store, ids))
    update_stories(store, ids, Settings(data_dir=tmp_path / "data"))
    assert len({store.story_of_article(i) for i in ids}) < len(ids)
    store.close()


def test_an_article_is_cleaned_with_what_was_known_when_it_arrived(tmp_path: Path) -> None:
    """Learning looks only at the outlet's articles up to the one being cleaned: the second article of a new
    outlet keeps its notice (two sightings are not enough), the fifth loses it; cleaned in one batch, the
    newest article of the outlet in the batch bounds what is looked at."""
    store = open_store(str(tmp_path / "gw.db"))
    store.sync_outlets([Outlet("cookiesite", "Cookie Site", "https://cookiesite.example", "GB", ("en",))])
    ids = _store_outlet_articles(store, "cookiesite", "GB", [(t, f"{NOTICE}\n{b}") for t, b in BODIES], 0)
    assert "cookies" in boilerplate.clustering_rows(store, [ids[1]])[0]["text"]
    assert "cookies" not in boilerplate.clustering_rows(store, [ids[4]])[0]["text"]
    together = {r["id"]: r["text"] for r in boilerplate.clustering_rows(store, [ids[1], ids[4]])}
    assert "cookies" not in together[ids[4]]
    store.close()
