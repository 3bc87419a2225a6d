"""Headline quality: is a title something a reader can read as a headline, and if not, what is?

* :func:`headline_problems` / :func:`is_good_headline` — the quality check: at most 90 characters, a real
  sentence fragment with content words, and none of: a date or time, a URL, a site name, a menu or share
  word, a breadcrumb, a "read in <language>" link, a logo/image caption, text in a script other than the
  headline language's.
* :func:`derive_headline` — a headline made from a text's best central lead sentence: datelines and
  attributions dropped, compressed to 90 characters at clause boundaries (never mid-word); or the text's own
  title where it is glued to the text (:func:`runon_title`, :func:`slug_title`: where the address's slug stops).
* :func:`usable_title` — a title if it passes, else the derived one (used at ingest and when reading
  rows stored before this check existed).

Nothing here knows about stories, stores or extraction (a base-layer module, see docs/architecture.md): it has
its own word and sentence splitting and its own furniture shapes; the story synthesis, the pipeline and the
read model call it.
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from collections.abc import Iterable
from dataclasses import replace
from functools import lru_cache

from globewire.records import Article

_WORD = re.compile(r"[^\W_]+(?:['’][^\W_]+)?", re.UNICODE)
# Sentence ends: terminal punctuation (Latin, CJK, Devanagari danda, Arabic) then space, or a CJK full stop.
_SENT_END = re.compile(r"(?<=[.!?…।؟])[\"'”’)\]]*\s+(?=\S)|(?<=[。！？])")
_NOT_END = re.compile(r"(?:\b(?:mr|mrs|ms|dr|prof|st|gen|gov|sen|rep|no|vs|jan|feb|mar|apr|jun|jul|aug|sep|sept|oct|"
                      r"nov|dec|u\.s|u\.k|u\.n|e\.u)|\b[A-ZÀ-Þ])\.$", re.IGNORECASE)


def words(text: str) -> list[str]:
    """Word tokens (letters/digits, inner apostrophes kept)."""
    return _WORD.findall(text)


def split_sentences(text: str, lang: str = "en") -> list[str]:  # noqa: ARG001 - one splitter for all languages
    """Sentences of ``text``: every line on its own, split after terminal punctuation; abbreviations and
    initials ("Dr.", "U.S.", "J.") do not end a sentence."""
    out: list[str] = []
    for line in (text or "").split("\n"):
        line = " ".join(line.split())
        if not line:
            continue
        start = 0
        for m in _SENT_END.finditer(line):
            piece = line[start : m.start()].strip()
            if _NOT_END.search(piece.rstrip("\"'”’)]")):
                continue
            if piece:
                out.append(line[start : m.end()].strip())
            start = m.end()
        if line[start:].strip():
            out.append(line[start:].strip())
    return out


HEADLINE_MAX_CHARS = 90
# A headline names something and says something about it: at least this many words of two or more letters
# (spaced scripts). "Floods close schools" is 3; menu rows ("Other Apps", "Get link") are 2.
MIN_CONTENT_WORDS = 3
# Scripts written without spaces (Chinese, Japanese, Thai...) are measured in letters instead: the shortest
# real headlines in the fixtures of those languages are 8-10 characters; menu labels are 2-4.
MIN_UNSPACED_LETTERS = 6
# A headline in a script other than its language's: share of its letters outside the expected script.
# Latin-script languages: names in another script are rare in headlines, so 10% of letters already means a
# mixed line ("5 Nov 2024 | हिंदी में पढ़ें"). Other scripts carry Latin acronyms and brand names
# ("NATO首脳会議", "iPhone"), so Latin letters only count against them above half of the letters.
FOREIGN_SCRIPT_MAX_SHARE = 0.10
LATIN_IN_OTHER_SCRIPT_MAX_SHARE = 0.5
# Share of letters+digits among the non-space characters: below it the line is punctuation and symbols
# (separators, bullets, pipes) rather than words. Real headlines in the fixtures are >= 0.85.
MIN_WORD_CHAR_SHARE = 0.7
# A line the furniture table reads as a byline ("By Jane Doe", "Von Anna Sleegers, Frankfurt") is one only when
# this short: "Von München bis Aachen: Im Netz der China-Agenten" is a headline.
BYLINE_MAX_WORDS = 5
# A derived headline never comes from a short line with one of these problems (furniture, not a lead).
FURNITURE_MAX_WORDS = 12
_FURNITURE_PROBLEMS = frozenset({"menu", "breadcrumb", "read_in", "caption", "url", "placeholder", "symbols"})
# Lead sentences examined when deriving a headline (news leads carry the event in the first sentences).
LEAD_SENTENCES = 4
# A derived headline shorter than this many words says too little; a clause cut is only taken when at
# least this many words remain.
MIN_DERIVED_WORDS = 4

_URL = re.compile(r"(?:https?://|www\.)\S+|\b[\w-]+\.(?:com|org|net|co\.\w\w|de|fr|uk|in|ru|cn|jp|info|io)\b(?:/\S*)?",
                  re.IGNORECASE)
# "09:10", "9:10 AM IST", "18.00 Uhr", "9 pm"; a decimal ("0.25 percentage points") is not a time.
_TIME = re.compile(r"\b\d{1,2}:\d{2}(?::\d{2})?\b"
                   r"|\b\d{1,2}[.h]\d{2}\s*(?:am|pm|a\.m\.|p\.m\.|uhr|h|hrs|ist|gmt|utc|cet|cest|est|pst)(?!\w)"
                   r"|\b\d{1,2}\s*(?:am|pm|a\.m\.|p\.m\.)(?!\w)", re.IGNORECASE)
_NUM_DATE = re.compile(r"\b\d{1,4}[./-]\d{1,2}[./-]\d{1,4}\b|\b(?:19|20)\d{2}-\d{2}-\d{2}\b")
_YEAR = re.compile(r"\b(?:19|20)\d{2}\b")
_DAYNUM = re.compile(r"\b\d{1,2}(?:st|nd|rd|th|\.)?\b")
_BREADCRUMB = re.compile(r"(?:^|\s)[>»›/|→]\s")
_LEADING_JUNK = re.compile(r"^[\s\-–—•·|:>»›*#]+")
_LOGO = re.compile(r"\b(?:logo|icon|thumbnail|placeholder|image|photo|bild|foto|picture)\b", re.IGNORECASE)
_MARKUP = re.compile(r"</?[A-Za-z][^<>]{0,40}>")  # tags left in text by a scraper ("<s>", "<br/>")
_PLACEHOLDER = re.compile(r"^(?:story|article|untitled|no title|title|headline|news)\s*#?\s*\d*$", re.IGNORECASE)
# Labels of menus, share rows and app chrome that extraction or copy-paste leaves as a "title" (lower case,
# whole-line; the furniture table of extract/furniture.py covers the rest in many languages).
MENU_LABELS = frozenset({
    "get link", "other apps", "share", "share this", "menu", "home", "homepage", "main menu", "search", "close",
    "open", "more", "next", "previous", "back", "top", "skip", "login", "log in", "sign in", "register",
    "subscribe", "newsletter", "latest", "latest news", "breaking news", "live", "live updates", "watch",
    "video", "videos", "photos", "gallery", "podcast", "podcasts", "opinion", "editorial", "trending",
    "most read", "recommended", "related", "see also", "read more", "advertisement", "sponsored", "cookies",
    "accept", "privacy", "terms", "contact", "about us", "follow us", "download the app", "open in app",
    "listen", "print", "email", "copy link", "copied", "x", "facebook", "twitter", "whatsapp", "telegram",
    "linkedin", "news", "world", "world news", "politics", "business", "sport", "sports", "nachrichten",
    "startseite", "accueil", "inicio", "portada", "notizie", "главная", "новости",
})
# Single words of share rows and app chrome: a line made only of these is a menu ("Share X Other Apps").
MENU_WORDS = frozenset({
    "get", "link", "share", "other", "apps", "app", "x", "facebook", "twitter", "whatsapp", "telegram", "email",
    "e-mail", "mail", "print", "copy", "copied", "linkedin", "pinterest", "reddit", "messenger", "menu", "home",
    "search", "close", "more", "save", "bookmark", "comment", "comments", "follow", "subscribe", "login", "sign",
    "in", "up", "listen", "play", "video", "photo", "photos", "gallery", "and", "on", "teilen", "partager",
    "compartir", "condividi", "instagram", "youtube", "tiktok", "threads", "bluesky", "rss", "feed", "drucken",
    "imprimer", "imprimir", "stampa", "kommentare", "kommentieren", "merken", "teilen:", "startseite", "accueil",
})
# Prefixes of related-story and navigation blocks: "See also: ...", "Read more: ...".
_BLOCK_PREFIX = re.compile(
    r"^(?:see also|read more|read also|also read|related|more from|recommended|lesen sie auch|mehr zum thema|"
    r"à lire aussi|lire aussi|lee también|leggi anche|leia também|czytaj też|читайте также)\b\s*[:>»-]",
    re.IGNORECASE,
)
# Furniture shapes that are never a headline: reading time, update stamps, captions and credits, bylines,
# share/print/comment rows in a few more languages (whole line, case-insensitive).
_FURNITURE_LINE = re.compile(
    r"^(?:\d+\s*(?:-\s*)?(?:min(?:ute)?s?|minuten?|minutos?|minuti)\.?\s*(?:read|lesezeit|de lecture|de lectura|di lettura)?"
    r"|(?:last updated|updated|published|first published|veröffentlicht|aktualisiert|stand|publié|mis à jour|"
    r"publicado|actualizado|pubblicato|aggiornato)\b\s*:?.{0,60}"
    r"|(?:image|photo|picture|pic|foto|bild|fotó|фото|zdjęcie|imagem|imagen|image caption|caption|"
    r"bildunterschrift|légende)\s*(?:credit)?\s*:.{0,200}"
    r"|(?:by|von|par|por|door|av|af|przez)\s+[^\W\d_][\w.'’-]*(?:,?\s+[^\W\d_][\w.'’-]*){0,3}"
    r"|(?:\d+\s+)?(?:comments?|kommentare?|commentaires?|comentarios?)(?:\s*\(\d+\))?"
    r"|(?:©|\(c\)|copyright)\s.{0,80}|(?:all rights reserved|alle rechte vorbehalten|tous droits réservés).{0,20}"
    r"|(?:advertisement|anzeige|werbung|publicité|publicidad|sponsored)\s*:?)$",
    re.IGNORECASE,
)
_READ_IN = re.compile(
    r"\b(?:read|lire|lesen|leer|leggi|leia|читать|читати)\b.{0,20}\b(?:in|en|auf|em|на)\b"
    r"|में पढ़ें|में पढ़िए|ਵਿੱਚ ਪੜ੍ਹੋ|இல் படிக்க|で読む|로 읽기|بخوانید|اقرأ",
    re.IGNORECASE,
)
# Language -> its script (the first word of the Unicode character name of its letters).
LANGUAGE_SCRIPT = {
    "ar": "ARABIC", "fa": "ARABIC", "ur": "ARABIC", "ps": "ARABIC", "ku": "ARABIC", "he": "HEBREW", "yi": "HEBREW",
    "ru": "CYRILLIC", "uk": "CYRILLIC", "bg": "CYRILLIC", "sr": "CYRILLIC", "mk": "CYRILLIC", "be": "CYRILLIC",
    "kk": "CYRILLIC", "ky": "CYRILLIC", "mn": "CYRILLIC", "tg": "CYRILLIC", "el": "GREEK", "hy": "ARMENIAN",
    "ka": "GEORGIAN", "hi": "DEVANAGARI", "mr": "DEVANAGARI", "ne": "DEVANAGARI", "bn": "BENGALI",
    "pa": "GURMUKHI", "gu": "GUJARATI", "ta": "TAMIL", "te": "TELUGU", "kn": "KANNADA", "ml": "MALAYALAM",
    "si": "SINHALA", "th": "THAI", "lo": "LAO", "km": "KHMER", "my": "MYANMAR", "am": "ETHIOPIC", "ti": "ETHIOPIC",
    "ko": "HANGUL", "zh": "CJK", "ja": "CJK", "dv": "THAANA", "bo": "TIBETAN",
}
_UNSPACED = {"CJK", "THAI", "LAO", "KHMER", "MYANMAR", "TIBETAN"}
# Japanese kana and Korean compatibility jamo are the same script family as the language's letters.
_SCRIPT_ALIASES = {"HIRAGANA": "CJK", "KATAKANA": "CJK", "HALFWIDTH": "CJK", "FULLWIDTH": "LATIN"}


def _script(ch: str) -> str | None:
    if not ch.isalpha():
        return None
    try:
        first = unicodedata.name(ch).split(" ", 1)[0]
    except ValueError:
        return None
    return _SCRIPT_ALIASES.get(first, first)


def scripts(text: str) -> Counter[str]:
    """Letters of ``text`` per script."""
    return Counter(s for s in map(_script, text) if s)


def expected_script(language: str | None) -> str | None:
    lang = (language or "").lower().split("-")[0]
    if not lang or lang == "und":
        return None
    return LANGUAGE_SCRIPT.get(lang, "LATIN")


MONTH_KEYS = ("january", "february", "march", "april", "may", "june", "july", "august", "september", "october",
              "november", "december")
WEEKDAY_KEYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")


@lru_cache(maxsize=256)
def calendar_names(language: str | None, keys: tuple[str, ...], *, short_forms: bool = False) -> frozenset[str]:
    """The names (lower case, 3+ letters) of the months or weekdays ``keys`` in English and ``language``
    (dateparser's locale data). Without ``short_forms`` another language's abbreviations are left out: they are
    often ordinary words ("die", "mit", "don", "son"), so only its full name (listed first: "mai") and forms of
    DATE_WORD_MIN_CHARS letters count, plus English three-letter forms."""
    out: set[str] = set()
    try:
        from dateparser.languages.loader import default_loader
    except ImportError:  # pragma: no cover - dateparser is a default dependency
        return frozenset()
    for lang in dict.fromkeys(["en", (language or "en").lower().split("-")[0]]):
        try:
            info = default_loader.get_locale(lang).info
        except Exception:  # noqa: BLE001 - a language dateparser does not know has no names to add
            continue
        for key in keys:
            for i, name in enumerate(info.get(key, [])):
                name = str(name).lower().strip(".")
                if len(name) >= 3 and (short_forms or i == 0 or len(name) >= DATE_WORD_MIN_CHARS or lang == "en"):
                    out.add(name)
    return frozenset(out)


def _date_words(language: str | None) -> frozenset[str]:
    """Month and weekday names (full and abbreviated, see ``calendar_names``) of English and ``language``.
    "may" / "march" are also ordinary English words: they count as date words only next to a number."""
    return calendar_names(language, MONTH_KEYS + WEEKDAY_KEYS)


# Month/weekday names shorter than this (other than English "jan", "mon"...) are left out (see _date_words).
DATE_WORD_MIN_CHARS = 4
_AMBIGUOUS_DATE_WORDS = frozenset({"may", "march", "mar", "sun", "sat", "wed", "jun", "mai", "mars"})


def _has_date(text: str, language: str | None) -> bool:
    if _NUM_DATE.search(text):
        return True
    names = _date_words(language)
    toks = [t.lower() for t in words(text)]
    for i, t in enumerate(toks):
        if t not in names:
            continue
        near = toks[max(0, i - 2): i] + toks[i + 1: i + 3]
        has_num = any(n.isdigit() for n in near)
        if has_num and (_YEAR.search(text) or t not in _AMBIGUOUS_DATE_WORDS or _DAYNUM.search(" ".join(near))):
            return True
    return False


def _name_key(text: str) -> str:
    return re.sub(r"[\W_]+", "", text.casefold())


# A title or headline that holds a date ("Milano, dal 1° ottobre stop ai furgoni diesel...", "Oznámení o
# přerušení dodávky vody – Třebíč, 8. prosince 2026") is a headline, not a dateline, when at least this many of
# its words are neither numbers nor month or weekday names (and it is not longer than a headline). A dateline taken for a title ("Tuesday, November 5,
# 2024 | 09:10 AM IST", "Published 8 December 2026 | Updated") has at most two. Titles longer than a headline
# keep the check: "Lufthansa retires big jets, says rebound could take years [the same again] by Associated
# PressWednesday, April 8th 2020". Set by hand on the reader store (`bench reader --limit 200`): 5 of its 198
# replaced titles were such headlines, replaced by worse derived ones, one cut at the "1." of a date
# ("Cestovné v košickej mestskej hromadnej doprave sa od 1").
TITLE_WITH_DATE_MIN_WORDS = 4


def _words_besides_dates(text: str, language: str | None) -> int:
    names = _date_words(language)
    return sum(1 for w in words(text) if not any(ch.isdigit() for ch in w) and w.lower() not in names)


def headline_problems(text: str, language: str | None = None, *, site_names: Iterable[str] = ()) -> list[str]:
    """Why ``text`` is not a usable headline (empty list: it is one). Reasons are short machine words:
    empty, too_long, placeholder, markup, url, date, time, menu, breadcrumb, read_in, caption, site_name, script,
    symbols, too_short."""
    t = " ".join((text or "").split())
    if not t:
        return ["empty"]
    problems: list[str] = []
    if len(t) > HEADLINE_MAX_CHARS:
        problems.append("too_long")
    core = _LEADING_JUNK.sub("", t).strip()
    low = core.lower().rstrip(".:!")
    if not core:
        return problems + ["symbols"]
    if _PLACEHOLDER.match(core):
        problems.append("placeholder")
    if _MARKUP.search(core):
        problems.append("markup")
    if _URL.search(core):
        problems.append("url")
    if _TIME.search(core):
        problems.append("time")
    if _has_date(core, language) and (len(t) > HEADLINE_MAX_CHARS
                                      or _words_besides_dates(core, language) < TITLE_WITH_DATE_MIN_WORDS):
        problems.append("date")  # a dateline, not a headline with a date in it (TITLE_WITH_DATE_MIN_WORDS)
    parts = [w for w in re.split(r"\s*[|/·•,]\s*|\s{2,}", low) if w]
    if (low in MENU_LABELS or all(w in MENU_LABELS for w in parts)
            or all(w.lower() in MENU_WORDS for w in words(low)) or _BLOCK_PREFIX.match(core)):
        problems.append("menu")
    # a byline is at most BYLINE_MAX_WORDS words ("Von München bis Aachen: Im Netz..." is a headline)
    if _FURNITURE_LINE.match(core):
        problems.append("menu")
    if _BREADCRUMB.search(core) and len(re.split(r"\s[>»›/|→]\s", core)) >= 3:
        problems.append("breadcrumb")
    if _READ_IN.search(core):
        problems.append("read_in")
    toks = words(core)
    if _LOGO.search(core) and len(toks) <= 4:
        problems.append("caption")
    keys = {_name_key(s) for s in site_names if s and s.strip()}
    if _name_key(core) in keys and keys != {""}:
        problems.append("site_name")
    letters = scripts(core)
    n_letters = sum(letters.values())
    want = expected_script(language)
    if n_letters:
        if want is not None:
            foreign = sum(n for s, n in letters.items() if s != want)
            latin = letters.get("LATIN", 0) if want != "LATIN" else 0
            if want == "LATIN" and foreign / n_letters > FOREIGN_SCRIPT_MAX_SHARE:
                problems.append("script")
            elif want != "LATIN" and ((foreign - latin) / n_letters > FOREIGN_SCRIPT_MAX_SHARE
                                      or latin / n_letters > LATIN_IN_OTHER_SCRIPT_MAX_SHARE):
                problems.append("script")
        else:
            top = letters.most_common(2)
            if len(top) == 2 and top[1][1] / n_letters > FOREIGN_SCRIPT_MAX_SHARE and "LATIN" not in (
                    top[0][0], top[1][0]):
                problems.append("script")
    dense = [c for c in core if not c.isspace()]
    # letters, digits and combining marks (Devanagari, Thai... vowel signs) are word characters
    wordish = sum(1 for c in dense if unicodedata.category(c)[0] in "LNM")
    if dense and wordish / len(dense) < MIN_WORD_CHAR_SHARE:
        problems.append("symbols")
    main = letters.most_common(1)[0][0] if letters else None
    if main in _UNSPACED:
        if letters[main] < MIN_UNSPACED_LETTERS:
            problems.append("too_short")
    elif sum(1 for w in toks if sum(c.isalpha() for c in w) >= 2) < MIN_CONTENT_WORDS:
        problems.append("too_short")
    return list(dict.fromkeys(problems))


def is_good_headline(text: str, language: str | None = None, *, site_names: Iterable[str] = ()) -> bool:
    return not headline_problems(text, language, site_names=site_names)


# --------------------------------------------------------------------------- derivation

# "BERLIN (Reuters) - ", "TOKYO, Nov 5 (AP) — ", "WASHINGTON — ", "Paris, le 5 mai (AFP) - "
_DATELINE = re.compile(
    r"^(?:[A-ZÀ-Þ][\w.'’ -]{1,40}?(?:,\s*[^()—–-]{1,30}?)?\s*(?:\([^)]{1,30}\))?\s*[—–-]{1,2}\s+"
    r"|\([^)]{1,30}\)\s*[—–-]\s+)"
)
_ATTRIBUTION_TAIL = re.compile(
    r",?\s+(?:(?:the\s+)?[\w.'’ -]{1,40}\s+)?(?:said|says|told [\w ]{1,30}|reported|announced|according to [^,.;]{1,60})"
    r"(?:\s+(?:on|in)\s+\w+)?\s*\.?$",
    re.IGNORECASE,
)
_PARENS = re.compile(r"\s*\([^)]{0,60}\)")
# Clause boundaries, strongest first: a cut there leaves a readable fragment.
_CLAUSE_CUTS = (
    re.compile(r"\s*[;:]\s+"), re.compile(r"\s+[—–]\s+"), re.compile(r",\s+"),
    re.compile(r"\s+(?:and|but|while|after|as|which|who|because|although|when|where|und|et|y|e)\s+"),
)


_QUOTE_PAIRS = {'"': '"', "“": "”", "„": "“", "'": "'", "‘": "’", "«": "»", "»": "«", "”": "”"}


def _strip_wrapping_quotes(s: str) -> str:
    """``s`` without quote marks that wrap all of it ("“Text”" → "Text"); a quote that opens a quotation
    inside ("'I've never seen this': Shops close") stays, so the headline keeps both of its marks."""
    while len(s) > 2 and _QUOTE_PAIRS.get(s[0]) == s[-1] and s[0] not in s[1:-1] and s[-1] not in s[1:-1]:
        s = s[1:-1].strip()
    return s


def strip_sentence(s: str, *, dateline: bool = True) -> str:
    s = " ".join(_MARKUP.sub(" ", s).split())
    # "Title | Site name Body..." (a page's title bar glued to its text): keep the first piece when it says enough
    pieces = re.split(r"\s+\|\s+", s)
    if len(pieces) > 1 and len(words(pieces[0])) >= MIN_DERIVED_WORDS:
        s = pieces[0]
    if dateline:
        s = _DATELINE.sub("", s, count=1)
    s = _PARENS.sub("", s)
    s = _strip_wrapping_quotes(s.strip())
    tail = _ATTRIBUTION_TAIL.search(s)
    if tail and len(words(s[: tail.start()])) >= MIN_DERIVED_WORDS:
        s = s[: tail.start()]
    return s.rstrip(" .,;:")


# A dateline a reader can tell for one at a sentence's start, stricter than _DATELINE (which only ever cuts
# a headline candidate): "BERLIN (REUTERS) - ", "LOS ANGELES — ", "Washington (dpa) - ", "PARIS, Nov 5 (AFP) - ",
# "BERLIN: " (a colon only after a capitalised word of 5+ letters: "NATO: …", "OPEC: …" say who, not where).
_LEAD_DATELINE = re.compile(
    r"^(?:[A-ZÀ-Þ]{2,}[\w.'’-]*(?:\s+[A-ZÀ-Þ]{2,}[\w.'’-]*){0,3}\s*(?:,\s*[\w.'’ ]{1,30}?){0,3}"
    r"\s*(?:\([^)]{1,30}\))?\s*[—–-]{1,2}\s+"
    r"|[A-ZÀ-Þ][\w.'’-]+(?:[ ,/]+[\w.'’-]+){0,3}\s*\([^)]{1,30}\)\s*[—–:-]{1,2}\s*"
    r"|[A-ZÀ-Þ]{5,}(?:\s+[A-ZÀ-Þ]{2,}){0,2}:\s+)"
)


def strip_dateline(sentence: str) -> str:
    """``sentence`` without a dateline at its start (``_LEAD_DATELINE``), first letter capitalised; the
    sentence as it is when what would be left is not a sentence (fewer than MIN_DERIVED_WORDS words)."""
    m = _LEAD_DATELINE.match(sentence)
    if not m:
        return sentence
    rest = sentence[m.end():].lstrip()
    if len(words(rest)) < MIN_DERIVED_WORDS:
        return sentence
    return rest[0].upper() + rest[1:]


def without_title(sentence: str, title: str) -> str:
    """``sentence`` without ``title`` where it starts with it (a title glued to its text: "Sondaż: co trzeba
    zmienić …? Najwięcej …"); "" when it is nothing but the title."""
    t = " ".join((title or "").split())
    s = " ".join(sentence.split())
    if len(t) < 10 or not s.casefold().startswith(t.casefold()):
        return sentence
    rest = s[len(t):].lstrip(" .:;,–—-|")
    return rest[0].upper() + rest[1:] if rest else ""


def compress(sentence: str, limit: int = HEADLINE_MAX_CHARS, *, dateline: bool = True) -> str:
    """``sentence`` cleaned of dateline, parentheses and a trailing attribution, then cut to ``limit``
    characters at the strongest clause boundary that keeps enough words; failing that at the last whole word
    (with an ellipsis). Never cuts a word."""
    s = strip_sentence(sentence, dateline=dateline)
    if s[:1].islower():
        s = s[0].upper() + s[1:]
    if len(s) <= limit:
        return s
    for rx in _CLAUSE_CUTS:
        cuts = [m.start() for m in rx.finditer(s) if m.start() <= limit]
        cuts = [c for c in cuts if len(words(s[:c])) >= MIN_DERIVED_WORDS]
        if cuts:
            return s[: max(cuts)].rstrip(" ,;:—–-")
    cut = s[: limit - 1]
    if " " in cut:
        cut = cut[: cut.rfind(" ")]
    return cut.rstrip(" ,;:—–-") + "…"


def _content(text: str) -> set[str]:
    return {w.lower() for w in words(text) if len(w) > 3}


# A title glued to its text with no punctuation between ("… shocks Germany BERLIN: The small state…", "… amid
# coronavirus pandemic You won't find…", scraped and imported records that lost their line breaks) ends within
# this many words, and keeps at least MIN_DERIVED_WORDS.
RUNON_TITLE_MAX_WORDS = 24
# The capitalised word that starts the text after such a title is one the text otherwise writes in lower case
# (a function word: "The", "In", "Jeśli"), at least this many times — a capitalised noun (German) or a name never is.
RUNON_LOWER_USES = 2
_RUNON_TOKEN = re.compile(r"\S+")
# A byline glued to the title ("… continue By Lee I-chia / Staff reporter"): the word, then a capitalised name.
_RUNON_BYLINE_WORDS = frozenset({"By", "Von", "Por", "Par", "Door", "Av", "Di", "Przez"})
# "BERLIN:", "WASHINGTON —", "Washington (dpa) -", "PARIS (Reuters) -", "MUNICH, Germany, Feb 15, 2020 (BSS/Xinhua) -":
# a dateline inside the run
_RUNON_DATELINE = re.compile(r"^(?:[A-ZÀ-Þ]{3,}[\w.'’-]*(?:\s*,\s*[A-ZÀ-Þ][\w.'’-]*)?\s*(?::|[—–-]{1,2}\s)"
                             r"|[A-ZÀ-Þ][\w.'’-]+(?:\s*,\s*[\w.'’ -]{1,30}){0,3}\s*\([^)]{1,30}\)\s*[—–:-])")


# A URL's slug spells its article's headline ("/angriffe-auf-us-botschaft-im-irak-artikel10692971"): the words
# at the start of a text that the slug spells out, in order, are its title, when they cover at least this share
# of the slug's letters (a slug may carry a section word or lose a short word) ...
SLUG_TITLE_COVER = 0.6
# ... and are at least this many words, this many of them of SLUG_TITLE_LONG_WORD+ letters.
SLUG_TITLE_MIN_WORDS = 3
SLUG_TITLE_LONG_WORDS = 2
SLUG_TITLE_LONG_WORD = 4
# A word of this many letters or fewer ("a", "w", "de") may be one the slug left out.
SLUG_SHORT_WORD = 2
# Slug pieces holding this many digits are ids ("artikel10692971", "imp492797", "a48991"), not words (a year
# is: "disney-el-gran-ganador-en-los-cines-en-2019").
SLUG_ID_DIGITS = 5
# A text in a script without case cannot show where its title ends ("… لجامعة أسيوط بنجاح …" goes on where the
# slug stopped): there the title must spell the slug to its end, less this many letters.
SLUG_CASELESS_SLACK = 2
_SLUG_PIECE = re.compile(r"[^\W_]+", re.UNICODE)
_GERMAN_FOLD = str.maketrans({"ä": "ae", "ö": "oe", "ü": "ue", "Ä": "Ae", "Ö": "Oe", "Ü": "Ue", "ß": "ss"})


def _fold(s: str) -> str:
    from anyascii import anyascii

    return re.sub(r"[^a-z0-9]", "", anyascii(s).lower())


def slug_letters(url: str | None) -> str:
    """The folded letters of the wordiest piece of ``url``'s path (its last segments split at "/", ".", ","
    and ";"), id pieces left out; "" when the address has no such words."""
    if not url:
        return ""
    from urllib.parse import unquote, urlsplit

    try:
        path = unquote(urlsplit(url).path)
    except ValueError:
        return ""
    best = ""
    for segment in re.split(r"[/.,;]", path):
        pieces = [_fold(w) for w in _SLUG_PIECE.findall(segment)]
        kept = "".join(w for w in pieces if sum(c.isdigit() for c in w) < SLUG_ID_DIGITS)
        if sum(c.isalpha() for c in kept) > sum(c.isalpha() for c in best):
            best = kept
    return best


def slug_title(text: str, url: str | None) -> str:
    """The words at the start of ``text``'s first line that ``url``'s slug spells out, in order, when more
    text follows on that line and starts like a new sentence (not a lower-case word: then the slug was cut
    short of its title); "" when the slug does not name the text's start (``SLUG_TITLE_COVER``). Each word
    is compared folded to ASCII (and with German umlauts spelled out), found in the slug at or after the
    previous word, so a section word or a dropped short word in the slug costs nothing."""
    slug = slug_letters(url)
    if len(slug) < SLUG_TITLE_MIN_WORDS * SLUG_TITLE_LONG_WORD:
        return ""
    first_line = (text or "").lstrip().split("\n", 1)[0]
    toks = list(_RUNON_TOKEN.finditer(first_line))[: RUNON_TITLE_MAX_WORDS + 1]
    folds = [_fold(t.group(0)) for t in toks]
    pos = covered = 0
    end = -1
    undo: tuple[int, int] | None = None  # (pos, covered) before the last word of SLUG_SHORT_WORD letters or fewer
    skipped = False

    def find(forms: set[str], start: int) -> tuple[int, int] | None:
        hits = [(k, len(v)) for v in forms for k in [slug.find(v, start)] if k >= 0]
        return min(hits) if hits else None

    for i, t in enumerate(toks):
        if not folds[i]:
            end = i  # punctuation between words ("–", "|")
            continue
        forms = {folds[i], _fold(t.group(0).translate(_GERMAN_FOLD))} - {""}
        hit = find(forms, pos)
        if hit is None and undo is not None:
            # a short word the slug left out may have matched letters of the next one ("apunalar-la-hiena"
            # for "apuñalar a "La Hiena""): the short word stays in the title, unspelled
            hit = find(forms, undo[0])
            if hit is not None:
                pos, covered = undo
        if hit is None and len(folds[i]) <= SLUG_SHORT_WORD and not skipped:
            skipped = True  # a short word the slug left out altogether: the next word decides
            continue
        if hit is None:
            break
        skipped = False
        k, n = hit
        undo = (pos, covered) if n <= SLUG_SHORT_WORD else None
        pos, covered, end = k + n, covered + n, i
    else:
        return ""  # the whole line is the slug's: a title on its own line needs no cut
    if end < 0 or covered < SLUG_TITLE_COVER * len(slug):
        return ""
    if (end + 1 < SLUG_TITLE_MIN_WORDS
            or sum(len(f) >= SLUG_TITLE_LONG_WORD for f in folds[: end + 1]) < SLUG_TITLE_LONG_WORDS):
        return ""
    nxt = toks[end + 1].group(0).lstrip("\"'“”‘’«»(")
    if nxt[:1].islower() or toks[end].group(0)[-1:] in ":,;":
        return ""  # the title goes on where the slug stopped ("EZB-Zinsentscheid am Donnerstag: Sinkt …")
    if nxt[:1].isalpha() and not nxt[:1].isupper() and pos < len(slug) - SLUG_CASELESS_SLACK:
        return ""
    return first_line[: toks[end].end()].strip().rstrip(" -–—|:")


def _lower_uses(text: str) -> Counter[str]:
    """How often each word of ``text`` is written in lower case."""
    return Counter(w for w in words(text) if w[:1].islower())


def _written_lower(word: str, lower_uses: Counter[str]) -> bool:
    """The cue that a capitalised ``word`` starts a sentence after a glued title: the text otherwise writes it
    in lower case (a function word: "The", "Die", "Jeśli"), at least RUNON_LOWER_USES times."""
    return word[1:].islower() and lower_uses[word.lower()] >= RUNON_LOWER_USES


# After a title glued to its text, a page's name may follow its separator ("… verschwinden – Hoefner Volksblatt
# und Marchanzeiger Eine Gruppe …", "… | BR24 Die sogenannte …"): at most this many words, each capitalised (or a
# lower-case word of SITE_NAME_SHORT_WORD letters or fewer: "und", "de", "of"), ended by the same cue that ends a
# glued title (a capitalised word the text otherwise writes in lower case, or a dateline).
SITE_NAME_MAX_WORDS = 6
SITE_NAME_SHORT_WORD = 3
_NAME_SEPARATOR = re.compile(r"^(?:[–—|]|-{1,2})\s+")


def site_name_after_title(rest: str, text: str) -> int:
    """How many characters at the start of ``rest`` (what follows a glued title in ``text``) are a separator
    and the page's name, not the article; 0 when that cannot be told (no separator, a word in lower case or
    with punctuation before any cue: "- Cinco escuelas pueden …", "- Słyszymy, że …")."""
    sep = _NAME_SEPARATOR.match(rest)
    if not sep:
        return 0
    lower_uses = _lower_uses(text)
    toks = list(_RUNON_TOKEN.finditer(rest, sep.end()))[: SITE_NAME_MAX_WORDS + 1]
    for i, t in enumerate(toks):
        tok = t.group(0)
        if i and ((tok[:1].isupper() and _written_lower(tok, lower_uses)) or _RUNON_DATELINE.match(rest[t.start():])):
            return t.start()
        if _NAME_SEPARATOR.match(tok + " "):
            continue  # "Las Noticias de Chihuahua – Entrelíneas"
        if tok[-1:] in ",.;:!?" or not (tok[:1].isupper() or tok[:1].isdigit()
                                         or (tok.isalpha() and len(tok) <= SITE_NAME_SHORT_WORD)):
            return 0
    return 0


def runon_title(text: str, url: str | None = None) -> str:
    """The title at the start of ``text`` when it was glued to the body without punctuation: the words the
    article's URL spells (``slug_title``), else cut before a dateline, a double space, or a capitalised word
    the text otherwise writes in lower case, following a word with no closing punctuation. "" when the text
    does not start that way."""
    by_slug = slug_title(text, url)
    if by_slug:
        return by_slug
    head = (text or "").lstrip()
    first_line = head.split("\n", 1)[0]
    toks = list(_RUNON_TOKEN.finditer(first_line))[: RUNON_TITLE_MAX_WORDS + 1]
    if len(toks) <= MIN_DERIVED_WORDS:
        return ""
    lower_uses = _lower_uses(head)
    for i in range(MIN_DERIVED_WORDS, len(toks)):
        prev, tok = toks[i - 1].group(0), toks[i].group(0)
        if prev.rstrip("\"'”’»)")[-1:] in ".!?…" and not _NOT_END.search(prev):
            return ""  # a first sentence that ends: the text starts with prose, not a glued title
        if prev[-1:] in ":;,–—-" or not tok[:1].isupper():
            continue
        gap = first_line[toks[i - 1].end() : toks[i].start()]
        rest = first_line[toks[i].start() :]
        bare = tok.strip("\"'“”‘’«»(")
        after = toks[i + 1].group(0) if i + 1 < len(toks) else ""
        if ("  " in gap or _RUNON_DATELINE.match(rest)
                or (tok in _RUNON_BYLINE_WORDS and after[:1].isupper())
                or _written_lower(bare, lower_uses)):
            return first_line[: toks[i - 1].end()].strip()
    return ""


def derive_headline(text: str, language: str | None = None, *, site_names: Iterable[str] = (),
                    url: str | None = None) -> str:
    """A headline from ``text``: its own title when one is glued to its start (``runon_title``, helped by the
    article's ``url``), else among its first LEAD_SENTENCES sentences that are not furniture, the most central
    one (shares most content words with the rest of the text; earlier wins ties), compressed. The first
    candidate that passes the quality check wins; "" when the text has no usable sentence."""
    lang = (language or "en").lower().split("-")[0]
    names = tuple(site_names)
    glued = runon_title(text, url)
    if glued:
        h = compress(glued, dateline=False)  # a title does not start with a dateline: "Take …, … warns - Site"
        if is_good_headline(h, lang, site_names=names):
            return h
    sents = []
    for s in split_sentences(text or "", lang):
        # short furniture lines (menus, share rows, datelines, captions, bylines) are not leads
        if len(words(s)) <= FURNITURE_MAX_WORDS and set(headline_problems(s, lang)) & _FURNITURE_PROBLEMS:
            continue
        sents.append(s)
        if len(sents) >= LEAD_SENTENCES * 3:
            break
    if not sents:
        return ""
    whole = Counter(w for s in sents for w in _content(s))
    lead = sents[:LEAD_SENTENCES]
    scored = []
    for i, s in enumerate(lead):
        c = _content(s)
        shared = sum(min(whole[w] - 1, 3) for w in c) / (len(c) + 3)
        scored.append((-(shared - 0.15 * i), i, s))
    scored.sort()
    for _, _, s in scored:
        h = compress(s)
        if len(words(h)) >= MIN_DERIVED_WORDS or expected_script(lang) in _UNSPACED:
            if is_good_headline(h, lang, site_names=names):
                return h
    return ""


def is_usable_title(text: str, language: str | None = None, *, site_names: Iterable[str] = ()) -> bool:
    """An article's own title is usable when it passes the check, length aside: the 90-character limit is
    for story headlines, and an article keeps its full title."""
    return not set(headline_problems(text, language, site_names=site_names)) - {"too_long"}


def usable_title(title: str, text: str, language: str | None = None, *, site_names: Iterable[str] = (),
                 max_chars: int | None = None, url: str | None = None) -> tuple[str, bool]:
    """(title to show, derived?): ``title`` when usable (``is_usable_title``, after stripping leading bullets
    and dashes; with ``max_chars``, cut at a clause boundary to fit), else one derived from ``text``; when
    nothing passes, the cleaner of the two rather than nothing."""
    names = tuple(site_names)
    t = _LEADING_JUNK.sub("", " ".join((title or "").split())).strip()
    if is_usable_title(t, language, site_names=names):
        return (compress(t, max_chars) if max_chars and len(t) > max_chars else t), False
    derived = derive_headline(text, language, site_names=names, url=url)
    if derived:
        return derived, True
    if t and len(t) <= HEADLINE_MAX_CHARS and not {"placeholder", "menu", "empty"} & set(
            headline_problems(t, language, site_names=names)):
        return t, False
    first = next(iter(split_sentences(text or "", (language or "en").split("-")[0])), "")
    return (compress(first), True) if first else (t, False)


def title_article(a: Article, outlet_name: str | None = None) -> Article:
    """``a`` with a usable title (``usable_title``): an overlong title is cut at a clause boundary, a junk or
    empty one replaced by a derived one (``extra["title_derived"] = True``); the original is kept in
    ``extra["original_title"]``."""
    names = [n for n in (outlet_name, a.site_name) if n]
    title, derived = usable_title(a.title, a.text, a.language, site_names=names, url=a.canonical_url or a.url)
    if title == a.title:
        return a
    extra = dict(a.extra)
    extra.setdefault("original_title", a.title)
    if derived:
        extra["title_derived"] = True
    return replace(a, title=title, extra=extra)


def _strip_pictographs(s: str) -> str:
    """``s`` without the emoji and symbols a channel puts around a title ("⚡️", "🔴 LIVE" keeps "LIVE")."""
    def deco(ch: str) -> bool:
        return unicodedata.category(ch) in ("So", "Sk", "Cs") or ch in "\ufe0f\u200d\u20e3"

    i, j = 0, len(s)
    while i < j and (deco(s[i]) or s[i].isspace()):
        i += 1
    while j > i and (deco(s[j - 1]) or s[j - 1].isspace()):
        j -= 1
    return s[i:j]


def story_headline(headline: str, summary_texts: Iterable[str], language: str | None = "en", *,
                   site_names: Iterable[str] = ()) -> str:
    """The headline to show for a stored story: its own when it passes, else one derived from its summary
    sentences (stories synthesised before the check existed), else its own cleaned of leading junk. A story's
    headline is the service's own, so the emoji an outlet decorates its title with are left out."""
    names = tuple(site_names)
    lang = language or "en"
    h = _strip_pictographs(_LEADING_JUNK.sub("", " ".join((headline or "").split())).strip())
    if is_good_headline(h, lang, site_names=names):
        return h
    for text in summary_texts:
        d = derive_headline(text, lang, site_names=names)
        if d:
            return d
    return h if h and not _PLACEHOLDER.match(h) else ""
