"""Finding backends (entry points, group ``globewire.translators``), the ``none`` backend, and the
per-language router."""

from __future__ import annotations

import threading
from typing import TYPE_CHECKING, Any

from globewire.plugins import BackendNotFound, load_backend
from globewire.translate.base import TARGET, Translator, TranslatorUnavailable

if TYPE_CHECKING:
    from globewire.settings import Settings

GROUP = "globewire.translators"

class NoneTranslator(Translator):
    """Keeps originals only: never translates. Articles routed here are left untranslated."""

    name = "none"

    def model_id(self, src: str) -> str:
        return "none"

    def available(self, src: str) -> bool:
        return False

    def translate(self, sentences: list[str], src: str, tgt: str = TARGET) -> list[str]:
        raise TranslatorUnavailable(
            f"translation is off for '{src}' (backend 'none'); set translate.backend or translate.routes.{src}"
        )


def translator_class(name: str) -> type[Translator]:
    cls = load_backend(GROUP, name)  # entry points, or the built-ins listed in globewire.plugins
    if not (isinstance(cls, type) and issubclass(cls, Translator)):
        raise BackendNotFound(f"translator {name!r} is not a globewire Translator")
    return cls


class Router:
    """One translator instance per backend name, picked per source language by ``routes``."""

    def __init__(self, settings: Settings, **options: Any) -> None:
        self.settings = settings
        self.options = options  # e.g. transport= for HTTP backends
        self._made: dict[str, Translator] = {}
        self._lock = threading.Lock()

    def backend_name(self, lang: str) -> str:
        return self.settings.translate.backend_for(lang)

    def for_language(self, lang: str) -> Translator:
        name = self.backend_name(lang)
        with self._lock:
            tr = self._made.get(name)
            if tr is None:
                tr = self._made[name] = translator_class(name).from_settings(self.settings, **self.options)
            return tr

    def made(self) -> dict[str, Translator]:
        return dict(self._made)

    def close(self) -> None:
        for tr in self._made.values():
            tr.close()
        self._made.clear()
