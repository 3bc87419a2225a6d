"""The article body: trafilatura with tuned options, a recall retry, JSON-LD fallback and a line filter.

Embedded posts (tweets, Instagram, TikTok), author bios, "read more"/"more from" teaser blocks and comment or
newsletter prompts are taken out of the page before extraction (``strip_not_body``). A live blog is kept whole
as its timed entries, oldest first, each "time — headline" followed by its text (``liveblog_body``).

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
from lxml import etree
from lxml import html as lxml_html

from globewire.extract.dates import parse_date
from globewire.extract.furniture import BODY_TEASER, TRAILING_NOTE, Kind, classify
from globewire.extract.page import PageMeta, clean_text, text_key
from globewire.extract.rules import block_text
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
# Bylines and date lines a page prints around its text ("Von Anna Sleegers, Frankfurt", "Stand: 22.04.2024,
# 06:00 Uhr", "Par Les Echos") are dropped among the first EDGE_FURNITURE_LINES lines of the body (also after a
# standfirst) and at its end; inside the text a line of that shape may be the article's own. A photo credit
# line ("Foto: dpa", "Фото: Дмитрий Азаров, Коммерсантъ") is furniture wherever it stands.
EDGE_FURNITURE_LINES = 4
_EDGE_KINDS: frozenset[Kind] = frozenset({"byline", "date", "caption"})
_CREDIT: frozenset[Kind] = frozenset({"caption"})

_BULLET = re.compile(r"^[-•*·–]\s+")

# Elements that are never body text, by a class or id token (widget identifiers, the same in every language).
# A token must match whole ("read-more" yes, "article-read-more-body" no).
_NOT_BODY_TOKEN = re.compile(
    r"twitter-tweet|twitter-timeline|instagram-media|tiktok-embed|fb-post|fb-embed|bluesky-embed|threads-embed|"
    r"(?:embed|social)-(?:twitter|tweet|instagram|tiktok|facebook|social|post)|social-embed|"
    r"author-?(?:bio|box|info|card|profile|about)|about-?(?:the-?)?author|bio-?box|"
    r"more-?from(?:-.*)?|read-?more|read-?also|related-?(?:articles?|stories|posts|content|news|links)|"
    r"recommended(?:-.*)?|further-?reading|mais-?lidas|leia-?mais|lesen-?sie-?auch|a-?lire-?aussi|"
    r"newsletter-?(?:signup|box|promo|cta|teaser)|subscribe-?(?:prompt|box|cta|banner)|"
    r"comment-?prompt|comments?|comentarios|comentarios-?box|disqus(?:_thread)?|(?:entry|post)-?share",
    re.IGNORECASE,
)
# An element holding more than this share of the page's visible text is never dropped as "not body": a wrapper
# whose class happens to say "read-more" or "comments" around the whole article. Hand-set.
NOT_BODY_MAX_SHARE = 0.3
# Live blogs: at least this many timed entries (JSON-LD liveBlogUpdate, or sibling elements with a time).
LIVE_MIN_ENTRIES = 3
# An entry's text (besides its time) is at least this long.
LIVE_MIN_ENTRY_CHARS = 40
# URL path words of live pages (a hint: the page must also have LIVE_MIN_ENTRIES timed entries).
_LIVE_URL = re.compile(r"(?:^|[/_-])(?:live|liveblog|live-blog|ao-vivo|en-direct|directo|en-vivo|liveticker|ticker|"
                       r"diretta|na-zywo|canli)(?:$|[/_.-])", re.IGNORECASE)
_CLOCK = re.compile(r"^\s*(\d{1,2}[:h.]\d{2})\b")
# Inside a live entry: its byline and picture credits are not its text.
_ENTRY_CHROME = re.compile(r"author|byline|contributor|caption|credit", re.IGNORECASE)
_CLOCK_ANY = re.compile(r"(?<!\d)\d{1,2}[:h.]\d{2}(?!\d)")
_TIME_CLASS = re.compile(r"(?:^|[\s_-])(?:time|timestamp|hora|heure|uhrzeit|ora|zeit|date)(?:$|[\s_-])", re.IGNORECASE)


@dataclass(frozen=True, slots=True)
class Body:
    text: str
    source: str  # trafilatura | trafilatura-recall | jsonld | liveblog | none


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
    return "\n".join(_trim_edges(out))


def _trim_edges(lines: list[str]) -> list[str]:
    """``lines`` without byline and date lines near the top (EDGE_FURNITURE_LINES) or trailing at the end (with
    syndication notes), and without photo credit lines or teasers of other articles ("Read more: <headline>")."""
    end = len(lines)
    while end > 0 and (classify(lines[end - 1], _EDGE_KINDS) is not None
                       or TRAILING_NOTE.fullmatch(lines[end - 1]) is not None):
        end -= 1
    return [ln for i, ln in enumerate(lines[:end])
            if classify(ln, _EDGE_KINDS if i < EDGE_FURNITURE_LINES else _CREDIT) is None
            and BODY_TEASER.fullmatch(ln) is None]


_WITH_ID_OR_CLASS = etree.XPath("//*[@class or @id]")  # in C: only these elements get Python proxies


def _not_body(el: lxml_html.HtmlElement) -> bool:
    cls, ident = el.get("class"), el.get("id")
    if not cls and not ident:
        return False
    joined = f"{cls or ''} {ident or ''}"
    if not _NOT_BODY_TOKEN.search(joined):  # cheap pre-test; tokens must match whole
        return False
    return any(_NOT_BODY_TOKEN.fullmatch(t) for t in joined.split())


def _doomed(tree: lxml_html.HtmlElement) -> list[lxml_html.HtmlElement]:
    body = tree.find("body")
    total = len((body if body is not None else tree).text_content() or "")
    found = [el for el in _WITH_ID_OR_CLASS(tree) if el.tag not in ("html", "body", "head") and _not_body(el)]
    found = [el for el in found if len(el.text_content() or "") <= NOT_BODY_MAX_SHARE * max(total, 1)]
    return [el for el in found if not any(a in found for a in el.iterancestors())]


def strip_not_body(tree: lxml_html.HtmlElement) -> lxml_html.HtmlElement:
    """``tree`` without embedded posts, author bios, teaser blocks and prompts: a stripped copy, or ``tree``
    itself when it has none (the caller's tree is never changed)."""
    doomed = set(_doomed(tree))
    if not doomed:
        return tree
    work = copy.deepcopy(tree)
    twins = [w for o, w in zip(tree.iter(), work.iter()) if o in doomed]  # same structure, same order
    for el in twins:
        if el.getparent() is not None:
            el.drop_tree()
    return work


@dataclass(frozen=True, slots=True)
class LiveEntry:
    when: str  # as printed, or the declared time as "YYYY-MM-DD HH:MM"
    at: object  # datetime | None (declared time, for ordering)
    headline: str
    text: str


def _stamp(d: object) -> str:
    return d.strftime("%Y-%m-%d %H:%M") if d is not None else ""  # type: ignore[attr-defined]


def _jsonld_entries(pm: PageMeta) -> list[LiveEntry]:
    updates = pm.ld("liveBlogUpdate")
    out = []
    for u in updates if isinstance(updates, list) else []:
        if not isinstance(u, dict):
            continue
        text = clean_text(u.get("articleBody") or u.get("text") or u.get("description"))
        at = parse_date(u.get("datePublished") or u.get("dateCreated") or u.get("dateModified"))
        if len(text) >= LIVE_MIN_ENTRY_CHARS:
            out.append(LiveEntry(_stamp(at), at, clean_text(u.get("headline")), text))
    return out


def _entry_time(el: lxml_html.HtmlElement) -> tuple[str, object, lxml_html.HtmlElement | None]:
    for t in el.iter("time"):
        at = parse_date(t.get("datetime") or "")
        if at:
            return _stamp(at), at, t
        printed = clean_text(t.text_content())
        clocks = _CLOCK_ANY.findall(printed)  # "21 mins ago11:48" -> "11:48"
        return (clocks[-1] if clocks else printed), None, t
    for t in el.iter():
        if isinstance(t.tag, str) and t is not el and _TIME_CLASS.search(t.get("class") or ""):
            m = _CLOCK.match(clean_text(t.text_content()))
            if m:
                return m.group(1), None, t
    return "", None, None


def _dom_entries(tree: lxml_html.HtmlElement) -> list[LiveEntry]:
    best: list[LiveEntry] = []
    for parent in tree.iter():
        if not isinstance(parent.tag, str) or len(parent) < LIVE_MIN_ENTRIES:
            continue
        sig: dict[tuple[str, str], list[lxml_html.HtmlElement]] = {}
        for child in parent:
            if isinstance(child.tag, str):
                sig.setdefault((child.tag, child.get("class") or ""), []).append(child)
        for group in sig.values():
            if len(group) < LIVE_MIN_ENTRIES or len(group) <= len(best):
                continue
            entries = []
            for child in group:
                item = copy.deepcopy(child)
                when, at, time_el = _entry_time(item)
                if not when or time_el is None:
                    break
                doomed = [t for t in item.iter() if t is not item and isinstance(t.tag, str) and (
                    _not_body(t) or t.tag in ("figure", "figcaption") or _ENTRY_CHROME.search(t.get("class") or ""))]
                for t in [time_el, *doomed]:
                    if t.getparent() is not None:
                        t.drop_tree()
                heads = [clean_text(h.text_content()) for h in item.iter("h2", "h3", "h4", "strong") if clean_text(h.text_content())]
                for h in list(item.iter("h2", "h3", "h4")):
                    h.drop_tree()
                text = clean_body(block_text(item))
                if len(text) < LIVE_MIN_ENTRY_CHARS:
                    break
                entries.append(LiveEntry(when, at, heads[0] if heads else "", text))
            else:
                best = entries
    return best


def liveblog_body(tree: lxml_html.HtmlElement, pm: PageMeta, url: str, intro_from: str = "") -> str:
    """The whole live blog as timed entries (oldest first when every entry has a declared time), after its
    intro (the lines of ``intro_from``, the generic extraction, that come before the first entry), or "" when
    the page is not a live blog."""
    declared = pm.article is not None and any(
        str(t).lower().rsplit("/", 1)[-1] in ("liveblogposting", "liveblog")
        for t in (pm.article.get("@type") if isinstance(pm.article.get("@type"), list) else [pm.article.get("@type")]))
    if not declared and not _LIVE_URL.search(url.split("?")[0]):
        return ""
    # The entries the page shows win; JSON-LD liveBlogUpdate fills in when the page renders too few (some
    # sites list every update of several days there: 410 entries, 314k characters on one fundus page).
    entries = _dom_entries(tree)
    declared_entries = _jsonld_entries(pm)
    if len(entries) < LIVE_MIN_ENTRIES:
        entries = declared_entries
    elif declared_entries:  # the page prints "15h20": the declared update with the same text knows the date
        by_text = {text_key(e.text)[:200]: e for e in declared_entries}
        entries = [e if e.at is not None or (d := by_text.get(text_key(e.text)[:200])) is None
                   else LiveEntry(d.when, d.at, e.headline, e.text) for e in entries]
    if len(entries) < LIVE_MIN_ENTRIES:
        return ""
    if all(e.at is not None for e in entries):
        entries = sorted(entries, key=lambda e: e.at)  # type: ignore[arg-type,return-value]
    elif _descending_clocks([e.when for e in entries]):
        entries = entries[::-1]  # newest first on the page: told oldest first
    lines = _intro(intro_from, entries)
    for e in entries:
        lines.append(f"{e.when} — {e.headline}" if e.headline else e.when)
        lines.append(e.text)
    return "\n".join(lines)


def _descending_clocks(stamps: list[str]) -> bool:
    mins = []
    for st in stamps:
        m = _CLOCK_ANY.search(st)
        if not m:
            return False
        h, mm = re.split(r"[:h.]", m.group(0))
        mins.append(int(h) * 60 + int(mm))
    return all(a >= b for a, b in zip(mins, mins[1:])) and mins[0] > mins[-1]


def _intro(text: str, entries: list[LiveEntry]) -> list[str]:
    seen = {text_key(x) for e in entries for x in (e.headline, *e.text.split("\n")) if x}
    out = []
    for line in text.split("\n"):
        k = text_key(line)
        if not k or k in seen or any(k in s or s in k for s in seen if len(s) > 20):
            break
        out.append(line.strip())
    return out


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
    favor_precision: bool = True, strip_embeds: bool = True,
) -> Body:
    if strip_embeds:
        tree = strip_not_body(tree)
    text = _traf(tree, url, precision=favor_precision, recall=False)
    live = liveblog_body(tree, pm, url, intro_from=clean_body(text, title, captions))
    if live:
        return Body(live, "liveblog")
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
