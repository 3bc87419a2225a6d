"""A real HTTP server on 127.0.0.1 for the whole test-suite.

``LoopbackServer`` runs a stdlib ``ThreadingHTTPServer`` on port 0 in a background thread. Routes map a
path (optionally for one ``Host``) to a :class:`Response` or to a handler ``(LoggedRequest) -> Response``.
Every request is logged with its headers and arrival time so tests can check politeness.

    with LoopbackServer() as srv:
        srv.route("/feed.xml", Response(body=b"<rss/>", content_type="application/rss+xml", etag='"v1"'))
        url = srv.url("/feed.xml")

The ``behaviours`` below build the hostile responses the fetcher must survive: Retry-After, redirect
chains and loops, compression bombs, huge and slow bodies, binary and mis-labelled bodies.
"""

from __future__ import annotations

import email.utils
import functools
import gzip
import os
import ssl
import threading
import time
import zlib
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import urlsplit

import brotli
import zstandard


@dataclass
class Response:
    status: int = 200
    body: bytes | Callable[[], Iterable[bytes]] = b""
    content_type: str | None = "text/html; charset=utf-8"
    headers: dict[str, str] = field(default_factory=dict)
    etag: str | None = None  # answered with 304 when If-None-Match matches
    last_modified: str | None = None  # HTTP date; 304 when If-Modified-Since is not older
    chunk_delay: float = 0.0  # seconds slept before each chunk of a streamed body


@dataclass(frozen=True)
class LoggedRequest:
    method: str
    target: str  # as sent: path + query
    path: str
    query: str
    host: str  # Host header without port, lower case
    headers: dict[str, str]  # lower-case keys
    at: float  # time.monotonic() on arrival


Handler = Callable[[LoggedRequest], Response]
Route = Response | Handler


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: _Server

    def log_message(self, format: str, *args: Any) -> None:  # quiet
        return

    def do_GET(self) -> None:  # noqa: N802
        self._serve(head=False)

    def do_HEAD(self) -> None:  # noqa: N802
        self._serve(head=True)

    def _serve(self, head: bool) -> None:
        parts = urlsplit(self.path)
        headers = {k.lower(): v for k, v in self.headers.items()}
        host = headers.get("host", "").rsplit(":", 1)[0].strip("[]").lower() if headers.get("host") else ""
        req = LoggedRequest(
            method=self.command,
            target=self.path,
            path=parts.path or "/",
            query=parts.query,
            host=host,
            headers=headers,
            at=time.monotonic(),
        )
        owner = self.server.owner
        owner._log(req)
        route = owner._find(host, req.path)
        if route is None:
            resp = Response(status=404, body=b"not found", content_type="text/plain")
        elif isinstance(route, Response):
            resp = route
        else:
            try:
                resp = route(req)
            except Exception as exc:  # a broken test handler shows up as a 500, not a hung client
                resp = Response(status=500, body=f"handler error: {exc!r}".encode(), content_type="text/plain")
        self._write(req, resp, head)

    def _not_modified(self, req: LoggedRequest, resp: Response) -> bool:
        if resp.status != 200:
            return False
        inm = req.headers.get("if-none-match")
        if inm is not None and resp.etag is not None:
            tags = [t.strip().removeprefix("W/") for t in inm.split(",")]
            return "*" in tags or resp.etag.removeprefix("W/") in tags
        ims = req.headers.get("if-modified-since")
        if ims and resp.last_modified:
            try:
                since = email.utils.parsedate_to_datetime(ims)
                modified = email.utils.parsedate_to_datetime(resp.last_modified)
            except (TypeError, ValueError):
                return False
            return modified <= since
        return False

    def _write(self, req: LoggedRequest, resp: Response, head: bool) -> None:
        try:
            if self._not_modified(req, resp):
                self.send_response(304)
                if resp.etag:
                    self.send_header("ETag", resp.etag)
                self.send_header("Content-Length", "0")
                self.end_headers()
                return
            self.send_response(resp.status)
            if resp.content_type:
                self.send_header("Content-Type", resp.content_type)
            if resp.etag:
                self.send_header("ETag", resp.etag)
            if resp.last_modified:
                self.send_header("Last-Modified", resp.last_modified)
            for k, v in resp.headers.items():
                self.send_header(k, v)
            if isinstance(resp.body, bytes):
                self.send_header("Content-Length", str(len(resp.body)))
                self.end_headers()
                if not head:
                    self.wfile.write(resp.body)
                return
            # streamed body: no length, close the connection at the end
            self.send_header("Connection", "close")
            self.close_connection = True
            self.end_headers()
            if head:
                return
            for chunk in resp.body():
                if resp.chunk_delay:
                    time.sleep(resp.chunk_delay)
                if self.server.owner._stopping.is_set():
                    return
                self.wfile.write(chunk)
                self.wfile.flush()
        except (BrokenPipeError, ConnectionResetError, ConnectionAbortedError):
            self.close_connection = True


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    block_on_close = False
    allow_reuse_address = True
    owner: LoopbackServer


class LoopbackServer:
    """Real HTTP server on 127.0.0.1:<free port> with a route table and a request log."""

    def __init__(self, host: str = "127.0.0.1", *, tls: ssl.SSLContext | None = None) -> None:
        self._bind = host
        self._tls = tls
        self._routes: dict[tuple[str | None, str], Route] = {}
        self._prefix_routes: list[tuple[str | None, str, Route]] = []
        self._requests: list[LoggedRequest] = []
        self._lock = threading.Lock()
        self._stopping = threading.Event()
        self._httpd: _Server | None = None
        self._thread: threading.Thread | None = None

    # -------------------------------------------------------------- lifecycle

    def start(self) -> LoopbackServer:
        httpd = _Server((self._bind, 0), _Handler)
        httpd.owner = self
        if self._tls is not None:
            httpd.socket = self._tls.wrap_socket(httpd.socket, server_side=True)
        self._httpd = httpd
        self._thread = threading.Thread(target=httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stopping.set()
        if self._httpd is not None:
            self._httpd.shutdown()
            self._httpd.server_close()
            self._httpd = None
        if self._thread is not None:
            self._thread.join(timeout=5)
            self._thread = None

    def __enter__(self) -> LoopbackServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    @property
    def port(self) -> int:
        if self._httpd is None:
            raise RuntimeError("server not started")
        return int(self._httpd.server_address[1])

    def url(self, path: str = "/", host: str = "127.0.0.1") -> str:
        scheme = "https" if self._tls is not None else "http"
        return f"{scheme}://{host}:{self.port}{path}"

    @property
    def base_url(self) -> str:
        return self.url("")

    # -------------------------------------------------------------- routes

    def route(self, path: str, target: Route, *, host: str | None = None) -> None:
        """Serve ``target`` at ``path`` (``/prefix/*`` matches a prefix); ``host`` limits it to one Host."""
        h = host.lower() if host else None
        with self._lock:
            if path.endswith("*"):
                self._prefix_routes.append((h, path[:-1], target))
            else:
                self._routes[(h, path)] = target

    def _find(self, host: str, path: str) -> Route | None:
        with self._lock:
            for key in ((host, path), (None, path)):
                if key in self._routes:
                    return self._routes[key]
            best: tuple[int, Route] | None = None
            for h, prefix, target in self._prefix_routes:
                if (h is None or h == host) and path.startswith(prefix):
                    score = len(prefix) + (1 if h else 0)
                    if best is None or score > best[0]:
                        best = (score, target)
            return best[1] if best else None

    # -------------------------------------------------------------- log

    def _log(self, req: LoggedRequest) -> None:
        with self._lock:
            self._requests.append(req)

    @property
    def requests(self) -> list[LoggedRequest]:
        with self._lock:
            return list(self._requests)

    def hits(self, path: str, host: str | None = None) -> list[LoggedRequest]:
        return [r for r in self.requests if r.path == path and (host is None or r.host == host.lower())]

    def clear_log(self) -> None:
        with self._lock:
            self._requests.clear()


# ------------------------------------------------------------------ behaviours


def http_date(ts: float | None = None) -> str:
    return email.utils.formatdate(ts if ts is not None else time.time(), usegmt=True)


def static(body: bytes | str, content_type: str = "text/html; charset=utf-8", **kw: Any) -> Response:
    return Response(body=body.encode("utf-8") if isinstance(body, str) else body, content_type=content_type, **kw)


def redirect(location: str, status: int = 302) -> Response:
    return Response(status=status, headers={"Location": location}, content_type="text/plain", body=b"moved")


def fail_then(failures: int, failure: Response, success: Response) -> Handler:
    """The first ``failures`` requests get ``failure`` (e.g. a 429 with Retry-After), then ``success``."""
    count = 0
    lock = threading.Lock()

    def handler(req: LoggedRequest) -> Response:
        nonlocal count
        with lock:
            count += 1
            n = count
        return failure if n <= failures else success

    return handler


def sequence(*responses: Response) -> Handler:
    """Answer the i-th request with the i-th response; the last one repeats."""
    count = 0
    lock = threading.Lock()

    def handler(req: LoggedRequest) -> Response:
        nonlocal count
        with lock:
            i = min(count, len(responses) - 1)
            count += 1
        return responses[i]

    return handler


def _zeros(total: int, chunk: int = 1 << 20) -> Iterator[bytes]:
    block = b"\0" * chunk
    left = total
    while left > 0:
        yield block[: min(chunk, left)]
        left -= chunk


@functools.lru_cache(maxsize=8)
def bomb_payload(encoding: str, decompressed_size: int) -> bytes:
    """``decompressed_size`` zero bytes compressed with gzip/deflate/br/zstd (a few hundred KiB at most)."""
    if encoding == "gzip":
        comp = zlib.compressobj(9, zlib.DEFLATED, 16 + zlib.MAX_WBITS)
    elif encoding == "deflate":
        comp = zlib.compressobj(9, zlib.DEFLATED, zlib.MAX_WBITS)
    elif encoding == "br":
        return brotli.compress(b"\0" * decompressed_size, quality=5)
    elif encoding == "zstd":
        cctx = zstandard.ZstdCompressor(level=3)
        return cctx.compress(b"\0" * decompressed_size)
    else:
        raise ValueError(encoding)
    out = bytearray()
    for c in _zeros(decompressed_size):
        out += comp.compress(c)
    out += comp.flush()
    return bytes(out)


def bomb(encoding: str = "gzip", decompressed_size: int = 200 << 20) -> Response:
    """Small on the wire, ``decompressed_size`` bytes once decoded."""
    return Response(
        body=bomb_payload(encoding, decompressed_size),
        content_type="text/html; charset=utf-8",
        headers={"Content-Encoding": encoding},
    )


def compressed(body: bytes, encoding: str, content_type: str = "text/html; charset=utf-8") -> Response:
    if encoding == "gzip":
        data = gzip.compress(body)
    elif encoding == "deflate":
        data = zlib.compress(body)
    elif encoding == "br":
        data = brotli.compress(body)
    elif encoding == "zstd":
        data = zstandard.ZstdCompressor().compress(body)
    else:
        raise ValueError(encoding)
    return Response(body=data, content_type=content_type, headers={"Content-Encoding": encoding})


def huge_body(size: int = 50 * 1024 * 1024, chunk: int = 256 * 1024) -> Response:
    """A ``size``-byte body generated while streaming (never held in memory)."""

    def gen() -> Iterator[bytes]:
        line = b"<p>" + b"x" * 1017 + b"</p>\n"  # 1 KiB lines
        block = line * (chunk // len(line))
        left = size
        while left > 0:
            yield block[: min(len(block), left)]
            left -= len(block)

    return Response(body=gen, content_type="text/html; charset=utf-8")


def slow_loris(interval: float = 1.0, count: int = 600) -> Response:
    """Headers at once, then one byte every ``interval`` seconds (read timeouts never fire)."""

    def gen() -> Iterator[bytes]:
        yield b"<html>"
        for _ in range(count):
            yield b"."

    return Response(body=gen, content_type="text/html; charset=utf-8", chunk_delay=interval)


def binary_body(size: int = 64 * 1024, content_type: str = "application/octet-stream") -> Response:
    return Response(body=os.urandom(size), content_type=content_type)


def png_body() -> Response:
    header = b"\x89PNG\r\n\x1a\n" + b"\0\0\0\rIHDR" + b"\0\0\0\x01\0\0\0\x01\x08\x02\0\0\0"
    return Response(body=header + os.urandom(512), content_type="image/png")


def wrong_charset(text: str = "Überraschung in São Paulo – naïve café") -> Response:
    """UTF-8 bytes labelled ISO-8859-1."""
    return Response(
        body=f"<html><body><p>{text}</p></body></html>".encode(), content_type="text/html; charset=iso-8859-1"
    )


def missing_charset(text: str = "Grüße aus Köln") -> Response:
    return Response(body=f"<html><body><p>{text}</p></body></html>".encode("cp1252"), content_type="text/html")


def empty_page() -> Response:
    return Response(body=b"", content_type="text/html; charset=utf-8")
