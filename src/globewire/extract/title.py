"""Choose the headline among the page's candidates (JSON-LD headline, og/twitter title, <h1>, <title>).

Publishers disagree on which field carries "the" headline, so the candidates vote: each distinct
text (after stripping a site-name suffix) collects the weights of the sources that carry it, and
the heaviest wins. A candidate that is a prefix-with-site-suffix of another is merged into it.
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit

from lxml import html as lxml_html

from globewire.extract.page import PageMeta, clean_text, text_key

# Source weights, calibrated by grid search on the "tune" half (hash of publisher) of
# ../shared/benchmarks/fundus-pages: title exact match 0.837 on it and 0.845 on the held-out half.
# Most remaining misses are publishers whose labelled headline is one of several differing
# variants (SEO <title>, social og:title, displayed <h1>): no single order fits them all.
TITLE_WEIGHTS: dict[str, float] = {"jsonld": 3.0, "h1": 2.0, "og": 2.5, "twitter": 0.5, "title": 0.5}
# Whose spelling is shown when several sources carry the same headline up to punctuation: og:title
# is plain text written for sharing; JSON-LD and <h1> more often carry typographic quotes/entities.
# (fundus title exact with og first vs JSON-LD first: tune half 0.837 vs 0.837, held-out half 0.845 vs 0.837.)
DISPLAY_ORDER: tuple[str, ...] = ("og", "jsonld", "h1", "twitter", "title")
# Separators between a headline and the site name in <title>/og:title.
_SUFFIX_SEP = re.compile(r"\s+[|\-–—:·•»«/]\s+|\s*[|ㅣ｜]\s*|\s+::\s+")
_BY_SUFFIX = re.compile(r"(?i)(?:by|von|par|por|di|av|af|door)\s+\S+(?:\s+\S+){0,3}$")


def _site_tokens(pm: PageMeta, url: str) -> set[str]:
    names = {text_key(n) for n in pm.all("og:site_name", "application-name", "twitter:site", "apple-mobile-web-app-title")}
    host = urlsplit(url).hostname or ""
    labels = [p for p in host.split(".") if p not in {"www", "m", "amp", "com", "co", "org", "net", "news"}]
    names.update(text_key(p) for p in labels if len(p) > 2)
    return {n for n in names if n}


def strip_site_suffix(title: str, site: set[str]) -> str:
    """'Headline - Site Name' -> 'Headline' when the removed part names the site."""
    for _ in range(2):
        parts = list(_SUFFIX_SEP.finditer(title))
        if not parts:
            return title
        last = parts[-1]
        tail = title[last.end() :]
        head = title[: last.start()]
        tk = text_key(tail)
        if head and _BY_SUFFIX.match(tail):
            title = head.strip()
            continue
        if head and tk and any(s and (s in tk or tk in s) for s in site):
            title = head.strip()
            continue
        # also a leading "Site | Headline"
        first = parts[0]
        lead = text_key(title[: first.start()])
        if lead and any(s and (s == lead or (len(lead) > 3 and lead in s)) for s in site):
            title = title[first.end() :].strip()
            continue
        return title
    return title


# Parts of an <h1> that are not the headline: kickers/overlines above it and screen-reader-only
# separators. Matched against the class attribute of the h1's descendants.
_H1_NOISE_CLASS = re.compile(
    r"kicker|overline|topline|dachzeile|roofline|eyebrow|offscreen|sr-only|visually-hidden|screen-reader|visuallyhidden",
    re.IGNORECASE,
)


def _is_h1_noise(d: lxml_html.HtmlElement) -> bool:
    return isinstance(d.tag, str) and bool(_H1_NOISE_CLASS.search(d.get("class") or "") or d.get("aria-hidden") == "true")


def _h1_text(el: lxml_html.HtmlElement) -> str:
    if not any(_is_h1_noise(d) for d in el.iterdescendants()):
        return clean_text(el.text_content())
    clone = lxml_html.fromstring(lxml_html.tostring(el, encoding="unicode"))
    for d in list(clone.iterdescendants()):
        if _is_h1_noise(d) and d.getparent() is not None:
            d.drop_tree()
    text = clean_text(clone.text_content())
    return text or clean_text(el.text_content())


# An <h1> inside (or marked as) a breadcrumb trail repeats the SEO title, not the displayed headline.
_BREADCRUMB = re.compile(r"breadcrumb|seotitle|seo-title", re.IGNORECASE)


def _in_breadcrumb(el: lxml_html.HtmlElement) -> bool:
    node: lxml_html.HtmlElement | None = el
    depth = 0
    while node is not None and depth < 6:
        if node.tag == "nav":
            return True
        attrs = " ".join(f"{k} {v}" for k, v in node.attrib.items() if k in ("class", "id", "itemtype") or k.startswith("data-"))
        if _BREADCRUMB.search(attrs):
            return True
        node = node.getparent()
        depth += 1
    return False


def _h1(tree: lxml_html.HtmlElement) -> str:
    for el in tree.iter("h1"):
        if _in_breadcrumb(el):
            continue
        text = _h1_text(el)
        if 3 <= len(text) <= 400:
            return text
    return ""


def choose_title(tree: lxml_html.HtmlElement, pm: PageMeta, url: str) -> str:
    site = _site_tokens(pm, url)
    headline = pm.ld("headline")
    if isinstance(headline, list):
        headline = headline[0] if headline else ""
    title_el = next(iter(tree.iter("title")), None)
    raw: dict[str, str] = {
        "jsonld": clean_text(headline) or clean_text(pm.ld("name") if pm.article is not None else ""),
        "og": pm.first("og:title"),
        "twitter": pm.first("twitter:title"),
        "h1": _h1(tree),
        "title": clean_text(title_el.text_content()) if title_el is not None else "",
    }
    candidates = {k: strip_site_suffix(v, site) for k, v in raw.items() if v}
    if not candidates:
        return ""
    votes: dict[str, float] = {}
    display: dict[str, tuple[int, str]] = {}  # key -> (rank in DISPLAY_ORDER, text)
    for source, text in candidates.items():
        k = text_key(text)
        if not k:
            continue
        votes[k] = votes.get(k, 0.0) + TITLE_WEIGHTS[source]
        # Candidates equal up to punctuation (curly vs straight quotes, dashes) are one vote; the
        # spelling shown is the one of the first source in DISPLAY_ORDER that carries it.
        rank = DISPLAY_ORDER.index(source)
        if k not in display or rank < display[k][0]:
            display[k] = (rank, text)
    # A candidate that merely extends another with a suffix the stripper missed ("Headline - Section")
    # lends its weight to the shorter one.
    keys = list(votes)
    for a in keys:
        for b in keys:
            if a != b and b.startswith(a) and len(a) >= 0.5 * len(b):
                votes[a] += 0.5 * votes[b]
    if not votes:  # every candidate is punctuation or symbols only: nothing to vote on, the first one stands
        return next(iter(candidates.values()))
    best = max(votes, key=lambda k: votes[k])
    return display[best][1]
