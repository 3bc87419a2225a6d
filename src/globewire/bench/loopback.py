"""A minimal HTTP server on a loopback address for the benchmarks' synthetic news sites."""

from __future__ import annotations

import threading
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

# path -> (body, content type), or None for 404
Answer = Callable[[str], "tuple[bytes, str] | None"]


class LoopbackHTTP:
    """GET answered by ``answer(path)`` from a background thread; ``with`` starts and stops it."""

    def __init__(self, answer: Answer, address: str = "127.0.0.1") -> None:
        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *a: Any) -> None:
                return

            def do_GET(self) -> None:  # noqa: N802
                found = answer(self.path)
                if found is None:
                    self.send_error(404)
                    return
                body, ctype = found
                self.send_response(200)
                self.send_header("Content-Type", ctype)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

        self.httpd = ThreadingHTTPServer((address, 0), Handler)
        self.port = int(self.httpd.server_address[1])
        self.base = f"http://{address}:{self.port}"
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    def start(self) -> LoopbackHTTP:
        self.thread.start()
        return self

    def stop(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()

    def __enter__(self) -> LoopbackHTTP:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()
