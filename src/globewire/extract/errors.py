"""The one error type raised by the extraction stage."""

from __future__ import annotations

from typing import Literal

Reason = Literal["empty", "binary", "not_html", "too_short", "undecodable", "too_large"]


class ExtractionError(Exception):
    """A document that cannot be turned into an article; ``reason`` is short and machine-readable."""

    def __init__(self, reason: Reason, detail: str = "") -> None:
        super().__init__(f"{reason}: {detail}" if detail else reason)
        self.reason: Reason = reason
        self.detail = detail
