"""The one error type raised by the extraction stage."""

from __future__ import annotations

from typing import Literal

Reason = Literal[
    "empty", "binary", "not_html", "too_short", "undecodable", "too_large",
    # pages that are not articles (extract/nonarticle.py): recorded by kind
    "not_article:antibot", "not_article:consent", "not_article:paywall", "not_article:error_page",
    "not_article:index_page", "not_article:repeated_notice",
]


class ExtractionError(Exception):
    """A document that cannot be turned into an article; ``reason`` is short and machine-readable."""

    def __init__(self, reason: Reason, detail: str = "") -> None:
        super().__init__(f"{reason}: {detail}" if detail else reason)
        self.reason: Reason = reason
        self.detail = detail
