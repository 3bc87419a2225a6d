"""`globewire bench reader`: what a reader sees, measured over a store built from a real corpus.

The corpus (all optional except one of the first two):

* ``<shared>/benchmarks/fundus-pages``: real HTML pages from ~40 countries, ingested through the pipeline
  under their own URLs (the catalogue names the outlets it knows);
* ``<shared>/benchmarks/story-pairs-semeval2022/pairs.jsonl``: the articles of the first ``limit`` pairs,
  imported as JSON Lines *without* titles (a title has to be derived) and without dates;
* pasted fixtures (``tests/fixtures/pasted``) through ``globewire.bench.pasted`` when that module and the
  folder exist: ingested as pasted text, and scored for title/date accuracy by ``score_pasted``.

Figures (each with its numerator and denominator):

* ``headlines_passing``: live stories whose shown headline passes ``headline.is_good_headline``;
  ``placeholders``: shown headlines or titles that are empty or "Story N"/"Article N";
* ``derived_titles``: articles whose own title was unusable (empty or junk: ``headline.is_usable_title``,
  the check without the 90-character limit, which is for story headlines) that show a usable derived title;
* ``named``: article cards (``ReadModel.present``) with a source name; ``dated``: with a publication time
  (and with any date at all);
* ``stories_dated_from_articles``: stories having a member with a publication time whose ``date_source`` is
  'published' (goal 100 %); and the share of all stories so dated;
* ``furniture_per_1000_lines``: lines of stored article text that ``extract.furniture`` classifies as
  furniture, or that carry inline furniture (reading time, "last updated", "see also:", share labels, repeated
  gallery counters: ``summarise._FURNITURE_INLINE``), per 1,000 lines;
* ``summary_sentences_furniture`` / ``summary_near_duplicates``: in the story summaries.

Embedding the articles for clustering is the slow part (~2-4 articles/s on 2 cores): ``limit`` keeps the
default run to a few minutes.
"""

from __future__ import annotations

import gzip
import importlib
import json
import re
import tempfile
import time
from pathlib import Path
from typing import Any

from globewire.records import RawDocument, utcnow

DEFAULT_PAIRS = 60
DEFAULT_PAGES = 300
_PLACEHOLDER = re.compile(r"^\s*(?:story|article)\s+\d+\s*$", re.IGNORECASE)


def _share(n: int, d: int) -> dict[str, Any]:
    return {"share": round(n / d, 4) if d else None, "n": n, "of": d}


def _fundus_docs(folder: Path, limit: int) -> list[RawDocument]:
    docs = []
    manifest = folder / "manifest.jsonl"
    if not manifest.exists():
        return docs
    now = utcnow()
    for line in manifest.read_text(encoding="utf-8").splitlines()[:limit]:
        row = json.loads(line)
        path = folder / row["html_file"]
        if not path.exists():
            continue
        docs.append(RawDocument(url=row["url"], content=gzip.decompress(path.read_bytes()), content_type="html",
                                fetched_at=now, source="file"))
    return docs


def _semeval_jsonl(pairs: Path, limit: int, out: Path) -> int:
    """The articles of the first ``limit`` pairs as JSON Lines without titles or dates; returns the count."""
    seen: set[str] = set()
    with pairs.open(encoding="utf-8") as fh, out.open("w", encoding="utf-8") as w:
        for i, line in enumerate(fh):
            if i >= limit:
                break
            r = json.loads(line)
            for k in ("1", "2"):
                url, text = r.get(f"link{k}"), r.get(f"text{k}")
                if not url or not text or url in seen:
                    continue
                seen.add(url)
                w.write(json.dumps({"url": url, "text": text, "language": r.get(f"lang{k}")}, ensure_ascii=False)
                        + "\n")
    return len(seen)


def _pasted_module() -> Any:
    try:
        return importlib.import_module("globewire.bench.pasted")
    except ImportError:
        return None


def _pasted_docs(mod: Any, folder: Path) -> list[RawDocument]:
    docs = []
    load = getattr(mod, "load_fixtures", None)
    if load is None:
        return docs
    for fx in load(folder):
        docs.append(RawDocument(url=f"file:///pasted/{fx.split}/{fx.name}.txt", content=fx.text.encode("utf-8"),
                                content_type="text", source="file"))
    return docs


def run_reader_bench(shared: Path | None, *, pairs: int = DEFAULT_PAIRS, pages: int = DEFAULT_PAGES,
                     pasted: Path | None = None, keep: Path | None = None) -> dict[str, Any]:
    """Build the store (in a temporary folder; ``keep``: copy the SQLite file there for inspection), measure."""
    from globewire.ingest import Facts, read_path
    from globewire.pipeline import PipelineContext, after_store, process_articles, process_documents
    from globewire.settings import load_settings
    from globewire.sources.catalogue import load_catalogue
    from globewire.store import open_store

    res: dict[str, Any] = {"corpus": {}}
    t0 = time.perf_counter()
    with tempfile.TemporaryDirectory() as tmp:
        settings = load_settings(data_dir=tmp)
        settings.translate.backend = "none"
        store = open_store(str(Path(tmp) / "reader.db"))
        catalogue = load_catalogue(settings)
        store.sync_outlets(catalogue.outlets)
        ctx = PipelineContext(settings=settings, store=store, outlets={o.id: o for o in catalogue.outlets})
        ids: list[int] = []
        if shared is not None:
            docs = _fundus_docs(shared / "benchmarks" / "fundus-pages", pages)
            res["corpus"]["fundus_pages"] = len(docs)
            for i in range(0, len(docs), 50):
                rep = process_documents(docs[i : i + 50], ctx)
                ids += rep.new_ids + rep.changed_ids
            pairs_file = shared / "benchmarks" / "story-pairs-semeval2022" / "pairs.jsonl"
            if pairs_file.exists() and pairs > 0:
                jl = Path(tmp) / "semeval.jsonl"
                res["corpus"]["semeval_articles"] = _semeval_jsonl(pairs_file, pairs, jl)
                items = [x for x in read_path(jl, Facts()) if isinstance(x, tuple)]
                for i in range(0, len(items), 50):
                    rep = process_articles(items[i : i + 50], ctx)
                    ids += rep.new_ids + rep.changed_ids
        mod = _pasted_module()
        if mod is not None and pasted is not None and pasted.is_dir():
            pdocs = _pasted_docs(mod, pasted)
            res["corpus"]["pasted_texts"] = len(pdocs)
            if pdocs:
                rep = process_documents(pdocs, ctx)
                ids += rep.new_ids + rep.changed_ids
        res["ingest_seconds"] = round(time.perf_counter() - t0, 1)
        t1 = time.perf_counter()
        after_store(ctx, ids, translate=False)
        res["stories_seconds"] = round(time.perf_counter() - t1, 1)
        if keep is not None:
            store.close()
            import shutil

            keep.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(Path(tmp) / "reader.db", keep)
            store = open_store(str(Path(tmp) / "reader.db"))
        res.update(measure_store(store))
        store.close()
    if mod is not None and pasted is not None and pasted.is_dir():
        res["pasted"] = mod.score_pasted(pasted)
    else:
        res["pasted"] = None
    res["wall_seconds"] = round(time.perf_counter() - t0, 1)
    return res


def measure_store(store: Any) -> dict[str, Any]:
    """The reader figures of one store (see the module docstring)."""
    from globewire.extract.furniture import classify
    from globewire.headline import is_good_headline, is_usable_title
    from globewire.stories.summarise import _FURNITURE_INLINE, _token_set, is_boilerplate
    from globewire.web.queries import ReadModel, normalise_story

    read = ReadModel(store)
    out: dict[str, Any] = {}
    # ---- articles: cards, titles, furniture
    ids = [a.id for a in store.iter_articles()]
    originals: dict[int, tuple[str, bool]] = {}
    lines = furniture = 0
    examples: list[str] = []
    for a in store.iter_articles():
        derived = bool(a.extra.get("title_derived"))
        original = a.extra.get("original_title", a.title)
        originals[int(a.id)] = (str(original or ""), derived)
        for line in (a.text or "").split("\n"):
            if not line.strip():
                continue
            lines += 1
            if classify(line) is not None or _FURNITURE_INLINE.search(line):
                furniture += 1
                if len(examples) < 10:
                    examples.append(line.strip()[:100])
    cards: list[dict[str, Any]] = []
    for i in range(0, len(ids), 100):
        cards += read.with_english(read._article_rows(ids[i : i + 100]))
    named = sum(1 for c in cards if c.get("outlet_name"))
    by_kind: dict[str, int] = {}
    for c in cards:
        by_kind[str(c.get("outlet_named_by"))] = by_kind.get(str(c.get("outlet_named_by")), 0) + 1
    out["named"] = _share(named, len(cards)) | {"by": by_kind}
    out["dated_published"] = _share(sum(1 for c in cards if c.get("published_at")), len(cards))
    out["dated_any"] = _share(sum(1 for c in cards if c.get("published_at") or c.get("fetched_at")), len(cards))
    unusable = [c for c in cards if not is_usable_title(originals[int(c["id"])][0], c.get("language"))]
    fixed = [c for c in unusable if is_usable_title(str(c.get("title") or ""), c.get("language"))]
    out["derived_titles"] = _share(len(fixed), len(unusable)) | {
        "derived_at_ingest": sum(1 for v in originals.values() if v[1]),
        "examples": [{"original": originals[int(c["id"])][0][:80], "shown": c.get("title")} for c in unusable[:8]],
    }
    out["titles_passing"] = _share(sum(1 for c in cards if is_usable_title(str(c.get("title") or ""),
                                                                             c.get("language"))), len(cards))
    out["furniture_per_1000_lines"] = round(1000 * furniture / lines, 2) if lines else None
    out["furniture_lines"] = {"n": furniture, "of": lines, "examples": examples}
    # ---- stories
    rows = [store.get_story(sid) for sid in store.all_story_ids()]
    rows = [r for r in rows if r]
    lang = {r.id: str(r.data.get("headline_language") or "en") for r in rows}
    stored = [r for r in rows if is_good_headline(str(r.data.get("headline") or r.headline or ""), lang[r.id])]
    stories = [normalise_story(r) for r in rows]
    passing = [s for s in stories if is_good_headline(s.headline, lang[s.id])]
    out["stories"] = len(stories)
    out["headlines_passing"] = _share(len(passing), len(stories)) | {
        "failing_examples": [s.headline[:90] for s in stories if s not in passing][:8],
        "english": sum(1 for s in stories if lang[s.id] == "en")}
    out["stored_headlines_passing"] = _share(len(stored), len(rows))
    out["placeholders"] = sum(1 for s in stories if not s.headline or _PLACEHOLDER.match(s.headline)) + sum(
        1 for c in cards if not c.get("title") or _PLACEHOLDER.match(str(c.get("title"))))
    with_pub = []
    for s in stories:
        members = store.story_articles(s.id)
        if any(m.published_at for m in members):
            with_pub.append(s)
    out["stories_dated_from_articles"] = _share(sum(1 for s in with_pub if s.date_source == "published"),
                                                len(with_pub))
    out["stories_dated_published_all"] = _share(sum(1 for s in stories if s.date_source == "published"),
                                                len(stories))
    sents = [x["text"] for s in stories for x in s.summary]
    out["summary_sentences"] = len(sents)
    out["summary_sentences_furniture"] = sum(1 for t in sents if is_boilerplate(t))
    dups = 0
    for s in stories:
        sets = [_token_set(x["text"]) for x in s.summary]
        for i in range(len(sets)):
            for j in range(i):
                u = len(sets[i] | sets[j])
                if u and len(sets[i] & sets[j]) / u >= 0.6:
                    dups += 1
    out["summary_near_duplicates"] = dups
    out["summary_lengths"] = {str(k): sum(1 for s in stories if len(s.summary) == k) for k in range(0, 6)}
    return out
