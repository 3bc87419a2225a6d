"""Find the publication date: JSON-LD, meta tags, <time>, then htmldate as a last resort."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from lxml import html as lxml_html

from globewire import validate
from globewire.extract.page import PageMeta
from globewire.log import get_logger

log = get_logger(__name__)

# Meta names that carry the publication time, most specific first.
DATE_META = (
    "article:published_time", "og:article:published_time", "datepublished", "pubdate", "publishdate",
    "publish-date", "publish_date", "date.published", "article.published", "dc.date.issued", "dcterms.issued",
    "dc.date", "dcterms.date", "date", "sailthru.date", "parsely-pub-date", "cxenseparse:recs:publishtime",
    "article:published", "og:published_time", "published_time", "release_date", "datecreated", "article:modified_time",
)
# Dates outside the plausible window (one definition for every edge: globewire.validate) are junk.
MIN_YEAR = validate.MIN_YEAR
MAX_FUTURE = validate.MAX_FUTURE
_NUMERIC_TZ = re.compile(r"([+-]\d{2})(\d{2})$")


def parse_date(value: Any) -> dt.datetime | None:
    """Parse an ISO-8601-like or common textual date; naive results are taken as UTC."""
    if isinstance(value, list):
        value = value[0] if value else None
    if isinstance(value, dict):
        value = value.get("@value") or value.get("value")
    if not isinstance(value, str):
        return None
    s = value.strip()
    if not s or len(s) > 64:
        return None
    if re.fullmatch(r"\d{10}(\d{3})?", s):  # epoch seconds / milliseconds
        try:
            ts = int(s[:10])
            return _plausible(dt.datetime.fromtimestamp(ts, dt.UTC))
        except (OverflowError, OSError, ValueError):
            return None
    iso = s.replace("Z", "+00:00").replace(" ", "T", 1) if re.match(r"\d{4}-\d{2}-\d{2}", s) else None
    if iso:
        iso = _NUMERIC_TZ.sub(r"\1:\2", iso)
        iso = re.sub(r"\.(\d{1,6})\d*", lambda m: "." + m.group(1).ljust(6, "0"), iso)
        try:
            return _plausible(dt.datetime.fromisoformat(iso))
        except ValueError:
            pass
        try:
            return _plausible(dt.datetime.fromisoformat(iso[:10]))
        except ValueError:
            pass
    try:
        import dateparser

        d = dateparser.parse(s, settings={"RETURN_AS_TIMEZONE_AWARE": False, "PREFER_DAY_OF_MONTH": "first"})
    except Exception:  # noqa: BLE001 - dateparser raises assorted errors on junk
        return None
    return _plausible(d) if d else None


def _plausible(d: dt.datetime) -> dt.datetime | None:
    if d.tzinfo is None:
        d = d.replace(tzinfo=dt.UTC)
    return d if validate.plausible_datetime(d) is not None else None


def choose_date(
    tree: lxml_html.HtmlElement, pm: PageMeta, html_text: str, url: str, *, use_htmldate: bool = True
) -> dt.datetime | None:
    for value in (pm.ld("datePublished"), pm.ld("dateCreated")):
        d = parse_date(value)
        if d:
            return d
    for name in DATE_META:
        for v in pm.meta.get(name, ()):
            d = parse_date(v)
            if d:
                return d
    for el in tree.iter("time"):
        for v in (el.get("datetime"), el.get("data-datetime"), el.get("content")):
            d = parse_date(v)
            if d:
                return d
    return _htmldate(html_text, url) if use_htmldate and html_text else None


def _htmldate(html_text: str, url: str) -> dt.datetime | None:
    try:
        from htmldate import find_date

        found = find_date(html_text, url=url, original_date=True, extensive_search=True, outputformat="%Y-%m-%dT%H:%M:%S%z")
    except Exception as exc:  # noqa: BLE001 - htmldate is defensive but not exhaustive
        log.debug("htmldate_failed", error=repr(exc))
        return None
    return parse_date(found) if found else None
