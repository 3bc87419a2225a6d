"""The default backend: CTranslate2 running OPUS-MT (Marian) models per source language, with a
multilingual model (M2M-100 or NLLB-200) for languages without one. Models are fetched and
converted to int8 on first use (see ``models.py``); sentencepiece files come from the model folder."""

from __future__ import annotations

import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from globewire.log import get_logger
from globewire.translate import models as mdl
from globewire.translate.base import TARGET, Translator, TranslatorError, TranslatorUnavailable, check_aligned

log = get_logger(__name__)

# OPUS-MT was trained on sentences of at most ~256 subwords; longer inputs are cut (the segmenter
# already bounds characters, this bounds tokens for scripts that tokenise densely).
MAX_SOURCE_TOKENS = 256
MAX_DECODING_TOKENS = 512


@dataclass(slots=True)
class LoadedModel:
    repo: str
    family: str
    translator: Any  # ctranslate2.Translator
    sp_source: Any  # sentencepiece.SentencePieceProcessor
    sp_target: Any


def load_model(
    path: Path, *, device: str = "cpu", compute_type: str = "int8", intra_threads: int = 0, inter_threads: int = 1
) -> LoadedModel:
    import ctranslate2
    import sentencepiece as spm

    man = mdl.read_manifest(path)
    files = mdl.TOKENIZER_FILES.get(man.family, ())
    sp_files = [Path(path) / f for f in files]
    missing = [str(f) for f in sp_files if not f.is_file()]
    if missing:
        raise TranslatorError(f"model folder {path} lacks tokenizer files {missing}; re-run `globewire models pull`")
    sp_src = spm.SentencePieceProcessor(model_file=str(sp_files[0]))
    sp_tgt = spm.SentencePieceProcessor(model_file=str(sp_files[-1]))
    tr = ctranslate2.Translator(
        str(path), device=device, compute_type=compute_type, intra_threads=intra_threads, inter_threads=inter_threads
    )
    return LoadedModel(man.repo, man.family, tr, sp_src, sp_tgt)


def _lang_token(family: str, lang: str) -> str | None:
    if family == "m2m100":
        return f"__{lang}__"
    if family == "nllb":
        return mdl.NLLB_CODES.get(lang)
    return None


def tokenize(model: LoadedModel, sentences: list[str], src: str) -> list[list[str]]:
    prefix = _lang_token(model.family, src)
    out = []
    for s in sentences:
        toks = model.sp_source.encode(s, out_type=str)[: MAX_SOURCE_TOKENS - 2]
        out.append(([prefix] if prefix else []) + toks + ["</s>"])
    return out


def translate_tokens(
    model: LoadedModel,
    batch: list[list[str]],
    *,
    tgt: str = TARGET,
    beam_size: int = 2,
    max_batch_tokens: int = 2048,
    max_decoding_length: int = 256,
    min_decoding_length: int = 0,
    batch_type: str = "tokens",
) -> list[list[str]]:
    """Run the model on tokenised sentences; returns target tokens (language prefix removed)."""
    tgt_tok = _lang_token(model.family, tgt)
    prefix = [[tgt_tok] for _ in batch] if tgt_tok else None
    results = model.translator.translate_batch(
        batch,
        target_prefix=prefix,
        beam_size=beam_size,
        max_batch_size=max_batch_tokens,
        batch_type=batch_type,
        max_decoding_length=max_decoding_length,
        min_decoding_length=min_decoding_length,
        max_input_length=MAX_SOURCE_TOKENS,
        return_scores=False,
    )
    out = []
    for r in results:
        toks = list(r.hypotheses[0]) if r.hypotheses else []
        if tgt_tok and toks and toks[0] == tgt_tok:
            toks = toks[1:]
        out.append(toks)
    return out


class Ct2Translator(Translator):
    name = "ctranslate2"

    def __init__(self, config: Any, *, data_dir: Path | None = None, **options: Any) -> None:
        super().__init__(config, data_dir=data_dir, **options)
        self.models_dir = config.resolved_models_dir(self.data_dir)
        self._loaded: dict[str, LoadedModel] = {}
        self._lock = threading.Lock()

    def _choice(self, src: str) -> mdl.ModelChoice:
        choice = mdl.choose(
            src, self.models_dir, overrides=self.config.opus_models, fallback=self.config.fallback_model
        )
        if choice is None:
            raise TranslatorUnavailable(
                f"no translation model known for '{src}': set translate.opus_models.{src} = '<hub repo>' "
                f"or route it to another backend (translate.routes.{src})"
            )
        return choice

    def model_id(self, src: str) -> str:
        try:
            return self._choice(src).repo
        except TranslatorUnavailable:
            return f"none-for-{src}"

    def available(self, src: str) -> bool:
        try:
            return mdl.is_installed(self.models_dir, self._choice(src).repo)
        except TranslatorUnavailable:
            return False

    def _model(self, src: str) -> LoadedModel:
        choice = self._choice(src)
        with self._lock:
            loaded = self._loaded.get(choice.repo)
            if loaded is not None:
                return loaded
            if not mdl.is_installed(self.models_dir, choice.repo):
                hint = f"fetch it with: globewire models pull {src}"
                if not self.config.auto_download:
                    raise TranslatorUnavailable(
                        f"translation model {choice.repo} for '{src}' is not installed in {self.models_dir}; {hint}"
                    )
                try:
                    mdl.pull(
                        src,
                        self.models_dir,
                        overrides=self.config.opus_models,
                        fallback=self.config.fallback_model,
                        endpoint=self.config.hub_endpoint,
                        converted=self.config.converted_repo,
                        quantization="int8",
                    )
                except mdl.ModelError as exc:
                    raise TranslatorUnavailable(
                        f"no translation model for '{src}': {choice.repo} is not installed in {self.models_dir} "
                        f"and could not be downloaded ({exc}); {hint}"
                    ) from exc
                choice = self._choice(src)  # pull may have routed the language to the fallback
            try:
                loaded = load_model(
                    mdl.model_path(self.models_dir, choice.repo),
                    device=self.config.device,
                    compute_type=self.config.compute_type,
                    intra_threads=self.config.threads,
                )
            except TranslatorError:
                raise
            except Exception as exc:  # corrupt model folder, unsupported compute type...
                raise TranslatorUnavailable(
                    f"cannot load {choice.repo}: {exc}; re-fetch it with: globewire models pull {src}"
                ) from exc
            self._loaded[choice.repo] = loaded
            log.info("model_loaded", repo=choice.repo, family=loaded.family)
            return loaded

    def translate(self, sentences: list[str], src: str, tgt: str = TARGET) -> list[str]:
        if not sentences:
            return []
        model = self._model(src)
        if model.family == "marian" and tgt != TARGET:
            raise TranslatorError(f"{model.repo} only translates into {TARGET}")
        batch = tokenize(model, sentences, src)
        longest = max(len(t) for t in batch)
        max_len = min(MAX_DECODING_TOKENS, int(longest * self.config.max_decoding_ratio) + 10)
        try:
            outs = translate_tokens(
                model,
                batch,
                tgt=tgt,
                beam_size=self.config.beam_size,
                max_batch_tokens=self.config.batch_tokens,
                max_decoding_length=max_len,
            )
        except Exception as exc:  # ctranslate2 raises RuntimeError/ValueError on bad input or OOM
            raise TranslatorError(f"ctranslate2 failed on {model.repo}: {exc}") from exc
        return check_aligned([model.sp_target.decode(t).strip() for t in outs], sentences, self.name)

    def close(self) -> None:
        with self._lock:
            self._loaded.clear()
