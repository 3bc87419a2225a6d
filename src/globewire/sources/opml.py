"""OPML 2.0 export of the catalogue and import of a user's OPML into user-catalogue entries.

Export: one ``<outline>`` per country (``text`` = country name, ``country`` = code) holding one
``<outline type="rss">`` per feed (``type="sitemap"`` for sitemaps) with ``xmlUrl``, ``htmlUrl``,
``language`` (primary) and globewire's own attributes ``outletId``, ``country``, ``languages``,
``section``, ``ownership``, ``ownershipSource``, ``wire``. Other readers ignore unknown attributes.

Import reads any OPML (nested folders allowed). Parsing uses defusedxml: DTDs, entities and
external references are refused with :class:`OpmlError`.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
import xml.etree.ElementTree as ET
from collections.abc import Iterable
from email.utils import format_datetime
from typing import Any
from urllib.parse import urlsplit

import defusedxml.ElementTree as DET
import pycountry
from defusedxml import DefusedXmlException

from globewire.records import Outlet
from globewire.sources.catalogue import Catalogue, feed_key

MAX_OPML_BYTES = 5_000_000  # a catalogue of ~10k feeds is under 3 MB; bigger input is refused


class OpmlError(ValueError):
    """The OPML cannot be used; the message says why (and which outline)."""


def export_opml(outlets: Iterable[Outlet], *, title: str = "globewire catalogue", wire_ids: Iterable[str] = ()) -> str:
    wire = set(wire_ids)
    root = ET.Element("opml", version="2.0")
    head = ET.SubElement(root, "head")
    ET.SubElement(head, "title").text = title
    ET.SubElement(head, "dateCreated").text = format_datetime(dt.datetime.now(dt.timezone.utc))
    body = ET.SubElement(root, "body")
    by_country: dict[str, list[Outlet]] = {}
    for o in outlets:
        by_country.setdefault(o.country, []).append(o)
    for cc in sorted(by_country):
        c = pycountry.countries.get(alpha_2=cc)
        group = ET.SubElement(body, "outline", text=c.name if c else cc, title=c.name if c else cc, country=cc)
        for o in sorted(by_country[cc], key=lambda x: x.id):
            for f in o.feeds:
                label = f"{o.name} ({f.section})" if f.section and f.kind != "sitemap" else o.name
                attrs = {
                    "type": "sitemap" if f.kind == "sitemap" else "rss",
                    "text": label,
                    "title": label,
                    "xmlUrl": f.url,
                    "htmlUrl": o.homepage,
                    "language": o.languages[0] if o.languages else "",
                    "outletId": o.id,
                    "outletName": o.name,
                    "country": o.country,
                    "languages": ",".join(o.languages),
                    "ownership": o.ownership,
                }
                if f.section:
                    attrs["section"] = f.section
                if o.ownership_source:
                    attrs["ownershipSource"] = o.ownership_source
                if o.id in wire or getattr(o, "wire", False):
                    attrs["wire"] = "true"
                ET.SubElement(group, "outline", attrs)
    ET.indent(root)
    return '<?xml version="1.0" encoding="utf-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"


# --------------------------------------------------------------------------- import


def slugify(text: str) -> str:
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")
    return slug[:48].strip("-")


def country_from_url(url: str) -> str | None:
    """Country from a country-code TLD (``.fr`` -> FR, ``.co.uk`` -> GB); None for .com etc."""
    host = (urlsplit(url).hostname or "").lower().rstrip(".")
    tld = host.rsplit(".", 1)[-1] if "." in host else ""
    if len(tld) != 2:
        return None
    code = {"uk": "GB"}.get(tld, tld.upper())
    return code if pycountry.countries.get(alpha_2=code) else None


def parse_opml(data: bytes | str) -> ET.Element:
    raw = data.encode("utf-8") if isinstance(data, str) else data
    if len(raw) > MAX_OPML_BYTES:
        raise OpmlError(f"OPML too large ({len(raw)} bytes; limit {MAX_OPML_BYTES})")
    try:
        root = DET.fromstring(raw, forbid_dtd=True, forbid_entities=True, forbid_external=True)
    except DefusedXmlException as exc:
        raise OpmlError(f"refused unsafe XML ({type(exc).__name__}): DTDs, entities and external references are not allowed") from None
    except ET.ParseError as exc:
        raise OpmlError(f"not well-formed XML: {exc}") from None
    if root.tag != "opml":
        raise OpmlError(f"not an OPML document (root element <{root.tag}>)")
    if root.find("body") is None:
        raise OpmlError("OPML has no <body>")
    return root


def _language(value: str | None) -> str | None:
    if not value:
        return None
    code = value.strip().lower().replace("_", "-").split("-")[0]
    return code if len(code) == 2 and pycountry.languages.get(alpha_2=code) else None


def import_opml(
    data: bytes | str,
    *,
    catalogue: Catalogue | None = None,
    default_country: str | None = None,
    default_language: str | None = None,
) -> tuple[list[dict[str, Any]], list[str]]:
    """User-catalogue outlet entries from an OPML document, and notes on what was skipped.

    Feeds are grouped into outlets by ``outletId`` (globewire exports) or by ``htmlUrl``/host.
    Feeds the catalogue already has are skipped; ids are made unique against it.
    """
    if default_country and pycountry.countries.get(alpha_2=default_country.upper()) is None:
        raise OpmlError(f"default country {default_country!r} is not an ISO 3166-1 alpha-2 code")
    if default_language and _language(default_language) is None:
        raise OpmlError(f"default language {default_language!r} is not an ISO 639-1 code")
    root = parse_opml(data)
    known_feeds = {feed_key(f.url): o.id for o in (catalogue.outlets if catalogue else ()) for f in o.feeds}
    known_ids = {o.id for o in catalogue.outlets} if catalogue else set()
    groups: dict[str, dict[str, Any]] = {}
    notes: list[str] = []
    order: list[str] = []

    def walk(el: ET.Element, inherited_country: str | None, inherited_lang: str | None, path: str) -> None:
        # Folders may carry country/language attributes that their feeds inherit.
        for i, child in enumerate(el.findall("outline"), start=1):
            where = f"{path}/outline[{i}]"
            cc_attr = (child.get("country") or "").strip().upper() or None
            country = cc_attr or inherited_country
            lang_here = _language(child.get("language")) or inherited_lang
            xml_url = (child.get("xmlUrl") or "").strip()
            if not xml_url:
                walk(child, country, lang_here, where)
                continue
            if urlsplit(xml_url).scheme not in ("http", "https"):
                notes.append(f"{where}: skipped non-http(s) feed {xml_url!r}")
                continue
            owner = known_feeds.get(feed_key(xml_url))
            if owner is not None:
                notes.append(f"{where}: {xml_url} is already in the catalogue (outlet {owner!r})")
                continue
            html_url = (child.get("htmlUrl") or "").strip()
            if urlsplit(html_url).scheme not in ("http", "https"):
                parts = urlsplit(xml_url)
                html_url = f"{parts.scheme}://{parts.netloc}/"
            key = child.get("outletId") or html_url or urlsplit(xml_url).netloc
            name = (child.get("outletName") or child.get("title") or child.get("text") or urlsplit(html_url).netloc).strip()
            g = groups.get(key)
            if g is None:
                langs_attr = [_language(x) for x in (child.get("languages") or "").split(",")]
                langs = [x for x in langs_attr if x] or [x for x in [lang_here, _language(default_language)] if x][:1]
                cc = country or country_from_url(html_url) or country_from_url(xml_url) or default_country
                if not cc:
                    raise OpmlError(
                        f"{where} ({xml_url}): no country: give the OPML a country attribute or pass a default country"
                    )
                if not langs:
                    raise OpmlError(
                        f"{where} ({xml_url}): no language: give the outline a language attribute or pass a default"
                    )
                g = {
                    "id": child.get("outletId") or "",
                    "name": name,
                    "country": cc.upper(),
                    "homepage": html_url,
                    "languages": langs,
                    "feeds": [],
                }
                if child.get("ownership") in ("public", "state", "private", "nonprofit"):
                    g["ownership"] = child.get("ownership")
                if child.get("ownershipSource"):
                    g["ownership_source"] = child.get("ownershipSource")
                if child.get("wire") == "true":
                    g["wire"] = True
                groups[key] = g
                order.append(key)
            section = (child.get("section") or "").strip()
            if child.get("type") == "sitemap":
                if "sitemap" in g:
                    notes.append(f"{where}: second sitemap for {g['name']!r} skipped")
                else:
                    g["sitemap"] = xml_url
            else:
                g["feeds"].append({"url": xml_url, "section": section} if section else xml_url)

    walk(root.find("body"), None, None, "body")  # type: ignore[arg-type]
    out: list[dict[str, Any]] = []
    used = set(known_ids)
    for key in order:
        g = groups[key]
        base = g["id"] or slugify(g["name"]) or slugify(urlsplit(g["homepage"]).netloc)
        if len(base) < 2:
            base = f"outlet-{base}".strip("-")
        oid = base
        n = 2
        while oid in used:
            oid = f"{base[:44]}-{n}"
            n += 1
        used.add(oid)
        g["id"] = oid
        out.append(g)
    return out, notes
