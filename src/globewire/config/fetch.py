"""Settings of the fetch stage (owned by the fetch package)."""

from __future__ import annotations

from pydantic import BaseModel, Field


class FetchSettings(BaseModel):
    user_agent: str = Field(
        "globewire/0.1 (+{contact})",
        description="User-Agent sent with every request; {contact} is replaced by contact_url.",
    )
    contact_url: str = Field(
        "https://github.com/globewire/globewire", description="Where site owners can reach the operator."
    )
    min_host_delay: float = Field(1.0, description="Minimum seconds between two requests to the same host.")
    connect_timeout: float = Field(10.0, description="Seconds to establish a connection.")
    read_timeout: float = Field(20.0, description="Seconds to wait for each chunk of the response.")
    total_timeout: float = Field(60.0, description="Seconds for the whole request, body included.")
    max_redirects: int = Field(5, description="Redirects followed at most (http/https only).")
    max_body_bytes: int = Field(10_000_000, description="Body cap, enforced after decompression.")
    max_retries: int = Field(3, description="Retries on 429/503/connect errors, with exponential backoff.")
    backoff_base: float = Field(1.0, description="First backoff delay in seconds (doubles each retry).")
    max_retry_after: float = Field(300.0, description="Longest Retry-After honoured, in seconds.")
    max_concurrency: int = Field(16, description="Hosts fetched concurrently (one connection per host).")
    allow_private_addresses: bool = Field(
        False, description="Allow loopback/private/link-local targets (tests on 127.0.0.1 only)."
    )
    respect_robots: bool = Field(True, description="Obey robots.txt (RFC 9309).")
    robots_cache_seconds: float = Field(86400.0, description="How long a robots.txt stays cached.")
    ca_bundle: str = Field(
        "", description="PEM file of extra CA certificates to trust (added to the defaults); empty = defaults only."
    )
