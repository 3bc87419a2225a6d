"""Country gazetteer: which countries an English text mentions.

Names come from ``pycountry`` (short, common and official names) plus ``data/places.tsv`` (short names such
as "UK"/"Russia", capitals, major cities, US states, demonyms, and phrases that map to no country). Matching
is case-sensitive (proper nouns: "Turkey" the country, not the bird; "US" not "us"), on word boundaries,
longest match first at each position, so "South Korea" wins over "Korea", "New Mexico" is a US state and not
Mexico, and "Indian Ocean" is no mention of India.

Ambiguous names ("Georgia" — the country or the US state; "Jordan" — the country or a surname; "Chad",
"Jersey", "Korea", "Congo", "Niger") count only when the same texts also mention that country without
ambiguity (e.g. "Tbilisi" or "Georgian" next to "Georgia"). A lone "Georgia" is therefore not counted.
"Washington" maps to the US: in news it is the US capital / government far more often than the state, and
both are in the US.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Literal

import pycountry

from globewire.log import get_logger

log = get_logger(__name__)

Kind = Literal[
    "country", "alias", "capital", "city", "region", "demonym", "ambiguous", "ignore"
]
_KINDS = frozenset(Kind.__args__)  # type: ignore[attr-defined]

# A country is "mentioned" by a story when it has at least this share of all resolved country mentions in
# the story's English text, and at least MIN_MENTIONS mentions. Calibrated on tests/corpus/stories: the
# countries an event is about get >= 10% each; passing references ("a Spanish-language broadcaster",
# "like the French central bank did") sit at 1-4%.
MIN_MENTION_SHARE = 0.06
MIN_MENTIONS = 2
# Text with no English yet is read with the country names of its language, which news inflects ("der
# Vereinigten Staaten", "Russlands", "w Pakistanie", "ve Francii"). In a spaced script each word of a name of at
# least INFLECT_MIN_CHARS letters also matches a word that adds up to INFLECT_MAX_ENDING letters to it, or that
# replaces its final vowel by an ending of that length starting with a vowel (``_inflects``). Set by hand on the
# reader store (`bench reader --limit 200`: 492 stories in other languages, read without translation): with
# five-letter names, a two-letter cut or any replaced letter, other words came in ("Kong-ress" ~ Kongo,
# "Liber-ale" ~ Liberia, "Schwei-ne" ~ Schweiz, "Franci-sco" ~ Francia); with these settings the 99 distinct
# inflected matches there were all country names or their demonyms, and 70 stories' countries changed (44 of
# them gained the US: "US-", "USA", "der Vereinigten Staaten"). Five-letter names ("Штаты", "Stany", "Rusko")
# match only as written; the abbreviations (data/abbreviations.tsv: "США", "USA") carry the commonest country.
INFLECT_MIN_CHARS = 6
INFLECT_MAX_ENDING = 3


class GazetteerError(ValueError):
    """The places data file is malformed."""


@dataclass(frozen=True, slots=True)
class Mention:
    start: int
    end: int
    surface: str
    country: str | None  # None for "ignore" phrases
    kind: Kind


def _plural(word: str) -> str | None:
    if word.endswith(("an", "i", "ean", "ian")) and " " not in word[-4:]:
        return word + "s"
    if word.endswith(
        ("Swede", "Dane", "Finn", "Pole", "Serb", "Croat", "Turk", "Briton", "Spaniard")
    ):
        return word + "s"
    return None


def _pycountry_names() -> list[tuple[str, str]]:
    out: list[tuple[str, str]] = []
    for c in pycountry.countries:
        for attr in ("name", "common_name", "official_name"):
            name = getattr(c, attr, None)
            if not name or "," in name or "(" in name:
                continue  # "Korea, Republic of" style names are covered by places.tsv aliases
            if name.lower().startswith("the "):
                name = name[4:]
            out.append((name, c.alpha_2))
    return out


def _load_rows(text: str, source: str = "places.tsv") -> list[tuple[str, str | None, Kind]]:
    rows: list[tuple[str, str | None, Kind]] = []
    for lineno, line in enumerate(text.splitlines(), 1):
        if not line.strip() or line.startswith("#"):
            continue
        parts = line.split("\t")
        if len(parts) != 3:
            raise GazetteerError(
                f"{source} line {lineno}: expected 3 tab-separated columns, got {len(parts)}"
            )
        name, cc, kind = (p.strip() for p in parts)
        if kind not in _KINDS:
            raise GazetteerError(f"{source} line {lineno}: unknown kind {kind!r}")
        if cc != "-" and not re.fullmatch(r"[A-Z]{2}", cc):
            raise GazetteerError(f"{source} line {lineno}: bad country code {cc!r}")
        rows.append((name, None if cc == "-" else cc, kind))  # type: ignore[arg-type]
    return rows


# Scripts written without spaces: a name is glued to the next word there ("中国人", "日本政府"), so no word
# boundary is asked for in these languages.
UNSPACED_LANGUAGES = frozenset({"ja", "zh", "th", "lo", "km", "my"})
# Localised names shorter than this are left out (two- and three-letter names collide with ordinary words in
# spaced scripts; in Chinese and Japanese most country names have two characters: 日本, 中国, 韓国).
MIN_LOCAL_NAME_CHARS = 4
MIN_LOCAL_NAME_CHARS_UNSPACED = 2


def fold_marks(text: str) -> str:
    """``text`` without combining marks (Arabic vowel signs and shadda, which news text mostly omits but
    pycountry's Arabic names carry; Latin accents), so names and text meet either way."""
    import unicodedata

    decomposed = unicodedata.normalize("NFD", text)
    return unicodedata.normalize("NFC", "".join(c for c in decomposed if unicodedata.category(c) != "Mn"))


def _local_names(lang: str) -> list[tuple[str, str]]:
    """Country names in ``lang``: CLDR's short names (Babel: "Russland", "Venezuela", "Vereinigte Staaten",
    the forms news text uses) and pycountry's translations of the ISO 3166-1 names ("Russische Föderation");
    empty when neither knows the language."""
    import gettext

    out: list[tuple[str, str]] = []
    shortest = MIN_LOCAL_NAME_CHARS_UNSPACED if lang in UNSPACED_LANGUAGES else MIN_LOCAL_NAME_CHARS

    def keep(raw: str, english: str | None, code: str) -> None:
        local = fold_marks(raw.strip())
        if "," in local or "(" in local or len(local) < shortest:
            return  # "Korea, Republik" style names, short names
        if english is not None and raw.strip() == english and (entry := default_gazetteer().lookup(english)) \
                and entry[1] in ("ambiguous", "ignore"):
            return  # the same word as in English, where it is ambiguous ("Georgia", "Jordan", "Chad")
        out.append((local, code))

    territories: dict[str, str] = {}
    try:
        from babel import Locale

        territories = {str(k): str(v) for k, v in Locale.parse(lang).territories.items()}
    except Exception:  # noqa: BLE001 - Babel missing or without this locale: pycountry's names alone
        pass
    countries = {c.alpha_2: c for c in pycountry.countries}
    for code, name in territories.items():
        if code in countries:
            keep(str(name), getattr(countries[code], "common_name", None) or countries[code].name, code)
    try:
        tr = gettext.translation("iso3166-1", pycountry.LOCALES_DIR, languages=[lang])
    except OSError:
        tr = None
    if tr is not None:
        for c in pycountry.countries:
            for attr in ("name", "common_name", "official_name"):
                english = getattr(c, attr, None)
                if english:
                    keep(tr.gettext(english), english, c.alpha_2)
    return list(dict.fromkeys(out))


class Gazetteer:
    def __init__(self, rows: Iterable[tuple[str, str | None, Kind]], *,
                 names: Iterable[tuple[str, str]] | None = None, word_boundaries: bool = True,
                 inflected: bool = False) -> None:
        table: dict[str, tuple[str | None, Kind]] = {}
        for name, code in (_pycountry_names() if names is None else names):
            table.setdefault(name, (code, "country"))
        # the data file overrides pycountry ("Georgia" becomes ambiguous)
        for name, cc, kind in rows:
            table[name] = (cc, kind)
            if (
                kind in ("demonym", "ambiguous")
                and (pl := _plural(name))
                and pl not in table
            ):
                table[pl] = (cc, kind)
        self._table = table
        surfaces = sorted(table, key=lambda n: (-len(n), n))
        pieces = [_inflected(n) if inflected else re.escape(n) for n in surfaces]
        # an inflected surface is resolved by the first (longest) name whose pattern it matches
        self._inflections = [(re.compile(p), n) for p, n in zip(pieces, surfaces, strict=True)] if inflected else []
        alternatives = "|".join(pieces)
        self._pattern = re.compile(
            # "US$ 5 millones", "A$30": a currency, not a mention of the country
            r"(?<![\w.])(?:" + alternatives + r")(?![\w$])" if word_boundaries else "(?:" + alternatives + ")"
        )
        log.debug("gazetteer_loaded", names=len(table))

    def __len__(self) -> int:
        return len(self._table)

    def lookup(self, name: str) -> tuple[str | None, Kind] | None:
        return self._table.get(name)

    def find(self, text: str) -> list[Mention]:
        """Every name occurrence, leftmost-longest, including ambiguous and ignore entries."""
        out: list[Mention] = []
        for m in self._pattern.finditer(text):
            surface = m.group(0)
            # "U.S." at the end of a sentence keeps its dot; a bare "US." is fine too.
            if surface in self._table:
                name = surface
            else:  # an inflected form; never one that is an ambiguous word in English ("Georgi-en" ~ "Georgia")
                entry = default_gazetteer().lookup(surface)
                if entry is not None and entry[1] in ("ambiguous", "ignore"):
                    continue
                found = next((n for p, n in self._inflections if p.fullmatch(surface) and _inflects(n, surface)), None)
                if found is None:
                    continue
                name = found
            cc, kind = self._table[name]
            out.append(Mention(m.start(), m.end(), surface, cc, kind))
        return out

    def count(self, texts: Iterable[str]) -> Counter[str]:
        """Resolved mentions per country over ``texts`` taken together (ambiguous names need support)."""
        sure: Counter[str] = Counter()
        maybe: Counter[str] = Counter()
        for text in texts:
            for m in self.find(text):
                if m.country is None or m.kind == "ignore":
                    continue
                (maybe if m.kind == "ambiguous" else sure)[m.country] += 1
        for cc, n in maybe.items():
            if sure[cc] > 0:
                sure[cc] += n
        return +sure

    def countries_mentioned(
        self,
        texts: Iterable[str],
        *,
        min_share: float = MIN_MENTION_SHARE,
        min_mentions: int = MIN_MENTIONS,
    ) -> tuple[list[str], Counter[str]]:
        """Countries above the share/minimum, most mentioned first (ties by code); and the raw counts."""
        counts = self.count(texts)
        return above_share(counts, min_share, min_mentions), counts


def above_share(counts: Counter[str], min_share: float = MIN_MENTION_SHARE,
                min_mentions: int = MIN_MENTIONS) -> list[str]:
    """The countries with at least ``min_mentions`` mentions and ``min_share`` of all, most mentioned first
    (ties by code)."""
    total = sum(counts.values())
    if not total:
        return []
    kept = [cc for cc, n in counts.items() if n >= min_mentions and n / total >= min_share]
    return sorted(kept, key=lambda cc: (-counts[cc], cc))


@cache
def default_gazetteer() -> Gazetteer:
    data = (
        resources.files("globewire.stories")
        .joinpath("data/places.tsv")
        .read_text(encoding="utf-8")
    )
    return Gazetteer(_load_rows(data))


@cache
def local_gazetteer(lang: str) -> Gazetteer | None:
    """Country names in another language (pycountry's translations), for text that has no English yet; None
    when there are none for ``lang``. Names only: the demonyms, capitals and cities of ``places.tsv`` are
    English."""
    lang = (lang or "").split("-")[0].lower()
    if not lang or lang == "en":
        return None
    names = _local_names(lang)
    if not names:
        return None
    if lang in UNSPACED_LANGUAGES:  # matched inside runs of text: no inflection, no Latin abbreviations ("USB")
        return Gazetteer([], names=names, word_boundaries=False)
    return Gazetteer([], names=[*names, *_abbreviations()], inflected=True)


@cache
def _abbreviations() -> list[tuple[str, str]]:
    """Abbreviations news in other languages writes for some countries ("USA", "США", "EE.UU."):
    ``data/abbreviations.tsv``, in the format of ``places.tsv``."""
    text = resources.files("globewire.stories").joinpath("data/abbreviations.tsv").read_text(encoding="utf-8")
    return [(name, cc) for name, cc, _ in _load_rows(text, "abbreviations.tsv") if cc is not None]


_VOWELS = frozenset("aeiouyæøåαεηιουωаеёиоуыэюяіїє")


def _inflects(name: str, surface: str) -> bool:
    """Is ``surface`` (which ``_inflected(name)`` matched) a case form of ``name``, word by word: the name with an
    ending added ("Russland-s", "Schweiz-er"), or a final vowel replaced by an ending that starts with a vowel
    ("Polsk-a" ~ "Polsk-i", "Росси-я" ~ "Росси-и"). A consonant replaced is another word ("Schwei-z" ~
    "Schwei-n"), and so is a vowel replaced by a consonant ("Franci-a" ~ "Franci-sco")."""
    for n, w in zip(name.split(), surface.split(), strict=False):
        if w.startswith(n):
            continue
        last, then = fold_marks(n[-1]).lower(), fold_marks(w[len(n) - 1 : len(n)]).lower()
        if not (last in _VOWELS and then in _VOWELS):
            return False
    return True


def _inflected(name: str) -> str:
    """A name as a pattern that also matches its case forms (see INFLECT_MIN_CHARS)."""
    words = []
    for w in name.split(" "):
        if len(w) >= INFLECT_MIN_CHARS and w.isalpha():
            words.append(re.escape(w[:-1]) + r"\w{0,%d}" % INFLECT_MAX_ENDING)
        else:
            words.append(re.escape(w))
    return r"\s+".join(words)


def countries_mentioned(english: Iterable[str], originals: Iterable[tuple[str, str]] = (), *,
                        min_share: float = MIN_MENTION_SHARE, min_mentions: int = MIN_MENTIONS,
                        ) -> tuple[list[str], Counter[str]]:
    """Countries a story mentions: its English texts through the English gazetteer, plus ``originals``
    ((language, text) of articles with no English yet) through the country names of their language and its
    adjectives of nationality ("a romániai", "w słowackiej"; ``clustering.signature.adjective_counts``, the
    English gazetteer has its own demonyms); the same share/minimum rule as ``Gazetteer.countries_mentioned``
    over the pooled counts."""
    from globewire.clustering.signature import adjective_counts

    counts = default_gazetteer().count(english)
    for lang, text in originals:
        local = local_gazetteer(lang)
        if local is not None:
            counts.update(local.count([fold_marks(text)]))
        counts.update(adjective_counts(text, lang, lowercase_only=True))
    return above_share(counts, min_share, min_mentions), counts


def load_gazetteer(tsv_text: str) -> Gazetteer:
    """A gazetteer over pycountry plus the given places TSV (for tests / custom deployments)."""
    return Gazetteer(_load_rows(tsv_text))
