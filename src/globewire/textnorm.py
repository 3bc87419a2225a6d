"""Text normalised once, where it enters (pages before extraction, pasted text, imported records, feed items),
and made safe once more where it leaves as XML (defence in depth for rows stored before this existed).

What goes:
  * C0/C1 control characters other than tab, line feed and carriage return (vertical tab and form feed
    become a space): XML 1.0 forbids them and lxml-based extractors give up on a page that holds one;
  * Unicode non-characters (U+FDD0..U+FDEF and the last two code points of every plane, U+FFFE, U+FFFF, ...)
    and lone surrogates: not text, and not representable in XML or UTF-8;
  * bidirectional embeddings, overrides and isolates (U+202A..U+202E, U+2066..U+2069): a stray U+202E
    reverses everything after it on the page (titles spoofed to read backwards); removing them shows the
    text in its logical order. The implicit marks U+200E/U+200F stay: they change no neighbouring text.
In HTML, numeric character references to such code points (``&#xFFFE;``, ``&#1;``, ``&#xD800;``) go too,
as parsers turn them into the characters themselves.
"""

from __future__ import annotations

import re
from typing import Any

# Everything removed from text in the Basic Multilingual Plane (see the module docstring).
_DROP = re.compile("[\x00-\x08\x0e-\x1f\x7f-\x9f\ud800-\udfff\ufdd0-\ufdef\ufffe\uffff\u202a-\u202e\u2066-\u2069]")
# Characters beyond it are matched as one range and filtered by code point (the non-characters U+1FFFE,
# U+1FFFF ... U+10FFFF): a character class listing those 32 code points makes the regex engine ~15x slower
# on every page (measured: 5 vs 75 M chars/s over the AEB pages).
_ASTRAL = re.compile("[\U00010000-\U0010ffff]")
_SPACE = re.compile("[\x0b\x0c]")
_CHAR_REF = re.compile(r"&#(?:[xX]([0-9A-Fa-f]{1,8})|([0-9]{1,10}));?")


def is_dropped(cp: int) -> bool:
    """True for a code point that :func:`clean_text` removes (or one outside Unicode altogether)."""
    if cp > 0x10FFFF or cp < 0:
        return True
    return cp in (0x0B, 0x0C) or (cp & 0xFFFE) == 0xFFFE or bool(_DROP.match(chr(cp)))


def _astral(m: re.Match[str]) -> str:
    return "" if (ord(m.group()) & 0xFFFE) == 0xFFFE else m.group()


def clean_text(value: str) -> str:
    """``value`` without control characters, non-characters, lone surrogates and bidi overrides/isolates."""
    if not value:
        return value
    value = _DROP.sub("", value)
    if _ASTRAL.search(value):
        value = _ASTRAL.sub(_astral, value)
    return _SPACE.sub(" ", value) if "\x0b" in value or "\x0c" in value else value


def _ref(m: re.Match[str]) -> str:
    hexa, dec = m.group(1), m.group(2)
    cp = int(hexa, 16) if hexa else int(dec)
    # &#0; and code points beyond Unicode read as U+FFFD in HTML; C1 references (&#128;..&#159;) are
    # windows-1252 characters by the HTML rules and are left for the parser to map.
    if cp == 0 or cp > 0x10FFFF:
        return "\ufffd"
    if 0x80 <= cp <= 0x9F:
        return m.group(0)
    return "" if is_dropped(cp) else m.group(0)


def clean_html(markup: str) -> str:
    """Page markup as :func:`clean_text` and with character references to dropped code points removed."""
    if "&#" in markup:
        markup = _CHAR_REF.sub(_ref, markup)
    return clean_text(markup)


def clean_value(value: Any) -> Any:
    """``value`` cleaned when it is a string, keeping its type (a template's ``Markup`` stays ``Markup``);
    anything else unchanged. For output writers (templates' ``finalize``)."""
    if isinstance(value, str) and value:
        cleaned = clean_text(value)
        return value if cleaned == value else type(value)(cleaned)
    return value
