"""What the browser tests share: Debian's Chromium, and `globewire serve` started as a subprocess on a store."""

from __future__ import annotations

import contextlib
import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run"]
REPO = Path(__file__).resolve().parents[2]
SERVER_START_SECONDS = 30


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextlib.contextmanager
def serve(db: Path | None, home: Path, env: dict[str, str] | None = None) -> Iterator[tuple[str, int]]:
    """`globewire serve --db DB` on 127.0.0.1 with its data dir in ``home`` (plus ``env``; without ``db`` the
    store is the one ``env`` names, e.g. GLOBEWIRE_DATABASE_URL); yields (base URL, port) once it answers,
    stops it afterwards."""
    port = free_port()
    full = {**os.environ, "GLOBEWIRE_CONFIG": str(home / "none.toml"), "GLOBEWIRE_DATA_DIR": str(home),
            "PYTHONPATH": str(REPO / "src") + os.pathsep + str(REPO) + os.pathsep + os.environ.get("PYTHONPATH", ""),
            **(env or {})}
    log = (home / "serve.log").open("w")
    db_args = ["--db", str(db)] if db is not None else []
    proc = subprocess.Popen([sys.executable, "-m", "globewire.cli", "serve", *db_args, "--host", "127.0.0.1",
                             "--port", str(port)], env=full, stdout=log, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + SERVER_START_SECONDS
    try:
        while True:
            try:
                if httpx.get(base + "/api/v1/countries", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if proc.poll() is not None or time.monotonic() > deadline:
                pytest.fail("globewire serve did not start: " + (home / "serve.log").read_text()[-2000:])
            time.sleep(0.2)
        yield base, port
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
        log.close()


class Tab:
    """A browser tab (its own context) that records every request and every console error."""

    def __init__(self, browser: Any, viewport: dict[str, int] | None = None, **context: Any) -> None:
        self.context = browser.new_context(viewport=viewport or {"width": 1280, "height": 900}, **context)
        self.page = self.context.new_page()
        self.requests: list[str] = []
        self.errors: list[str] = []
        self.page.on("request", lambda r: self.requests.append(r.url))
        self.page.on("console", lambda m: self.errors.append(m.text) if m.type == "error" else None)
        self.page.on("pageerror", lambda e: self.errors.append(str(e)))
