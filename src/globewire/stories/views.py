"""What story writing reads of one article: a shared type of synthesis, summaries, takes and blindspot (kept in
its own module so that those modules do not import each other for it)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

__all__ = ["ArticleView"]


@dataclass(frozen=True, slots=True)
class ArticleView:
    id: int
    outlet_id: str | None
    outlet_name: str | None
    country: str | None
    language: str | None
    title: str
    text: str
    title_en: str | None
    text_en: str | None
    published_at: datetime | None
    duplicate_of: int | None
