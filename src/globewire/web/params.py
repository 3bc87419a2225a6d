"""Request parameters normalised at the edge, before any handler or store sees them.

* :class:`CleanQueryMiddleware` rewrites the query string with every name and value passed through
  ``textnorm.clean_text`` (NUL and other controls, non-characters, bidi overrides go), the way page and
  feed text is normalised: a search for ``a\\x00b`` is a search for ``ab`` (PostgreSQL refuses NUL in text
  outright, which would otherwise surface as a server error), and nothing reflected back can spoof a page.
* :func:`check_parameters` (a dependency of the whole app) refuses with 400, naming it, a path parameter
  holding such characters and a request with an absurd number of query parameters.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qsl, urlencode

from fastapi import HTTPException, Request

from globewire.textnorm import clean_text

# More query parameters than this is no request any page or endpoint makes.
MAX_QUERY_PARAMS = 50


class CleanQueryMiddleware:
    def __init__(self, app: Any) -> None:
        self.app = app

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] == "http" and scope.get("query_string"):
            scope = dict(scope, query_string=clean_query_string(scope["query_string"]))
        await self.app(scope, receive, send)


def clean_query_string(raw: bytes) -> bytes:
    """The query string with its names and values normalised (unchanged bytes when nothing needed it)."""
    pairs = parse_qsl(raw.decode("latin-1"), keep_blank_values=True)
    cleaned = [(clean_text(k), clean_text(v)) for k, v in pairs]
    if cleaned == pairs:
        return raw
    return urlencode(cleaned).encode("ascii")


def check_parameters(request: Request) -> None:
    items = request.query_params.multi_items()
    if len(items) > MAX_QUERY_PARAMS:
        raise HTTPException(400, f"too many query parameters ({len(items)} > {MAX_QUERY_PARAMS})")
    for key, value in request.path_params.items():
        if isinstance(value, str) and clean_text(value) != value:
            raise HTTPException(400, f"path parameter {key!r} holds control or invalid characters")
