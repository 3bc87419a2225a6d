"""Settings of the translation stage (``[translate]`` in TOML, ``GLOBEWIRE_TRANSLATE__*`` in the environment)."""

from __future__ import annotations

from pathlib import Path

from pydantic import BaseModel, Field


class TranslateSettings(BaseModel):
    backend: str = Field("ctranslate2", description="Default translator backend (entry point name), or 'none'.")
    routes: dict[str, str] = Field(default_factory=dict, description="Per-language backend, e.g. {ja='deepl'}.")

    # -- segmentation / bounds ---------------------------------------------------------------
    max_sentence_chars: int = Field(
        600, description="Longer 'sentences' are truncated to this many characters (noted in the record)."
    )
    max_article_chars: int = Field(
        60_000, description="Text beyond this many characters of an article is not translated (noted)."
    )
    batch_tokens: int = Field(1536, description="Token budget of one backend batch (sum of estimated source tokens).")
    batch_max_sentences: int = Field(64, description="At most this many sentences in one backend batch.")

    # -- queue / retries ---------------------------------------------------------------------
    concurrency: int = Field(2, description="Articles translated at once (worker threads).")
    queue_size: int = Field(8, description="Articles waiting for a worker; the reader blocks when full (backpressure).")
    max_attempts: int = Field(6, description="After this many failed attempts an article is no longer retried.")
    retry_base_seconds: float = Field(60.0, description="First retry delay after a failure; doubles per attempt.")
    retry_max_seconds: float = Field(6 * 3600.0, description="Upper bound of the retry delay.")
    unavailable_retry_seconds: float = Field(
        3600.0, description="When no model/backend is available for a language, retry after this many seconds."
    )

    # -- ctranslate2 -------------------------------------------------------------------------
    models_dir: Path | None = Field(None, description="Converted models cache (default <data_dir>/models).")
    auto_download: bool = Field(True, description="Download and convert a missing model on first use.")
    hub_endpoint: str = Field(
        "", description="Hugging Face Hub endpoint for model downloads (default: the public hub)."
    )
    converted_repo: str = Field(
        "gaudi/{name}-ctranslate2",
        description="Hub repo publishing an OPUS-MT model already converted for ctranslate2, tried before "
        "converting ({name} = the OPUS-MT repo's name, e.g. opus-mt-de-en; '' = always convert, which needs "
        "pip install 'globewire[convert]').",
    )
    opus_models: dict[str, str] = Field(
        default_factory=dict,
        description="Per-language model repo override, e.g. {he='Helsinki-NLP/opus-mt-tc-big-he-en'}.",
    )
    fallback_model: str = Field(
        "facebook/m2m100_418M",
        description="Multilingual model for languages without an OPUS-MT model (facebook/m2m100_418M, "
        "facebook/nllb-200-distilled-600M, or '' for none).",
    )
    device: str = Field("cpu", description="ctranslate2 device: cpu or cuda.")
    compute_type: str = Field("int8", description="ctranslate2 compute type (int8, int8_float32, float32, ...).")
    threads: int = Field(0, description="ctranslate2 intra-op threads per translation (0 = library default).")
    beam_size: int = Field(2, description="Beam size (1 = greedy, fastest).")
    max_decoding_ratio: float = Field(2.5, description="Output length cap as a multiple of the source length (+10).")

    # -- argos ---------------------------------------------------------------------------------
    argos_packages_dir: Path | None = Field(None, description="argostranslate packages dir (default: argos's own).")

    # -- HTTP backends -----------------------------------------------------------------------
    http_timeout: float = Field(60.0, description="Seconds before an HTTP translation request times out.")
    http_max_retries: int = Field(4, description="Retries of an HTTP request after 429 or 5xx.")
    http_max_backoff: float = Field(60.0, description="Longest wait (s) honoured from Retry-After inside one run.")
    libretranslate_url: str = Field("http://127.0.0.1:5000", description="LibreTranslate base URL.")
    libretranslate_api_key: str = Field("", description="LibreTranslate API key (if the server requires one).")
    deepl_url: str = Field("https://api-free.deepl.com", description="DeepL API base URL (api.deepl.com for Pro).")
    deepl_api_key: str = Field("", description="DeepL API key (secret).")
    deepl_target: str = Field("EN-US", description="DeepL target language: EN-US or EN-GB.")
    openai_url: str = Field("http://127.0.0.1:8080", description="OpenAI-compatible server base URL (without /v1).")
    openai_api_key: str = Field("", description="Bearer token for the OpenAI-compatible server (secret).")
    openai_model: str = Field("", description="Chat model name for the OpenAI-compatible backend.")
    openai_batch: int = Field(20, description="Sentences per chat request (numbered lines).")

    def backend_for(self, lang: str) -> str:
        return self.routes.get(lang, self.backend)

    def resolved_models_dir(self, data_dir: Path) -> Path:
        return Path(self.models_dir).expanduser() if self.models_dir else Path(data_dir) / "models"
