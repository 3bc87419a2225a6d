"""URL normalisation for links, GUIDs and seen-item keys.

``normalise_url`` gives a fetchable, stable form:
  * scheme and host lower-cased, IDNA hosts in punycode, default ports dropped, trailing dot dropped;
  * dot-segments resolved, percent-escapes upper-cased and unreserved characters decoded, empty path -> ``/``;
  * fragment dropped (news sites never serve different articles by fragment);
  * tracking parameters dropped (:data:`TRACKING_PARAMS`, ``utm_*`` and friends; ``ref``/``ref_src`` only when
    the value names a referrer such as ``twitter`` or a host name), remaining parameters sorted;
  * ``index.html`` is KEPT: some servers serve something else at ``/`` than at ``/index.html``, and the
    article's own ``<link rel=canonical>`` settles such cases later.
Non-http(s) URLs come back stripped of surrounding whitespace and otherwise unchanged.

``canonical_variants`` additionally maps AMP and mobile variants to the desktop URL, and ``url_key`` is the
SHA-1 of that form with a leading ``www.`` and the http/https difference ignored.
"""

from __future__ import annotations

import hashlib
import posixpath
import re
from urllib.parse import parse_qsl, quote, unquote, urlencode, urljoin, urlsplit, urlunsplit

from globewire.textnorm import clean_text

TRACKING_PARAMS = frozenset(
    {
        "fbclid",
        "gclid",
        "gclsrc",
        "dclid",
        "gbraid",
        "wbraid",
        "msclkid",
        "yclid",
        "twclid",
        "ttclid",
        "li_fat_id",
        "igshid",
        "igsh",
        "mc_cid",
        "mc_eid",
        "ocid",
        "cmpid",
        "cmp",
        "_ga",
        "_gl",
        "_hsenc",
        "_hsmi",
        "hsctatracking",
        "mkt_tok",
        "vero_id",
        "vero_conv",
        "oly_enc_id",
        "oly_anon_id",
        "wt.mc_id",
        "wt_mc",
        "wt_zmc",
        "xtor",
        "smid",
        "smtyp",
        "ns_mchannel",
        "ns_source",
        "ns_campaign",
        "ns_linkname",
        "ns_fee",
        "at_medium",
        "at_campaign",
        "at_custom1",
        "at_custom2",
        "at_custom3",
        "at_custom4",
        "icid",
        "intcmp",
        "s_kwcid",
        "ito",
        "guccounter",
        "guce_referrer",
        "guce_referrer_sig",
        "ref_src",
        "ref_url",
        "__twitter_impression",
        "ftag",
        "sr_share",
        "share_source",
        "rss_source",
        "spm",
        "fb_action_ids",
        "fb_action_types",
        "fb_source",
        "fb_ref",
        "soc_src",
        "soc_trk",
        "trk",
        "trkcampaign",
        "sc_cid",
        "cid_source",
        "amp_js_v",
        "usqp",
    }
)
TRACKING_PREFIXES = ("utm_", "pk_", "mtm_", "hmb_", "at_", "ga_")

#: ``ref`` is meaningful on some sites (a git ref, a reference number) and tracking on others; it is
#: dropped when its value names a referrer.
_REF_TRACKING_VALUE = re.compile(
    r"^(tw|twitter|twtr|fb|facebook|ig|instagram|li|linkedin|rss|feed|newsletter|email|mail|homepage|hp|home|"
    r"share|social|sidebar|nav|footer|header|top|push|app|amp|[a-z0-9-]+(\.[a-z0-9-]+)+)[a-z0-9_.-]*$",
    re.IGNORECASE,
)

_DEFAULT_PORTS = {"http": 80, "https": 443}
_UNRESERVED = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~")
_PCT = re.compile(r"%([0-9A-Fa-f]{2})")


class UrlError(ValueError):
    """A URL that cannot be normalised (no host, bad port, bad IDNA name)."""


def is_http_url(url: str) -> bool:
    try:
        parts = urlsplit(url.strip())
    except ValueError:
        return False
    return parts.scheme.lower() in ("http", "https") and bool(parts.hostname)


def _fix_escapes(s: str, safe: str) -> str:
    """Upper-case escapes, decode escaped unreserved characters, escape what must be escaped."""

    def repl(m: re.Match[str]) -> str:
        ch = chr(int(m.group(1), 16))
        return ch if ch in _UNRESERVED else "%" + m.group(1).upper()

    s = _PCT.sub(repl, s)
    # quote everything else that is not allowed, keeping existing escapes
    return quote(s, safe=safe + "%")


def _host(hostname: str) -> str:
    h = hostname.strip().rstrip(".").lower()
    if not h:
        raise UrlError("empty host")
    if h.startswith("[") or ":" in h:
        return h if h.startswith("[") else f"[{h}]"
    if all(ord(c) < 128 for c in h):
        return h
    try:
        return h.encode("idna").decode("ascii")
    except UnicodeError:
        try:
            import idna

            return idna.encode(h, uts46=True).decode("ascii")
        except Exception as exc:  # idna raises several types
            raise UrlError(f"bad international host {hostname!r}: {exc}") from exc


def _path(path: str) -> str:
    if not path:
        return "/"
    trailing = path.endswith("/") or path.endswith("/.") or path.endswith("/..")
    norm = posixpath.normpath(path)
    if norm.startswith("//"):
        norm = "/" + norm.lstrip("/")
    if norm == ".":
        norm = "/"
    if trailing and not norm.endswith("/"):
        norm += "/"
    # keep meaningful repeated slashes out of it: normpath already collapsed them
    return _fix_escapes(norm, safe="/:@!$&'()*+,;=-._~")


def _is_tracking(name: str, value: str) -> bool:
    n = name.lower()
    if n in TRACKING_PARAMS or n.startswith(TRACKING_PREFIXES):
        return True
    if n == "ref":
        return bool(_REF_TRACKING_VALUE.match(value))
    return False


def _query(query: str) -> str:
    if not query:
        return ""
    pairs = parse_qsl(query, keep_blank_values=True)
    kept = [(k, v) for k, v in pairs if k and not _is_tracking(k, v)]
    kept.sort()
    return urlencode(kept, quote_via=quote, safe="/:@!$'()*,;-._~")


def normalise_url(url: str, base: str | None = None) -> str:
    """Normalised absolute form of ``url`` (resolved against ``base`` first). Raises UrlError."""
    url = clean_text(url).strip()  # no control characters, non-characters or lone surrogates in a URL
    if base:
        try:
            url = urljoin(clean_text(base).strip(), url)
        except ValueError as exc:
            raise UrlError(f"cannot resolve {url[:200]!r} against {base[:200]!r}: {exc}") from exc
    try:
        parts = urlsplit(url)
    except ValueError as exc:
        raise UrlError(f"unparseable URL {url[:200]!r}: {exc}") from exc
    scheme = parts.scheme.lower()
    if scheme not in _DEFAULT_PORTS:
        return url
    try:
        port = parts.port
    except ValueError as exc:
        raise UrlError(f"bad port in {url[:200]!r}") from exc
    if not parts.hostname:
        raise UrlError(f"no host in {url[:200]!r}")
    host = _host(unquote(parts.hostname))
    netloc = host if port is None or port == _DEFAULT_PORTS[scheme] else f"{host}:{port}"
    if parts.username or parts.password:
        userinfo = parts.username or ""
        if parts.password:
            userinfo += ":" + parts.password
        netloc = f"{userinfo}@{netloc}"
    return urlunsplit((scheme, netloc, _path(parts.path), _query(parts.query), ""))


# ------------------------------------------------------------------ AMP / mobile


_MOBILE_HOST_PREFIXES = ("amp.", "m.", "mobile.")
_AMP_QUERY = {("amp", "1"), ("amp", ""), ("amp", "true"), ("outputtype", "amp"), ("_amp", "true"), ("amp", "yes")}
_AMP_CACHE = re.compile(r"^/(?:amp/)?[cvi]/(?:s/)?(?P<rest>.+)$")


def _strip_amp_cache(url: str) -> str:
    """``https://www.google.com/amp/s/example.com/a`` or ``https://example-com.cdn.ampproject.org/c/s/example.com/a``."""
    parts = urlsplit(url)
    host = (parts.hostname or "").lower()
    if host.endswith(".cdn.ampproject.org"):
        m = _AMP_CACHE.match(parts.path)
        if m:
            secure = "/s/" in parts.path[:8]
            return normalise_url(
                ("https://" if secure else "http://") + m.group("rest") + (f"?{parts.query}" if parts.query else "")
            )
    if re.match(r"^(www\.)?google\.[a-z.]+$", host) and parts.path.startswith("/amp/"):
        rest = parts.path[len("/amp/") :]
        secure = rest.startswith("s/")
        rest = rest[2:] if secure else rest
        return normalise_url(("https://" if secure else "http://") + rest + (f"?{parts.query}" if parts.query else ""))
    return url


def canonical_variants(url: str) -> str:
    """Like :func:`normalise_url`, and AMP/mobile variants mapped to the desktop URL."""
    url = normalise_url(url)
    if not is_http_url(url):
        return url
    url = _strip_amp_cache(url)
    parts = urlsplit(url)
    netloc = parts.netloc
    host, sep, port = netloc.partition(":") if not netloc.startswith("[") else (netloc, "", "")
    for prefix in _MOBILE_HOST_PREFIXES:
        rest = host[len(prefix) :]
        if host.startswith(prefix) and rest.count(".") >= 1:
            host = rest if rest.startswith("www.") else "www." + rest
            break
    netloc = host + (sep + port if sep else "")
    path = parts.path
    if path.startswith("/amp/"):
        path = path[4:]
    if path.endswith("/amp/"):
        path = path[: -len("amp/")]
    elif path.endswith("/amp"):
        path = path[: -len("/amp")] or "/"
    path = re.sub(r"\.amp(\.html?)?$", lambda m: m.group(1) or "", path)
    path = re.sub(r"/amp\.html?$", "/", path)
    query = parts.query
    if query:
        pairs = [
            (k, v) for k, v in parse_qsl(query, keep_blank_values=True) if (k.lower(), v.lower()) not in _AMP_QUERY
        ]
        query = urlencode(pairs, quote_via=quote, safe="/:@!$'()*,;-._~")
    return urlunsplit((parts.scheme, netloc, path or "/", query, ""))


def url_key(url: str) -> str:
    """SHA-1 hex of the canonical form (``www.`` and http vs https ignored): the key for GUIDs and seen items."""
    try:
        canon = canonical_variants(url)
    except UrlError:
        canon = clean_text(url).strip()
    parts = urlsplit(canon)
    if parts.scheme in _DEFAULT_PORTS:
        netloc = parts.netloc[4:] if parts.netloc.startswith("www.") else parts.netloc
        canon = urlunsplit(("https", netloc, parts.path, parts.query, ""))
    return hashlib.sha1(canon.encode("utf-8")).hexdigest()


# Country-code top-level domains that are sold and used as generic names (.tv, .io, .co, .me, .fm, .ai ...):
# a site under them says nothing about its country. Every other two-letter TLD is its country's ISO code,
# except .uk (GB); .eu, .asia and the like are not countries.
GENERIC_CCTLDS = frozenset(
    ["ac", "ad", "ag", "ai", "am", "as", "bz", "cc", "cd", "co", "cx", "dj", "fm", "gg", "gl", "gs", "im", "io", "je",
     "la", "ly", "me", "ms", "mu", "nu", "one", "sh", "so", "st", "su", "tk", "tm", "to", "tv", "vc", "vg", "ws"]
)
_TLD_COUNTRY_EXCEPTIONS = {"uk": "GB"}


def country_from_url(url: str) -> str | None:
    """The ISO 3166-1 alpha-2 country a URL's country-code domain names (``www.mdr.de`` -> DE,
    ``bbc.co.uk`` -> GB), or None for generic domains (.com, .org, .tv ...), IP addresses and bad URLs.
    Used only for articles whose outlet the catalogue does not know."""
    try:
        host = (urlsplit(url).hostname or "").rstrip(".").lower()
    except ValueError:
        return None
    tld = host.rsplit(".", 1)[-1] if "." in host else ""
    if len(tld) != 2 or not tld.isalpha() or tld in GENERIC_CCTLDS:
        return None
    if tld in _TLD_COUNTRY_EXCEPTIONS:
        return _TLD_COUNTRY_EXCEPTIONS[tld]
    import pycountry

    return tld.upper() if pycountry.countries.get(alpha_2=tld.upper()) is not None else None
