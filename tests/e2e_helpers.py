"""Helpers of the end-to-end tests (`tests/test_e2e_*.py`): the CLI as a user runs it, a LibreTranslate-compatible
loopback server, corpus articles written out as saved HTML pages, and `globewire` subprocesses on a free port."""

from __future__ import annotations

import html
import json
import os
import re
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, Self

import httpx
from typer.testing import CliRunner, Result

REPO = Path(__file__).resolve().parents[1]
CORPUS = REPO / "tests" / "corpus" / "stories"
# How long a `globewire serve`/`run` subprocess may take to answer its first request (imports + migrations).
SERVER_START_SECONDS = 60.0

# The "translation" of the loopback LibreTranslate: whole-word substitution (case-insensitive) for the
# alphabetic languages, substring substitution for Japanese. Deterministic, so a test knows which English
# words the translated text holds (and that the original does not).
WORDS: dict[str, dict[str, str]] = {
    "de": {"fährunglück": "ferry disaster", "fähre": "ferry", "passagierfähre": "passenger ferry",
           "gipfeltreffen": "summit", "und": "and", "der": "the", "die": "the", "das": "the", "bei": "at",
           "tote": "dead", "mindestens": "at least", "auf": "on", "dem": "the"},
    "es": {"sismo": "earthquake", "terremoto": "earthquake", "de": "of", "y": "and", "el": "the", "la": "the",
           "los": "the", "las": "the", "en": "in"},
    "fr": {"séisme": "earthquake", "naufrage": "sinking", "le": "the", "la": "the", "les": "the", "et": "and"},
}
JA_PHRASES = {"首脳会談": " summit ", "東京": " Tokyo ", "日本": " Japan ", "中国": " China ", "韓国": " South Korea ",
              "協力": " cooperation "}


def fake_english(text: str, src: str) -> str:
    if src == "ja":
        for k, v in JA_PHRASES.items():
            text = text.replace(k, v)
        return re.sub(r" {2,}", " ", text).strip()
    words = WORDS.get(src, {})
    return re.sub(r"\w+", lambda m: words.get(m.group(0).lower(), m.group(0)), text)


@dataclass
class FakeLibreTranslate:
    """`POST /translate` as LibreTranslate answers it (``q`` a string or a list); counts requests and texts."""

    requests: int = 0
    texts: int = 0
    sources: list[str] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)
    server: ThreadingHTTPServer | None = None

    @property
    def url(self) -> str:
        assert self.server is not None
        return f"http://127.0.0.1:{self.server.server_address[1]}"

    def __enter__(self) -> Self:
        svc = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, format: str, *args: Any) -> None:  # quiet
                return

            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                status, answer = svc.answer(self.path, body)
                data = json.dumps(answer).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        return self

    def __exit__(self, *exc: object) -> None:
        assert self.server is not None
        self.server.shutdown()
        self.server.server_close()

    def answer(self, path: str, raw: bytes) -> tuple[int, dict[str, Any]]:
        if path != "/translate":
            return 404, {"error": "not found"}
        try:
            body = json.loads(raw)
            q, src = body["q"], str(body["source"])
        except (ValueError, KeyError, TypeError):
            return 400, {"error": "bad request"}
        texts = q if isinstance(q, list) else [q]
        with self.lock:
            self.requests += 1
            self.texts += len(texts)
            self.sources.append(src)
        out = [fake_english(str(t), src) for t in texts]
        return 200, {"translatedText": out if isinstance(q, list) else out[0]}


# --------------------------------------------------------------------------- the corpus as saved pages


def corpus_lines() -> list[dict[str, Any]]:
    return [json.loads(line) for line in (CORPUS / "articles.jsonl").read_text(encoding="utf-8").splitlines()
            if line.strip()]


def expected() -> dict[str, Any]:
    return json.loads((CORPUS / "expected.json").read_text(encoding="utf-8"))


def saved_page(r: Mapping[str, Any]) -> str:
    """A corpus article as the page a browser would save: canonical link, Open Graph, one <p> per paragraph."""
    t = html.escape(r["title"])
    h1 = html.escape(r["title"].removesuffix(f" - {r['outlet_name']}"))  # <title> names the site, <h1> does not
    paras = "".join(f"<p>{html.escape(p)}</p>" for p in r["text"].split("\n") if p.strip())
    return (
        f"<!DOCTYPE html><html lang='{r['language']}'><head><meta charset='utf-8'><title>{t}</title>"
        f"<link rel='canonical' href='{html.escape(r['url'])}'><meta property='og:title' content='{t}'>"
        f"<meta property='og:site_name' content='{html.escape(r['outlet_name'])}'>"
        f"<meta property='article:published_time' content='{r['published_at']}'></head>"
        f"<body><nav><a href='/'>Home</a></nav><article><h1>{h1}</h1>{paras}</article>"
        f"<footer>© {html.escape(r['outlet_name'])}</footer></body></html>"
    )


def write_saved_pages(folder: Path, lines: list[tuple[int, dict[str, Any]]]) -> list[Path]:
    """One file per (corpus line number, record), named so that the corpus order is the ingest order."""
    folder.mkdir(parents=True, exist_ok=True)
    out = []
    for lineno, r in lines:
        p = folder / f"{lineno:02d}-{r['outlet']}.html"
        p.write_text(saved_page(r), encoding="utf-8")
        out.append(p)
    return out


# --------------------------------------------------------------------------- CLI and processes


def cli(*args: str, env: Mapping[str, str] | None = None) -> Result:
    """`globewire ARGS` in process (typer's runner; the environment is set for the call only)."""
    from globewire.cli import app

    res = CliRunner().invoke(app, list(args), env=dict(env or {}), catch_exceptions=False)
    assert res.exit_code == 0, f"globewire {' '.join(args)} exited {res.exit_code}:\n{res.output}"
    return res


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def subprocess_env(extra: Mapping[str, str]) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("GLOBEWIRE_")}
    env["GLOBEWIRE_CONFIG"] = os.environ.get("GLOBEWIRE_CONFIG", "")
    env["GLOBEWIRE_DATA_DIR"] = os.environ.get("GLOBEWIRE_DATA_DIR", "")
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(REPO / "src"), str(REPO), env.get("PYTHONPATH")]))
    env["GLOBEWIRE_WORKERS"] = "1"
    env.update(extra)
    return {k: v for k, v in env.items() if v != ""}


@contextmanager
def globewire_process(args: list[str], env: Mapping[str, str], log_path: Path) -> Iterator[subprocess.Popen[bytes]]:
    """`python -m globewire.cli ARGS` as a child process (output into ``log_path``); stopped with SIGINT,
    then SIGKILL, on leaving the block if still running."""
    with log_path.open("wb") as log:
        proc = subprocess.Popen([sys.executable, "-m", "globewire.cli", *args], env=dict(env), stdout=log,
                                stderr=subprocess.STDOUT, cwd=str(log_path.parent))
        try:
            yield proc
        finally:
            if proc.poll() is None:
                proc.send_signal(signal.SIGINT)
                try:
                    proc.wait(10)
                except subprocess.TimeoutExpired:
                    proc.kill()
                    proc.wait(10)


def wait_http(url: str, proc: subprocess.Popen[bytes], log_path: Path,
              timeout: float = SERVER_START_SECONDS) -> httpx.Response:
    """Poll ``url`` until it answers (any status); fails with the process output if it exits first."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise AssertionError(f"process exited {proc.returncode} before serving:\n{read_log(log_path)}")
        try:
            return httpx.get(url, timeout=2)
        except httpx.HTTPError:
            time.sleep(0.2)
    raise AssertionError(f"{url} did not answer within {timeout}s:\n{read_log(log_path)}")


def read_log(path: Path) -> str:
    return path.read_text(encoding="utf-8", errors="replace")[-5000:] if path.exists() else ""
