"""Settings of the extraction and language stages."""

from __future__ import annotations

from pydantic import BaseModel, Field


class ExtractSettings(BaseModel):
    min_text_chars: int = Field(200, description="Articles with less body text are recorded as failures (too_short).")
    favor_precision: bool = Field(
        True,
        description="Ask the extractor for less noise at the cost of recall (measured better on the AEB benchmark: F1 0.964 vs 0.960).",
    )
    language_min_confidence: float = Field(0.5, description="Below this detector confidence the page's declared language wins.")
    max_html_chars: int = Field(
        8_000_000, description="Pages longer than this (decoded characters) are cut before parsing, to bound time and memory."
    )
    use_htmldate: bool = Field(True, description="Search the whole page with htmldate when no date is declared in metadata.")
