"""The article body: trafilatura with tuned options, a recall retry, JSON-LD fallback and a line filter.

Measured on ../shared/benchmarks/extraction-aeb (see ``globewire bench extract``): plain
``trafilatura.extract`` scores F1 0.953; dropping comments and favouring precision gives 0.964;
the recall retry and the line filter add the rest.
"""

from __future__ import annotations

import copy
import logging
import re
from dataclasses import dataclass

import trafilatura
from lxml import html as lxml_html

from globewire.extract.furniture import classify
from globewire.extract.page import PageMeta, clean_text, text_key
from globewire.log import get_logger

log = get_logger(__name__)

# trafilatura logs every short page ("discarding data: <url>") at WARNING/ERROR; the outcome is
# already reported by us, so quiet it unless the application configured that logger itself.
if logging.getLogger("trafilatura").level == logging.NOTSET:
    logging.getLogger("trafilatura").setLevel(logging.CRITICAL)

# When the precise pass yields fewer characters than this, a recall-oriented pass is tried too
# (favour_precision sometimes keeps only a teaser paragraph). Calibrated on AEB (held-in half).
RECALL_RETRY_CHARS = 600
# ... and the recall pass wins when it is at least this many times longer.
RECALL_WIN_RATIO = 2.0
# A JSON-LD articleBody replaces the extracted body only when the body is this much shorter: the
# markup-derived text is usually cleaner, but some sites only render a teaser in HTML.
JSONLD_WIN_RATIO = 2.0
# Only the first lines of a body are checked against the title (headline repeated as a heading).
TITLE_LINES_CHECKED = 3

_BULLET = re.compile(r"^[-•*·–]\s+")


@dataclass(frozen=True, slots=True)
class Body:
    text: str
    source: str  # trafilatura | trafilatura-recall | jsonld | none


def _traf(tree: lxml_html.HtmlElement, url: str, *, precision: bool, recall: bool) -> str:
    try:
        out = trafilatura.extract(
            copy.deepcopy(tree),
            url=url,
            include_comments=False,
            include_tables=True,
            favor_precision=precision,
            favor_recall=recall,
            deduplicate=False,
        )
    except Exception as exc:  # noqa: BLE001 - a third-party parser over hostile input must not stop the batch
        log.warning("trafilatura_failed", url=url, error=repr(exc))
        return ""
    return out or ""


def clean_body(text: str, title: str = "", captions: tuple[str, ...] = ()) -> str:
    """Drop a repeated headline at the top and furniture lines (share rows, ads, prompts)."""
    title_key = text_key(title)
    caption_keys = {text_key(c) for c in captions if len(c) > 20}
    lines = text.split("\n")
    out: list[str] = []
    for i, line in enumerate(lines):
        s = line.strip()
        if not s:
            continue
        k = text_key(s)
        if title_key and i < TITLE_LINES_CHECKED and not out and k == title_key:
            continue
        if k in caption_keys:
            continue
        if classify(_BULLET.sub("", s), frozenset({"drop"})) is not None:
            continue
        out.append(s)
    return "\n".join(out)


def jsonld_body(pm: PageMeta) -> str:
    value = pm.ld("articleBody")
    if isinstance(value, list):
        value = " ".join(v for v in value if isinstance(v, str))
    if not isinstance(value, str):
        return ""
    # articleBody often carries HTML; keep paragraph breaks.
    value = re.sub(r"(?i)</p\s*>|<br\s*/?>", "\n", value)
    return "\n".join(t for t in (clean_text(p) for p in value.split("\n")) if t)


def extract_body(
    tree: lxml_html.HtmlElement, url: str, pm: PageMeta, *, title: str = "", captions: tuple[str, ...] = (),
    favor_precision: bool = True,
) -> Body:
    text = _traf(tree, url, precision=favor_precision, recall=False)
    source = "trafilatura"
    if len(text) < RECALL_RETRY_CHARS:
        alt = _traf(tree, url, precision=False, recall=True)
        if len(alt) >= RECALL_WIN_RATIO * max(len(text), 1):
            text, source = alt, "trafilatura-recall"
    ld = jsonld_body(pm)
    if ld and len(ld) >= JSONLD_WIN_RATIO * max(len(text), 1):
        text, source = ld, "jsonld"
    text = clean_body(text, title, captions)
    return Body(text, source if text else "none")
