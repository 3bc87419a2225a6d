"""Settings of the extraction and language stages."""

from __future__ import annotations

from pydantic import BaseModel, Field


class ExtractSettings(BaseModel):
    min_text_chars: int = Field(default=200, description="Articles with less body text are recorded as failures (too_short).")
    favor_precision: bool = Field(
        default=True,
        description="Ask the extractor for less noise at the cost of recall (measured better on the AEB benchmark: F1 0.964 vs 0.960).",
    )
    language_min_confidence: float = Field(
        default=0.3,
        description="Below this detector confidence the page's declared language wins "
        "(globewire.language.DECLARED_WINS_BELOW; pass it as detect_language(..., declared_wins_below=...)).",
    )
    language_high_accuracy_max_chars: int = Field(
        default=120,
        description="Texts up to this length use lingua's high-accuracy mode (better on short texts, ~720 MB more RAM); "
        "0 disables it (globewire.language.HIGH_ACCURACY_MAX_CHARS).",
    )
    max_html_chars: int = Field(
        default=8_000_000, description="Pages longer than this (decoded characters) are cut before parsing, to bound time and memory."
    )
    detect_nonarticles: bool = Field(
        default=True,
        description="Record anti-bot, consent, paywall-teaser, error and section pages as failures "
        "(not_article:<kind>) instead of storing them as articles (globewire.extract.nonarticle).",
    )
    strip_embeds: bool = Field(
        default=True,
        description="Leave embedded posts (tweets, Instagram), author bios, 'read more'/'more from' teaser blocks and "
        "comment/newsletter prompts out of the body. The AEB benchmark's labels count embedded tweets as body "
        "(F1 0.968 with this on, 0.971 off); a reader and the story clustering do not.",
    )
    use_htmldate: bool = Field(default=True, description="Search the whole page with htmldate when no date is declared in metadata.")
