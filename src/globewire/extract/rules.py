"""Per-site CSS rules (records.ExtractionRules): they win over the generic extractor when they match."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from cssselect import GenericTranslator, SelectorError
from lxml import etree
from lxml import html as lxml_html

from globewire.extract.dates import parse_date
from globewire.extract.page import clean_text
from globewire.log import get_logger
from globewire.records import ExtractionRules

log = get_logger(__name__)

# Block elements whose text starts a new paragraph when a rule's body selector is flattened.
_BLOCKS = frozenset({"p", "div", "h1", "h2", "h3", "h4", "h5", "h6", "li", "blockquote", "pre", "section", "article", "tr", "br", "figure"})


@lru_cache(maxsize=512)
def _xpath(selector: str) -> etree.XPath | None:
    try:
        return etree.XPath(GenericTranslator().css_to_xpath(selector))
    except (SelectorError, etree.XPathSyntaxError, ValueError) as exc:
        log.warning("bad_css_selector", selector=selector, error=str(exc))
        return None


def select(tree: lxml_html.HtmlElement, selector: str | None) -> list[lxml_html.HtmlElement]:
    if not selector:
        return []
    xp = _xpath(selector)
    if xp is None:
        return []
    try:
        return [e for e in xp(tree) if isinstance(e, etree._Element)]
    except etree.XPathError:
        return []


def drop(tree: lxml_html.HtmlElement, selectors: tuple[str, ...]) -> int:
    """Remove every element matching one of ``selectors`` (tail text kept); returns how many."""
    n = 0
    for sel in selectors:
        for el in select(tree, sel):
            if el.getparent() is not None:
                el.drop_tree()
                n += 1
    return n


def block_text(el: lxml_html.HtmlElement) -> str:
    """Visible text of ``el`` with a line break per block element."""
    parts: list[str] = []

    def walk(node: etree._Element) -> None:
        if not isinstance(node.tag, str) or node.tag in ("script", "style", "noscript", "template"):
            if node.tail:
                parts.append(node.tail)
            return
        block = node.tag in _BLOCKS
        if block:
            parts.append("\n")
        if node.text:
            parts.append(node.text)
        for child in node:
            walk(child)
        if block:
            parts.append("\n")
        if node.tail:
            parts.append(node.tail)

    walk(el)
    lines = (clean_text(line) for line in "".join(parts).split("\n"))
    return "\n".join(line for line in lines if line)


@dataclass(frozen=True, slots=True)
class RuleHits:
    title: str = ""
    body: str = ""
    date: str = ""
    authors: tuple[str, ...] = ()
    image: str = ""


def apply_rules(tree: lxml_html.HtmlElement, rules: ExtractionRules) -> RuleHits:
    """Evaluate the rule selectors on ``tree`` (already stripped of ``rules.drop``)."""
    title = next((clean_text(e.text_content()) for e in select(tree, rules.title) if clean_text(e.text_content())), "")
    body_parts = [block_text(e) for e in select(tree, rules.body)]
    body = "\n".join(p for p in body_parts if p)
    date = ""
    for e in select(tree, rules.date):
        attrs = [e.get("datetime"), e.get("content"), *(v for k, v in e.attrib.items() if k.startswith("data-")), e.get("title")]
        date = next((a.strip() for a in attrs if a and parse_date(a) is not None), "") or clean_text(e.text_content())
        if date:
            break
    authors = tuple(dict.fromkeys(t for t in (clean_text(e.text_content()) or clean_text(e.get("content")) for e in select(tree, rules.authors)) if t))
    image = ""
    for e in select(tree, rules.image):
        image = e.get("src") or e.get("content") or e.get("href") or e.get("data-src") or ""
        if image:
            break
    return RuleHits(title, body, date, authors, image)
