"""Security of the web layer: response headers (strict CSP), CSRF tokens, the admin token check, and
HMAC signatures for proxied image URLs."""

from __future__ import annotations

import hashlib
import hmac
import secrets
import time
from collections.abc import Callable
from typing import Any

from starlette.responses import PlainTextResponse, Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; font-src 'self'; "
    "connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
)
SECURITY_HEADERS: list[tuple[bytes, bytes]] = [
    (b"content-security-policy", CSP.encode()),
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"no-referrer"),
    (b"x-frame-options", b"DENY"),
    (b"cross-origin-opener-policy", b"same-origin"),
    (b"cross-origin-resource-policy", b"same-origin"),
    (b"permissions-policy", b"camera=(), microphone=(), geolocation=(), interest-cohort=()"),
]

CSRF_COOKIE = "gw_csrf"
CSRF_FIELD = "csrf"
SIGNATURE_HEX = 32  # 128-bit truncated HMAC-SHA256 for image URLs


class SecurityHeadersMiddleware:
    """Adds the security headers (and a Server-Timing entry) to every HTTP response (pure ASGI: no per-request task overhead) and turns
    an unhandled exception into the error page given by ``on_error`` (never a stack trace), with the same
    headers."""

    def __init__(self, app: ASGIApp, on_error: Callable[[Scope, Exception], Response] | None = None) -> None:
        self.app = app
        self.on_error = on_error

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        t0 = time.perf_counter()
        if scope.get("method") == "HEAD":
            # Answer HEAD like GET (the server drops the body): link checkers and `curl -I` get real headers.
            scope = {**scope, "method": "GET"}

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                present = {k.lower() for k, _ in headers}
                headers += [(k, v) for k, v in SECURITY_HEADERS if k not in present]
                # Time spent in the app before the response starts (read by `globewire bench api`).
                headers.append((b"server-timing", f"app;dur={(time.perf_counter() - t0) * 1000:.1f}".encode()))
                message["headers"] = headers
            if message["type"] == "http.response.start":
                started.append(True)
            await send(message)

        started: list[bool] = []
        try:
            await self.app(scope, receive, send_with_headers)
        except Exception as exc:
            if started:
                raise
            response: Response
            try:
                response = self.on_error(scope, exc) if self.on_error else PlainTextResponse("error", 500)
            except Exception:  # noqa: BLE001
                response = PlainTextResponse("Internal server error", status_code=500)
            await response(scope, receive, send_with_headers)


class Signer:
    """HMAC over short strings with the server's secret (image URLs, CSRF tokens)."""

    def __init__(self, secret: str) -> None:
        self._key = hashlib.sha256(("globewire-web:" + secret).encode()).digest()

    def sign(self, purpose: str, value: str) -> str:
        mac = hmac.new(self._key, f"{purpose}\x00{value}".encode(), hashlib.sha256).hexdigest()
        return mac[:SIGNATURE_HEX]

    def verify(self, purpose: str, value: str, signature: str) -> bool:
        if not signature or len(signature) != SIGNATURE_HEX:
            return False
        return hmac.compare_digest(self.sign(purpose, value), signature)

    # -- CSRF: a random nonce in a cookie + the same signed nonce in the form (double submit, signed) ------

    def new_csrf_nonce(self) -> str:
        return secrets.token_urlsafe(24)

    def csrf_token(self, nonce: str) -> str:
        return nonce + "." + self.sign("csrf", nonce)

    def check_csrf(self, cookie_nonce: str | None, form_token: str | None) -> bool:
        if not cookie_nonce or not form_token or "." not in form_token:
            return False
        nonce, sig = form_token.rsplit(".", 1)
        return hmac.compare_digest(nonce, cookie_nonce) and self.verify("csrf", nonce, sig)


def check_admin_token(configured: str, given: str | None) -> bool:
    """Admin actions are disabled while no token is configured; otherwise the given token must match."""
    if not configured or not given:
        return False
    return hmac.compare_digest(configured.encode(), given.encode())


def safe_external_url(url: Any) -> str | None:
    """An outlet-supplied link usable in href: http(s) only (no javascript:, data:, ...)."""
    if not isinstance(url, str):
        return None
    u = url.strip()
    if u.lower().startswith(("http://", "https://")) and not any(c in u for c in "\x00\r\n\t <>\"'`"):
        return u
    return None
