"""Benchmark of the pasted-text cleaner over labelled fixtures (tests/fixtures/pasted).

A fixture ``*.pasted`` holds a header (``published:`` an ISO time, an ISO day or ``none``; ``byline:`` names
separated by ``;`` or ``none``), a ``---`` line, then the text as pasted with line markers: ``# `` the headline,
``~ `` a line that is not body text (chrome, date line, byline, caption, related block), no marker a body line.

Scores (per fixture directory, and per sub-directory such as ``tune`` / ``held_out``):
  title     - the cleaner's title equals the labelled headline (whitespace-normalised, case-sensitive);
  date      - labelled none and none found; or labelled day == found day (in the time zone found); or labelled
              time within 24 hours of the found time. ``date_exact_day`` counts only same-day answers.
  byline    - the set of author names equals the labelled one (case-folded);
  residue   - labelled non-body lines left in the cleaned body, per 1,000 body lines output;
  body_recall - labelled body lines present in the output body.
"""

from __future__ import annotations

import datetime as dt
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from globewire.extract import ExtractionError, clean_pasted_text

# A dated label with a time of day is matched within this tolerance (time zones printed as "IST" are ambiguous).
DATE_TOLERANCE = dt.timedelta(hours=24)


@dataclass(frozen=True)
class PastedFixture:
    name: str
    split: str
    text: str
    title: str
    published: dt.datetime | dt.date | None
    byline: tuple[str, ...]
    furniture: tuple[str, ...]
    body: tuple[str, ...]


def _norm(s: str) -> str:
    return " ".join(s.split())


def load_fixture(path: Path, split: str = "") -> PastedFixture:
    content = path.read_text(encoding="utf-8")
    header, sep, rest = content.partition("\n---\n")
    if not sep:
        raise ValueError(f"{path}: no '---' line between the labels and the text")
    labels: dict[str, str] = {}
    for line in header.splitlines():
        if ":" in line:
            k, v = line.split(":", 1)
            labels[k.strip().lower()] = v.strip()
    pub_raw = labels.get("published", "none")
    published: dt.datetime | dt.date | None
    if pub_raw.lower() == "none":
        published = None
    elif "T" in pub_raw:
        published = dt.datetime.fromisoformat(pub_raw)
    else:
        published = dt.date.fromisoformat(pub_raw)
    by_raw = labels.get("byline", "none")
    byline = () if by_raw.lower() == "none" else tuple(x.strip() for x in by_raw.split(";") if x.strip())
    raw_lines, furniture, body = [], [], []
    title = ""
    for line in rest.splitlines():
        if line.startswith("~ "):
            furniture.append(_norm(line[2:]))
            raw_lines.append(line[2:])
        elif line.startswith("# "):
            title = _norm(line[2:])
            raw_lines.append(line[2:])
        else:
            if line.strip():
                body.append(_norm(line))
            raw_lines.append(line)
    return PastedFixture(path.stem, split, "\n".join(raw_lines) + "\n", title, published, byline,
                         tuple(furniture), tuple(body))


def load_fixtures(directory: Path) -> list[PastedFixture]:
    out = []
    for path in sorted(directory.rglob("*.pasted")):
        rel = path.relative_to(directory)
        split = rel.parts[0] if len(rel.parts) > 1 else "all"
        out.append(load_fixture(path, split))
    return out


def _date_ok(label: dt.datetime | dt.date | None, found: dt.datetime | None, *, exact_day: bool = False) -> bool:
    if label is None or found is None:
        return label is None and found is None
    if isinstance(label, dt.datetime):
        if exact_day:
            return found.date() == label.date() or found.astimezone(label.tzinfo).date() == label.date()
        return abs(found - label) <= DATE_TOLERANCE
    return found.date() == label


def score_one(fx: PastedFixture) -> dict[str, Any]:
    try:
        ex = clean_pasted_text(fx.text, f"file:///{fx.name}.txt")
        title, body, published, authors = ex.title, ex.text, ex.published_at, ex.authors
    except ExtractionError:
        title, body, published, authors = "", "", None, ()
    out_lines = [_norm(x) for x in body.split("\n") if x.strip()]
    furniture = set(fx.furniture) - set(fx.body)
    left = [x for x in out_lines if x in furniture]
    body_set = set(out_lines)
    return {
        "name": fx.name,
        "split": fx.split,
        "title_ok": _norm(title) == fx.title,
        "title": title,
        "date_ok": _date_ok(fx.published, published),
        "date_exact_day": _date_ok(fx.published, published, exact_day=True),
        "published": published.isoformat() if published else None,
        "byline_ok": {a.casefold() for a in authors} == {a.casefold() for a in fx.byline},
        "authors": list(authors),
        "body_lines_out": len(out_lines),
        "furniture_left": left,
        "body_recall": (sum(1 for b in fx.body if b in body_set) / len(fx.body)) if fx.body else 1.0,
    }


def _summary(rows: list[dict[str, Any]]) -> dict[str, Any]:
    n = len(rows)
    lines_out = sum(r["body_lines_out"] for r in rows)
    left = sum(len(r["furniture_left"]) for r in rows)
    if not n:
        return {"fixtures": 0}
    return {
        "fixtures": n,
        "title_accuracy": round(sum(r["title_ok"] for r in rows) / n, 4),
        "date_accuracy": round(sum(r["date_ok"] for r in rows) / n, 4),
        "date_exact_day_accuracy": round(sum(r["date_exact_day"] for r in rows) / n, 4),
        "byline_accuracy": round(sum(r["byline_ok"] for r in rows) / n, 4),
        "body_lines_out": lines_out,
        "furniture_lines_left": left,
        "residue_per_1000_lines": round(1000 * left / lines_out, 2) if lines_out else 0.0,
        "body_recall": round(sum(r["body_recall"] for r in rows) / n, 4),
    }


def score_pasted(directory: Path) -> dict[str, Any]:
    """Score the cleaner on every ``*.pasted`` fixture under ``directory``: the whole set under "all", each
    top-level sub-directory (e.g. "tune", "held_out") under "splits", per-fixture rows under "per_fixture"."""
    fixtures = load_fixtures(Path(directory))
    t0 = time.perf_counter()
    rows = [score_one(fx) for fx in fixtures]
    elapsed = time.perf_counter() - t0
    splits: dict[str, list[dict[str, Any]]] = {}
    for r in rows:
        splits.setdefault(r["split"], []).append(r)
    return {
        "benchmark": "pasted",
        "directory": str(directory),
        "seconds": round(elapsed, 2),
        "all": _summary(rows),
        "splits": {k: _summary(v) for k, v in sorted(splits.items())},
        "per_fixture": rows,
    }
