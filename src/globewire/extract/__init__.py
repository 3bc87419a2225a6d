"""Article extraction: HTML pages and pasted text -> records.Extracted."""

from __future__ import annotations

from globewire.config.extract import ExtractSettings
from globewire.extract.decode import Decoded, decode_html
from globewire.extract.errors import ExtractionError
from globewire.extract.html import extract_html
from globewire.extract.text import clean_pasted_text

__all__ = ["Decoded", "ExtractSettings", "ExtractionError", "clean_pasted_text", "decode_html", "extract_html"]
