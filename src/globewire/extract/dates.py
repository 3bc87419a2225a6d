"""Find the publication date: JSON-LD, meta tags, <time>, then htmldate as a last resort."""

from __future__ import annotations

import datetime as dt
import functools
import re
from dataclasses import dataclass
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


# --------------------------------------------------------------------------- date lines in pasted text
# A date line is short: longer lines are sentences that merely mention a date.
DATE_LINE_MAX_CHARS = 90
# Label words in front of a date ("Updated:", "Stand:", "Giriş Tarihi:") are peeled off one word at a time,
# at most this many; trailing words (time-zone names dateparser does not know, "WIB") likewise.
DATE_LINE_MAX_PEEL = 8
# At most this many readings of one line are tried (each costs dateparser a search over its languages).
DATE_LINE_MAX_CANDIDATES = 8
DATE_LINE_MAX_TRAIL = 3
# How many years back a year-less date ("Tuesday, November 5") may be placed while matching its weekday.
YEARLESS_MAX_YEARS_BACK = 7
# A date line has at most this many words, a date inside it at most this many (longer lines are sentences or
# headlines that mention a date; they are not parsed, which also keeps dateparser's language search cheap).
DATE_LINE_MAX_WORDS = 16
DATE_CANDIDATE_MAX_WORDS = 8
# A relative date ("2 hours ago", "today 21:03") lies within this much of the time it is relative to.
RELATIVE_MAX_OFFSET = dt.timedelta(days=2)
# Two arbitrary bases: a parse that changes with the base is relative (or year-less, when only the year moves).
_BASE_A = dt.datetime(2020, 6, 15, 12, 0)
_BASE_B = dt.datetime(2017, 3, 10, 12, 0)
# A third base, _BASE_A moved by a few hours: a relative parse that keeps its clock time against it names a time of
# day ("today, 21:03", "yesterday 08:15"); one that moves with it is an offset ("2 hours ago").
_BASE_C = _BASE_A + dt.timedelta(hours=3, minutes=17)
_STANDALONE_NUMBER = re.compile(r"(?<![\w.])\d{1,4}(?![\w.])")
_GLUED = re.compile(r"(?<=[^\W\d_])(?=\d)|(?<=\d)(?=[^\W\d_]{2,})(?![^\W\d_]*\d)")

# Segments of one line: "Priya Menon / TNN / Updated: Tue, Nov 5, 2024 | 09:10 AM IST".
_SEGMENT_SPLIT = re.compile(r"\s+[|/·•]\s+|\s*\|\s*|\s+[-–—]\s+(?=\D*\d)")
_EASTERN_DIGITS = str.maketrans("٠١٢٣٤٥٦٧٨٩۰۱۲۳۴۵۶۷۸۹०१२३४५६७८९", "0123456789" * 3)
_NUMERIC_WITH_TIME = re.compile(r"(?<!\d)\d{1,4}([./-])\d{1,2}\1\d{2,4}(?!\d)(?:,?\s*\d{1,2}[:.h]\d{2}(?!\d)(?:\s*[ap]\.?m\.?)?)?", re.IGNORECASE)
_NUMERIC_DATE = re.compile(r"(?<!\d)(\d{1,4})([./-])(\d{1,2})\2(\d{2,4})(?!\d)")
_DOTTED_MONTH = re.compile(r"(\d)\.([^\W\d_]{3,})\.(\d)")
# "17 set 2024": September abbreviated in Portuguese, Italian and Catalan, which dateparser reads as the SET time
# zone (the month then defaults to the current one); between a day and a year it is the month.
_SET_MONTH = re.compile(r"(?i)(?<=\d)(\s+)set\.?(?=\s+\d{4})")
# Words that say a date line is the update time, not the first publication (supplements the position rule:
# the first date line of a text is its publication time).
_UPDATED_WORDS = re.compile(
    r"(?i)updated|update|modified|aktualisiert|mis à jour|actualizado|atualizado|aggiornato|zaktualizowano|"
    r"обновлено|güncelle|bijgewerkt|aangepast|更新|업데이트|تحديث|अपडेट|diperbarui"
)
_PUBLISHED_WORDS = re.compile(
    r"(?i)first published|published|publié|publicado|veröffentlicht|pubblicato|opublikowano|опубликовано|"
    r"yayın|giriş tarihi|gepubliceerd|发布|公開|게시|송고|نشر|प्रकाशित|diterbitkan"
)


@dataclass(frozen=True, slots=True)
class DateLine:
    """A date found on a line of pasted text."""

    when: dt.datetime
    role: str  # "published", "updated" or "" (unlabelled)
    yearless: bool = False  # printed without a year: the year was inferred
    relative: bool = False  # "2 hours ago", "today, 21:03": only meaningful against a reference time
    clock: bool = False  # relative with a printed time of day ("today, 21:03"), not an offset ("2 hours ago")
    weekday: int | None = None  # the weekday printed on the line (0 = Monday), when one was


def _parser_settings(order: str | None, base: dt.datetime) -> dict[str, Any]:
    s: dict[str, Any] = {
        "RETURN_AS_TIMEZONE_AWARE": True, "TIMEZONE": "UTC",
        "PREFER_DATES_FROM": "past", "RELATIVE_BASE": base.replace(tzinfo=None), "STRICT_PARSING": False,
    }
    if order:
        s["DATE_ORDER"] = order
    return s


def _numeric_order(segment: str) -> str | None:
    """Day/month order of an all-number date: dotted dates are day-first everywhere; a slashed one is
    month-first only when its second number cannot be a month (13/…) — most of the world writes day first."""
    m = _NUMERIC_DATE.search(segment)
    if not m:
        return None
    a, sep, b = m.group(1), m.group(2), m.group(3)
    if len(a) == 4:
        return "YMD"
    if sep == "." or int(a) > 12:
        return "DMY"
    if int(b) > 12:
        return "MDY"
    return "DMY"


@functools.lru_cache(maxsize=4096)
def _dateparse(segment: str, base: dt.datetime) -> tuple[dt.datetime, str] | None:
    order = _numeric_order(segment)
    try:
        ddp = _ddp(order, base.year, base.month, base.day, base.hour, base.minute)
        data = ddp.get_date_data(segment)
    except Exception:  # noqa: BLE001 - dateparser raises assorted errors on junk
        return None
    if data is None or data.date_obj is None or data.period not in ("day", "time"):
        return None
    d = data.date_obj
    return (d if d.tzinfo else d.replace(tzinfo=dt.UTC)), data.locale or ""


@functools.lru_cache(maxsize=64)
def _ddp(order: str | None, y: int, m: int, d: int, hour: int = 12, minute: int = 0) -> Any:
    from dateparser.date import DateDataParser

    return DateDataParser(settings=_parser_settings(order, dt.datetime(y, m, d, hour, minute)))


def _candidates(segment: str) -> list[tuple[str, bool]]:
    """(candidate, nothing but label words cut from its front) pairs, most likely first. A date starts at the
    segment's start, after a "label:" colon, or one or two words before a word with a digit ("Tuesday, November
    5"); its end may lose up to DATE_LINE_MAX_TRAIL words without digits (time-zone names dateparser does not
    know: "WIB")."""
    words = segment.split()
    starts: list[int] = [0]
    for i, w in enumerate(words):
        if w.endswith(":") and i + 1 < len(words):
            starts.append(i + 1)
        if any(ch.isdigit() for ch in w):
            starts += [max(0, i - 2), max(0, i - 1), i]
    out: dict[str, bool] = {}
    for lead in sorted(set(starts)):
        if lead > DATE_LINE_MAX_PEEL:
            break
        rest = words[lead:]
        head = " ".join(words[:lead])
        label_only = not lead or bool(_UPDATED_WORDS.search(head) or _PUBLISHED_WORDS.search(head)) or head.endswith(":")
        # ends: the segment's end, a few words before it, and just after its last word with a digit (+ one word:
        # "Uhr", "IST") — "9. Oktober 2024, 14:12 Uhr Quelle: ZEIT ONLINE, dpa, AFP"
        last_digit = max((i for i, w in enumerate(rest) if any(ch.isdigit() for ch in w)), default=len(rest) - 1)
        ends = [len(rest) - t for t in range(min(DATE_LINE_MAX_TRAIL, len(rest) - 1) + 1)]
        ends += [e for e in (last_digit + 2, last_digit + 1) if e < len(rest) - DATE_LINE_MAX_TRAIL]
        for end in ends:
            part, trail = rest[:end], len(rest) - end
            cand = " ".join(part).strip(" :,-–—|()")
            if cand and any(ch.isdigit() for ch in cand) and len(cand.split()) <= DATE_CANDIDATE_MAX_WORDS:
                out.setdefault(cand, label_only and not trail)
    return list(out.items())[:DATE_LINE_MAX_CANDIDATES]


def _weekday_of(segment: str, locale: str) -> int | None:
    try:
        from dateparser.languages.loader import default_loader

        info = default_loader.get_locale(locale).info
    except Exception:  # noqa: BLE001 - unknown locale: no weekday check
        return None
    tokens = {t.strip(".,").casefold() for t in segment.split()}
    for i, name in enumerate(("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")):
        names = {str(n).casefold() for n in info.get(name, ())}
        if tokens & {n for n in names if len(n) >= 3}:
            return i
    return None


def _role(text: str) -> str:
    if _PUBLISHED_WORDS.search(text):
        return "published"
    return "updated" if _UPDATED_WORDS.search(text) else ""


def parse_date_line(line: str) -> DateLine | None:
    """The date printed on a short line of pasted text ("date 2024-11-05", "Tuesday, November 5",
    "Tuesday, November 5, 2024 | 09:10 AM IST", "5 Nov 2024, 09:10", "15 września 2024, 09:40"), or None.

    Year-less and relative dates are flagged (``yearless`` / ``relative``); ``resolve_date_lines`` places
    them against the text's other clues. The line's role (published/updated) comes from its label words."""
    s = line.strip().translate(_EASTERN_DIGITS)
    if not s or len(s) > DATE_LINE_MAX_CHARS or not any(ch.isdigit() for ch in s):
        return None
    if len(s.split()) > DATE_LINE_MAX_WORDS:
        return None
    s = re.sub(r"\s+:", ":", _DOTTED_MONTH.sub(r"\1 \2 \3", s))
    s = _SET_MONTH.sub(r"\1sep", s)
    # (text to parse, text whose label words give the role)
    variants = [(m.group(0), s[: m.end()]) for m in _NUMERIC_WITH_TIME.finditer(s)]
    variants.append((re.sub(r"\s*\|\s*", " ", s).strip(), s))
    variants += [(seg, seg) for seg in _SEGMENT_SPLIT.split(s) if any(ch.isdigit() for ch in seg)]
    spaced = _GLUED.sub(" ", s)
    if spaced != s:
        variants.append((spaced, s))
    fallback: DateLine | None = None
    relative_spans: list[str] = []
    for variant, context in dict.fromkeys(variants):
        for cand, label_only in _candidates(variant):
            found = _date_of(cand, label_only, context)
            if found is None:
                continue
            if found.yearless and any(cand in span for span in relative_spans):
                continue  # a piece of "il y a 5 minutes" ("a 5") is not the 5th of a month
            if not found.relative:
                return found
            relative_spans.append(cand)
            fallback = fallback or found
    return fallback


def _date_of(cand: str, label_only: bool, context: str) -> DateLine | None:
    a = _dateparse(cand, _BASE_A)
    if a is None:
        return None
    b = _dateparse(cand, _BASE_B)
    da, locale = a
    yearless = relative = False
    if b is not None and b[0] != da:
        db = b[0]
        if (db.month, db.day, db.time()) == (da.month, da.day, da.time()):
            yearless = True
        else:
            relative = True
    if relative:
        # "2 hours ago", "vandaag, 21:03": only when nothing but a label was peeled, a number stands alone and
        # the time is within days of the base (a number read as "day 30 of this month" is not a date line).
        base = _BASE_A.replace(tzinfo=da.tzinfo)
        if not label_only or not _STANDALONE_NUMBER.search(cand) or abs(da - base) > RELATIVE_MAX_OFFSET:
            return None
    elif not yearless and da.year < MIN_YEAR:
        return None
    clock = False
    if relative:
        c = _dateparse(cand, _BASE_C)
        clock = c is not None and c[0] == da
    return DateLine(da, _role(context), yearless=yearless, relative=relative, clock=clock,
                    weekday=_weekday_of(cand, locale) if yearless else None)


def resolve_date_lines(
    found: list[DateLine], year_clues: list[int], reference: dt.datetime | None = None
) -> dt.datetime | None:
    """The publication time among a text's date lines.

    The first line labelled "published" wins, else the first unlabelled line, else the first "updated" one.
    A year-less date takes the year of the text's other dates (or of the years its body mentions, or of the
    reference time), matching its printed weekday, and never falls after the other clues or the reference
    time. A relative date ("2 hours ago") is used only against a reference time."""
    now = dt.datetime.now(dt.UTC)
    ref = reference or now
    absolute = [d.when for d in found if not d.yearless and not d.relative and d.when <= now + MAX_FUTURE]
    ceiling = min([ref + MAX_FUTURE, *([max(absolute) + dt.timedelta(days=1)] if absolute else [])])
    ordered = sorted(found, key=lambda d: ({"published": 0, "": 1, "updated": 2}[d.role], d.relative, d.yearless))
    for d in ordered:
        if d.relative:
            if reference is None:
                continue
            when = _relative_to(d, reference)
            if when <= reference + MAX_FUTURE:
                return when
            continue
        if d.yearless:
            placed = _place_year(d, absolute, year_clues, ceiling)
            if placed is not None:
                return placed
            continue
        p = _plausible(d.when)
        if p is not None:
            return p
    return None


def _relative_to(d: DateLine, reference: dt.datetime) -> dt.datetime:
    """A relative date placed against the reference time: an offset ("2 hours ago") moves the reference; a time
    of day ("today, 21:03", "yesterday 08:15") keeps its clock on the reference's day (or the day named), and a
    clock time later than the reference means the day before (the site's time zone is unknown: "today, 21:03"
    seen at 00:30 UTC was printed on a day that has not started in UTC)."""
    base = _BASE_A.replace(tzinfo=d.when.tzinfo)
    if not d.clock:
        return reference + (d.when - base)
    ref = reference.astimezone(d.when.tzinfo)
    day = ref.date() + dt.timedelta(days=(d.when.date() - base.date()).days)
    when = dt.datetime.combine(day, d.when.timetz())
    return when - dt.timedelta(days=1) if when > ref else when


def _place_year(d: DateLine, absolute: list[dt.datetime], year_clues: list[int], ceiling: dt.datetime) -> dt.datetime | None:
    """The year of a year-less date: that of the text's other dates; else the first year from the latest year the
    text mentions (texts mention past years: the date is not before them) up to the ceiling, matching the
    printed weekday; else the latest such year before the ceiling."""
    if absolute:
        order = list(range(max(absolute).year, max(absolute).year - YEARLESS_MAX_YEARS_BACK - 1, -1))
    else:
        years = [y for y in year_clues if MIN_YEAR <= y <= ceiling.year]
        back = list(range(ceiling.year, ceiling.year - YEARLESS_MAX_YEARS_BACK - 1, -1))
        order = (list(range(max(years), ceiling.year + 1)) + back) if years else back
    for y in order:
        try:
            when = d.when.replace(year=y)
        except ValueError:  # 29 February
            continue
        if when > ceiling:
            continue
        if d.weekday is not None and when.weekday() != d.weekday:
            continue
        return when
    return None
