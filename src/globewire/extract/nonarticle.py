"""Pages that are not articles: anti-bot challenges, consent walls, paywall teasers, error pages, section pages.

Such a page reaches the extractor with HTTP 200 and enough text to pass the length check, and would become an
"article" (a Polish "access denied" notice, fetched seven times, once became a corpus's biggest story). The
test is the page's *structure*, which does not depend on its language:

- where the extracted body text lives: inside a challenge form, a consent-manager container, a paywall or
  subscription container (class/id names of these widgets are technical identifiers, the same in every
  language), or inside links (a section page's body is its teasers' headlines);
- what the page declares: article metadata (JSON-LD article types, ``og:type=article``,
  ``article:published_time``), ``isAccessibleForFree: false``, a collection type (``CollectionPage``,
  ``ItemList``), a status code in the ``<title>``/``<h1>``;
- how the text is shaped: the longest paragraph, the body's size, the number of distinct teaser links, forms
  and inputs, challenge scripts (``/cdn-cgi/challenge-platform``, captcha widgets) and ``<noscript>`` notices.

A small multilingual phrase list (``HINTS``) only *adds* to structural evidence (a bare page without site
chrome); no phrase alone rejects a page. The body text arriving from several unrelated URLs is the other,
language-free test; it needs the store and runs in the dedup stage (``repeated_notice`` in
``globewire.dedup_notices``).

Thresholds are set by hand from the hand-written fixtures in ``tests/fixtures/nonarticles`` and checked for
false positives on 439 real article pages (``globewire bench nonarticles``: ../shared fundus-pages and
extraction-aeb): see the constants.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any, Literal
from urllib.parse import urljoin, urlsplit

from lxml import etree
from lxml import html as lxml_html

from globewire.extract.page import PageMeta, clean_text, text_key
from globewire.extract.rules import select

Kind = Literal["antibot", "consent", "paywall", "error_page", "index_page", "repeated_notice"]
KINDS: tuple[str, ...] = ("antibot", "consent", "paywall", "error_page", "index_page", "repeated_notice")


def reason_of(kind: str) -> str:
    """The failure reason recorded for a non-article of ``kind`` (``not_article:antibot`` ...)."""
    return f"not_article:{kind}"


# --------------------------------------------------------------------------- thresholds (hand-set, see module doc)

# A body longer than this is an article whatever else the page carries: the longest anti-bot, consent, error or
# paywall notice among the fixtures is ~900 characters; the shortest real article body in the 439 benchmark
# pages that carries a paywall or captcha widget is far longer.
NOTICE_MAX_CHARS = 1500
# A paywall teaser: the free part of a paywalled article. Real paywalled pages in the benchmarks ship the whole
# text in the HTML (isAccessibleForFree=false, full body); a teaser keeps one or two paragraphs.
TEASER_MAX_CHARS = 700
# The paid part of a paywalled article (JSON-LD hasPart cssSelector) counts as shipped in the HTML with at
# least this much text: then the page is the whole article, whatever isAccessibleForFree says.
PAID_PART_MIN_CHARS = 200
# Share of the body's characters found inside challenge / consent / paywall containers for the body to *be*
# that widget.
WIDGET_BODY_SHARE = 0.5
# Section pages: at least this many distinct links with headline-like text (20-200 characters) to other pages
# of the site ...
INDEX_MIN_TEASERS = 8
# ... and at least this share of the body's characters are link texts (a teaser list), ...
INDEX_BODY_LINK_SHARE = 0.5
# ... or, on a page without article metadata, at least this many teasers and no paragraph longer than
# INDEX_MAX_PARAGRAPH characters (the body is a list of teaser summaries).
INDEX_BARE_MIN_TEASERS = 15
INDEX_MAX_PARAGRAPH = 300
# A "bare" page: no article metadata and at most this many links of any kind (no site navigation at all):
# the shape of block pages served by a web application firewall or a CDN instead of the site.
BARE_MAX_LINKS = 4
# Headline-like link text.
TEASER_MIN_CHARS, TEASER_MAX_CHARS = 20, 200

# --------------------------------------------------------------------------- structural markers (identifiers)

# Class/id tokens of widgets. These are code identifiers (vendor and widget names), not prose.
_CHALLENGE_ID = re.compile(
    r"captcha|cf-chl|cf-challenge|challenge-(?:form|platform|body|running|stage|error)|cf-browser-verification|"
    r"cf-error-details|cf-wrapper|ddos-guard|px-captcha|perimeterx|datadome|incapsula|turnstile|geetest|"
    r"bot-?(?:check|detection|protection|wall)|human-?verification|verify-?human|waf-block|block-?page|"
    r"access-?denied|request-?blocked|sucuri",
    re.IGNORECASE,
)
_CHALLENGE_SRC = re.compile(
    r"/cdn-cgi/challenge-platform|captcha|turnstile|geetest|datadome|perimeterx|px-cdn|/_incapsula_resource|"
    r"ddos-guard|/cdn-cgi/bm/|awswaf|kpsdk|sucuri|__cf_chl",
    re.IGNORECASE,
)
_CONSENT_ID = re.compile(
    r"consent|cookie|gdpr|\bcmp\b|cmp-|onetrust|didomi|usercentrics|quantcast|sp_message|sp-message|truste|"
    r"cookiebot|borlabs|iubenda|privacy-?(?:wall|banner|center|manager)|qc-cmp|fc-consent|cc-window",
    re.IGNORECASE,
)
# The teaser rule (a short body beside a paywall) takes only the paywall widgets themselves, not generic
# subscription banners that sit beside short real articles too.
_PAYWALL_STRONG = re.compile(
    r"paywall|pay-wall|regwall|registration-?wall|piano|tp-modal|tp-container|laterpay|pelcro|zephr|poool|"
    r"content-?gate|article-?locked|locked-?content|premium-?(?:wall|gate|lock)",
    re.IGNORECASE,
)
_PAYWALL_ID = re.compile(
    r"paywall|pay-wall|regwall|registration-?wall|piano|tp-modal|tp-container|meter(?:ed)?-|subscri(?:be|ption)-?"
    r"(?:wall|prompt|offer|gate|box|banner)|premium-?(?:wall|gate|teaser|lock|banner|content-teaser)|"
    r"plus-?(?:teaser|paywall)|abo-?(?:teaser|wall|promo)|article-?(?:locked|gate|teaser)|locked-?content|"
    r"content-?gate|laterpay|pelcro|zephr|poool|steady-?paywall|cxense-?paywall",
    re.IGNORECASE,
)
# Skeleton elements whose text is never a page's own content.
_SKIP = frozenset({"script", "style", "noscript", "template", "head", "title", "meta", "link", "svg", "iframe"})
_STATUS_IN_TITLE = re.compile(r"(?<![\d.,:/-])(?:40[0-9]|41[0-9]|429|45[01]|50[0-4]|520|52[1-6])(?![\d.,:/-])")
ARTICLE_OG_TYPES = ("article", "news", "blog", "liveblog", "video.episode")
COLLECTION_TYPES = frozenset({"collectionpage", "itemlist", "searchresultspage", "sitenavigationelement", "profilepage"})

# A small multilingual hint list, used only on top of structural evidence (see module doc): phrases that block,
# error and consent pages print. Lower case; matched as substrings of the case-folded title + body.
HINTS: dict[str, tuple[str, ...]] = {
    "antibot": (
        "captcha", "access denied", "are you a robot", "not a robot", "verify you are human", "checking your browser",
        "unusual traffic", "request blocked", "enable javascript and cookies", "odmowa dostępu", "dostęp zablokowany",
        "zugriff verweigert", "kein roboter", "accès refusé", "vous n'êtes pas un robot", "acceso denegado",
        "no eres un robot", "acesso negado", "accesso negato", "アクセスが拒否", "ロボットではありません", "访问被拒绝",
        "доступ запрещен", "доступ запрещён", "erişim engellendi", "toegang geweigerd", "přístup odepřen",
        "nie jestem robotem", "no soy un robot", "non sono un robot", "je ne suis pas un robot", "não sou um robô",
        "я не робот", "robot değilim", "ik ben geen robot", "nejsem robot", "nem vagyok robot",
    ),
    "error_page": (
        "page not found", "page no longer available", "seite nicht gefunden", "seite wurde nicht gefunden",
        "page introuvable", "página no encontrada", "página não encontrada", "pagina non trovata",
        "nie znaleziono strony", "strona nie istnieje", "ページが見つかりません", "ページは見つかりませんでした",
        "页面不存在", "找不到页面", "страница не найдена", "sayfa bulunamadı", "pagina niet gevonden",
        "페이지를 찾을 수 없", "الصفحة غير موجودة", "पृष्ठ नहीं मिला",
    ),
    "consent": (
        "cookie", "consent", "zustimmen", "einwilligung", "accepter", "consentement", "aceptar", "consentimiento",
        "aceitar", "accetta", "zgod", "akceptuj", "同意", "согласие",
    ),
    "paywall": (
        "subscribe", "subscription", "abonnieren", "abo ", "abonnez", "abonnement", "suscríbete", "suscripción",
        "assine", "assinatura", "abbonati", "prenumerat", "購読", "会員登録", "订阅", "подписк",
    ),
}


@dataclass(frozen=True, slots=True)
class Verdict:
    """Why a page is not an article."""

    kind: Kind
    evidence: tuple[str, ...]

    @property
    def reason(self) -> str:
        return reason_of(self.kind)

    @property
    def detail(self) -> str:
        return "; ".join(self.evidence)


@dataclass
class PageShape:
    """What the classifier reads of a page (exposed for tests and the benchmark)."""

    title: str = ""
    h1: list[str] = field(default_factory=list)
    links: int = 0
    teasers: int = 0  # distinct same-site links with headline-like text
    link_text_keys: set[str] = field(default_factory=set)
    forms: int = 0
    inputs: int = 0  # visible inputs (not hidden)
    challenge_markers: list[str] = field(default_factory=list)
    consent_text: str = ""
    paywall_text: str = ""
    paywall_widget_text: str = ""  # inside the paywall widgets proper (_PAYWALL_STRONG)
    challenge_text: str = ""
    noscript_text: str = ""
    article_meta: bool = False
    collection_type: bool = False
    free: bool | None = None  # JSON-LD isAccessibleForFree
    paid_part_shipped: bool = False  # the elements JSON-LD names as the paid part are in the HTML, with text


def _idclass(el: etree._Element) -> str:
    return f"{el.get('id') or ''} {el.get('class') or ''}"


_WITH_ID_OR_CLASS = etree.XPath("//*[@class or @id]")


def _widget_texts(tree: lxml_html.HtmlElement, patterns: dict[str, re.Pattern[str]]) -> tuple[dict[str, str], dict[str, str]]:
    """For each pattern: the visible text of the outermost elements whose id/class matches it (nested matches
    counted once), and the first matching id/class token. One pass over the tree; only elements with an id or
    class are tested."""
    found: dict[str, set[etree._Element]] = {k: set() for k in patterns}
    first: dict[str, str] = {}
    parts: dict[str, list[str]] = {k: [] for k in patterns}
    for el in _WITH_ID_OR_CLASS(tree):  # document order: an ancestor comes before its descendants
        if el.tag in _SKIP or el.tag in ("html", "body"):
            continue
        idclass = _idclass(el)
        if not idclass.strip():
            continue
        for name, pattern in patterns.items():
            if m := pattern.search(idclass):
                first.setdefault(name, m.group(0).lower())
                inside = any(a in found[name] for a in el.iterancestors())
                found[name].add(el)
                if not inside:
                    parts[name].append(_visible_text(el))
    return {k: "\n".join(p for p in v if p) for k, v in parts.items()}, first


def _visible_text(el: etree._Element) -> str:
    out: list[str] = []

    def walk(node: etree._Element) -> None:
        if isinstance(node.tag, str) and node.tag not in _SKIP:
            if node.text:
                out.append(node.text)
            for c in node:
                walk(c)
            out.append("\n")
        if node.tail:
            out.append(node.tail)

    walk(el)
    return "\n".join(t for t in (clean_text(x) for x in "".join(out).split("\n")) if t)


def _bare_host(url: str) -> str:
    host = (urlsplit(url).hostname or "").lower()
    return host[4:] if host.startswith("www.") else host


def _paid_selectors(pm: PageMeta) -> list[str]:
    out: list[str] = []
    for obj in pm.jsonld:
        parts = obj.get("hasPart")
        for part in parts if isinstance(parts, list) else [parts]:
            if isinstance(part, dict) and isinstance(part.get("cssSelector"), str):
                out.append(part["cssSelector"])
    return out


def _jsonld_flags(pm: PageMeta) -> tuple[bool, bool | None]:
    types: set[str] = set()
    free: bool | None = None
    for obj in pm.jsonld:
        t = obj.get("@type")
        for x in t if isinstance(t, list) else [t]:
            if x:
                types.add(str(x).lower().rsplit("/", 1)[-1])
        v = obj.get("isAccessibleForFree")
        if isinstance(v, str):
            v = {"false": False, "true": True}.get(v.strip().lower())
        if isinstance(v, bool) and (free is None or v is False):
            free = v
    return bool(types & COLLECTION_TYPES) and pm.article is None, free


def read_shape(tree: lxml_html.HtmlElement, pm: PageMeta, url: str, *, full: bool = True) -> PageShape:
    """The page's shape; without ``full`` only links, teasers and declarations (all a long body needs)."""
    s = PageShape()
    s.title = clean_text(next((t.text_content() for t in tree.iter("title")), ""))
    s.h1 = [t for t in (clean_text(h.text_content()) for h in tree.iter("h1")) if t]
    host = _bare_host(url)
    targets: set[str] = set()
    for a in tree.iter("a"):
        href = a.get("href") or ""
        if not href or href.startswith(("#", "javascript:", "mailto:")):
            continue
        s.links += 1
        text = clean_text(a.text_content())
        if text:
            s.link_text_keys.add(text_key(text))
        if TEASER_MIN_CHARS <= len(text) <= TEASER_MAX_CHARS:
            try:
                target = urljoin(url, href)
            except ValueError:
                continue
            parts = urlsplit(target)
            if _bare_host(target) in (host, "") and parts.path.strip("/") and target.split("#")[0] != url.split("#")[0]:
                targets.add(parts.path.rstrip("/"))
    s.teasers = len(targets)
    if not full:
        return _declared(s, tree, pm)
    s.forms = sum(1 for _ in tree.iter("form"))
    for el in tree.iter("input", "textarea", "button"):
        if (el.get("type") or "").lower() != "hidden":
            s.inputs += 1
    for el in tree.iter("script", "iframe", "form", "link"):
        src = el.get("src") or el.get("action") or el.get("href") or ""
        if el.tag == "script" and not src:
            src = (el.text or "")[:4000]
        m = _CHALLENGE_SRC.search(src)
        if m:
            s.challenge_markers.append(f"{el.tag}:{m.group(0).lower()}")
    texts, first = _widget_texts(tree, {"challenge": _CHALLENGE_ID, "consent": _CONSENT_ID, "paywall": _PAYWALL_ID,
                                 "paywall_widget": _PAYWALL_STRONG})
    s.challenge_text, s.consent_text = texts["challenge"], texts["consent"]
    s.paywall_text, s.paywall_widget_text = texts["paywall"], texts["paywall_widget"]
    if "challenge" in first:
        s.challenge_markers.append(f"class:{first['challenge']}")
    s.noscript_text = " ".join(clean_text(n.text_content()) for n in tree.iter("noscript"))
    return _declared(s, tree, pm)


def _declared(s: PageShape, tree: lxml_html.HtmlElement, pm: PageMeta) -> PageShape:
    og_type = pm.first("og:type").lower()
    s.article_meta = (
        pm.article is not None
        or any(og_type.startswith(t) for t in ARTICLE_OG_TYPES)
        or bool(pm.first("article:published_time", "article:modified_time", "datepublished"))
    )
    s.collection_type, s.free = _jsonld_flags(pm)
    if s.free is False:
        s.paid_part_shipped = any(
            len(_visible_text(el)) >= PAID_PART_MIN_CHARS for sel in _paid_selectors(pm) for el in select(tree, sel))
    return s


def _lines(text: str) -> list[str]:
    return [ln.strip() for ln in text.split("\n") if ln.strip()]


def _share_inside(body_lines: list[str], container_text: str) -> float:
    """Share of the body's characters whose line occurs in ``container_text`` (compared as text keys)."""
    if not container_text or not body_lines:
        return 0.0
    inside = text_key(container_text)
    total = sum(len(ln) for ln in body_lines)
    hit = sum(len(ln) for ln in body_lines if (k := text_key(ln)) and k in inside)
    return hit / max(total, 1)


def _hint(kind: str, text: str) -> str | None:
    folded = text.casefold()
    return next((h for h in HINTS[kind] if h in folded), None)


def _link_share(body_lines: list[str], link_keys: set[str]) -> float:
    total = sum(len(ln) for ln in body_lines)
    hit = sum(len(ln) for ln in body_lines if text_key(ln) in link_keys)
    return hit / max(total, 1)


def classify(tree: lxml_html.HtmlElement, pm: PageMeta, url: str, body: str, *, title: str = "",
             http_status: int | None = None) -> Verdict | None:
    """The reason ``body`` (extracted from ``tree``) is not an article, or None for an article.

    ``http_status`` is the response status when known (a non-2xx page is an error page whatever it says)."""
    chars = sum(len(ln) for ln in _lines(body))
    shape = read_shape(tree, pm, url, full=chars <= NOTICE_MAX_CHARS)
    return classify_shape(shape, body, title=title, http_status=http_status)


def classify_shape(s: PageShape, body: str, *, title: str = "", http_status: int | None = None) -> Verdict | None:
    lines = _lines(body)
    chars = sum(len(ln) for ln in lines)
    longest = max((len(ln) for ln in lines), default=0)
    heads = " ".join([title, s.title, *s.h1[:2]])
    if http_status is not None and not 200 <= http_status < 300:
        return Verdict("error_page", (f"http status {http_status}",))
    if chars > NOTICE_MAX_CHARS:
        return _index_verdict(s, lines, chars, longest)
    bare = not s.article_meta and s.links <= BARE_MAX_LINKS

    # Anti-bot: the body is the challenge widget, or a challenge script on a bare page (a captcha in a
    # comment or newsletter form of a real article page is neither).
    share = _share_inside(lines, s.challenge_text)
    if s.challenge_markers and (share >= WIDGET_BODY_SHARE or bare):
        return Verdict("antibot", (f"challenge markers {sorted(set(s.challenge_markers))[:3]}",
                                   f"{share:.0%} of body in challenge elements", f"{chars} body chars"))
    if bare and (h := _hint("antibot", f"{heads}\n{body}\n{s.noscript_text}")):
        return Verdict("antibot", (f"bare page ({s.links} links, no article metadata)", f"hint {h!r}", f"{chars} body chars"))

    # Consent wall: the body is the consent manager's text.
    share = _share_inside(lines, s.consent_text)
    if share >= WIDGET_BODY_SHARE:
        return Verdict("consent", (f"{share:.0%} of body in consent-manager elements", f"{chars} body chars"))

    # Paywall teaser: declared not free (or a paywall widget holds the body) and only a teaser is left.
    share = _share_inside(lines, s.paywall_text)
    if share >= WIDGET_BODY_SHARE:
        return Verdict("paywall", (f"{share:.0%} of body in paywall elements", f"{chars} body chars"))
    if chars <= TEASER_MAX_CHARS and (s.free is False and not s.paid_part_shipped or len(s.paywall_widget_text) >= 40):
        why = "isAccessibleForFree=false, paid part not in page" if s.free is False else "paywall elements on page"
        return Verdict("paywall", (why, f"teaser of {chars} body chars"))

    # Error page: a status code in the title/h1 on a page without article metadata.
    if not s.article_meta:
        m = _STATUS_IN_TITLE.search(heads)
        if m:
            return Verdict("error_page", (f"status {m.group(0)} in title/h1", "no article metadata", f"{chars} body chars"))
        if (h := _hint("error_page", heads)) and (bare or longest < INDEX_MAX_PARAGRAPH and chars <= TEASER_MAX_CHARS):
            return Verdict("error_page", (f"title/h1 hint {h!r}", "no article metadata", f"longest paragraph {longest}"))
    return _index_verdict(s, lines, chars, longest)


def _index_verdict(s: PageShape, lines: list[str], chars: int, longest: int) -> Verdict | None:
    if s.teasers < INDEX_MIN_TEASERS:
        return None
    share = _link_share(lines, s.link_text_keys)
    if share >= INDEX_BODY_LINK_SHARE and (not s.article_meta or s.collection_type):
        return Verdict("index_page", (f"{s.teasers} teaser links", f"{share:.0%} of body is link text"))
    if s.collection_type and longest < INDEX_MAX_PARAGRAPH:
        return Verdict("index_page", (f"{s.teasers} teaser links", "collection type declared", f"longest paragraph {longest}"))
    if not s.article_meta and s.teasers >= INDEX_BARE_MIN_TEASERS and longest < INDEX_MAX_PARAGRAPH:
        return Verdict("index_page", (f"{s.teasers} teaser links", "no article metadata", f"longest paragraph {longest}"))
    return None


def verdict_json(v: Verdict | None) -> dict[str, Any] | None:
    return None if v is None else {"kind": v.kind, "reason": v.reason, "evidence": list(v.evidence)}


def kinds_summary(verdicts: Iterable[Verdict | None]) -> dict[str, int]:
    out: dict[str, int] = {}
    for v in verdicts:
        k = v.kind if v else "article"
        out[k] = out.get(k, 0) + 1
    return dict(sorted(out.items()))



# --------------------------------------------------------------------------- repetition across URLs

# A text is a notice when at least this many distinct URLs delivered it ...
REPEAT_MIN_URLS = 3
# ... it is short (a notice; wire stories republished by several outlets are usually longer, and are
# linked as copies by the dedup stage, not rejected) ...
REPEAT_MAX_CHARS = NOTICE_MAX_CHARS
# ... and either one site delivered it under this many different URLs with one title (a site does not publish
# one text under one headline three times; canonical variants are already one URL) ...
REPEAT_SAME_SITE_URLS = 3
# ... or for at least this share of the copies the page's title has nothing to do with the text (the
# article's own headline, from its metadata, above a notice): fewer than TITLE_IN_BODY_MIN of the title's
# words (or, for scripts written without spaces, of its character 3-grams) occur in the text. A wire copy's
# headline is about its text: on the hand-written fixtures such titles share 0.5-1.0 of their words with
# the body, titles above a notice 0-0.1.
UNRELATED_TITLE_SHARE = 0.5
TITLE_IN_BODY_MIN = 0.25

_WORDS = re.compile(r"\w{4,}", re.UNICODE)
# A URL's slug ("/koronawirus-w-pyrzowicach-28latek-...") names its article like a title does; records imported
# without a title, or whose title was taken from the text itself, are judged by their slug. A slug of fewer
# than SLUG_MIN_WORDS words (ids, dates, "index.html") says nothing.
SLUG_MIN_WORDS = 3
SLUG_PREFIX = 5
# A copy counts as unrelated by its slug only when none of the slug's words is in the text: a slug in
# another language than the text (an English slug over a German page) still shares its names.
SLUG_UNRELATED_MAX = 0.0
_SLUG_WORD = re.compile(r"[^\W\d_]{4,}", re.UNICODE)


def slug_in_body(url: str, body: str) -> float | None:
    """Share of the URL path's words (4+ letters) that the body also has (compared by their first
    SLUG_PREFIX letters, the body also transliterated, so "koronawirus" meets "koronawirusa" and a Latin slug
    meets a Cyrillic text); None when the path has too few words or is a local file's."""
    from anyascii import anyascii

    words = _slug_words(url)
    if words is None:
        return None
    body_words = {w.casefold()[:SLUG_PREFIX] for w in _WORDS.findall(body + " " + anyascii(body))}
    return sum(w[:SLUG_PREFIX] in body_words for w in words) / len(words)


def _slug_words(url: str, *, slug_only: bool = False) -> set[str] | None:
    """The words (4+ letters, case-folded) of an http(s) address's path (with ``slug_only``, of its wordiest
    segment: the slug, not the section names before it); None when there are too few."""
    from urllib.parse import unquote, urlsplit

    try:
        parts = urlsplit(url)
    except ValueError:  # "http://[::1" and the like: no words to read
        return None
    if parts.scheme not in ("http", "https"):
        return None  # a local file's path names a folder, not an article
    path = unquote(parts.path)
    if slug_only:
        path = max(path.split("/"), key=lambda seg: len(_SLUG_WORD.findall(seg)))
    words = {w.casefold() for w in _SLUG_WORD.findall(path)} - {"html", "index", "news", "article"}
    return words if len(words) >= SLUG_MIN_WORDS else None


def slug_words_end(url: str, body: str) -> int | None:
    """Where in ``body`` the last word that its address's slug (not its section names: "/polityka/" would
    meet "polityce prywatności") also has ends, words compared as in ``slug_in_body``; 0 when none is there,
    None when the slug has too few words."""
    from anyascii import anyascii

    words = _slug_words(url, slug_only=True)
    if words is None:
        return None
    keys = {w[:SLUG_PREFIX] for w in words}
    end = 0
    for m in _WORDS.finditer(body):
        w = m.group(0).casefold()
        if w[:SLUG_PREFIX] in keys or anyascii(w)[:SLUG_PREFIX] in keys:
            end = m.end()
    return end


@dataclass(frozen=True, slots=True)
class Repetition:
    """A repeated notice: the verdict and the stored copies to remove."""

    verdict: Verdict
    copies: tuple[int, ...]


def title_in_body(title: str, body: str) -> float:
    """Share of the title's words (4+ letters; character 3-grams for unspaced scripts) found in the body."""
    words = {w.casefold() for w in _WORDS.findall(title)}
    if len(words) >= 2:
        body_words = {w.casefold() for w in _WORDS.findall(body)}
        return sum(w in body_words for w in words) / len(words)
    key, body_key = text_key(title), text_key(body)
    grams = {key[i : i + 3] for i in range(max(len(key) - 2, 0))}
    if not grams:
        return 1.0  # no title: nothing says the text is unrelated to it
    return sum(g in body_key for g in grams) / len(grams)


def judge_repetition(copies: list[dict[str, Any]], text: str) -> Verdict | None:
    """Is ``text``, stored or arriving as ``copies`` (dicts with ``canonical_url`` and ``title``), a notice?"""
    urls = {c["canonical_url"] for c in copies}
    if len(urls) < REPEAT_MIN_URLS or len(text) > REPEAT_MAX_CHARS:
        return None
    per_site: dict[str, set[str]] = {}
    site_titles: dict[str, set[str]] = {}
    for c in copies:
        host = _bare_host(c["canonical_url"])
        if host:  # local files (file:) name no site
            per_site.setdefault(host, set()).add(c["canonical_url"])
            site_titles.setdefault(host, set()).add(text_key(c.get("title") or ""))
    # One site, one title, one text under several URLs: a notice page. (Reports from one template carry their
    # own titles: "Einbruch in Nordheim", "Einbruch in Waldbrunn".)
    most = max((len(v) for h, v in per_site.items() if len(site_titles[h]) == 1), default=0)
    by_url = {c["canonical_url"]: c.get("title") or "" for c in copies}

    def unrelated_copy(url: str, title: str) -> bool:
        slug = slug_in_body(url, text)
        return title_in_body(title, text) < TITLE_IN_BODY_MIN or (slug is not None and slug <= SLUG_UNRELATED_MAX)

    unrelated = sum(unrelated_copy(u, t) for u, t in by_url.items()) / len(by_url)
    if most >= REPEAT_SAME_SITE_URLS or unrelated >= UNRELATED_TITLE_SHARE:
        return Verdict("repeated_notice", (
            f"same text from {len(urls)} URLs on {len(per_site)} site(s)", f"up to {most} URLs with one title on one site",
            f"{unrelated:.0%} of titles or URLs unrelated to the text", f"{len(text)} chars"))
    return None


def repeated_notice(store: Any, article: Any) -> Repetition | None:
    """The dedup stage's test of an incoming article (``content_hash``/``minhash``/``duplicate_of`` set):
    a text already known as a notice, or one that the store now holds from enough unrelated URLs."""
    from globewire import dedup  # (dedup imports records only)

    known = store.notice_by_hash(article.content_hash)
    if known is None and article.minhash is not None:
        m = dedup.minhash_from_bytes(article.minhash)
        for row in store.notice_signatures():
            if float(m.jaccard(dedup.minhash_from_bytes(bytes(row["minhash"])))) >= dedup.NEAR_DUP_THRESHOLD:
                known = row
                break
    if known is None and article.duplicate_of is None:
        return None  # no other stored article carries this text (the dedup stage links every copy it finds)
    copies = store.text_copies(article.content_hash, article.duplicate_of)
    others = [c for c in copies if c["canonical_url"] != article.canonical_url]
    if known is not None:
        seen = Verdict("repeated_notice", (f"text known as a notice ({known['kind']})",))
        return Repetition(seen, tuple(int(c["id"]) for c in others))
    rows = [*others, {"canonical_url": article.canonical_url, "title": article.title}]
    v = judge_repetition(rows, article.text)
    if v is None:
        return None
    store.record_notice(article.content_hash, article.minhash, v.kind, urls=len({r["canonical_url"] for r in rows}),
                        sample_url=article.canonical_url)
    return Repetition(v, tuple(int(c["id"]) for c in copies))


def purge_repeated_notices(store: Any, *, dry_run: bool = False) -> list[dict[str, Any]]:
    """The repair path for a store filled before (or without) the repetition test: every stored text held
    from ``REPEAT_MIN_URLS`` or more URLs is judged; notices are removed from the store and their stories
    (recorded as ``dedup``/``not_article:repeated_notice`` failures) and remembered. Returns what was found."""
    found: list[dict[str, Any]] = []
    for root in store.repeated_text_roots(REPEAT_MIN_URLS):
        head = store.text_copies("", root)
        if not head:
            continue
        original = next((c for c in head if int(c["id"]) == root), head[0])
        copies = store.text_copies(original["content_hash"], root)
        v = judge_repetition(copies, original["text"] or "")
        if v is None:
            continue
        ids = sorted(int(c["id"]) for c in copies)
        item = {"root": root, "article_ids": ids, "sample_url": original["canonical_url"],
                "evidence": list(v.evidence), "stories": []}
        if not dry_run:
            sig = original.get("minhash")
            store.record_notice(original["content_hash"], bytes(sig) if sig is not None else None, v.kind, urls=len(ids),
                                sample_url=original["canonical_url"])
            item["stories"] = store.remove_not_articles(ids, stage="dedup", reason=v.reason, detail=v.detail)
        found.append(item)
    return found


# --------------------------------------------------------------------------- registration forms in text

# A text that is a registration or trial form copied with its drop-down lists ("... Email address First Name
# Last Name Organisation ... Country ––– Ukraine Uruguay United States of America Uzbekistan Vanuatu Vatican City
# Venezuela Vietnam Yemen Zambia Zimbabwe ...") arrives without markup, so no widget test sees it. Its shape
# gives it away in any language: a run of place names with no punctuation between them. Prose lists places
# with commas or "and"; a drop-down's options have nothing between them. A window of OPTION_WINDOW_WORDS words
# inside one unpunctuated stretch holding at least OPTION_MIN_PLACES country or big-city names is such a list.
# Set by hand: the two SemEval-2022 texts of one research firm's trial form hold 11-12 such names in 20 words;
# no article of the 258 fundus pages or the 1,982 SemEval texts holds more than OPTION_MIN_PLACES - 1 (measured
# when set: see tests/test_nonarticle_forms.py). A text whose rest (without its lists) is longer than
# NOTICE_MAX_CHARS is an article with a form below it and is kept.
OPTION_WINDOW_WORDS = 20
OPTION_MIN_PLACES = 8
# A text longer than this is not taken for a form without looking (a form with every country of the world in
# its list is ~5,000 characters): it bounds the work on a hostile text of capitalised words (2 MB: ~7 s).
FORM_MAX_CHARS = 20_000
_UNPUNCTUATED = re.compile(r"[^.,;:!?()\[\]{}\"“”„«»|/\n]+")
_TOKEN = re.compile(r"\S+")


def option_lists(text: str, count_place_names: Callable[[str], int]) -> list[tuple[int, int, int]]:
    """The drop-down lists of place names in ``text``: (start, end, place names) character spans.
    ``count_place_names``: how many place names a text holds (the pipeline passes the event signatures'
    gazetteer, ``clustering.signature.count_place_names``; extraction does not depend on clustering)."""
    out: list[tuple[int, int, int]] = []
    for piece in _UNPUNCTUATED.finditer(text):
        tokens = list(_TOKEN.finditer(piece.group(0)))
        if len(tokens) < OPTION_MIN_PLACES:
            continue
        best: tuple[int, int, int] | None = None
        step = OPTION_WINDOW_WORDS // 2
        for i in range(0, max(len(tokens) - OPTION_WINDOW_WORDS, 0) + 1, step):
            window = tokens[i : i + OPTION_WINDOW_WORDS]
            if sum(t.group(0)[:1].isupper() for t in window) < OPTION_MIN_PLACES:
                continue  # (cheap test first: every option is capitalised)
            start, end = window[0].start(), window[-1].end()
            n = count_place_names(piece.group(0)[start:end])
            if n >= OPTION_MIN_PLACES:
                span = (piece.start() + start, piece.start() + end, n)
                best = span if best is None else (min(best[0], span[0]), max(best[1], span[1]), max(best[2], n))
        if best is not None:
            out.append(best)
    return out


def form_verdict(text: str, count_place_names: Callable[[str], int]) -> Verdict | None:
    """A text that is a form with a drop-down list of places (see OPTION_MIN_PLACES), not an article."""
    if len(text) > FORM_MAX_CHARS:
        return None
    lists = option_lists(text, count_place_names)
    if not lists:
        return None
    rest = len(text) - sum(end - start for start, end, _ in lists)
    if rest > NOTICE_MAX_CHARS:
        return None
    most = max(n for _, _, n in lists)
    return Verdict("paywall", (f"a registration form: a list of {most} place names in {OPTION_WINDOW_WORDS} words"
                               " with no punctuation (a drop-down list)",))


# --------------------------------------------------------------------------- one text, no markup

# Kinds of notice a text without markup is judged a notice of by its words alone (with its address): a page
# that blocks a robot or says the page is gone. Consent and paywall words also sit inside real articles
# ("Subscribe to our newsletter", a report on cookie law), so they are not enough on their own.
TEXT_NOTICE_KINDS: tuple[Kind, ...] = ("antibot", "error_page")


# A wall under the article's headline ("Media: Negocjacje handlowe USA … przełożone Aby poprawić swoją
# witrynę … pliki cookie … Zaakceptuj"): the words the address shares with the text all stand in its first
# WALL_TITLE_SHARE (the headline), and the rest holds at least WALL_MIN_HINTS different consent, paywall or
# anti-bot phrases. Set on the 1,982 SemEval-2022 texts: the 5 texts this takes are all walls (consent x4, a
# subscription how-to); with one phrase, real articles were taken too (a report whose body does not repeat
# its slug's words, with "subscribe" in a share line).
WALL_TITLE_SHARE = 0.3
WALL_MIN_HINTS = 2
WALL_KINDS: tuple[Kind, ...] = ("consent", "paywall", "antibot")


def text_notice_verdict(text: str, url: str | None) -> Verdict | None:
    """A short text with no markup to read (imported or pasted) that is what the crawler was shown instead
    of the article its address names: an anti-bot or error page's words (``HINTS``) under an address whose
    slug shares no word with it (``slug_in_body``: "Przykro nam, ale z adresu IP … NIE JESTEM ROBOTEM" at
    /koronawirus-w-pyrzowicach-…), or the article's headline above a consent or subscription wall (see
    WALL_TITLE_SHARE). A report about captchas or cookies has its slug's words all through its text."""
    if not url or len(text) > NOTICE_MAX_CHARS:
        return None
    low = text.casefold()
    for kind in TEXT_NOTICE_KINDS:
        hits = [h for h in HINTS[kind] if h in low]
        if not hits:
            continue
        slug = slug_in_body(url, text)
        if slug is not None and slug <= SLUG_UNRELATED_MAX:
            return Verdict(kind, (f"the text says {hits[0]!r}", "its address's words are not in it",
                                  f"{len(text)} chars"))
    end = slug_words_end(url, text)
    if end is None or end > WALL_TITLE_SHARE * len(text):
        return None
    rest = low[end:]
    found = {kind: [h for h in HINTS[kind] if h in rest] for kind in WALL_KINDS}
    if sum(len(v) for v in found.values()) < WALL_MIN_HINTS:
        return None
    kind = max(WALL_KINDS, key=lambda k: len(found[k]))
    return Verdict(kind, (f"the address's words end at character {end} of {len(text)}",
                          "the rest says " + ", ".join(repr(h) for k in WALL_KINDS for h in found[k])))


def text_verdict(text: str, url: str | None, count_place_names: Callable[[str], int]) -> Verdict | None:
    """What a text tells of itself without markup: a form (``form_verdict``) or a notice
    (``text_notice_verdict``); None for an article."""
    return form_verdict(text, count_place_names) or text_notice_verdict(text, url)


def purge_text_notices(store: Any, count_place_names: Callable[[str], int], *, dry_run: bool = False) -> list[dict[str, Any]]:
    """The repair path for a store filled before the form and notice tests: every stored text that
    ``text_verdict`` takes for a form or a notice is removed from the store and its story (recorded as a
    ``dedup`` failure). Returns what was found."""
    found: list[dict[str, Any]] = []
    for a in store.iter_articles():
        v = text_verdict(a.text or "", a.canonical_url or a.url, count_place_names)
        if v is None or a.id is None:
            continue
        item = {"root": a.id, "article_ids": [a.id], "sample_url": a.canonical_url, "evidence": list(v.evidence),
                "stories": []}
        if not dry_run:
            item["stories"] = store.remove_not_articles([a.id], stage="dedup", reason=v.reason, detail=v.detail)
        found.append(item)
    return found
