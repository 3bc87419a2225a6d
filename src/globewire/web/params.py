"""Checks every request's parameters share (one dependency of the whole app): a query or path value holding
characters no text may hold (NUL and other controls, non-characters, bidi overrides; see globewire.textnorm)
is refused with 400 and the parameter's name, before any handler or store sees it (PostgreSQL refuses NUL
in text outright, which would otherwise surface as a server error)."""

from __future__ import annotations

from fastapi import HTTPException, Request

from globewire.textnorm import clean_text

# More query parameters than this is no request any page or endpoint makes.
MAX_QUERY_PARAMS = 50


def clean_parameters(request: Request) -> None:
    items = request.query_params.multi_items()
    if len(items) > MAX_QUERY_PARAMS:
        raise HTTPException(400, f"too many query parameters ({len(items)} > {MAX_QUERY_PARAMS})")
    for key, value in items:
        if clean_text(key) != key or clean_text(value) != value:
            raise HTTPException(400, f"query parameter {clean_text(key)[:40]!r} holds control or invalid characters")
    for key, value in request.path_params.items():
        if isinstance(value, str) and clean_text(value) != value:
            raise HTTPException(400, f"path parameter {key!r} holds control or invalid characters")
