"""Turn the bytes of a fetched page into text, choosing the charset carefully.

Order of evidence: byte-order mark, then the HTTP ``Content-Type`` charset, then ``<meta charset>``
/ ``http-equiv`` in the first bytes, then detection. A declared charset is verified, not trusted:
a page declared UTF-8 that is not valid UTF-8 falls through to the next source, and a page
declared as a single-byte Western charset that is in fact valid UTF-8 is read as UTF-8 (the most
common mislabelling on the web).
"""

from __future__ import annotations

import codecs
import re
import zlib
from dataclasses import dataclass

from globewire.extract.errors import ExtractionError
from globewire.log import get_logger

log = get_logger(__name__)

# How many leading bytes are searched for a <meta charset> declaration (the HTML spec says 1024;
# real pages often put it later, after long <script> blocks).
META_SCAN_BYTES = 16_384
# Bytes sampled to decide whether a body is binary.
BINARY_SAMPLE_BYTES = 4096
# Share of control bytes (other than tab/CR/LF/FF/ESC) above which a sample is binary. Text in
# any charset has (almost) none; images/PDF/zip have ~5-30 %.
BINARY_CONTROL_SHARE = 0.02
# Decoded text with a larger share of U+FFFD replacement characters is reported as undecodable.
MAX_REPLACEMENT_SHARE = 0.2
# Max size of a gzip member we are willing to inflate (bodies stored compressed on disk).
MAX_INFLATED_BYTES = 50_000_000

_MAGIC: tuple[tuple[bytes, str], ...] = (
    (b"%PDF-", "pdf"),
    (b"\x89PNG", "png"),
    (b"\xff\xd8\xff", "jpeg"),
    (b"GIF8", "gif"),
    (b"PK\x03\x04", "zip"),
    (b"RIFF", "riff"),
    (b"\x00\x00\x01\x00", "ico"),
    (b"OggS", "ogg"),
    (b"ID3", "mp3"),
    (b"\x7fELF", "elf"),
    (b"wOFF", "woff"),
    (b"wOF2", "woff2"),
)
_BOMS: tuple[tuple[bytes, str], ...] = (
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)
_HEADER_CHARSET = re.compile(r"charset\s*=\s*[\"']?([\w.:-]+)", re.IGNORECASE)
_META_CHARSET = re.compile(rb"<meta[^>]+charset\s*=\s*[\"']?\s*([\w.:-]+)", re.IGNORECASE)
# WHATWG: these labels are decoded as windows-1252 by every browser.
_WESTERN = {"iso-8859-1", "latin-1", "latin1", "ascii", "us-ascii", "iso8859-1", "l1", "cp819", "windows-1252", "cp1252"}
_CONTROL = bytes(b for b in range(32) if b not in (9, 10, 12, 13, 27))


@dataclass(frozen=True, slots=True)
class Decoded:
    text: str
    encoding: str
    source: str  # bom | header | meta | utf-8 | detected | fallback | str


def _codec(label: str | None) -> str | None:
    if not label:
        return None
    label = label.strip().strip("\"'").lower()
    if label in _WESTERN:
        return "cp1252"
    if label in {"x-sjis", "shift-jis", "sjis"}:
        label = "shift_jis"
    if label in {"gb2312", "gbk", "x-gbk"}:
        label = "gb18030"  # superset, as browsers do
    try:
        return codecs.lookup(label).name
    except LookupError:
        return None


def _sniff_binary(data: bytes) -> str | None:
    for magic, kind in _MAGIC:
        if data.startswith(magic):
            return kind
    sample = data[:BINARY_SAMPLE_BYTES]
    if not sample:
        return None
    if sample.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return None
    # UTF-16 without BOM: every other byte NUL in ASCII-heavy markup.
    if sample.count(b"\x00") > len(sample) * 0.3 and (b"<\x00" in sample or b"\x00<" in sample):
        return None
    controls = sum(sample.count(bytes([c])) for c in _CONTROL)
    if controls / len(sample) > BINARY_CONTROL_SHARE:
        return "binary"
    return None


def _maybe_inflate(data: bytes) -> bytes:
    if not data.startswith(b"\x1f\x8b"):
        return data
    try:
        d = zlib.decompressobj(16 + zlib.MAX_WBITS)
        out = d.decompress(data, MAX_INFLATED_BYTES)
        return out if out else data
    except zlib.error:
        return data


def _strict(data: bytes, codec: str) -> str | None:
    try:
        return data.decode(codec)
    except (UnicodeDecodeError, LookupError):
        return None


def _is_western(codec: str) -> bool:
    return codec in {"cp1252", "latin_1", "ascii", "iso8859-15"}


def _detect(data: bytes) -> str | None:
    try:
        from charset_normalizer import from_bytes
    except ImportError:  # pragma: no cover - charset_normalizer ships with our dependencies
        return None
    best = from_bytes(data[:200_000]).best()
    return _codec(best.encoding) if best is not None else None


def _finish(text: str, codec: str, source: str) -> Decoded:
    text = text.replace("\x00", "")
    if text and text.count("\ufffd") / len(text) > MAX_REPLACEMENT_SHARE:
        raise ExtractionError("undecodable", f"too many undecodable bytes with {codec}")
    return Decoded(text, codec, source)


def decode_html(content: bytes | str, http_headers: dict[str, str] | None = None) -> Decoded:
    """Decode a page body. Raises ExtractionError("empty" | "binary" | "undecodable")."""
    if isinstance(content, str):
        if not content.strip():
            raise ExtractionError("empty", "no content")
        return Decoded(content.replace("\x00", ""), "str", "str")
    data = _maybe_inflate(bytes(content))
    if not data.strip():
        raise ExtractionError("empty", "no content")
    kind = _sniff_binary(data)
    if kind:
        raise ExtractionError("binary", f"body looks like {kind}")

    for bom, codec in _BOMS:
        if data.startswith(bom):
            text = _strict(data, codec)
            if text is not None:
                return _finish(text, codec, "bom")

    header_ct = next((v for k, v in (http_headers or {}).items() if k.lower() == "content-type"), "")
    m = _HEADER_CHARSET.search(header_ct)
    declared: list[tuple[str, str]] = []
    if m and (c := _codec(m.group(1))):
        declared.append((c, "header"))
    mm = _META_CHARSET.search(data[:META_SCAN_BYTES])
    if mm and (c := _codec(mm.group(1).decode("ascii", "ignore"))):
        declared.append((c, "meta"))

    utf8 = _strict(data, "utf-8")
    for codec, source in declared:
        if codec in {"utf-16", "utf-16-le", "utf-16-be", "utf-32"}:
            continue  # a <meta> cannot truthfully declare UTF-16 in an ASCII-readable document
        if _is_western(codec) and utf8 is not None and not data.isascii():
            log.debug("charset_mislabel", declared=codec, used="utf-8")
            return _finish(utf8, "utf-8", source)
        text = _strict(data, codec)
        if text is not None:
            if _is_western(codec) and _looks_misdecoded(text):
                detected = _detect(data)
                if detected and not _is_western(detected):
                    alt = _strict(data, detected)
                    if alt is not None:
                        return _finish(alt, detected, "detected")
            return _finish(text, codec, source)
        log.debug("charset_declared_wrong", declared=codec, source=source)

    if utf8 is not None:
        return _finish(utf8, "utf-8", "utf-8")
    detected = _detect(data)
    if detected:
        text = _strict(data, detected)
        if text is not None:
            return _finish(text, detected, "detected")
    return _finish(data.decode("utf-8", errors="replace"), "utf-8", "fallback")


# Letters in U+00C0-U+00FF make up a few percent of Western European text; a much larger share
# means bytes of a non-Latin single-byte charset (e.g. windows-1251) were read as windows-1252.
_MISDECODED_SHARE = 0.3
_HIGH_LATIN = re.compile(r"[\u00c0-\u00ff]")
_LETTER = re.compile(r"[^\W\d_]")


_MARKUP = re.compile(r"<script.*?</script>|<style.*?</style>|<[^>]*>", re.DOTALL | re.IGNORECASE)


def _looks_misdecoded(text: str) -> bool:
    sample = _MARKUP.sub(" ", text[:200_000])
    letters = len(_LETTER.findall(sample))
    if letters == 0:
        return False
    return len(_HIGH_LATIN.findall(sample)) / letters > _MISDECODED_SHARE
