"""What every route needs, in one module the routers and the application both import (the application
includes the routers, so the routers must not import it): ``WebContext``, ``get_ctx``, ``render``."""

from __future__ import annotations

import functools
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

from fastapi import Request
from fastapi.responses import HTMLResponse
from fastapi.templating import Jinja2Templates

from globewire.web.queries import ReadModel
from globewire.web.security import Signer, safe_external_url

__all__ = ["WebContext", "get_ctx", "language_name", "render"]


@dataclass
class WebContext:
    """What every route needs: the store's read model, settings, templates and the signer."""

    store: Any
    settings: Any
    read: ReadModel
    templates: Jinja2Templates
    signer: Signer
    image_fetcher: Any = None
    hooks: dict[str, Any] = field(default_factory=dict)  # e.g. "recrawl": callable set by `globewire run`

    @property
    def web(self) -> Any:
        return self.settings.web

    @property
    def reference_country(self) -> str:
        return str(self.settings.stories.reference_country or "US").upper()

    def image_url(self, url: str | None) -> str | None:
        """Same-origin, signed proxy URL for an outlet image, or None when images are off."""
        if self.web.images != "proxy":
            return None
        safe = safe_external_url(url)
        if not safe:
            return None
        return "/img?" + urlencode({"u": safe, "sig": self.signer.sign("img", safe)})


@functools.lru_cache(maxsize=512)
def language_name(code: str | None) -> str:
    if not code:
        return ""
    import pycountry

    lang = pycountry.languages.get(alpha_2=code.lower())
    return lang.name if lang else code


def get_ctx(request: Request) -> WebContext:
    return request.app.state.ctx


def render(request: Request, template: str, status: int = 200, **context: Any) -> HTMLResponse:
    ctx = get_ctx(request)
    return ctx.templates.TemplateResponse(request, template, {"ctx": ctx, **context}, status_code=status)
