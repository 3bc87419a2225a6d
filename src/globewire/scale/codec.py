"""JSON-safe forms of the records that travel through the broker (no pickle on the wire)."""

from __future__ import annotations

import base64
import dataclasses
from typing import Any

from globewire.records import FeedItem, RawDocument
from globewire.store.db import iso, parse_iso


def item_to_json(it: FeedItem) -> dict[str, Any]:
    d = dataclasses.asdict(it)
    d["published_at"] = iso(it.published_at)
    return d


def item_from_json(d: dict[str, Any]) -> FeedItem:
    return FeedItem(**{**d, "published_at": parse_iso(d.get("published_at"))})


def doc_to_json(doc: RawDocument) -> dict[str, Any]:
    return {
        "url": doc.url,
        "content_b64": base64.b64encode(doc.content).decode("ascii"),
        "content_type": doc.content_type,
        "outlet_id": doc.outlet_id,
        "country": doc.country,
        "language_hint": doc.language_hint,
        "feed_item": item_to_json(doc.feed_item) if doc.feed_item else None,
        "http_headers": dict(doc.http_headers),
        "fetched_at": iso(doc.fetched_at),
        "source": doc.source,
    }


def doc_from_json(d: dict[str, Any]) -> RawDocument:
    return RawDocument(
        url=d["url"],
        content=base64.b64decode(d["content_b64"]),
        content_type=d.get("content_type", "html"),
        outlet_id=d.get("outlet_id"),
        country=d.get("country"),
        language_hint=d.get("language_hint"),
        feed_item=item_from_json(d["feed_item"]) if d.get("feed_item") else None,
        http_headers=d.get("http_headers") or {},
        fetched_at=parse_iso(d.get("fetched_at")) or parse_iso("1970-01-01T00:00:00+00:00"),  # type: ignore[arg-type]
        source=d.get("source", "crawl"),
    )
