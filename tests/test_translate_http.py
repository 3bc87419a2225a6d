"""HTTP backends and the stage against a real loopback server speaking LibreTranslate, DeepL and
OpenAI-compatible formats (including their error and rate-limit answers)."""

from __future__ import annotations

import json
import os
import re
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

from globewire.translate.base import TranslatorError, TranslatorRateLimited, TranslatorUnavailable
from globewire.translate.http_backends import DeepLTranslator, LibreTranslateTranslator, OpenAIChatTranslator
from globewire.translate.stage import translate_pending
from tests.test_translate_support import article, make_settings

WORDS = {
    "der": "the",
    "die": "the",
    "hund": "dog",
    "läuft": "runs",
    "heute": "today",
    "regnet": "rains",
    "es": "it",
    "regierung": "government",
    "wahl": "election",
    "gewinnt": "wins",
    "katze": "cat",
}


def fake_english(text: str, src: str) -> str:
    if src.lower() == "de":
        return re.sub(r"\w+", lambda m: WORDS.get(m.group(0).lower(), m.group(0)), text)
    return f"en<{text}>"


@dataclass
class Call:
    path: str
    headers: dict[str, str]
    body: dict[str, Any]


@dataclass
class FakeServices:
    """Scripted answers per path are served first (status, headers, json); then the normal answer."""

    calls: list[Call] = field(default_factory=list)
    script: dict[str, list[tuple[int, dict[str, str], Any]]] = field(default_factory=dict)
    openai_drop_line_once: bool = False
    delay: float = 0.0  # seconds each answer takes (to observe concurrency)
    in_flight: int = 0
    max_in_flight: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)

    def count(self, path: str) -> int:
        return sum(1 for c in self.calls if c.path == path)

    def answer(self, path: str, headers: dict[str, str], body: dict[str, Any]) -> tuple[int, dict[str, str], Any]:
        with self.lock:
            self.calls.append(Call(path, headers, body))
            scripted = self.script.get(path)
            if scripted:
                return scripted.pop(0)
        if path == "/translate":
            if body.get("api_key") not in (None, "lt-key"):
                return 403, {}, {"error": "Invalid API key"}
            q = body["q"]
            out = [fake_english(t, body["source"]) for t in (q if isinstance(q, list) else [q])]
            return 200, {}, {"translatedText": out if isinstance(q, list) else out[0]}
        if path == "/v2/translate":
            if headers.get("authorization") != "DeepL-Auth-Key good-key":
                return 403, {}, {"message": "Wrong endpoint or authorization"}
            src = body.get("source_lang", "")
            return (
                200,
                {},
                {
                    "translations": [
                        {"detected_source_language": src, "text": fake_english(t, src)} for t in body["text"]
                    ]
                },
            )
        if path == "/v1/chat/completions":
            user = body["messages"][-1]["content"]
            lines = []
            for line in user.splitlines():
                m = re.match(r"(\d+)\. (.*)", line)
                assert m, line
                lines.append(f"{m.group(1)}. {fake_english(m.group(2), 'de')}")
            with self.lock:
                if self.openai_drop_line_once and len(lines) > 1:
                    self.openai_drop_line_once = False
                    lines = lines[:-1]
            return (
                200,
                {},
                {
                    "id": "x",
                    "object": "chat.completion",
                    "choices": [
                        {
                            "index": 0,
                            "finish_reason": "stop",
                            "message": {"role": "assistant", "content": "\n".join(lines)},
                        }
                    ],
                },
            )
        return 404, {}, {"error": "not found"}


@pytest.fixture
def services() -> Iterator[tuple[FakeServices, str]]:
    state = FakeServices()

    class H(BaseHTTPRequestHandler):
        def log_message(self, *a: Any) -> None:
            pass

        def do_POST(self) -> None:
            raw = self.rfile.read(int(self.headers.get("Content-Length") or 0))
            with state.lock:
                state.in_flight += 1
                state.max_in_flight = max(state.max_in_flight, state.in_flight)
            time.sleep(state.delay)
            with state.lock:
                state.in_flight -= 1
            status, headers, payload = state.answer(
                self.path, {k.lower(): v for k, v in self.headers.items()}, json.loads(raw or b"{}")
            )
            data = json.dumps(payload).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            for k, v in headers.items():
                self.send_header(k, v)
            self.end_headers()
            self.wfile.write(data)

    srv = ThreadingHTTPServer(("127.0.0.1", 0), H)
    t = threading.Thread(target=srv.serve_forever, daemon=True)
    t.start()
    try:
        yield state, f"http://127.0.0.1:{srv.server_address[1]}"
    finally:
        srv.shutdown()
        srv.server_close()


def _cfg(tmp_path, url: str, **kw: Any):
    base: dict[str, Any] = {
        "libretranslate_url": url,
        "deepl_url": url,
        "deepl_api_key": "good-key",
        "openai_url": url,
        "openai_model": "tiny-chat",
        "http_max_retries": 2,
    }
    base.update(kw)
    return make_settings(tmp_path, **base)


# ----------------------------------------------------------------------------------------- backends


def test_libretranslate_request_format(tmp_path, services) -> None:
    state, url = services
    tr = LibreTranslateTranslator.from_settings(_cfg(tmp_path, url, libretranslate_api_key="lt-key"))
    assert tr.translate(["Der Hund läuft.", "Heute regnet es."], "de") == ["the dog runs.", "today rains it."]
    body = state.calls[0].body
    assert body == {
        "q": ["Der Hund läuft.", "Heute regnet es."],
        "source": "de",
        "target": "en",
        "format": "text",
        "api_key": "lt-key",
    }
    bad = LibreTranslateTranslator.from_settings(_cfg(tmp_path, url, libretranslate_api_key="nope"))
    with pytest.raises(TranslatorUnavailable, match="libretranslate_api_key"):
        bad.translate(["Hund"], "de")


def test_deepl_request_format_and_errors(tmp_path, services) -> None:
    state, url = services
    tr = DeepLTranslator.from_settings(_cfg(tmp_path, url, deepl_target="EN-GB"))
    assert tr.translate(["犬が走る。"], "ja") == ["en<犬が走る。>"]
    call = state.calls[-1]
    assert call.headers["authorization"] == "DeepL-Auth-Key good-key"
    assert call.body == {"text": ["犬が走る。"], "source_lang": "JA", "target_lang": "EN-GB"}
    assert tr.model_id("ja") == "deepl-v2/EN-GB"
    with pytest.raises(TranslatorUnavailable, match="deepl_api_key"):
        DeepLTranslator.from_settings(_cfg(tmp_path, url, deepl_api_key="bad-key")).translate(["x"], "ja")
    state.script["/v2/translate"] = [(456, {}, {"message": "Quota exceeded"})]
    with pytest.raises(TranslatorRateLimited, match="quota"):
        tr.translate(["x"], "ja")
    # more than 50 texts are split into requests DeepL accepts
    n = state.count("/v2/translate")
    assert len(tr.translate([f"s{i}" for i in range(60)], "ja")) == 60
    assert state.count("/v2/translate") - n == 2
    assert all(len(c.body["text"]) <= 50 for c in state.calls if c.path == "/v2/translate")


def test_429_retry_after_is_honoured(tmp_path, services) -> None:
    state, url = services
    state.script["/translate"] = [(429, {"Retry-After": "1"}, {"error": "Slowdown: 1 per 1 second"})]
    tr = LibreTranslateTranslator.from_settings(_cfg(tmp_path, url))
    t = time.monotonic()
    assert tr.translate(["Hund"], "de") == ["dog"]
    assert time.monotonic() - t >= 0.9
    assert state.count("/translate") == 2 and tr.requests == 2


def test_429_exhausted_and_server_errors(tmp_path, services) -> None:
    state, url = services
    tr = LibreTranslateTranslator.from_settings(_cfg(tmp_path, url, http_max_retries=1, http_max_backoff=2))
    state.script["/translate"] = [(429, {"Retry-After": "0"}, {"error": "slow down"})] * 2
    with pytest.raises(TranslatorRateLimited) as info:
        tr.translate(["Hund"], "de")
    assert info.value.retry_after == 0
    state.script["/translate"] = [(429, {"Retry-After": "3600"}, {"error": "slow down"})]
    t = time.monotonic()
    with pytest.raises(TranslatorRateLimited) as info:  # too long to wait inside a run: surfaced at once
        tr.translate(["Hund"], "de")
    assert info.value.retry_after == pytest.approx(3600) and time.monotonic() - t < 2
    state.script["/translate"] = [(500, {}, {"error": "internal"})] * 2
    with pytest.raises(TranslatorError, match="500"):
        tr.translate(["Hund"], "de")
    state.script["/translate"] = [(500, {}, {"error": "internal"})]  # one 5xx, then fine
    assert tr.translate(["Hund"], "de") == ["dog"]


def test_unreachable_server_is_unavailable(tmp_path) -> None:
    tr = LibreTranslateTranslator.from_settings(_cfg(tmp_path, "http://127.0.0.1:9"))
    with pytest.raises(TranslatorUnavailable, match="libretranslate_url"):
        tr.translate(["Hund"], "de")


def test_openai_numbered_lines_and_misaligned_answer(tmp_path, services) -> None:
    state, url = services
    tr = OpenAIChatTranslator.from_settings(_cfg(tmp_path, url, openai_api_key="sk-test"))
    sents = ["Der Hund läuft.", "Die Katze\nläuft.", "Heute regnet es."]
    assert tr.translate(sents, "de") == ["the dog runs.", "the cat runs.", "today rains it."]
    call = state.calls[-1]
    assert call.headers["authorization"] == "Bearer sk-test"
    assert call.body["model"] == "tiny-chat" and call.body["messages"][0]["role"] == "system"
    assert call.body["messages"][1]["content"] == "1. Der Hund läuft.\n2. Die Katze läuft.\n3. Heute regnet es."
    state.openai_drop_line_once = True
    n = state.count("/v1/chat/completions")
    assert tr.translate(sents, "de") == ["the dog runs.", "the cat runs.", "today rains it."]
    assert state.count("/v1/chat/completions") - n == 3  # misaligned → halves (1 + 2) retried


# ----------------------------------------------------------------------------------------- the stage


def _articles(store) -> dict[str, int]:
    ids = {}
    ids["de"], _ = store.upsert_article(
        article(
            "https://a.de/1",
            "Die Regierung gewinnt die Wahl",
            "Der Hund läuft. Heute regnet es.\nDie Katze läuft.",
            "de",
        )
    )
    ids["ja"], _ = store.upsert_article(article("https://a.jp/1", "選挙", "犬が走る。猫も走る。", "ja", country="JP"))
    ids["dup"], _ = store.upsert_article(
        article(
            "https://b.de/1",
            "Die Regierung gewinnt die Wahl!",
            "Der Hund läuft. Heute regnet es.\nDie Katze läuft.",
            "de",
            duplicate_of=ids["de"],
        )
    )
    ids["en"], _ = store.upsert_article(article("https://a.com/1", "Dog", "The dog runs.", "en", country="US"))
    return ids


def test_stage_routing_alignment_cache_and_search(tmp_path, services, store) -> None:
    state, url = services
    settings = _cfg(tmp_path, url, backend="libretranslate", routes={"ja": "deepl"})
    ids = _articles(store)
    seen: list[tuple[int, int]] = []
    report = translate_pending(store, settings, progress=lambda d, t, s: seen.append((d, t)))
    assert report.translated == 2 and report.reused_duplicates == 1 and report.failed == 0
    assert report.by_backend == {"libretranslate": 1, "deepl": 1}
    assert seen[-1] == (3, 3)
    assert state.count("/translate") == 1 and state.count("/v2/translate") == 1

    de = store.get_translation(ids["de"])
    assert de.backend == "libretranslate" and de.model.startswith("libretranslate@127.0.0.1")
    assert de.title_en == "the government wins the election"
    assert de.text_en == "the dog runs. today rains it.\nthe cat runs."
    assert de.alignment == [
        {"para": -1, "src": "Die Regierung gewinnt die Wahl", "en": "the government wins the election"},
        {"para": 0, "src": "Der Hund läuft.", "en": "the dog runs."},
        {"para": 0, "src": "Heute regnet es.", "en": "today rains it."},
        {"para": 1, "src": "Die Katze läuft.", "en": "the cat runs."},
    ]
    ja = store.get_translation(ids["ja"])
    assert ja.backend == "deepl" and [a["en"] for a in ja.alignment] == [
        "en<選挙>",
        "en<犬が走る。>",
        "en<猫も走る。>",
    ]
    dup = store.get_translation(ids["dup"])
    assert dup.notes["reused_from"] == ids["de"] and dup.text_en == de.text_en
    assert store.get_translation(ids["en"]) is None
    assert store.get_article(ids["de"]).text.startswith("Der Hund")  # original kept

    hits = {r.id for r in store.search_articles("election")}
    assert ids["de"] in hits and ids["dup"] in hits
    assert store.english_texts([ids["ja"]])[ids["ja"]][0] == "en<選挙>"

    # second run: nothing pending; a forced redo is served from the cache without backend calls
    calls = len(state.calls)
    assert translate_pending(store, settings).considered == 0
    again = translate_pending(store, settings, redo=True)
    assert again.translated == 2 and again.backend_sentences == 0 and again.cache_hits == again.sentences == 7
    assert len(state.calls) == calls
    assert store.translation_stats()["translated"] == 3


def test_stage_bad_key_leaves_article_unavailable_with_fix(tmp_path, services, store) -> None:
    _, url = services
    settings = _cfg(tmp_path, url, backend="libretranslate", routes={"ja": "deepl"}, deepl_api_key="bad-key")
    ids = _articles(store)
    report = translate_pending(store, settings, language="ja")
    assert report.unavailable == 1 and "deepl_api_key" in report.unavailable_reasons["ja"]
    t = store.get_translation(ids["ja"])
    assert t.status == "unavailable" and t.next_retry_at and "deepl_api_key" in t.last_error
    assert store.get_article(ids["ja"]).title == "選挙"
    assert any(f["stage"] == "translate" and f["reason"] == "unavailable" for f in store.failures())
    assert store.translation_stats()["unavailable"] == 1


def test_stage_server_error_is_retried_later(tmp_path, services, store) -> None:
    state, url = services
    settings = _cfg(tmp_path, url, backend="libretranslate", http_max_retries=0)
    ids = _articles(store)
    state.script["/translate"] = [(500, {}, {"error": "model crashed"})]
    report = translate_pending(store, settings, language="de", limit=1)
    assert report.failed == 1
    t = store.get_translation(ids["de"])
    assert t.status == "failed" and t.attempts == 1 and t.next_retry_at and "model crashed" in t.last_error
    assert store.pending_translations(language="de")[0]["id"] == ids["dup"]  # the failed one waits for its retry
    st = store.translation_stats()
    assert st["failed"] == 1 and st["next_retry_at"]


def test_stage_rate_limit_defers_the_rest(tmp_path, services, store) -> None:
    state, url = services
    settings = _cfg(tmp_path, url, backend="libretranslate", http_max_retries=0, concurrency=1)
    for i in range(4):
        store.upsert_article(article(f"https://r.de/{i}", f"Titel {i}", f"Satz {i}.", "de"))
    state.script["/translate"] = [(429, {"Retry-After": "600"}, {"error": "Too many requests"})]
    report = translate_pending(store, settings)
    assert report.failed == 1 and report.deferred == 3
    assert state.count("/translate") == 1  # the backend was not hammered
    assert store.pending_translations() == []


def test_stage_garbage_is_bounded(tmp_path, services, store) -> None:
    state, url = services
    settings = _cfg(tmp_path, url, backend="libretranslate", max_sentence_chars=300)
    junk = os.urandom(2048).decode("latin-1")
    aid, _ = store.upsert_article(
        article(
            "https://g.de/1",
            "Müll\x00",
            "Der Hund läuft. " + "y" * 1_000_000 + "\n" + junk + "\nTokyo 東京 und Москва.",
            "de",
        )
    )
    report = translate_pending(store, settings)
    assert report.translated == 1 and report.failed == 0
    t = store.get_translation(aid)
    assert t.notes["truncated_sentences"] >= 1 and t.notes["article_chars_dropped"] > 0
    sent = [q for c in state.calls if c.path == "/translate" for q in c.body["q"]]
    assert sent and max(len(q) for q in sent) <= 300
    assert not any(ch < " " for q in sent for ch in q)
    assert len(t.alignment) == len(sent)


def test_stage_concurrency_is_limited(tmp_path, services, store) -> None:
    state, url = services
    state.delay = 0.15
    settings = _cfg(tmp_path, url, backend="libretranslate", concurrency=2, queue_size=1)
    for i in range(8):
        store.upsert_article(article(f"https://c.de/{i}", f"Titel {i}", f"Der Hund {i} läuft.", "de"))
    report = translate_pending(store, settings)
    assert report.translated == 8
    assert state.max_in_flight == 2  # two workers in parallel, never more


def test_stage_gives_up_after_max_attempts(tmp_path, services, store) -> None:
    state, url = services
    settings = _cfg(tmp_path, url, backend="libretranslate", http_max_retries=0, max_attempts=2, retry_base_seconds=0)
    aid, _ = store.upsert_article(article("https://f.de/1", "Titel", "Satz.", "de"))
    state.script["/translate"] = [(500, {}, {"error": "down"})] * 2
    translate_pending(store, settings)
    assert store.get_translation(aid).next_retry_at is not None
    translate_pending(store, settings)
    t = store.get_translation(aid)
    assert t.attempts == 2 and t.next_retry_at is None
    assert store.translation_stats()["gave_up"] == 1
    assert any(f["reason"] == "gave_up" for f in store.failures())
    assert translate_pending(store, settings).considered == 0
