"""Same-origin image proxy: ``/img?u=<url>&sig=<hmac>``. Only URLs this server signed are fetched, through
``globewire.fetch.Fetcher`` (SSRF guard, redirects checked, body cap); only raster image types pass (no
SVG: it can carry script), and the response is sandboxed. On by default (``web.images = "proxy"``); ``"off"`` disables it."""

from __future__ import annotations

import asyncio
from typing import Annotated, Any

from fastapi import APIRouter, HTTPException, Query, Request
from fastapi.responses import Response

from globewire.log import get_logger
from globewire.web.context import get_ctx

log = get_logger(__name__)
router = APIRouter(include_in_schema=False)

ALLOWED_TYPES = {"image/jpeg", "image/png", "image/gif", "image/webp", "image/avif"}
# Magic bytes per type: the declared content type must match what the bytes are.
MAGIC = {
    "image/jpeg": (b"\xff\xd8\xff",),
    "image/png": (b"\x89PNG\r\n\x1a\n",),
    "image/gif": (b"GIF87a", b"GIF89a"),
    "image/webp": (b"RIFF",),
    "image/avif": (b"\x00\x00\x00",),
}
IMAGE_CACHE_SECONDS = 86400
IMAGE_HOST_DELAY = 0.2  # seconds between two image requests to one host (pages show a handful of images)


def sniff_ok(content_type: str, body: bytes) -> bool:
    if content_type == "image/avif":
        return body[4:8] == b"ftyp"
    if content_type == "image/webp":
        return body[:4] == b"RIFF" and body[8:12] == b"WEBP"
    return any(body.startswith(m) for m in MAGIC.get(content_type, ()))


async def _fetcher(ctx: Any) -> Any:
    if ctx.image_fetcher is None:
        from globewire.fetch import Fetcher

        fs = ctx.settings.fetch.model_copy(update={
            "max_body_bytes": ctx.web.image_max_bytes,
            "min_host_delay": min(ctx.settings.fetch.min_host_delay, IMAGE_HOST_DELAY),
            "max_retries": 0,
        })
        transport = ctx.hooks.get("image_transport")  # tests inject a loopback transport here
        f = Fetcher(fs, transport=transport) if transport is not None else Fetcher(fs)
        await f.__aenter__()
        ctx.image_fetcher = f
    return ctx.image_fetcher


async def close(ctx: Any) -> None:
    f, ctx.image_fetcher = ctx.image_fetcher, None
    if f is not None:
        await f.aclose()


@router.get("/img")
async def image(
    request: Request,
    u: Annotated[str, Query(max_length=2000)],
    sig: Annotated[str, Query(max_length=64)],
) -> Response:
    ctx = get_ctx(request)
    if ctx.web.images != "proxy":
        raise HTTPException(404, "Images are not served by this server.")
    if not ctx.signer.verify("img", u, sig):
        raise HTTPException(403, "Bad image signature.")
    fetcher = await _fetcher(ctx)
    try:
        result = await asyncio.wait_for(fetcher.fetch(u, kind="image"), timeout=ctx.settings.fetch.total_timeout)
    except TimeoutError as exc:
        raise HTTPException(504, "Image fetch timed out.") from exc
    if not result.ok:
        log.info("image_fetch_failed", url=u[:200], error=result.error)
        status = 413 if result.error in ("too_large", "body_too_large") else 502
        raise HTTPException(status, f"Image not available ({result.error}).")
    ctype = (result.headers.get("content-type") or "").split(";")[0].strip().lower()
    if ctype not in ALLOWED_TYPES or not sniff_ok(ctype, result.body):
        raise HTTPException(415, "Not a supported image.")
    if len(result.body) > ctx.web.image_max_bytes:
        raise HTTPException(413, "Image too large.")
    return Response(result.body, media_type=ctype, headers={
        "cache-control": f"public, max-age={IMAGE_CACHE_SECONDS}",
        "content-security-policy": "default-src 'none'; sandbox",
        "content-disposition": "inline",
    })
