"""clean_pasted_text: text copied or saved from a news site or app -> records.Extracted.

A paste keeps the page's chrome around the article: logos, menus, share rows, breadcrumbs, "read in
<language>" links, reading times, date lines, bylines, captions, related-story blocks. The cleaner finds the
article by structure first, and uses the multilingual pattern table of ``furniture.py`` as a supplement:

* **prose** lines (sentence-final punctuation and enough words, or long) are the body's skeleton: the body runs
  from the first prose line to the last one; everything before it is the *head*, everything after it the *tail*;
* the **headline** is the head line of headline shape (several words, no sentence punctuation, not a menu item)
  that is followed closely by the date/byline, else the first line of the last run of such lines before the body;
* **runs** of non-prose lines inside the body are chrome when they hold a furniture line (date, byline, share row,
  caption, related-story label...), are three lines or more (menus, related lists) or repeat elsewhere; a lone
  short line between paragraphs is a cross-heading and is kept;
* **date lines** anywhere outside the body text are parsed in many languages (``dates.parse_date_line``) and
  resolved together (first published > unlabelled > updated; year-less dates against the text's other clues);
* **bylines** come from byline patterns, else from the first name-shaped line after the headline;
* **captions** (pattern, "Image caption," label + next line, a line ending in an agency credit) are kept apart;
* **shapes** mark furniture after the first paragraph whatever the language (``_shape_furniture``): picture credits
  ("Picha: Maktaba", "Tomo Lukšio nuotr.") and the non-sentence caption before them, related-story teasers (a short
  "label:" line + a headline, "Label in lower case: Headline", a label in capitals + a headline; one such teaser
  does not end the body), ad labels (``furniture.AD_LABELS``), a "Newsletter" label and its promo, a long
  non-sentence line between two paragraphs (a caption, not a crosshead).
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from dataclasses import dataclass, field

from globewire.extract.authors import split_names
from globewire.extract.dates import DateLine, parse_date_line, resolve_date_lines
from globewire.extract.errors import ExtractionError
from globewire.extract.furniture import AD_LABELS, NEWSLETTER_WORDS, RELATED_LABELS, classify
from globewire.headline import runon_title, site_name_after_title
from globewire.records import Extracted

# A headline is at most this long (characters / words).
MAX_TITLE_CHARS = 200
MAX_TITLE_WORDS = 30
# A headline has at least this many words (words of unspaced scripts are counted as two characters).
MIN_TITLE_WORDS = 3
# A line is prose when it ends like a sentence and has at least PROSE_MIN_WORDS words, or has PROSE_LONG_WORDS
# words whatever its end (a paragraph whose end the copy cut). Calibrated on tests/fixtures/pasted/tune: the
# shortest body sentence there has 7 words, the longest sentence-shaped chrome ("Lecture 2 min.") 3.
PROSE_MIN_WORDS = 6
PROSE_LONG_WORDS = 25
# The headline is the candidate followed by a date or byline within this many lines.
TITLE_LOOKAHEAD = 3
# A run of this many short lines in a row is a menu / list (share menus, navigation, related items, tags).
MENU_RUN = 3
# Menu items have at most this many words.
MENU_ITEM_WORDS = 3
# A run of non-prose lines between two prose paragraphs of at most this many lines, with no furniture in it,
# is a cross-heading and stays in the body.
CROSSHEAD_MAX_LINES = 2
# Paragraphs after a related-stories block are the article going on only if there are at least this many.
MIN_PROSE_AFTER_BLOCK = 2
# A name-shaped line within this many lines after the headline is its byline even inside a run of short lines.
NAME_AFTER_TITLE = 6
# The last this-many paragraphs are checked for the outlet's notes about itself and author bios.
TAIL_PARAGRAPHS = 2
# At most this many lines of one text are parsed as date lines (calibrated: the fixtures' texts have at most 9
# candidate lines; dateparser costs ~5-40 ms per line).
MAX_DATE_LINES = 40
# A byline name has 2..4 words.
NAME_MIN_WORDS, NAME_MAX_WORDS = 2, 4

# --- Shape rules for furniture in languages the pattern table does not list (``_shape_furniture``). Calibrated
# on tests/fixtures/pasted tune + held_out_1..5 (held_out_4 and held_out_5 became tuning data for these rules),
# with one word of margin where a figure is a bound:
# A related-story label on its own line ("Llegeix també:", "Přečtěte si také:") has at most this many words (the
# longest there has 3).
TEASER_LABEL_MAX_WORDS = 4
# The headline a teaser points to has at least this many words (the shortest teaser headline there has 3:
# "Meteoroloji'den turuncu uyarı").
TEASER_MIN_WORDS = 3
# A "Label: headline" line is a teaser only when its headline part has at least this many words (the shortest
# there has 6; a "Label: text" crosshead is usually shorter).
TEASER_INLINE_MIN_WORDS = 5
# A picture credit names at most this many words after its label ("Foto: Inquam Photos / Liviu Chirica": 4).
CREDIT_MAX_WORDS = 6
# A non-sentence caption standing just before its credit line has at most this many words (the longest there has
# 8: "Kraków, 20 stycznia 2025 r. Smog nad Wisłą"; a generous bound, the line must also not end like a sentence:
# a paragraph followed by a bare credit, as in tune/pl_gazeta_like, is text).
CAPTION_MAX_WORDS = 20
# An ad label line ("Continua após a publicidade", "Story continues below advertisement") has at most this many
# words, the ad word first or last.
AD_LINE_MAX_WORDS = 5
# A lone non-sentence line between two paragraphs is a photo caption, not a crosshead, when it has at least
# CAPTION_COMMA_WORDS words and a comma ("Viatgers esperant el tren a l'estació de Vic, aquest dimecres": place,
# time) or at least CAPTION_LONG_WORDS words. Not calibrated on the fixtures (none has a crosshead or a lone
# uncredited caption between paragraphs): set from the crossheads of the tests (at most 7 words, one with a comma
# in 4). A crosshead of 7+ words with a comma ("Fewer trains, longer journeys and higher fares") is lost.
CAPTION_COMMA_WORDS = 7
CAPTION_LONG_WORDS = 12
# A promo line after a "Newsletter" label has at most this many words (the longest there has 14).
PROMO_MAX_WORDS = 30
# After an inline teaser (a label and one headline, or "Label: headline") this many paragraphs are enough for the
# article to go on (after a related block of several items: MIN_PROSE_AFTER_BLOCK).
MIN_PROSE_AFTER_TEASER = 1

_SENTENCE_END = re.compile(r"[.!?。！？।؟…]['\"”’»」』)\]]*$")
# Invisible characters dropped from pasted text. Not ZWNJ/ZWJ (U+200C/U+200D): they spell Persian, Indic
# scripts and emoji sequences ("تیم‌های" is not "تیمهای").
_INVISIBLE = dict.fromkeys(map(ord, "\u200b\u2060\ufeff\xad"), None)
_UNSPACED = re.compile(r"[\u3040-\u30ff\u3400-\u9fff\uf900-\ufaff\u0e00-\u0e7f\u1000-\u109f]")
_RELATED = re.compile(rf"\s*(?:{RELATED_LABELS})\s*", re.IGNORECASE)
_BULLET = re.compile(r"^(?:[-–—•*·▪►✓]|\d{1,2}[.)])\s+\S")
_WRAPPED = re.compile(r"^[(\[【（].*[)\]】）]$")
_DOMAIN = re.compile(r"(?:^|\s)(?:https?://|www\.)\S+|\b[\w-]+\.(?:com|org|net|co\.\w\w|in|de|fr|es|it|br|pl|ru|jp|cn|kr|tr)\b", re.IGNORECASE)
_NO_LETTERS = re.compile(r"^[\W\d_]*$")
# A caption ends in a photo credit: "(Photo: Reuters)", "(DANIEL MIHAILESCU / AFP)", "— Foto: Reprodução/RBS TV".
_CREDIT_END = re.compile(
    r"(?:\((?:[^()]{0,60}/\s*)?(?:photo|foto|file photo|imagem|imagen|bild|reuters|ap|afp|efe|epa|dpa|pti|ani|ians|"
    r"anadolu|xinhua|getty images|[A-ZÀ-Ý .'-]{3,40}/\s*[A-Z]{2,10})[^()]{0,40}\)|[—–-]\s*(?:foto|photo|imagem):\s*[^\n]{2,60}|"
    r"=\d{4}年\d{1,2}月\d{1,2}日[^\n]{0,60})\s*$",
    re.IGNORECASE,
)
_CAPTION_LABEL = re.compile(r"(?i)^(?:image caption|photo caption|caption|bildunterschrift|légende|legenda|pie de foto)\s*[,:]?$")
# Words that make a capitalised line an organisation or section, not a person ("BBC News", "France Télévisions").
_ORG_WORDS = frozenset(
    ["news", "press", "media", "times", "post", "daily", "television", "télévisions", "televisión", "radio", "tv", "agency", "agence", "agencia", "desk", "staff", "bureau", "redaktion", "redazione", "rédaction", "redacción", "correspondent", "reporter", "online", "digital", "network", "group", "service", "world", "nation", "local", "home", "weather", "sport", "sports", "business", "politics", "opinion", "live", "reuters", "afp", "ap", "pti", "ians", "ani", "tnn", "efe", "ansa", "dpa", "xinhua", "tass", "ria", "bloomberg", "associated", "guardian", "independent", "story", "video", "photo", "image", "more"]
)
_CJK_ORG_WORDS = ("新闻", "新聞", "日报", "日報", "电视", "電視", "通信", "通讯", "뉴스", "신문", "방송")
_PARTICLES = frozenset(["de", "da", "do", "dos", "das", "di", "del", "della", "van", "von", "der", "den", "la", "le", "du", "al", "el", "bin", "ibn", "ben"])


def _normalise(text: str) -> list[str]:
    text = unicodedata.normalize("NFC", text).translate(_INVISIBLE)
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\xa0", " ").replace("\t", " ")
    return [re.sub(r" {2,}", " ", line).strip() for line in text.split("\n")]


def word_count(line: str) -> int:
    """Words of a line; a run of an unspaced script (Japanese, Chinese, Thai) counts one word per two characters."""
    n = 0
    for tok in line.split():
        unspaced = len(_UNSPACED.findall(tok))
        n += max(1, unspaced // 2) if unspaced >= 4 else 1
    return n


def is_prose(line: str) -> bool:
    if _WRAPPED.match(line):
        return False
    words = word_count(line)
    return words >= PROSE_LONG_WORDS or (words >= PROSE_MIN_WORDS and bool(_SENTENCE_END.search(line)))


def _headline_shaped(line: str) -> bool:
    words = word_count(line)
    if words < MIN_TITLE_WORDS or words > MAX_TITLE_WORDS or len(line) > MAX_TITLE_CHARS:
        return False
    if line.endswith((":", ",", ";")) or _DOMAIN.search(line) or _NO_LETTERS.match(line):
        return False
    return not (line.count("|") >= 2 or line.count("/") >= 2 or "•" in line)


def _name_of(line: str) -> str | None:
    """The person's name a byline-shaped line starts with ("Tom Ashby in Oslo", "Elena Varga, Reuters"), or None."""
    head = re.split(r"\s*(?:,|\||/|·|•|\s[-–—]\s|\(|\s(?:in|à|en|em|für|for)\s)\s*", line, maxsplit=1)[0].strip()
    tokens = head.split()
    if not NAME_MIN_WORDS <= len(tokens) <= NAME_MAX_WORDS:
        return None
    for t in tokens:
        w = t.strip(".'’-")
        if not w or any(ch.isdigit() for ch in w) or w.casefold() in _ORG_WORDS:
            return None
        if w.casefold() in _PARTICLES:
            continue
        if not (w[0].isupper() and any(ch.islower() for ch in w[1:])) and not (len(w) <= 2 and w[0].isupper()):
            return None
    if len(line.split()) - len(tokens) > 4:
        return None
    return head


def _names_of(line: str, *, allow_caps: bool = False) -> list[str]:
    """Names of a byline-shaped line: one ("Tom Ashby in Oslo") or several ("ROSA CALDERÓN and DANIEL MWANGI"
    when ``allow_caps``, i.e. next to a date line)."""
    one = _name_of(line)
    if one:
        return [one]
    letters = [ch for ch in line if ch.isalpha()]
    if not allow_caps or not letters or sum(ch.isupper() for ch in letters) < 0.8 * len(letters):
        return []
    names = _clean_names(line)
    return names if names and all(_name_of(n) for n in names) else []


def _in_text(name: str, text: str) -> bool:
    """A "name" the article itself mentions is a place or a subject ("By Neha Gupta, New Delhi"), not its author."""
    return len(name) >= 4 and name.casefold() in text.casefold()


def _cjk_name(line: str) -> str | None:
    s = line.replace(" ", "")
    if 3 <= len(s) <= 4 and all("\u4e00" <= ch <= "\u9fff" for ch in s) and not any(w in s for w in _CJK_ORG_WORDS):
        return s
    return None


def _crosshead_shaped(line: str) -> bool:
    """A cross-heading has two words or more and starts like a heading (not "toggle caption", not "Watch")."""
    first = line.lstrip("\"'“‘«„¿¡([")[:1]
    return word_count(line) >= 2 and not (first.isalpha() and first.islower())


def _label_like(line: str) -> bool:
    """A short line of capitalised words (a logo, a section name), not a headline."""
    words = line.split()
    if len(words) > 4 or _UNSPACED.search(line):
        return False
    return all(w[0].isupper() or not w[0].isalpha() or (len(w) <= 3 and w.islower()) for w in words)


def _clean_names(raw: str) -> list[str]:
    out: list[str] = []
    for n in split_names(raw):
        words = n.split()
        cut = [w for w in words]
        for i, w in enumerate(words):
            if w in ("The", "the") or w.casefold().strip(",.") in _ORG_WORDS:
                cut = words[:i]
                break
        n = " ".join(cut).strip(" ,.-")
        if not n:
            continue
        if n.isupper() and re.search(r"[^\W\d_]", n) and " " in n:
            n = n.title()
        if " " not in n and any(ch.isupper() or ch.islower() for ch in n):
            continue  # one word of a cased script: "CNN", "TNN", "Portsmouth" (an outlet or a place, not a person)
        if any(w in n for w in _CJK_ORG_WORDS):
            continue  # "澎湃新闻记者": the outlet's reporter, not a name
        first = n.split()[0]
        if first[0].isalpha() and first[0].islower() and first not in _PARTICLES:
            continue
        out.append(n)
    return out


@dataclass
class _Line:
    text: str
    prose: bool
    kind: str | None = None  # drop, byline, caption, date, related
    names: list[str] = field(default_factory=list)
    date: DateLine | None = None
    words: int = 0
    maybe_date: bool = False  # a short line with a number: parsed as a date line (within the text's budget)


def _read_date(ln: _Line) -> None:
    d = parse_date_line(ln.text)
    if d is None:
        return
    ln.kind, ln.date = "date", d
    first = re.split(r"\s+[/|—–]\s+", ln.text)[0]
    if first != ln.text:
        name = _name_of(first)
        if name:
            ln.names = [name]


def _classify(text: str) -> _Line:
    ln = _Line(text, is_prose(text), words=word_count(text))
    if _RELATED.fullmatch(text):
        ln.kind = "related"
        return ln
    hit = classify(text)
    if hit is not None:
        kind, m = hit
        if kind == "byline":
            names = _clean_names(m.group("names"))
            ln.kind, ln.names = ("byline", names) if names else ("drop", [])
            return ln
        if kind == "date":
            ln.kind, ln.maybe_date = "date", True
            return ln
        ln.kind = kind
        return ln
    if ln.prose:
        if _CREDIT_END.search(text):
            ln.kind = "caption"
        return ln
    if _CREDIT_END.search(text) and ln.words >= 4:
        ln.kind = "caption"
        return ln
    ln.maybe_date = any(ch.isdigit() for ch in text)
    if _NO_LETTERS.match(text) or (_DOMAIN.search(text) and ln.words <= 12) or _WRAPPED.match(text) and ln.words <= 3:
        ln.kind = "drop"
    return ln


# --- shape rules: furniture recognised by its shape and place, whatever the language (the pattern table lists
# words of some languages only)

_CASED = re.compile(r"[^\W\d_]")
_LABEL_COLON = re.compile(r"^(?P<label>[^:：]{1,60}?)\s*[:：]\s*(?P<rest>.*)$")
_ABBREV = re.compile(r"^[^\W\d_]{3,8}\.$")
_AGENCY_END = re.compile(r"/\s*[^\W\d_]*[A-ZÀ-ÞА-ЯΑ-Ω]{2,10}$")
_CREDIT_SEPARATORS = ",;/|·()–—-"


def _all_caps(line: str) -> bool:
    """Letters all capitals, in a cased script ("İLGİLİ HABER", "SOMA PIA"), at least three of them."""
    letters = [ch for ch in line if ch.isalpha()]
    return len(letters) >= 3 and all(ch.isupper() for ch in letters)


def _cap_word(w: str) -> bool:
    """A word of a name or an outlet: capitalised or all capitals ("Liviu", "БГНЕС", "Wyborcza.pl"), or a particle."""
    w = w.strip("\"'“”‘’«»")
    return bool(w) and (w[0].isupper() or w.casefold() in _PARTICLES) and not any(ch.isdigit() for ch in w)


def _name_words(text: str) -> list[str] | None:
    """The words of a credit's names ("Petr Novák, Seznam Zprávy", "Inquam Photos / Liviu Chirica"), or None when a
    word is not name-shaped or the text ends like a sentence."""
    if _SENTENCE_END.search(text) and not text.endswith("."):
        return None
    words = [w for w in re.split(rf"[\s{re.escape(_CREDIT_SEPARATORS)}]+", text) if w]
    if not 1 <= len(words) <= CREDIT_MAX_WORDS or not all(_cap_word(w) for w in words):
        return None
    return words


def _credit_line(line: str) -> bool:
    """A picture credit: "Label: Names" ("Picha: Maktaba", "Снимка: БГНЕС", "Foto: Magnus Hallgren"), names with an
    abbreviation before or after them ("Fot. Jakub Porzycki / Agencja", "Tomo Lukšio nuotr."), or names ending in an
    agency after a slash ("Foto Jeroen Dekker/ANP")."""
    m = _LABEL_COLON.match(line)
    if m and len(m.group("label").split()) == 1 and m.group("label").isalpha() and m.group("rest"):
        return _name_words(m.group("rest")) is not None
    words = line.split()
    if not 2 <= len(words) <= CREDIT_MAX_WORDS + 1:
        return False
    # "Tomo Lukšio nuotr.": names, then a lower-case abbreviation
    if _ABBREV.match(words[-1]) and words[-1][0].islower() and _name_words(" ".join(words[:-1])):
        return True
    # "Fot. Jakub Porzycki": a capitalised abbreviation, then at least two name words
    if _ABBREV.match(words[0]) and words[0][0].isupper():
        rest = _name_words(" ".join(words[1:]))
        return rest is not None and len(rest) >= 2
    # "Foto Jeroen Dekker/ANP"
    return bool(_AGENCY_END.search(line)) and _name_words(line) is not None


def _ad_line(line: str) -> bool:
    """An ad slot's label: the ad word alone, or first or last in a short line ("Continua após a publicidade")."""
    words = [w.strip(".,:;!()[]–—-…").casefold() for w in line.split()]
    words = [w for w in words if w]
    if not words or len(words) > AD_LINE_MAX_WORDS:
        return False
    for label in AD_LABELS:
        n = len(label.split())
        if " ".join(words[:n]) == label or " ".join(words[-n:]) == label:
            return True
    return False


def _teaser_label(ln: _Line) -> bool:
    """A related-story label on its own line: a few words ending in a colon ("Llegeix també:", "Lue myös:"), or a
    few words in capitals ("İLGİLİ HABER")."""
    t = ln.text
    if ln.prose or _NO_LETTERS.match(t):
        return False
    if t.endswith((":", "：")):
        return 1 <= word_count(t[:-1]) <= TEASER_LABEL_MAX_WORDS
    # in capitals, one word fewer: a label in capitals has no colon to tell it from a crosshead
    return _all_caps(t) and word_count(t) <= TEASER_LABEL_MAX_WORDS - 1 and not any(ch.isdigit() for ch in t)


def _teaser_headline(ln: _Line) -> bool:
    """The headline a teaser label points to: headline-shaped, not a sentence ending in a full stop, not a list item
    ("Die Pläne:" + "- Mehr Busse") nor a quotation ("Sie sagte:" + "„Wir bleiben hier“")."""
    t = ln.text
    return (ln.kind is None and word_count(t) >= TEASER_MIN_WORDS and _headline_shaped(t)
            and not t.rstrip("\"'”’»“«").endswith(".") and not _BULLET.match(t) and t[:1] not in "\"'“”‘’«»„‹›-–—")


def _inline_teaser(line: str) -> bool:
    """"Läs mer: Lärarförbundet: ”Proven tar tid…”", "Citește și: Trenuri anulate…": a verb-phrase label (two words
    or more, the words after the first in lower case) or a label in capitals, a colon, and a capitalised headline of
    TEASER_INLINE_MIN_WORDS words or more. One-word labels ("Analiza: co dalej") and labels of capitalised words
    ("Jan Novák: Proč odcházím") are left alone: they are crossheads and quotes as often as teasers."""
    m = _LABEL_COLON.match(line)
    if not m:
        return False
    label, rest = m.group("label").split(), m.group("rest")
    if not 2 <= len(label) <= TEASER_LABEL_MAX_WORDS or not rest:
        return False
    if not (_all_caps(" ".join(label)) or (label[0][:1].isupper() and all(_CASED.search(w) and w == w.lower() for w in label[1:]))):
        return False
    first = rest.lstrip("\"'“”‘’«»„")[:1]
    if not first or (first.isalpha() and first.islower()):
        return False
    return word_count(rest) >= TEASER_INLINE_MIN_WORDS and _headline_shaped(rest) and not rest.endswith(".")


def _shape_furniture(lines: list[_Line]) -> None:
    """Mark furniture by shape after the text's first paragraph (a head line "Teksti: Matti Virtanen" is a byline;
    these rules are for the body and what follows it): ad labels, picture credits and the caption line before them,
    related-story teasers ("label:" + headline, "Label: headline", "LABEL IN CAPITALS" + headline) and newsletter
    promos. Only lines no pattern classified are marked."""
    first = next((k for k, ln in enumerate(lines) if ln.prose and ln.kind is None), len(lines))
    k = first + 1
    while k < len(lines):
        ln = lines[k]
        if ln.kind not in (None, "caption"):
            k += 1
            continue
        nxt = lines[k + 1] if k + 1 < len(lines) else None
        if not ln.prose and _credit_line(ln.text):
            ln.kind = "caption"
            # the caption the credit is for, when it is not a sentence: a sentence before a credit may be the last
            # paragraph with a bare credit after it ("… setki milionów złotych." / "Fot. Maciej Kulczyński / PAP")
            prev = lines[k - 1]
            if (k - 1 > first and prev.kind is None and not prev.prose and prev.words <= CAPTION_MAX_WORDS
                    and not _SENTENCE_END.search(prev.text)):
                prev.kind = "caption"
        elif ln.kind is not None:
            pass
        elif not ln.prose and _ad_line(ln.text):
            ln.kind = "drop"
        elif nxt is not None and _teaser_label(ln) and _teaser_headline(nxt):
            ln.kind = nxt.kind = "teaser"
            k += 2
            continue
        elif not ln.prose and _inline_teaser(ln.text):
            ln.kind = "teaser"
        elif (not ln.prose and ln.words <= 2 and nxt is not None and nxt.kind is None and nxt.words <= PROMO_MAX_WORDS
              and any(w.strip(".:!").casefold() in NEWSLETTER_WORDS for w in ln.text.split())):
            ln.kind = nxt.kind = "drop"
            k += 2
            continue
        elif (not ln.prose and nxt is not None and nxt.prose and nxt.kind is None and lines[k - 1].prose
              and lines[k - 1].kind is None and not _SENTENCE_END.search(ln.text) and not _BULLET.match(ln.text)
              and (ln.words >= CAPTION_LONG_WORDS or (ln.words >= CAPTION_COMMA_WORDS and "," in ln.text))):
            ln.kind = "caption"
        k += 1


def _one_teaser(lines: list[_Line], run: range) -> bool:
    """A run between paragraphs that is one teaser of another story (a label and its headline, or "Label: headline"
    on one line), not a related block of several: the article goes on after it."""
    first = lines[run[0]]
    if len(run) == 1:
        m = _LABEL_COLON.match(first.text)
        return first.kind == "teaser" or (first.kind == "related" and m is not None
                                          and word_count(m.group("rest")) >= TEASER_MIN_WORDS)
    if len(run) == 2:
        second = lines[run[1]]
        return (second.kind == "teaser" and first.kind == "teaser") or (
            first.kind == "related" and _teaser_headline(second))
    return False


def clean_pasted_text(text: str, url: str, *, reference: dt.datetime | None = None) -> Extracted:
    """Clean text pasted from a news site or app. ``reference`` (when the text was saved: the file's time) places
    relative dates ("2 hours ago") and bounds year-less ones. Raises ExtractionError("empty") when nothing is left."""
    if not isinstance(text, str) or not text.strip():
        raise ExtractionError("empty", "no text")
    raw = [t for t in _normalise(text) if t]
    lines = [_classify(t) for t in raw]
    _shape_furniture(lines)
    n = len(lines)
    counts: dict[str, int] = {}
    for ln in lines:
        if not ln.prose:
            counts[ln.text.casefold()] = counts.get(ln.text.casefold(), 0) + 1

    body_prose = [i for i, ln in enumerate(lines) if ln.prose and ln.kind is None]
    b0 = body_prose[0] if body_prose else n
    b_end = body_prose[-1] if body_prose else -1

    # date lines: the head first, then the tail, then the runs inside the body, at most MAX_DATE_LINES of them
    # (dateparser searches its languages for every line: a pasted table of numbers must not cost minutes)
    budget = MAX_DATE_LINES
    for k in [*range(min(b0, n)), *range(n - 1, max(b_end, b0 - 1), -1), *range(b0, b_end + 1)]:
        ln = lines[k]
        if ln.maybe_date and not ln.prose and ln.kind in (None, "date", "drop"):
            if budget <= 0:
                break
            budget -= 1
            _read_date(ln)

    # menu runs: MENU_RUN or more short lines in a row
    in_menu = [False] * n
    i = 0
    while i < n:
        j = i
        while j < n and not lines[j].prose and lines[j].words <= MENU_ITEM_WORDS and lines[j].kind not in ("date", "byline"):
            j += 1
        if j - i >= MENU_RUN:
            for k in range(i, j):
                in_menu[k] = True
        i = max(j, i + 1)


    # --- headline
    late = {ln.text.casefold() for ln in lines[b0 + 1:]} if body_prose else set()

    def candidate(k: int) -> bool:
        ln = lines[k]
        # a line printed again after the body starts is the site's name or a section, not this article's headline
        return (ln.kind is None and not ln.prose and not in_menu[k] and _headline_shaped(ln.text)
                and ln.text.casefold() not in late)

    cands = [k for k in range(b0) if candidate(k)]
    # a logo or section name ("The Times of India", "Clima y Medio Ambiente") is a headline only when nothing else is
    cands = [k for k in cands if not _label_like(lines[k].text)] or cands
    title_idx: int | None = None
    for k in cands:
        ahead = [lines[m] for m in range(k + 1, min(n, k + 1 + TITLE_LOOKAHEAD))]
        if any(a.kind in ("date", "byline") or (a.kind is None and not a.prose and _name_of(a.text)) for a in ahead):
            title_idx = k
            break
    if title_idx is None and cands:
        title_idx = cands[-1]
    # a headline followed by its standfirst: the first of adjacent candidates is the headline
    while title_idx is not None and title_idx - 1 in cands:
        title_idx -= 1
    if not body_prose and title_idx is None:
        # no prose and no headline: a short text of short lines; its first content line is the title
        free = [k for k in range(n) if lines[k].kind is None and not in_menu[k]]
        if len(free) > 1 and _headline_shaped(lines[free[0]].text):
            title_idx = free[0]
    title = lines[title_idx].text if title_idx is not None else ""

    # --- the body: prose from b0, runs of non-prose lines judged; a related-stories block ends it unless enough
    # prose follows
    keep = [False] * n
    if body_prose:
        i = b0
        while i <= b_end:
            if lines[i].prose:
                keep[i] = lines[i].kind is None
                i += 1
                continue
            j = i
            while j <= b_end and not lines[j].prose:
                j += 1
            run = range(i, j)
            chrome = (
                (len(run) > CROSSHEAD_MAX_LINES and not all(_BULLET.match(lines[k].text) for k in run))
                or any(lines[k].kind is not None or in_menu[k] or counts.get(lines[k].text.casefold(), 0) > 1
                       or not _crosshead_shaped(lines[k].text) for k in run)
                or any(lines[k].words > MAX_TITLE_WORDS for k in run)
            )
            if any(lines[k].kind in ("related", "teaser") or lines[k].text.endswith((":", "：")) for k in run):
                after = [k for k in range(j, b_end + 1) if lines[k].prose and lines[k].kind is None]
                if len(after) < (MIN_PROSE_AFTER_TEASER if _one_teaser(lines, run) else MIN_PROSE_AFTER_BLOCK):
                    break
            if not chrome:
                for k in run:
                    keep[k] = True
            i = j
    elif title_idx is not None:
        for k in range(title_idx + 1, n):
            if lines[k].kind is None and not in_menu[k] and counts.get(lines[k].text.casefold(), 0) <= 1:
                keep[k] = True
    if title_idx is not None:
        keep[title_idx] = False
    _drop_self_notes(lines, keep, title_idx)

    # --- bylines, dates, captions from the lines that are not kept
    authors: list[str] = []
    captions: list[str] = []
    dates: list[DateLine] = []
    # bylines are looked for up to the second body paragraph (a standfirst may come before the byline)
    kept_prose = [k for k in range(n) if keep[k] and lines[k].prose]
    zone_end = kept_prose[1] if len(kept_prose) > 1 else n
    name_zone_start = (title_idx + 1) if title_idx is not None else 0
    text_all = "\n".join(ln.text for k, ln in enumerate(lines) if keep[k] or lines[k].kind == "caption" or k == title_idx)
    caption_next = False
    for k, ln in enumerate(lines):
        if keep[k] or k == title_idx:
            caption_next = False
            continue
        if caption_next and ln.kind is None:
            captions.append(ln.text)
            caption_next = False
            continue
        caption_next = bool(_CAPTION_LABEL.match(ln.text))
        if ln.kind == "caption":
            captions.append(ln.text)
        if ln.kind == "date" and ln.date is not None:
            dates.append(ln.date)
        near_top = k < zone_end and (title_idx is None or k > title_idx or ln.kind == "byline")
        if authors or not near_top or (counts.get(ln.text.casefold(), 0) > 1 and not _next_to_date(lines, k)):
            continue
        if ln.names:
            authors.extend(n for n in ln.names if not _in_text(n, text_all))
        elif (ln.kind is None and k >= name_zone_start
              and (not in_menu[k] or (title_idx is not None and k - title_idx <= NAME_AFTER_TITLE))):
            dated = _next_to_date(lines, k)
            names = _names_of(ln.text, allow_caps=dated)
            # a name in an unspaced script has no shape of its own: only between the headline and the date line
            if not names and k == (title_idx or -2) + 1 and k + 1 < n and lines[k + 1].kind == "date" and _cjk_name(ln.text):
                names = [_cjk_name(ln.text) or ""]
            authors.extend(n for n in names if not _in_text(n, text_all))

    body_lines: list[str] = []
    for k in range(n):
        if keep[k] and (not body_lines or body_lines[-1] != lines[k].text):
            body_lines.append(lines[k].text)
    body = "\n".join(body_lines)
    if not title and body:
        # one run of text that starts with its title, line break lost ("… shocks Germany BERLIN: The small …")
        # (read on the text as given: a double space between title and body is one of the cues)
        glued = " ".join(runon_title(text, url).split())
        if glued and body.lstrip().startswith(glued):
            title, body = glued, body.lstrip()[len(glued):].lstrip()
            body = body[site_name_after_title(body, text):]  # "… – Hoefner Volksblatt und Marchanzeiger Eine …"
    if not body and not title:
        raise ExtractionError("empty", "only page furniture in the pasted text")
    year_clues = [int(y) for y in re.findall(r"(?<!\d)((?:19|20)\d\d)(?!\d)", f"{title}\n{body}")]
    published = resolve_date_lines(dates, year_clues, reference)
    return Extracted(
        url=url,
        title=title,
        text=body,
        published_at=published,
        authors=tuple(dict.fromkeys(a for a in authors if a)),
        captions=tuple(dict.fromkeys(captions)),
    )


def _drop_self_notes(lines: list[_Line], keep: list[bool], title_idx: int | None) -> None:
    """The last paragraphs where the outlet speaks of itself (its logo line from the head: "Anadolu Ajansı web
    sitesinde…", "…berichtete die tagesschau") or about the author (a byline name: "Calderón covers … for AP")."""
    kept = [k for k, v in enumerate(keep) if v]
    if len(kept) <= TAIL_PARAGRAPHS:
        return
    first_kept = kept[0]
    head = [ln for ln in lines[: min(first_kept, title_idx if title_idx is not None else first_kept)] if ln.kind is None or ln.kind == "drop"]
    marks: set[str] = set()
    for ln in head[:1]:  # the logo line
        t = re.sub(r"(?i)\.(?:com|de|fr|es|it|in|co\.\w\w|net|org|ru|pl|jp|cn|kr|tr)$", "", ln.text).strip()
        if 2 <= len(t) and word_count(t) <= 3 and not _NO_LETTERS.match(t):
            marks.add(t)
    for ln in lines:
        for name in ln.names:
            parts = name.split()
            if len(parts) >= 2 and len(parts[-1]) >= 3:
                marks.add(parts[-1])
    if not marks:
        return
    # short marks ("AA", "AP") only in their own case; longer ones in any case
    rx = re.compile("|".join(rf"(?<!\w){re.escape(m) if len(m) <= 3 else '(?i:' + re.escape(m) + ')'}(?!\w)"
                             for m in sorted(marks, key=len, reverse=True)))
    for k in kept[-TAIL_PARAGRAPHS:]:
        if lines[k].prose and rx.search(lines[k].text) and k > first_kept:
            keep[k] = False


def _next_to_date(lines: list[_Line], k: int) -> bool:
    return any(0 <= m < len(lines) and lines[m].kind == "date" for m in (k - 1, k + 1))


def clean_text_record(rec: dict, url: str) -> dict:
    """A JSON Lines record whose ``text`` is a paste (not a globewire export, which carries ``content_hash``):
    its text cleaned like a .txt, and its missing title, published_at and authors filled from the text.
    A record with nothing left after cleaning is returned unchanged (its text may be all the user has)."""
    text = rec.get("text")
    if not isinstance(text, str) or not text.strip() or rec.get("content_hash"):
        return rec
    try:
        ex = clean_pasted_text(text, url)
    except ExtractionError:
        return rec
    out = dict(rec)
    out["text"] = ex.text or text
    if not rec.get("title") and ex.title:
        out["title"] = ex.title
    if not rec.get("published_at") and ex.published_at is not None:
        out["published_at"] = ex.published_at.isoformat()
    if not rec.get("authors") and ex.authors:
        out["authors"] = list(ex.authors)
    return out
