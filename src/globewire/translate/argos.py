"""Argos Translate (offline OpenNMT models packaged by argospm). Imported lazily: argostranslate is
an optional dependency (``pip install argostranslate``, then ``argospm install translate-xx_en``)."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from globewire.translate.base import TARGET, Translator, TranslatorError, TranslatorUnavailable, check_aligned


def _argos() -> Any:
    try:
        import argostranslate.package
        import argostranslate.translate
    except ImportError as exc:
        raise TranslatorUnavailable(
            "argostranslate is not installed: pip install argostranslate, then fetch a language with "
            "`argospm install translate-<xx>_en`"
        ) from exc
    return argostranslate


class ArgosTranslator(Translator):
    name = "argos"

    def __init__(self, config: Any, *, data_dir: Path | None = None, **options: Any) -> None:
        super().__init__(config, data_dir=data_dir, **options)
        if config.argos_packages_dir:
            # argostranslate reads its package folder from the environment at import time
            os.environ.setdefault("ARGOS_PACKAGES_DIR", str(Path(config.argos_packages_dir).expanduser()))

    def _package(self, src: str, tgt: str) -> Any:
        argos = _argos()
        for pkg in argos.package.get_installed_packages():
            if pkg.from_code == src and pkg.to_code == tgt:
                return pkg
        return None

    def model_id(self, src: str) -> str:
        try:
            pkg = self._package(src, TARGET)
        except TranslatorUnavailable:
            return f"argos-{src}-{TARGET}"
        version = getattr(pkg, "package_version", "") if pkg else ""
        return f"argos-{src}-{TARGET}" + (f"@{version}" if version else "")

    def available(self, src: str) -> bool:
        try:
            return self._package(src, TARGET) is not None
        except TranslatorUnavailable:
            return False

    def translate(self, sentences: list[str], src: str, tgt: str = TARGET) -> list[str]:
        if not sentences:
            return []
        argos = _argos()
        if self._package(src, tgt) is None:
            raise TranslatorUnavailable(
                f"no argos package for {src}→{tgt}; install it with `argospm install translate-{src}_{tgt}`"
            )
        translation = argos.translate.get_translation_from_codes(src, tgt)
        out = []
        for s in sentences:
            try:
                out.append(str(translation.translate(s)))
            except Exception as exc:
                raise TranslatorError(f"argos failed on a sentence: {exc}") from exc
        return check_aligned(out, sentences, self.name)
