"""A loopback model hub: a real HTTP server on 127.0.0.1 speaking the part of the Hugging Face Hub's API
that ``huggingface_hub`` uses to download a model (``HF_ENDPOINT`` / ``endpoint=`` point it here).

- ``GET /api/models/{repo}`` and ``/api/models/{repo}/revision/{rev}`` (``?blobs=true`` adds sizes, git
  blob ids and LFS sha256s): the model info with its commit sha and file list (``siblings``);
- ``HEAD``/``GET /{repo}/resolve/{rev}/{file}``: the file, with ``X-Repo-Commit``, ``ETag`` (the sha256 for
  LFS files, the git blob id for others, as the hub does), ``Content-Length`` and byte ranges;
- an unknown repo answers 404 with ``X-Error-Code: RepoNotFound``, an unknown file ``EntryNotFound``.

Which files are LFS follows the ``.gitattributes`` of the published ctranslate2 conversions
(``*.bin``, ``*.spm``). Every request is recorded in ``requests`` (method, path).
"""

from __future__ import annotations

import hashlib
import json
import re
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

LFS_SUFFIXES = (".bin", ".spm")
_API = re.compile(r"^/api/models/([^/]+/[^/]+)(?:/revision/([^/]+))?$")
_RESOLVE = re.compile(r"^/([^/]+/[^/]+)/resolve/([^/]+)/(.+)$")


def _blob_id(data: bytes) -> str:
    return hashlib.sha1(b"blob %d\0" % len(data) + data, usedforsecurity=False).hexdigest()


class Repo:
    def __init__(self, repo_id: str, folder: Path, *, licence: str = "apache-2.0") -> None:
        self.repo_id = repo_id
        self.files = {p.name: p.read_bytes() for p in sorted(Path(folder).iterdir()) if p.is_file()}
        self.licence = licence
        self.served: dict[str, bytes] = {}  # bytes served instead of the listed ones (a corrupted download)
        listing = "".join(f"{n}:{hashlib.sha256(b).hexdigest()}\n" for n, b in self.files.items())
        self.sha = hashlib.sha1(listing.encode(), usedforsecurity=False).hexdigest()

    def etag(self, name: str) -> str:
        data = self.files[name]
        return hashlib.sha256(data).hexdigest() if name.endswith(LFS_SUFFIXES) else _blob_id(data)

    def info(self, blobs: bool) -> dict[str, Any]:
        siblings = []
        for name, data in self.files.items():
            s: dict[str, Any] = {"rfilename": name}
            if blobs:
                s["size"] = len(data)
                s["blobId"] = _blob_id(data)
                if name.endswith(LFS_SUFFIXES):
                    s["lfs"] = {"sha256": hashlib.sha256(data).hexdigest(), "size": len(data), "pointerSize": 134}
            siblings.append(s)
        return {"_id": self.sha[:24], "id": self.repo_id, "modelId": self.repo_id, "sha": self.sha,
                "private": False, "disabled": False, "gated": False, "downloads": 0, "likes": 0,
                "tags": ["ctranslate2", "translation"], "library_name": "ctranslate2",
                "lastModified": "2025-01-01T00:00:00.000Z", "createdAt": "2025-01-01T00:00:00.000Z",
                "cardData": {"license": self.licence}, "siblings": siblings}


class ModelHub:
    def __init__(self) -> None:
        self.repos: dict[str, Repo] = {}
        self.requests: list[tuple[str, str]] = []
        hub = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, format: str, *args: Any) -> None:
                return

            def do_GET(self) -> None:  # noqa: N802
                hub._answer(self, head=False)

            def do_HEAD(self) -> None:  # noqa: N802
                hub._answer(self, head=True)

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self._server.server_address[1]}"

    def add(self, repo_id: str, folder: Path, *, licence: str = "apache-2.0") -> Repo:
        self.repos[repo_id] = Repo(repo_id, folder, licence=licence)
        return self.repos[repo_id]

    def __enter__(self) -> ModelHub:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._server.shutdown()
        self._server.server_close()

    def _send(self, h: BaseHTTPRequestHandler, status: int, body: bytes, headers: dict[str, str], head: bool) -> None:
        h.send_response(status)
        for k, v in headers.items():
            h.send_header(k, v)
        h.send_header("Content-Length", str(len(body)))
        h.end_headers()
        if not head:
            h.wfile.write(body)

    def _error(self, h: BaseHTTPRequestHandler, code: str, message: str, head: bool, commit: str | None = None) -> None:
        headers = {"X-Error-Code": code, "X-Error-Message": message, "Content-Type": "application/json"}
        if commit:
            headers["X-Repo-Commit"] = commit
        self._send(h, 404, json.dumps({"error": message}).encode(), headers, head)

    def _answer(self, h: BaseHTTPRequestHandler, *, head: bool) -> None:
        parts = urlsplit(h.path)
        path = unquote(parts.path)
        self.requests.append((h.command, path))
        if m := _API.match(path):
            repo = self.repos.get(m.group(1))
            if repo is None:
                return self._error(h, "RepoNotFound", "Repository not found", head)
            body = json.dumps(repo.info("blobs=true" in parts.query or "blobs=True" in parts.query)).encode()
            return self._send(h, 200, body, {"Content-Type": "application/json"}, head)
        if m := _RESOLVE.match(path):
            repo = self.repos.get(m.group(1))
            if repo is None:
                return self._error(h, "RepoNotFound", "Repository not found", head)
            name = m.group(3)
            if name not in repo.files:
                return self._error(h, "EntryNotFound", "Entry not found", head, commit=repo.sha)
            data = repo.served.get(name, repo.files[name])
            headers = {"X-Repo-Commit": repo.sha, "ETag": f'"{repo.etag(name)}"', "Accept-Ranges": "bytes",
                       "Content-Type": "application/octet-stream"}
            rng = re.match(r"bytes=(\d+)-$", h.headers.get("Range", ""))
            if rng and not head:
                start = int(rng.group(1))
                headers["Content-Range"] = f"bytes {start}-{len(data) - 1}/{len(data)}"
                return self._send(h, 206, data[start:], headers, head)
            return self._send(h, 200, data, headers, head)
        self._send(h, 404, b"not found", {"Content-Type": "text/plain"}, head)


def build_published_marian(folder: Path, work: Path) -> Path:
    """A tiny random-weight Marian model converted for ctranslate2, laid out like the published
    ``*-ctranslate2`` conversions of OPUS-MT: model.bin, config.json, shared_vocabulary.json,
    source.spm, target.spm, vocab.json, tokenizer_config.json, generation_config.json, README.md."""
    from ctranslate2.converters import TransformersConverter

    from globewire.bench.translate import TOY_SHAPE, build_random_marian

    hf = build_random_marian(Path(work) / "hf", **TOY_SHAPE)
    copy = [f for f in ("source.spm", "target.spm", "vocab.json", "tokenizer_config.json", "generation_config.json")
            if (hf / f).is_file()]
    TransformersConverter(str(hf), copy_files=copy).convert(str(folder), quantization="int8", force=True)
    (Path(folder) / "README.md").write_text(
        "---\nlicense: apache-2.0\ntags:\n- ctranslate2\n- translation\n---\n# tiny test model\n", encoding="utf-8")
    (Path(folder) / ".gitattributes").write_text("*.bin filter=lfs diff=lfs merge=lfs -text\n"
                                                 "*.spm filter=lfs diff=lfs merge=lfs -text\n", encoding="utf-8")
    return Path(folder)


def main() -> None:
    """``python -m tests.model_hub``: serve a tiny model as gaudi/opus-mt-de-en-ctranslate2 until Ctrl-C, so
    ``HF_ENDPOINT=<printed URL> globewire models pull de`` can be tried by hand (needs the test extra)."""
    import argparse
    import tempfile
    import time

    ap = argparse.ArgumentParser(description=main.__doc__)
    ap.add_argument("--repo", default="gaudi/opus-mt-de-en-ctranslate2")
    args = ap.parse_args()
    with tempfile.TemporaryDirectory(prefix="gw-hub-") as tmp:
        folder = build_published_marian(Path(tmp) / "model", Path(tmp))
        with ModelHub() as hub:
            hub.add(args.repo, folder)
            print(f"serving {args.repo}: HF_ENDPOINT={hub.url} globewire models pull de", flush=True)
            try:
                while True:
                    time.sleep(3600)
            except KeyboardInterrupt:
                pass


if __name__ == "__main__":
    main()
