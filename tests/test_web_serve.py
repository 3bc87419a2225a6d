"""`serve_in_thread` (used by `globewire run`): a real uvicorn server on loopback that stops on request."""

from __future__ import annotations

import socket
import time
from pathlib import Path

import httpx

from globewire.settings import load_settings
from globewire.web.serve import serve_in_thread


def test_serve_in_thread_starts_and_stops(tmp_path: Path) -> None:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    calls: list[str | None] = []
    settings = load_settings(data_dir=tmp_path)
    server = serve_in_thread(settings, f"sqlite:///{tmp_path / 'g.db'}", host="127.0.0.1", port=port,
                             recrawl=calls.append)
    try:
        assert server.started
        r = httpx.get(f"http://127.0.0.1:{port}/api/v1/countries", timeout=5)
        assert r.status_code == 200 and r.json()["items"] == []
        assert server.config.app.state.ctx.hooks["recrawl"] == calls.append
    finally:
        server.should_exit = True
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        try:
            httpx.get(f"http://127.0.0.1:{port}/", timeout=0.5)
        except httpx.HTTPError:
            break
        time.sleep(0.1)
    else:
        raise AssertionError("server still answering after should_exit")
