"""The one definition of what values from outside may be: plausible dates, ids, confidences, codes, URLs,
lengths. Every edge (import, feeds, HTML extraction, URLs, query parameters) checks with these, and the
arithmetic that uses stored values clamps with them too (defence in depth for rows stored before).

A bad value raises :class:`FieldError` naming the field, so a record's error says which field was wrong.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from typing import Any

from globewire.textnorm import clean_text

# Dates outside this window are junk: epoch-0 and 0001-01-01 placeholders, two-digit-year accidents,
# far-future typos (9999-12-31). Online news archives start in the mid-1990s; a timezone mistake stays
# within a day, so two days of future are allowed.
MIN_YEAR = 1995
MAX_FUTURE = dt.timedelta(days=2)
EARLIEST = dt.datetime(MIN_YEAR, 1, 1, tzinfo=dt.UTC)
# Arithmetic on times (story windows, feeds' "last N hours") is clamped to this representable range, so
# adding or subtracting any window of up to a few decades never leaves what datetime can hold.
SAFE_MIN = dt.datetime(1900, 1, 1, tzinfo=dt.UTC)
SAFE_MAX = dt.datetime(2200, 1, 1, tzinfo=dt.UTC)
# Row ids from outside (paths, cursors): both stores' integer columns hold 63 bits; the API caps at 2**62.
MAX_ID = 2**62
# Offsets from outside (cursors): no list pages that deep; beyond this a keyset cursor is the way.
MAX_OFFSET = 100_000
# Field lengths of imported records. URLs: browsers and CDNs stop near 8 KB; titles: a headline is under
# 300 characters, 1,000 leaves room for subtitles glued on; texts: the longest real articles (long reads,
# live blogs) are ~200 KB; authors: 50 names of 200 characters.
MAX_URL_CHARS = 8192
MAX_TITLE_CHARS = 1000
MAX_TEXT_CHARS = 2_000_000
MAX_NAME_CHARS = 200
MAX_AUTHORS = 50
MAX_ID_CHARS = 200  # outlet ids, GUIDs

_LANG = re.compile(r"[a-z]{2,3}")
_COUNTRY = re.compile(r"[A-Z]{2}")


class FieldError(ValueError):
    """One field of a record (or one parameter) is out of range; ``field`` names it."""

    def __init__(self, field: str, problem: str) -> None:
        super().__init__(f"{field}: {problem}")
        self.field = field
        self.problem = problem


def latest() -> dt.datetime:
    return dt.datetime.now(dt.UTC) + MAX_FUTURE


def as_utc(d: dt.datetime) -> dt.datetime | None:
    """``d`` in UTC (naive taken as UTC), or None when the conversion leaves datetime's range
    (``0001-01-01T00:00+14:00``)."""
    if d.tzinfo is None:
        return d.replace(tzinfo=dt.UTC)
    try:
        return d.astimezone(dt.UTC)
    except (OverflowError, ValueError):
        return None


def plausible_datetime(d: dt.datetime | None) -> dt.datetime | None:
    """``d`` (aware, UTC) when it lies in [EARLIEST, now + MAX_FUTURE], else None."""
    if d is None:
        return None
    u = as_utc(d)
    if u is None or u < EARLIEST or u > latest():
        return None
    return u


def clamp_datetime(d: dt.datetime, lo: dt.datetime = SAFE_MIN, hi: dt.datetime = SAFE_MAX) -> dt.datetime:
    """``d`` (UTC) clamped to [lo, hi]: for arithmetic on values that may have been stored unchecked."""
    u = as_utc(d)
    if u is None:
        return lo if d.year < 5000 else hi
    return lo if u < lo else min(u, hi)


def clamp_hours(hours: float) -> float:
    """Hours since the epoch clamped to the safe range (NaN becomes the lower bound)."""
    lo, hi = SAFE_MIN.timestamp() / 3600.0, SAFE_MAX.timestamp() / 3600.0
    if not math.isfinite(hours):
        return hi if hours > 0 else lo
    return min(max(hours, lo), hi)


def parse_datetime(value: Any, field: str) -> dt.datetime | None:
    """An ISO-8601 date/datetime string (or None/"") from outside, checked against the plausible range."""
    if value is None or value == "":
        return None
    if not isinstance(value, str):
        raise FieldError(field, f"a date must be an ISO-8601 string, not {type(value).__name__}")
    s = value.strip()
    if len(s) > 64:
        raise FieldError(field, "date longer than 64 characters")
    try:
        d = dt.datetime.fromisoformat(s.replace("Z", "+00:00"))
    except ValueError:
        raise FieldError(field, f"not an ISO-8601 date: {s[:40]!r}") from None
    out = plausible_datetime(d)
    if out is None:
        raise FieldError(field, f"{s[:40]} is outside the plausible range "
                                f"{EARLIEST.date().isoformat()} .. now + {MAX_FUTURE.days} days")
    return out


def http_url(value: Any, field: str) -> str:
    """An absolute http(s) URL with a host, bounded in length."""
    from globewire.urls import is_http_url, normalise_url

    if not isinstance(value, str):
        raise FieldError(field, f"a URL must be a string, not {type(value).__name__}")
    s = value.strip()
    if len(s) > MAX_URL_CHARS:
        raise FieldError(field, f"URL longer than {MAX_URL_CHARS} characters")
    if s != clean_text(s) or any(c.isspace() for c in s):
        raise FieldError(field, "URL holds control or space characters")
    if not is_http_url(s):
        raise FieldError(field, f"not an http(s) URL: {s[:80]!r}")
    try:
        normalise_url(s)  # a port past 65535 or a bad international host name: no URL to store or fetch
    except ValueError as e:
        raise FieldError(field, str(e)[:120]) from None
    return s


def source_url(value: Any, field: str) -> str:
    """An article's own URL: http(s), or a ``file:`` URL (what `ingest` of a local file records and `export`
    writes back). Every other scheme (``javascript:``, ``data:`` ...) is refused."""
    if isinstance(value, str) and value.strip().lower().startswith("file:///"):
        s = value.strip()
        if len(s) > MAX_URL_CHARS or s != clean_text(s) or any(c.isspace() for c in s):
            raise FieldError(field, "file URL too long or holding control or space characters")
        return s
    return http_url(value, field)


def optional_http_url(value: Any, field: str) -> str | None:
    return None if value is None or value == "" else http_url(value, field)


def language_code(value: Any, field: str) -> str | None:
    """An ISO 639-1/639-3 code (``en``, ``de-AT`` -> ``de``; lower case), or None."""
    if value is None or value == "":
        return None
    if not isinstance(value, str):
        raise FieldError(field, f"a language code must be a string, not {type(value).__name__}")
    s = value.strip().replace("_", "-")
    if len(s) > 35:  # BCP 47 tags in practice stay well under 35 characters
        raise FieldError(field, f"language tag longer than 35 characters ({len(s)})")
    primary = s.split("-")[0].lower()
    if not _LANG.fullmatch(primary):
        raise FieldError(field, f"not an ISO 639 language code: {s[:20]!r}")
    return primary


def language_tag_or_none(value: Any) -> str | None:
    """A page's declared language tag (``en-GB``) when it is a plausible one, else None (never raises)."""
    try:
        if language_code(value, "lang") is None:
            return None
    except FieldError:
        return None
    return str(value).strip()


def country_code(value: Any, field: str) -> str | None:
    """An ISO 3166-1 alpha-2 code that names a country (upper case), or None."""
    if value is None or value == "":
        return None
    if not isinstance(value, str):
        raise FieldError(field, f"a country code must be a string, not {type(value).__name__}")
    s = value.strip().upper()
    if not _COUNTRY.fullmatch(s):
        raise FieldError(field, f"not an ISO 3166-1 alpha-2 code: {s[:20]!r}")
    import pycountry

    if pycountry.countries.get(alpha_2=s) is None and s != "XK":  # Kosovo: user-assigned, widely used
        raise FieldError(field, f"no country has the code {s!r}")
    return s


def finite_number(value: Any, field: str, lo: float, hi: float) -> float:
    """A finite number in [lo, hi] (booleans and numeric strings are refused)."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise FieldError(field, f"must be a number, not {type(value).__name__}")
    try:
        f = float(value)
    except OverflowError:
        raise FieldError(field, "number too large") from None
    if not math.isfinite(f) or not lo <= f <= hi:
        raise FieldError(field, f"must be a finite number in [{lo:g}, {hi:g}], not {value!r}"[:120])
    return f


def text(value: Any, field: str, max_chars: int, *, required: bool = False) -> str:
    """A string (normalised: see textnorm) of at most ``max_chars`` characters."""
    if value is None:
        value = ""
    if not isinstance(value, str):
        raise FieldError(field, f"must be a string, not {type(value).__name__}")
    if len(value) > max_chars:
        raise FieldError(field, f"longer than {max_chars} characters ({len(value)})")
    out = clean_text(value)
    if required and not out.strip():
        raise FieldError(field, "is empty")
    return out


def optional_text(value: Any, field: str, max_chars: int) -> str | None:
    out = text(value, field, max_chars)
    return out if out else None
