"""The web application: server-rendered pages (Jinja2, usable without JavaScript), the JSON API under
``/api/v1``, RSS/Atom/OPML, and the same-origin image proxy. ``create_app(store, settings)`` builds it."""

from __future__ import annotations

import contextlib
import datetime as dt
import re
import secrets
from collections.abc import AsyncIterator
from importlib import resources
from typing import Any

from fastapi import Depends, FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates
from markupsafe import Markup, escape
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.middleware.gzip import GZipMiddleware

from globewire.log import get_logger
from globewire.textnorm import clean_value
from globewire.web import geo
from globewire.web.context import WebContext, language_name
from globewire.web.front import flag as front_flag
from globewire.web.front import source_name as front_source_name
from globewire.web.params import CleanQueryMiddleware, check_parameters
from globewire.web.queries import CursorError, ReadModel
from globewire.web.security import SecurityHeadersMiddleware, Signer, safe_external_url

log = get_logger(__name__)

API_PREFIX = "/api/v1"
# zlib level 5 compresses HTML/JSON within a few % of level 9 (the default) at about a third of the CPU.
GZIP_LEVEL = 5
STATIC_MAX_AGE = 3600  # seconds browsers may cache /static (assets are small; no fingerprinting yet)


def _as_utc(value: Any) -> dt.datetime | str:
    """A datetime (ISO text or datetime; naive taken as UTC) in UTC, or the value as short text when it is
    not one."""
    if isinstance(value, str):
        try:
            value = dt.datetime.fromisoformat(value)
        except ValueError:
            return value[:16]
    if not isinstance(value, dt.datetime):
        return str(value)
    return (value if value.tzinfo else value.replace(tzinfo=dt.UTC)).astimezone(dt.UTC)


def _fmt_time(value: Any) -> str:
    if not value:
        return ""
    value = _as_utc(value)
    return value if isinstance(value, str) else value.strftime("%Y-%m-%d %H:%M UTC")


AGO_DAYS = 7  # older times are shown as a date, newer ones as "N hours ago"


def _ago(value: Any, now: dt.datetime | None = None) -> str:
    """A reader's time: "12 min ago", "5 h ago", "3 days ago", else "4 Dec 2026" (UTC)."""
    if not value:
        return ""
    value = _as_utc(value)
    if isinstance(value, str):
        return value
    secs = ((now or dt.datetime.now(dt.UTC)) - value).total_seconds()
    if secs < -300 or secs >= AGO_DAYS * 86400:
        return value.strftime("%-d %b %Y")
    if secs < 3600:
        return f"{max(1, int(secs // 60))} min ago"
    if secs < 86400:
        return f"{int(secs // 3600)} h ago"
    days = int(secs // 86400)
    return f"{days} day{'s' if days > 1 else ''} ago"


_MARKED = re.compile(r"\[([^\[\]<>]{1,120})\]")


def _highlight(snippet: str | None) -> Markup:
    """A search snippet with the store's [match] markers as <mark>; everything else escaped."""
    escaped = str(escape(snippet or ""))
    return Markup(_MARKED.sub(r"<mark>\1</mark>", escaped))


def make_templates() -> Jinja2Templates:
    folder = resources.files("globewire.web") / "templates"
    templates = Jinja2Templates(directory=str(folder))
    env = templates.env
    env.autoescape = True
    env.trim_blocks = True
    env.lstrip_blocks = True
    env.finalize = clean_value  # every value a page prints is valid text (rows stored before normalisation)
    env.filters["when"] = _fmt_time
    env.filters["country_name"] = lambda cc: geo.country_name(cc) if cc and len(cc) == 2 else (cc or "")
    env.filters["language_name"] = language_name
    env.filters["safe_url"] = safe_external_url
    env.filters["highlight"] = _highlight
    env.filters["ago"] = _ago
    env.filters["flag"] = front_flag
    env.filters["source_name"] = front_source_name  # an article row's source: named, never "unknown outlet"
    from globewire.web.crawl_status import crawl_status_for

    env.globals["crawl_status_for"] = crawl_status_for  # read by _crawl_status.html (the empty home page)
    return templates


def wants_json(request: Request) -> bool:
    return request.url.path.startswith(API_PREFIX) or request.url.path.startswith("/img")


def create_app(store: Any, settings: Any, *, serving: bool = False) -> FastAPI:
    """Build the application over an open store and the effective settings. ``serving``: this process is a
    long-running server (`globewire serve`/`run`), whose startup warms the lazily built structures and
    freezes its heap out of the garbage collector's full passes (``heap.prepare_for_serving``); tests and
    embedders that build many apps in one process leave it off."""
    from globewire.web import feeds_out, heap, imageproxy, routes_api, routes_pages

    secret = settings.web.secret_key or secrets.token_hex(32)
    ctx = WebContext(
        store=store,
        settings=settings,
        read=ReadModel(store),
        templates=make_templates(),
        signer=Signer(secret),
    )

    @contextlib.asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        if serving:
            heap.prepare_for_serving(ctx)
        try:
            yield
        finally:
            await imageproxy.close(ctx)

    app = FastAPI(
        title="globewire API",
        version="1",
        description="World news, grouped into stories across countries and languages.",
        docs_url=None,  # Swagger/ReDoc pull assets from CDNs: not served (the schema is)
        redoc_url=None,
        openapi_url=f"{API_PREFIX}/openapi.json",
        lifespan=lifespan,
        dependencies=[Depends(check_parameters)],
    )
    app.state.ctx = ctx
    def on_error(scope: Any, exc: Exception) -> Response:
        request = Request(scope)
        log.error("web_error", path=request.url.path, error=type(exc).__name__, detail=str(exc)[:300])
        return error_page(ctx, request, 500, "The server could not answer this request.")

    app.add_middleware(SecurityHeadersMiddleware, on_error=on_error)
    app.add_middleware(GZipMiddleware, minimum_size=1024, compresslevel=GZIP_LEVEL)
    app.add_middleware(CleanQueryMiddleware)

    static_dir = resources.files("globewire.web") / "static"
    app.mount("/static", _CachedStatic(directory=str(static_dir)), name="static")

    app.include_router(routes_pages.router)
    app.include_router(routes_api.router, prefix=API_PREFIX)
    app.include_router(feeds_out.router)
    app.include_router(imageproxy.router)

    _install_error_handlers(app, ctx)
    return app


class _CachedStatic(StaticFiles):
    async def get_response(self, path: str, scope: Any) -> Response:
        resp = await super().get_response(path, scope)
        if resp.status_code == 200:
            resp.headers["cache-control"] = f"public, max-age={STATIC_MAX_AGE}"
        return resp


ERROR_TITLES = {400: "Bad request", 403: "Forbidden", 404: "Not found", 405: "Method not allowed",
                413: "Too large", 422: "Bad request", 500: "Something went wrong"}


def error_page(ctx: WebContext, request: Request, status: int, message: str) -> Response:
    if wants_json(request):
        return JSONResponse({"error": {"status": status, "message": message}}, status_code=status)
    return ctx.templates.TemplateResponse(
        request, "error.html",
        {"ctx": ctx, "status": status, "title": ERROR_TITLES.get(status, "Error"), "message": message},
        status_code=status,
    )


def _install_error_handlers(app: FastAPI, ctx: WebContext) -> None:
    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> Response:
        message = exc.detail if isinstance(exc.detail, str) else ERROR_TITLES.get(exc.status_code, "Error")
        resp = error_page(ctx, request, exc.status_code, message)
        if exc.headers:
            resp.headers.update(exc.headers)
        return resp

    @app.exception_handler(RequestValidationError)
    async def validation_error(request: Request, exc: RequestValidationError) -> Response:
        problems = []
        for e in exc.errors()[:5]:
            loc = ".".join(str(x) for x in e.get("loc", ()) if x not in ("query", "path", "body"))
            problems.append(f"{loc}: {e.get('msg', 'invalid')}")
        status = 422 if wants_json(request) else 400
        return error_page(ctx, request, status, "; ".join(problems) or "invalid request")

    @app.exception_handler(CursorError)
    async def cursor_error(request: Request, exc: CursorError) -> Response:
        return error_page(ctx, request, 400, f"invalid cursor: {exc}")
