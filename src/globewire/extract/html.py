"""extract_html: one fetched page -> records.Extracted (title, body, date, authors, image, ...)."""

from __future__ import annotations

import re

from lxml import etree
from lxml import html as lxml_html

from globewire import validate
from globewire.extract.authors import choose_authors, split_names
from globewire.extract.body import clean_body, extract_body
from globewire.config.extract import ExtractSettings
from globewire.extract.dates import choose_date, parse_date
from globewire.extract.decode import decode_html
from globewire.extract.errors import ExtractionError
from globewire.extract.nonarticle import classify as classify_nonarticle
from globewire.extract.page import PageMeta, clean_text, read_page_meta, resolve_url
from globewire.extract.rules import apply_rules, drop
from globewire.extract.title import choose_title
from globewire.log import get_logger
from globewire.records import Extracted, ExtractionRules
from globewire.textnorm import clean_html

log = get_logger(__name__)

_TAG = re.compile(r"<\s*(?:html|head|body|meta|title|div|p|article|section|span|a|h[1-6]|br|!doctype)\b", re.IGNORECASE)
_XML_DECL = re.compile(r"^\s*<\?xml[^>]*\?>", re.IGNORECASE)
# Captions are short; longer "caption" elements are usually whole teaser blocks.
MAX_CAPTION_CHARS = 600
_CAPTION_CLASS = re.compile(r"(?:^|[\s_-])(?:caption|figcaption|bildunterschrift|legende|credit)(?:$|[\s_-])", re.IGNORECASE)


def parse_tree(text: str) -> lxml_html.HtmlElement:
    if not _TAG.search(text[:200_000]):
        raise ExtractionError("not_html", "no HTML markup found")
    # lxml refuses str input that carries an encoding declaration (XHTML pages): the text is
    # already decoded, so the declaration is dropped.
    text = _XML_DECL.sub("", text, count=1)
    try:
        parser = lxml_html.HTMLParser(remove_comments=True, remove_pis=True, collect_ids=False)
        tree = lxml_html.document_fromstring(text, parser=parser)
    except (etree.ParserError, ValueError) as exc:
        raise ExtractionError("not_html", f"unparseable: {exc}") from exc
    if tree is None:
        raise ExtractionError("not_html", "empty document")
    return tree


def _captions(tree: lxml_html.HtmlElement) -> tuple[str, ...]:
    found: list[str] = []
    for el in tree.iter():
        if not isinstance(el.tag, str):
            continue
        if el.tag == "figcaption" or _CAPTION_CLASS.search(el.get("class") or ""):
            text = clean_text(el.text_content())
            if 3 <= len(text) <= MAX_CAPTION_CHARS and text not in found:
                found.append(text)
    return tuple(found)


def _image(pm: PageMeta, url: str) -> str | None:
    for v in pm.all("og:image", "og:image:url", "og:image:secure_url", "twitter:image", "twitter:image:src"):
        if (u := resolve_url(v, url)) is not None:
            return u
    img = pm.ld("image") or pm.ld("thumbnailUrl")
    items = img if isinstance(img, list) else [img]
    for it in items:
        cand = it.get("url") or it.get("contentUrl") if isinstance(it, dict) else it
        if isinstance(cand, list):
            cand = cand[0] if cand else None
        if isinstance(cand, str) and (u := resolve_url(cand, url)) is not None:
            return u
    for href in pm.links.get("image_src", ()):
        if (u := resolve_url(href, url)) is not None:
            return u
    return None


def _canonical(pm: PageMeta, url: str) -> str | None:
    for href in pm.links.get("canonical", ()):
        if (u := resolve_url(href, url)) is not None:
            return u
    return resolve_url(pm.first("og:url"), url)


def _site_name(pm: PageMeta) -> str | None:
    name = pm.first("og:site_name", "application-name")
    if not name:
        pub = pm.ld("publisher")
        if isinstance(pub, list):
            pub = pub[0] if pub else None
        if isinstance(pub, dict):
            name = clean_text(pub.get("name"))
    return name or None


def _status(headers: dict[str, str] | None) -> int | None:
    """The HTTP status when the caller passed it along with the headers (WARC records, fetch results)."""
    for k, v in (headers or {}).items():
        if k.lower() in (":status", "x-globewire-status") and str(v).strip().isdigit():
            return int(str(v).strip())
    return None


def extract_html(
    content: bytes | str,
    url: str,
    *,
    rules: ExtractionRules | None = None,
    http_headers: dict[str, str] | None = None,
    settings: ExtractSettings | None = None,
) -> Extracted:
    """Extract one article. Raises ExtractionError (empty, binary, not_html, undecodable, too_short, and
    ``not_article:<kind>`` for anti-bot, consent, paywall, error and section pages)."""
    settings = settings or ExtractSettings()
    decoded = decode_html(content, http_headers)
    # Normalised once, before any parser sees it: one control character or &#xFFFE; makes lxml-based
    # extractors return nothing (see globewire.textnorm).
    text = clean_html(decoded.text)
    if len(text) > settings.max_html_chars:
        log.info("html_truncated", url=url, chars=len(text))
        text = text[: settings.max_html_chars]
    tree = parse_tree(text)
    pm = read_page_meta(tree)
    captions = _captions(tree)

    hits = None
    if rules is not None:
        if rules.drop:
            drop(tree, rules.drop)
        hits = apply_rules(tree, rules)

    title = (hits.title if hits else "") or choose_title(tree, pm, url)
    if hits and hits.body:
        body_text, body_source = clean_body(hits.body, title, captions), "rules"
    else:
        b = extract_body(tree, url, pm, title=title, captions=captions, favor_precision=settings.favor_precision,
                         strip_embeds=settings.strip_embeds)
        body_text, body_source = b.text, b.source

    published = parse_date(hits.date) if hits and hits.date else None
    if published is None:
        published = choose_date(tree, pm, text, url, use_htmldate=settings.use_htmldate)
    authors = tuple(n for a in hits.authors for n in split_names(a)) if hits and hits.authors else ()
    authors = authors or choose_authors(tree, pm)
    image = resolve_url(hits.image, url) if hits and hits.image else None

    log.debug("extracted", url=url, chars=len(body_text), body_source=body_source, encoding=decoded.encoding)
    if settings.detect_nonarticles:
        verdict = classify_nonarticle(tree, pm, url, body_text, title=title, http_status=_status(http_headers))
        if verdict is not None:
            raise ExtractionError(verdict.reason, verdict.detail)  # type: ignore[arg-type]
    if len(body_text) < settings.min_text_chars:
        raise ExtractionError("too_short", f"{len(body_text)} characters of body text (minimum {settings.min_text_chars})")
    return Extracted(
        url=url,
        title=title,
        text=body_text,
        published_at=published,
        authors=authors,
        image_url=image or _image(pm, url),
        canonical_url=_canonical(pm, url),
        site_name=(_site_name(pm) or "")[: validate.MAX_NAME_CHARS] or None,
        html_lang=validate.language_tag_or_none(pm.html_lang),  # bounded like an imported field
        description=pm.first("description", "og:description", "twitter:description"),
        captions=captions,
    )
