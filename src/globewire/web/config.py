"""Settings of the web server."""

from __future__ import annotations

from pydantic import BaseModel, Field


class WebSettings(BaseModel):
    host: str = Field("127.0.0.1", description="Address the web server binds to.")
    port: int = Field(8000, description="Port the web server listens on.")
    admin_token: str = Field("", description="Token for admin actions (add outlet, re-crawl); empty disables them.")
