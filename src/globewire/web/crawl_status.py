"""What the crawler is doing, for the home page while it is still empty (``_crawl_status.html``)."""

from __future__ import annotations

from typing import Any

from fastapi import Request

from globewire.log import get_logger

log = get_logger(__name__)


def crawl_status_for(request: Request) -> dict[str, Any]:
    """The store's crawl status row, or ``{"state": "never"}`` when no crawl has run on this database."""
    try:
        row = request.app.state.ctx.store.crawl_status()
    except Exception as exc:  # noqa: BLE001 - the home page renders without it
        log.warning("crawl_status_unreadable", error=str(exc))
        return {"state": "unknown"}
    return row or {"state": "never"}
