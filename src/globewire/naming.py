"""Every source is named: what to call an article's outlet and which country to give it.

* Name: the catalogue's outlet name, else the site name the page gives itself (``og:site_name`` /
  ``application-name``, stored in ``articles.site_name`` by extraction), else the registrable domain of the
  URL (the Public Suffix List through the ``publicsuffixlist`` package, which bundles the list: no network at
  run time), shown in Unicode for internationalised domains; an IP address is shown as itself and a local
  file as "local file".
* Country: the catalogue's, else the country-code domain's (``globewire.urls.country_from_url``), else
  None — which readers see as "unknown country", honestly.
"""

from __future__ import annotations

import ipaddress
import re
from functools import lru_cache
from typing import Any
from urllib.parse import urlsplit

from globewire.urls import country_from_url

LOCAL_FILE_NAME = "local file"
# A site name longer than this is a page title or a tagline, not a name ("Breaking news, sport, TV, radio
# and a whole lot more..."); the longest outlet names in the catalogue are ~45 characters.
MAX_SITE_NAME_CHARS = 60
_GENERIC_SITE_NAMES = frozenset({"home", "homepage", "news", "index", "wordpress", "blog", "website", "site",
                                 "article", "articles", "untitled", "localhost"})


@lru_cache(maxsize=1)
def _psl() -> Any:
    from publicsuffixlist import PublicSuffixList

    return PublicSuffixList()  # the bundled snapshot; this never fetches


def _host(url: str) -> str:
    try:
        return (urlsplit(url).hostname or "").rstrip(".").lower()
    except ValueError:
        return ""


def _unicode_host(host: str) -> str:
    labels = []
    for label in host.split("."):
        if label.startswith("xn--"):
            try:
                label = label.encode("ascii").decode("idna")
            except UnicodeError:
                pass
        labels.append(label)
    return ".".join(labels)


def registrable_domain(url: str) -> str | None:
    """The registrable domain of ``url`` ("www.bbc.co.uk" -> "bbc.co.uk", "news.com.au" -> "news.com.au"),
    Unicode for IDNs; the address itself for an IP; None for no host or a bare public suffix."""
    host = _host(url)
    if not host:
        return None
    try:
        return str(ipaddress.ip_address(host.strip("[]")))
    except ValueError:
        pass
    if "." not in host:
        return host if host != "localhost" else None
    ascii_host = host
    try:
        ascii_host = host.encode("idna").decode("ascii")
    except UnicodeError:
        pass
    dom = _psl().privatesuffix(ascii_host)
    if not dom:
        return None
    return _unicode_host(dom)


def clean_site_name(name: str | None) -> str | None:
    """A page's own site name when it is a name (not empty, not a tagline, not a generic word)."""
    if not name:
        return None
    n = " ".join(str(name).split()).strip(" |-–—·:")
    if not n or len(n) > MAX_SITE_NAME_CHARS or n.lower() in _GENERIC_SITE_NAMES:
        return None
    if re.fullmatch(r"[\W\d_]+", n):
        return None
    return n


def source_name(outlet_name: str | None, site_name: str | None, url: str | None) -> str | None:
    """What to call the source: catalogue name, else the page's site name, else the registrable domain;
    "local file" for a file URL; None only when there is nothing at all to go on."""
    if outlet_name and outlet_name.strip():
        return outlet_name.strip()
    site = clean_site_name(site_name)
    if site:
        return site
    if url and url.startswith("file:"):
        return LOCAL_FILE_NAME
    return registrable_domain(url or "") if url else None


def source_country(catalogue_country: str | None, url: str | None) -> str | None:
    """The catalogue's country, else the country-code domain's, else None (unknown)."""
    if catalogue_country:
        return catalogue_country.upper()
    return country_from_url(url) if url else None


def name_row(row: dict[str, Any]) -> dict[str, Any]:
    """Fill ``outlet_name`` (and ``country`` when missing) of an article row in place, from its ``outlet_name``,
    ``site_name`` and ``canonical_url``/``url``; ``outlet_named_by`` says which fact named it
    (catalogue | site | domain | none). Returns the row."""
    url = row.get("canonical_url") or row.get("url")
    if row.get("outlet_name"):
        row["outlet_named_by"] = "catalogue"
    elif clean_site_name(row.get("site_name")):
        row["outlet_name"] = clean_site_name(row.get("site_name"))
        row["outlet_named_by"] = "site"
    else:
        row["outlet_name"] = source_name(None, None, url)
        row["outlet_named_by"] = "domain" if row["outlet_name"] else "none"
    if not row.get("country"):
        row["country"] = source_country(None, url)
    return row
