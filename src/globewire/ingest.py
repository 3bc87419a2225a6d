"""Local files into the pipeline: .html, .htm, .html.gz, .txt, .warc(.gz) and .jsonl (the export format).

Files are streamed in batches; each article is committed on its own, so an interrupted ingest
(even ``kill -9``) leaves a consistent database and a re-run resumes without duplicates (upserts are
keyed by canonical URL).

One bad record or file never stops the run nor loses what was read before: it is recorded as a failure
(stage ``ingest``, shown by ``globewire stats``) with one of these reasons, and the run goes on:

``not_regular_file`` a FIFO, socket or device: refused before it is opened
``unreadable``       the file or folder cannot be opened or listed
``too_large``        a file (after gunzip) or WARC record over MAX_FILE_BYTES
``too_long``         a JSON Lines line over MAX_LINE_BYTES (skipped without being held in memory)
``truncated``        a gzip stream, WARC record (body or headers) or archive cut short: never stored as whole
``bad_gzip``         a ``.gz`` name on something that is not gzip
``bad_warc``         a damaged WARC archive (not at its end)
``undecodable``      a JSON Lines line that is not UTF-8
``bad_json``         a line that is not JSON; ``too_deep`` one nested past the parser's recursion limit
``bad_record``       JSON that is not an object
``bad_field``        a field out of range (globewire.validate); the detail names the field
"""

from __future__ import annotations

import datetime as dt
import gzip
import json
import os
import stat
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO, Literal

from globewire import validate
from globewire.records import Article, Failure, RawDocument, utcnow
from globewire.store.db import parse_iso
from globewire.textnorm import clean_text

HTML_SUFFIXES = (".html", ".htm", ".html.gz", ".htm.gz", ".xhtml")
TEXT_SUFFIXES = (".txt", ".txt.gz")
WARC_SUFFIXES = (".warc", ".warc.gz", ".arc.gz")
JSONL_SUFFIXES = (".jsonl", ".jsonl.gz", ".ndjson")
ALL_SUFFIXES = HTML_SUFFIXES + TEXT_SUFFIXES + WARC_SUFFIXES + JSONL_SUFFIXES
# A local file larger than this (after decompression) is refused: no article is that big.
MAX_FILE_BYTES = 50_000_000
# A JSON Lines record longer than this is refused without being held whole in memory: the longest text an
# imported record may carry (validate.MAX_TEXT_CHARS) fits even when every character is \uXXXX-escaped
# twice over; anything longer is a broken file (no newlines) or an attack.
MAX_LINE_BYTES = 16 * 1024 * 1024
# Failure details are cut to this many characters (a reason plus enough of the cause to act on).
MAX_DETAIL_CHARS = 500
# Bytes read per step while skipping the rest of an over-long line.
_SKIP_CHUNK = 1 << 20
# Most bytes one step of the gzip completeness check inflates (discarded at once).
_CHECK_OUTPUT = 1 << 20


@dataclass(frozen=True, slots=True)
class Facts:
    """Facts the user attaches on the command line, used when the file lacks them."""

    url: str | None = None
    outlet: str | None = None
    country: str | None = None
    language: str | None = None

    @classmethod
    def checked(cls, url: str | None = None, outlet: str | None = None, country: str | None = None,
                language: str | None = None) -> Facts:
        """Facts from the command line, validated like any imported field (FieldError names the option)."""
        return cls(url=validate.http_url(url, "--url") if url else None,
                   outlet=validate.optional_text(outlet, "--outlet", validate.MAX_ID_CHARS),
                   country=validate.country_code(country, "--country"),
                   language=validate.language_code(language, "--language"))


class IngestError(Exception):
    def __init__(self, reason: str, detail: str = "") -> None:
        super().__init__(f"{reason}: {detail}")
        self.reason = reason
        self.detail = detail


def failure(where: str, reason: str, detail: str = "", outlet_id: str | None = None) -> Failure:
    """A recorded failure whose text is safe for any store (no NUL, no lone surrogate, bounded)."""
    return Failure(clean_text(where)[:2000], "ingest", reason, clean_text(detail)[:MAX_DETAIL_CHARS],
                   outlet_id=outlet_id)


def discover(paths: list[Path]) -> Iterator[Path]:
    """Files to ingest, in a stable order (folders are walked, symlinked folders are not followed). Entries
    that are not regular files (FIFOs, sockets, devices) are yielded too, so that `read_path` records them
    as refused instead of their vanishing silently; a folder that cannot be listed is yielded as itself."""
    for p in paths:
        if p.is_dir():
            found: list[Path] = []
            unlisted: list[Path] = []
            for root, _, files in os.walk(p, onerror=lambda e, out=unlisted: out.append(Path(e.filename))):
                found += [Path(root) / name for name in files if name.lower().endswith(ALL_SUFFIXES)]
            yield from sorted(found + unlisted)
        elif p.exists() or p.is_symlink():
            yield p
        else:
            raise IngestError("not_found", str(p))


def _regular_file(path: Path) -> None:
    """Refuse, before anything opens it, a path that is not a regular file: opening a FIFO for reading
    blocks until a writer comes, a device can stream forever."""
    try:
        st = os.stat(path)
    except OSError as e:
        raise IngestError("unreadable", f"{type(e).__name__}: {e.strerror or e}") from e
    if stat.S_ISDIR(st.st_mode):
        raise IngestError("unreadable", "a folder that could not be listed")
    if not stat.S_ISREG(st.st_mode):
        kind = ("fifo" if stat.S_ISFIFO(st.st_mode) else "socket" if stat.S_ISSOCK(st.st_mode)
                else "device" if stat.S_ISCHR(st.st_mode) or stat.S_ISBLK(st.st_mode) else "special file")
        raise IngestError("not_regular_file", f"a {kind}, not a regular file: refused unread")


def _open(path: Path) -> BinaryIO:
    """Open a regular file for reading; the check is repeated on the open descriptor (O_NONBLOCK, so a path
    swapped for a FIFO between the check and the open cannot block us)."""
    _regular_file(path)
    fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0))
    try:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            raise IngestError("not_regular_file", "the path changed into a non-regular file while opening")
        if hasattr(os, "set_blocking"):
            os.set_blocking(fd, True)
        return os.fdopen(fd, "rb")
    except BaseException:
        os.close(fd)
        raise


def _read(path: Path) -> bytes:
    with _open(path) as raw:
        if path.name.lower().endswith(".gz"):
            with gzip.GzipFile(fileobj=raw, mode="rb") as fh:
                data = fh.read(MAX_FILE_BYTES + 1)
        else:
            data = raw.read(MAX_FILE_BYTES + 1)
    if len(data) > MAX_FILE_BYTES:
        raise IngestError("too_large", f"{path} is larger than {MAX_FILE_BYTES} bytes")
    return data


def _mtime(path: Path) -> dt.datetime:
    when = dt.datetime.fromtimestamp(path.stat().st_mtime, dt.UTC)
    return validate.plausible_datetime(when) or utcnow()


Item = RawDocument | tuple[RawDocument, Article] | Failure


def _reason(e: BaseException) -> str:
    """The recorded reason for an error that ended the reading of a file."""
    if isinstance(e, IngestError):
        return e.reason
    if isinstance(e, (EOFError, zlib.error)) or "truncat" in str(e).lower() or "end of stream" in str(e).lower():
        return "truncated"
    if isinstance(e, gzip.BadGzipFile):
        return "bad_gzip"
    if isinstance(e, UnicodeError):
        return "undecodable"
    if isinstance(e, RecursionError):
        return "too_deep"
    if isinstance(e, MemoryError):
        return "too_large"
    if isinstance(e, OSError):
        return "unreadable"
    return "error"


def read_path(path: Path, facts: Facts) -> Iterator[Item]:
    """Yield documents (to extract), ready articles (from .jsonl) or failures, from one file. Never raises:
    whatever goes wrong ends this file with a recorded failure; what was yielded before stays good."""
    name = path.name.lower()
    try:
        file_url = facts.url or path.resolve().as_uri()
        if name.endswith(WARC_SUFFIXES):
            yield from _read_warc(path, facts)
        elif name.endswith(JSONL_SUFFIXES):
            yield from _read_jsonl(path, facts)
        else:
            kind: Literal["html", "text"] = "text" if name.endswith(TEXT_SUFFIXES) else "html"
            yield RawDocument(url=file_url, content=_read(path), content_type=kind, outlet_id=facts.outlet,
                              country=facts.country, language_hint=facts.language, fetched_at=_mtime(path),
                              source="file")
    except Exception as e:  # noqa: BLE001 - one bad file is recorded and the run goes on
        yield failure(str(path), _reason(e), e.detail if isinstance(e, IngestError) else f"{type(e).__name__}: {e}")


def warc_record_to_item(record: Any, facts: Facts) -> RawDocument | Failure | None:
    """One WARC record as a document: responses with a 2xx HTML body under the size cap (the record's target URI
    is the article URL); other records are skipped (None). A record whose body ends before its declared length
    (skipped or not) is a `truncated` failure, never a document. Used by `ingest` and by the fleet's backfill."""
    uri = (record.rec_headers.get_header("WARC-Target-URI") or "").strip() if record.rec_headers else ""
    declared = (record.rec_headers.get_header("Content-Length") or "").strip() if record.rec_headers else ""
    if record.rec_type is None or not (declared.isascii() and declared.isdigit()):
        # every WARC record declares its type and length: headers without them were cut short
        return failure(uri or "(no WARC-Target-URI)", "truncated", "WARC record headers cut short", facts.outlet)
    ctype = (record.http_headers.get_header("Content-Type") or "") if record.http_headers else ""
    status = record.http_headers.get_statuscode() if record.http_headers else "200"
    wanted = (record.rec_type == "response" and not (ctype and "html" not in ctype.lower())
              and not (status and not str(status).startswith("2")))
    body = record.content_stream().read(MAX_FILE_BYTES + 1) if wanted else _drain(record)
    if len(body) > MAX_FILE_BYTES:
        return failure(uri, "too_large", "WARC record body over the cap", facts.outlet)
    left = getattr(record.raw_stream, "limit", 0)
    if isinstance(left, int) and left > 0:
        return failure(uri or "(no WARC-Target-URI)", "truncated",
                       f"WARC record cut {left} bytes before its declared end", facts.outlet)
    if not wanted:
        return None
    try:
        uri = validate.http_url(uri, "WARC-Target-URI")
    except validate.FieldError as e:
        return failure(uri or "(no WARC-Target-URI)", "bad_field", str(e), facts.outlet)
    try:
        date = parse_iso((record.rec_headers.get_header("WARC-Date") or "").replace("Z", "+00:00"))
    except ValueError:
        date = None
    headers = {k.lower(): v for k, v in record.http_headers.headers} if record.http_headers else {}
    return RawDocument(url=uri, content=body, content_type="html", outlet_id=facts.outlet, country=facts.country,
                       language_hint=facts.language, http_headers=headers,
                       fetched_at=validate.plausible_datetime(date) or utcnow(), source="warc")


def _drain(record: Any) -> bytes:
    """Read a skipped record's raw body to its end (warcio would read it anyway), so that a record cut
    short is noticed; nothing is kept."""
    stream = getattr(record, "raw_stream", None)
    while stream is not None and stream.read(1 << 16):
        pass
    return b""


def gzip_complete_until(fh: BinaryIO) -> tuple[int, int]:
    """(end of the last complete gzip member, end of the file), both counted from the stream's current
    position, which is kept. The two differ when the file was cut: warcio then silently yields nothing for the
    cut member, or fails with an AttributeError."""
    start = fh.tell()
    fh.seek(0, os.SEEK_END)
    size = fh.tell() - start
    fh.seek(start)
    if fh.read(2) != b"\x1f\x8b":  # named .gz but stored plain: warcio reads it as such
        fh.seek(start)
        return size, size
    fh.seek(start)
    pos = good = 0  # compressed bytes consumed; end of the last complete member
    d = zlib.decompressobj(wbits=31)
    buf = b""
    while True:
        if not buf:
            buf = fh.read(1 << 20)
            if not buf:
                break
        try:
            d.decompress(buf, _CHECK_OUTPUT)  # output bounded per call: a gzip bomb cannot fill memory
        except zlib.error:
            break
        if d.eof:
            rest = d.unused_data
            pos += len(buf) - len(rest)
            good, buf = pos, rest
            d = zlib.decompressobj(wbits=31)
        else:
            tail = d.unconsumed_tail
            pos += len(buf) - len(tail)
            buf = tail
    fh.seek(start)
    return good, size


def _bytes_after_last_record(it: Any, fh: BinaryIO, start: int) -> bool:
    """Whether anything but the records' blank-line separators follows the last record warcio read (it
    ignores a record cut inside its first header lines without a word)."""
    try:
        offset, length = it.member_info
        fh.seek(start + offset + length)
        return bool(fh.read(4096).strip())
    except Exception:  # noqa: BLE001 - no record info: nothing to say
        return False


def _offset(it: Any) -> int:
    try:
        return int(it.offset)
    except Exception:  # noqa: BLE001 - only for the failure's location
        return 0


def _read_warc(path: Path, facts: Facts) -> Iterator[Item]:
    with _open(path) as fh:
        for item in iter_warc(fh, facts, str(path), gz=path.name.lower().endswith(".gz")):
            if item is not None:
                yield item


def iter_warc(fh: BinaryIO, facts: Facts, where: str, *, gz: bool) -> Iterator[Item | None]:
    """One entry per WARC record from the stream's position (None for a record that is no article), then a
    failure if the archive ends damaged: a record cut short is reported `truncated`, never yielded as a
    document. Never raises. Used by `ingest` and by the fleet's backfill (which counts records and may stop
    early: the completeness check of a gzip'd archive runs only once its end was reached)."""
    from warcio.archiveiterator import ArchiveIterator

    start = fh.tell()
    it = ArchiveIterator(fh)
    error: Exception | None = None
    at_end = False  # warcio had read the whole file when it failed: a cut, not a corrupt middle
    cut_record = False  # the last record was itself reported as cut short
    records = 0
    try:
        for record in it:
            try:
                item = warc_record_to_item(record, facts)
            except Exception as e:  # noqa: BLE001 - one bad record; the iterator decides whether more follow
                uri = record.rec_headers.get_header("WARC-Target-URI") or where
                item = failure(uri, _reason(e), f"{type(e).__name__}: {e}", facts.outlet)
            cut_record = isinstance(item, Failure) and item.reason == "truncated"
            records += 1
            yield item
    except Exception as e:  # noqa: BLE001 - warcio fails with assorted errors on damaged archives
        error = e
        try:
            at_end = fh.tell() >= os.fstat(fh.fileno()).st_size
        except (OSError, ValueError):
            pass
    # warcio yields nothing for a gzip member cut short and stops without a word: the members say whether
    # the archive is whole.
    complete = size = None
    if gz:
        try:
            fh.seek(start)
            complete, size = gzip_complete_until(fh)
        except (OSError, ValueError):
            pass
    if complete is not None and size is not None and complete < size:
        if cut_record and error is None:
            return  # the cut record was reported as such
        yield failure(f"{where}@{start + complete}", "truncated",
                      f"archive cut at byte {start + size}: the record starting at byte {start + complete} is "
                      "incomplete" + (f" ({type(error).__name__}: {error})" if error else ""), facts.outlet)
    elif error is not None:
        yield failure(f"{where}@{start + _offset(it)}", "truncated" if at_end else "bad_warc",
                      f"{type(error).__name__}: {error}", facts.outlet)
    elif not gz and records and not cut_record and _bytes_after_last_record(it, fh, start):
        yield failure(f"{where}@{start + it.member_info[0] + it.member_info[1]}", "truncated",
                      "bytes after the last complete record: a record cut inside its headers", facts.outlet)
    elif records == 0:
        try:
            fh.seek(start)
            head = fh.read(8)
        except (OSError, ValueError):
            head = b""
        if head:  # bytes, yet not one record: cut before the first record ended, or no archive at all
            cut = b"WARC/1.0".startswith(head) or b"\x1f\x8b".startswith(head[:2])
            yield failure(where, "truncated" if cut else "bad_warc", "not one WARC record could be read",
                          facts.outlet)


EXPORT_FIELDS = (
    "id", "url", "canonical_url", "outlet", "country", "language", "language_confidence", "title",
    "published_at", "authors", "image_url", "text", "duplicate_of", "content_hash", "fetched_at",
)


def article_to_record(a: Article) -> dict[str, Any]:
    """One export record (the same fields `ingest` reads back from .jsonl); text is cleaned on the way out
    (rows stored before normalisation existed), so every export is valid to any reader."""
    rec = _raw_record(a)
    return {k: (clean_text(v) if isinstance(v, str) else [clean_text(x) for x in v] if isinstance(v, list) else v)
            for k, v in rec.items()}


def _raw_record(a: Article) -> dict[str, Any]:
    return {
        "id": a.id,
        "url": a.url,
        "canonical_url": a.canonical_url,
        "outlet": a.outlet_id,
        "country": a.country,
        "language": a.language,
        "language_confidence": a.language_confidence,
        "title": a.title,
        "published_at": a.published_at.isoformat() if a.published_at else None,
        "authors": list(a.authors),
        "image_url": a.image_url,
        "text": a.text,
        "duplicate_of": a.duplicate_of,
        "content_hash": a.content_hash,
        "fetched_at": a.fetched_at.isoformat() if a.fetched_at else None,
        "site_name": a.site_name,
        "html_lang": a.html_lang,
    }


def _lines(fh: BinaryIO) -> Iterator[tuple[int, bytes | None]]:
    """(line number, line) of a binary stream; a line over MAX_LINE_BYTES comes as None, skipped unread."""
    lineno = 0
    while True:
        line = fh.readline(MAX_LINE_BYTES + 1)
        if not line:
            return
        lineno += 1
        if len(line) > MAX_LINE_BYTES and not line.endswith(b"\n"):
            while True:  # skip to the end of the over-long line
                rest = fh.readline(_SKIP_CHUNK)
                if not rest or rest.endswith(b"\n"):
                    break
            yield lineno, None
            continue
        yield lineno, line


def _read_jsonl(path: Path, facts: Facts) -> Iterator[Item]:
    with _open(path) as raw:
        fh: BinaryIO = gzip.GzipFile(fileobj=raw, mode="rb") if path.name.lower().endswith(".gz") else raw  # type: ignore[assignment]
        for lineno, line in _lines(fh):
            where = f"{path}:{lineno}"
            if line is None:
                yield failure(where, "too_long", f"a line longer than {MAX_LINE_BYTES} bytes", facts.outlet)
                continue
            if not line.strip():
                continue
            yield parse_jsonl_line(line, facts, where)


def parse_jsonl_line(line: bytes, facts: Facts, where: str) -> tuple[RawDocument, Article] | Failure:
    """One JSON Lines record as a ready article, or the failure that says what is wrong with it."""
    try:
        text = line.decode("utf-8")
    except UnicodeDecodeError as e:
        return failure(where, "undecodable", f"not UTF-8 at byte {e.start}", facts.outlet)
    try:
        rec = json.loads(text)
    except RecursionError:
        return failure(where, "too_deep", "JSON nested too deeply", facts.outlet)
    except ValueError as e:
        return failure(where, "bad_json", f"{type(e).__name__}: {e}", facts.outlet)
    if not isinstance(rec, dict):
        return failure(where, "bad_record", f"a line must be a JSON object, not {type(rec).__name__}", facts.outlet)
    try:
        return record_to_item(rec, facts, where)
    except validate.FieldError as e:
        return failure(where, "bad_field", str(e), facts.outlet)
    except (ValueError, TypeError, RecursionError) as e:
        return failure(where, "bad_record", f"{type(e).__name__}: {e}", facts.outlet)


def record_to_item(rec: dict[str, Any], facts: Facts, where: str) -> tuple[RawDocument, Article]:
    """An imported record, every field validated as a fetched one would be; FieldError names the bad field."""
    from globewire.extract.text import clean_text_record
    from globewire.urls import UrlError, canonical_variants

    v = validate
    url = v.source_url(rec["url"], "url") if rec.get("url") is not None else facts.url
    if not url:
        raise v.FieldError("url", "missing")
    rec = clean_text_record(rec, url)  # a pasted text body is cleaned like a .txt file
    text = v.text(rec.get("text"), "text", v.MAX_TEXT_CHARS)
    title = v.text(rec.get("title"), "title", v.MAX_TITLE_CHARS).strip()
    if not text.strip() and not title:
        raise v.FieldError("text", "the record has neither title nor text")
    canonical = rec.get("canonical_url")
    canonical = url if canonical is None or canonical == "" else v.source_url(canonical, "canonical_url")
    try:
        canonical = canonical_variants(canonical)
    except UrlError as e:
        raise v.FieldError("canonical_url", str(e)) from e
    authors = rec.get("authors")
    if authors is None:
        authors = []
    elif isinstance(authors, str):
        authors = [authors]
    if not isinstance(authors, list) or len(authors) > v.MAX_AUTHORS:
        raise v.FieldError("authors", f"must be a list of at most {v.MAX_AUTHORS} names")
    names = tuple(n for n in (v.text(a, "authors", v.MAX_NAME_CHARS).strip() for a in authors) if n)
    confidence = rec.get("language_confidence")
    html_lang = v.optional_text(rec.get("html_lang"), "html_lang", 35)
    if html_lang:
        v.language_code(html_lang, "html_lang")
    article = Article(
        url=url,
        canonical_url=canonical,
        title=title,
        text=text,
        outlet_id=v.optional_text(rec.get("outlet"), "outlet", v.MAX_ID_CHARS) or facts.outlet,
        country=v.country_code(rec.get("country"), "country") or facts.country,
        language=v.language_code(rec.get("language"), "language") or facts.language,
        language_confidence=0.0 if confidence is None else v.finite_number(confidence, "language_confidence", 0, 1),
        published_at=v.parse_datetime(rec.get("published_at"), "published_at"),
        authors=names,
        image_url=v.optional_http_url(rec.get("image_url"), "image_url"),
        site_name=v.optional_text(rec.get("site_name"), "site_name", v.MAX_NAME_CHARS),
        html_lang=html_lang,
        fetched_at=v.parse_datetime(rec.get("fetched_at"), "fetched_at") or utcnow(),
        source="jsonl",
    )
    doc = RawDocument(url=where, content=b"", content_type="text", outlet_id=article.outlet_id, source="jsonl")
    return doc, article


def jsonl_line(a: Article) -> str:
    return json.dumps(article_to_record(a), ensure_ascii=False)


def csv_rows(articles: Iterator[Article]) -> Iterator[list[str]]:
    """Rows for csv.writer: a header, then one row per article (lists as JSON)."""
    yield list(EXPORT_FIELDS)
    for a in articles:
        rec = article_to_record(a)
        yield ["" if rec[k] is None else (json.dumps(rec[k], ensure_ascii=False) if isinstance(rec[k], list) else str(rec[k]))
               for k in EXPORT_FIELDS]
