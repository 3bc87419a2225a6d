"""Local files into the pipeline: .html, .htm, .html.gz, .txt, .warc(.gz) and .jsonl (the export format).

Files are streamed in batches; each article is committed on its own, so an interrupted ingest
(even ``kill -9``) leaves a consistent database and a re-run resumes without duplicates (upserts are
keyed by canonical URL).
"""

from __future__ import annotations

import datetime as dt
import gzip
import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from globewire.records import Article, Failure, RawDocument, utcnow
from globewire.store.db import parse_iso

HTML_SUFFIXES = (".html", ".htm", ".html.gz", ".htm.gz", ".xhtml")
TEXT_SUFFIXES = (".txt", ".txt.gz")
WARC_SUFFIXES = (".warc", ".warc.gz", ".arc.gz")
JSONL_SUFFIXES = (".jsonl", ".jsonl.gz", ".ndjson")
ALL_SUFFIXES = HTML_SUFFIXES + TEXT_SUFFIXES + WARC_SUFFIXES + JSONL_SUFFIXES
# A local file larger than this (after decompression) is refused: no article is that big.
MAX_FILE_BYTES = 50_000_000


@dataclass(frozen=True, slots=True)
class Facts:
    """Facts the user attaches on the command line, used when the file lacks them."""

    url: str | None = None
    outlet: str | None = None
    country: str | None = None
    language: str | None = None


class IngestError(Exception):
    def __init__(self, reason: str, detail: str = "") -> None:
        super().__init__(f"{reason}: {detail}")
        self.reason = reason
        self.detail = detail


def discover(paths: list[Path]) -> Iterator[Path]:
    """Files to ingest, in a stable order (folders are walked recursively)."""
    for p in paths:
        if p.is_dir():
            for f in sorted(p.rglob("*")):
                if f.is_file() and f.name.lower().endswith(ALL_SUFFIXES):
                    yield f
        elif p.exists():
            yield p
        else:
            raise IngestError("not_found", str(p))


def _read(path: Path) -> bytes:
    if path.name.lower().endswith(".gz"):
        with gzip.open(path, "rb") as fh:
            data = fh.read(MAX_FILE_BYTES + 1)
    else:
        with path.open("rb") as fh:
            data = fh.read(MAX_FILE_BYTES + 1)
    if len(data) > MAX_FILE_BYTES:
        raise IngestError("too_large", f"{path} is larger than {MAX_FILE_BYTES} bytes")
    return data


def _mtime(path: Path) -> dt.datetime:
    return dt.datetime.fromtimestamp(path.stat().st_mtime, dt.timezone.utc)


Item = RawDocument | tuple[RawDocument, Article] | Failure


def read_path(path: Path, facts: Facts) -> Iterator[Item]:
    """Yield documents (to extract), ready articles (from .jsonl) or failures, from one file."""
    name = path.name.lower()
    file_url = facts.url or path.resolve().as_uri()
    try:
        if name.endswith(WARC_SUFFIXES):
            yield from _read_warc(path, facts)
        elif name.endswith(JSONL_SUFFIXES):
            yield from _read_jsonl(path, facts)
        elif name.endswith(TEXT_SUFFIXES):
            yield RawDocument(url=file_url, content=_read(path), content_type="text", outlet_id=facts.outlet,
                              country=facts.country, language_hint=facts.language, fetched_at=_mtime(path),
                              source="file")
        else:
            yield RawDocument(url=file_url, content=_read(path), content_type="html", outlet_id=facts.outlet,
                              country=facts.country, language_hint=facts.language, fetched_at=_mtime(path),
                              source="file")
    except (OSError, EOFError, gzip.BadGzipFile, IngestError) as e:
        reason = e.reason if isinstance(e, IngestError) else "unreadable"
        yield Failure(str(path), "ingest", reason, f"{type(e).__name__}: {e}")


def warc_record_to_item(record: Any, facts: Facts) -> RawDocument | Failure | None:
    """One WARC record as a document: responses with a 2xx HTML body under the size cap (the record's target URI
    is the article URL); other records are skipped (None). Used by `ingest` and by the fleet's backfill."""
    if record.rec_type != "response":
        return None
    uri = record.rec_headers.get_header("WARC-Target-URI") or ""
    ctype = (record.http_headers.get_header("Content-Type") or "") if record.http_headers else ""
    if ctype and "html" not in ctype.lower():
        return None
    status = record.http_headers.get_statuscode() if record.http_headers else "200"
    if status and not str(status).startswith("2"):
        return None
    body = record.content_stream().read(MAX_FILE_BYTES + 1)
    if len(body) > MAX_FILE_BYTES:
        return Failure(uri, "ingest", "too_large", "WARC record body over the cap")
    date = parse_iso((record.rec_headers.get_header("WARC-Date") or "").replace("Z", "+00:00"))
    headers = {k.lower(): v for k, v in record.http_headers.headers} if record.http_headers else {}
    return RawDocument(url=uri, content=body, content_type="html", outlet_id=facts.outlet, country=facts.country,
                       language_hint=facts.language, http_headers=headers, fetched_at=date or utcnow(),
                       source="warc")


def _read_warc(path: Path, facts: Facts) -> Iterator[Item]:
    from warcio.archiveiterator import ArchiveIterator
    from warcio.exceptions import ArchiveLoadFailed

    with path.open("rb") as fh:
        try:
            for record in ArchiveIterator(fh):
                item = warc_record_to_item(record, facts)
                if item is not None:
                    yield item
        except ArchiveLoadFailed as e:
            yield Failure(str(path), "ingest", "bad_warc", str(e))


EXPORT_FIELDS = (
    "id", "url", "canonical_url", "outlet", "country", "language", "language_confidence", "title",
    "published_at", "authors", "image_url", "text", "duplicate_of", "content_hash", "fetched_at",
)


def article_to_record(a: Article) -> dict[str, Any]:
    """One export record (the same fields `ingest` reads back from .jsonl)."""
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


def _read_jsonl(path: Path, facts: Facts) -> Iterator[Item]:
    opener = gzip.open if path.name.lower().endswith(".gz") else open
    with opener(path, "rt", encoding="utf-8", errors="replace") as fh:  # type: ignore[operator]
        for lineno, line in enumerate(fh, 1):
            line = line.strip()
            if not line:
                continue
            where = f"{path}:{lineno}"
            try:
                rec = json.loads(line)
                if not isinstance(rec, dict):
                    raise ValueError("a line must be a JSON object")
                yield record_to_item(rec, facts, where)
            except (ValueError, TypeError, KeyError) as e:
                yield Failure(where, "ingest", "bad_record", f"{type(e).__name__}: {e}")


def record_to_item(rec: dict[str, Any], facts: Facts, where: str) -> tuple[RawDocument, Article]:
    from globewire.extract.text import clean_text_record
    from globewire.urls import canonical_variants

    url = str(rec.get("url") or facts.url or "")
    if not url:
        raise ValueError("record has no url")
    rec = clean_text_record(rec, url)  # a pasted text body is cleaned like a .txt file
    text = str(rec.get("text") or "")
    title = str(rec.get("title") or "")
    if not text and not title:
        raise ValueError("record has neither title nor text")
    canonical = str(rec.get("canonical_url") or url)
    if canonical.startswith(("http://", "https://")):
        canonical = canonical_variants(canonical)
    authors = rec.get("authors") or []
    if isinstance(authors, str):
        authors = [authors]
    article = Article(
        url=url,
        canonical_url=canonical,
        title=title,
        text=text,
        outlet_id=rec.get("outlet") or facts.outlet,
        country=(rec.get("country") or facts.country or None),
        language=rec.get("language") or facts.language,
        language_confidence=float(rec.get("language_confidence") or 0.0),
        published_at=parse_iso(rec.get("published_at")),
        authors=tuple(str(x) for x in authors),
        image_url=rec.get("image_url"),
        site_name=rec.get("site_name"),
        html_lang=rec.get("html_lang"),
        fetched_at=parse_iso(rec.get("fetched_at")) or utcnow(),
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
