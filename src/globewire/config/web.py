"""Settings of the web server."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field


class WebSettings(BaseModel):
    host: str = Field("127.0.0.1", description="Address the web server binds to.")
    port: int = Field(8000, description="Port the web server listens on.")
    admin_token: str = Field("", description="Token for admin actions (add outlet, re-crawl); empty disables them.")
    secret_key: str = Field(
        "",
        description="Secret for signed image URLs and CSRF tokens; empty = random per process (signatures "
        "then change on restart).",
    )
    images: Literal["off", "proxy"] = Field(
        "proxy",
        description="Article pictures on cards and pages: 'proxy' (fetched by this server and served from its own "
        "/img with signed URLs: the reader's browser never contacts another site) or 'off' (no pictures).",
    )
    image_max_bytes: int = Field(3_000_000, description="Largest image the proxy passes through, in bytes.")
    site_name: str = Field("globewire", description="Name shown in the page header and feeds.")
    public_url: str = Field(
        "", description="Absolute base URL used in feeds and OPML (default: taken from each request)."
    )
