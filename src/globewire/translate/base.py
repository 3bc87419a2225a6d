"""The translator interface every backend implements, and its typed errors."""

from __future__ import annotations

import abc
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from globewire.settings import Settings
    from globewire.config.translate import TranslateSettings

TARGET = "en"


class TranslatorError(RuntimeError):
    """A translation failed (bad answer, server error); the article is retried later with backoff."""


class TranslatorUnavailable(TranslatorError):
    """The backend cannot serve this language now (no model, no network, no key). The message names
    the command or setting that fixes it; the article stays untranslated (status ``unavailable``)."""


class TranslatorRateLimited(TranslatorError):
    """The backend asked us to slow down (429) or a quota is exhausted (DeepL 456)."""

    def __init__(self, message: str, retry_after: float | None = None) -> None:
        super().__init__(message)
        self.retry_after = retry_after


class Translator(abc.ABC):
    """Translate sentences from ``src`` into English, one output per input, order kept."""

    name: str = "abstract"

    def __init__(self, config: TranslateSettings, *, data_dir: Path | None = None, **options: Any) -> None:
        self.config = config
        self.data_dir = Path(data_dir) if data_dir else Path(".")
        self.options = options

    @classmethod
    def from_settings(cls, settings: Settings, **options: Any) -> Translator:
        return cls(settings.translate, data_dir=settings.data_dir, **options)

    @abc.abstractmethod
    def model_id(self, src: str) -> str:
        """The model (or service) that translates ``src``; part of the cache key and the provenance."""

    @abc.abstractmethod
    def available(self, src: str) -> bool:
        """True when ``translate`` can run for ``src`` right now without downloading anything."""

    @abc.abstractmethod
    def translate(self, sentences: list[str], src: str, tgt: str = TARGET) -> list[str]:
        """Exactly one translation per sentence. Raises the errors above, never returns a short list."""

    def close(self) -> None:
        """Release models / connections."""


def check_aligned(outputs: list[str], inputs: list[str], who: str) -> list[str]:
    if len(outputs) != len(inputs):
        raise TranslatorError(f"{who} returned {len(outputs)} translations for {len(inputs)} sentences")
    return outputs
