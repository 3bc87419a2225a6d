"""LLM summariser against a loopback server speaking the chat-completions format."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Self

import pytest

from globewire.config.stories import StorySettings
from globewire.stories.llm import LLMConfigError, OpenAISummariser, chat_url
from globewire.stories.synthesis import synthesise_story
from tests.test_synthesis_corpus import event_views


def completion(content: str) -> dict[str, Any]:
    return {
        "id": "chatcmpl-test", "object": "chat.completion", "created": 1735689600, "model": "test-model",
        "choices": [{"index": 0, "message": {"role": "assistant", "content": content}, "finish_reason": "stop"}],
        "usage": {"prompt_tokens": 900, "completion_tokens": 120, "total_tokens": 1020},
    }  # fmt: skip


RATE_LIMIT = (429, {"Retry-After": "0.05"},
              {"error": {"message": "Rate limit reached for requests", "type": "requests", "code": "rate_limit_exceeded"}})  # fmt: skip
SERVER_ERROR = (
    500,
    {},
    {
        "error": {
            "message": "The server had an error",
            "type": "server_error",
            "code": None,
        }
    },
)


class ChatServer:
    """Replies with scripted (status, headers, json body[, delay]) in order; the last one repeats."""

    def __init__(self) -> None:
        self.script: list[tuple[Any, ...]] = []
        self.requests: list[dict[str, Any]] = []
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
                outer.requests.append(
                    {
                        "path": self.path,
                        "headers": dict(self.headers),
                        "json": json.loads(body),
                    }
                )
                step = outer.script.pop(0) if len(outer.script) > 1 else outer.script[0]
                status, headers, payload = step[:3]
                if len(step) > 3:
                    time.sleep(step[3])
                data = json.dumps(payload).encode()
                try:
                    self.send_response(status)
                    self.send_header("Content-Type", "application/json")
                    self.send_header("Content-Length", str(len(data)))
                    for k, v in headers.items():
                        self.send_header(k, v)
                    self.end_headers()
                    self.wfile.write(data)
                except (BrokenPipeError, ConnectionResetError):
                    pass

            def log_message(self, *args: Any) -> None:
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        self.thread = threading.Thread(
            target=self.httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )

    def __enter__(self) -> Self:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


@pytest.fixture()
def server() -> Iterator[ChatServer]:
    with ChatServer() as s:
        yield s


ARTS = event_views("ferry-lake-victoria")
IDS = [a.id for a in ARTS]
GOOD = {
    "headline": "At least 23 dead after ferry capsizes on Lake Victoria in Tanzania",
    "summary": [
        {"text": "At least 23 people died when a passenger ferry capsized on Lake Victoria near Bukoba.", "article_id": IDS[0]},
        {"text": "Fishermen from Kisumu joined the search for survivors.", "article_id": IDS[1]},
        {"text": "The exact number of passengers is unclear because the passenger list was lost.", "article_id": IDS[2]},
    ],
}  # fmt: skip


def settings(url: str, **kw: Any) -> StorySettings:
    base = {"summariser": "openai", "llm_base_url": url, "llm_model": "test-model", "llm_api_key": "sk-test",
            "llm_timeout_seconds": 5.0, "llm_max_retries": 2, "llm_backoff_seconds": 0.01}  # fmt: skip
    return StorySettings(**(base | kw))


def summarise(url: str, **kw: Any) -> tuple[Any, list[float]]:
    slept: list[float] = []
    with OpenAISummariser(settings(url, **kw), sleep=slept.append) as s:
        return s.summarise(ARTS), slept


def test_valid_answer(server: ChatServer) -> None:
    server.script = [(200, {}, completion(json.dumps(GOOD)))]
    out, slept = summarise(server.url)
    assert out.backend == "openai" and out.headline == GOOD["headline"] and slept == []
    assert out.summary == GOOD["summary"]
    req = server.requests[0]
    assert req["path"] == "/v1/chat/completions"
    assert req["headers"]["Authorization"] == "Bearer sk-test"
    body = req["json"]
    assert body["model"] == "test-model" and body["temperature"] == 0
    assert [m["role"] for m in body["messages"]] == ["system", "user"]
    assert all(str(i) in body["messages"][1]["content"] for i in IDS)


def test_fenced_json_and_string_ids_accepted(server: ChatServer) -> None:
    answer = json.loads(json.dumps(GOOD))
    answer["summary"][0]["article_id"] = str(IDS[0])
    server.script = [
        (200, {}, completion("Here you go:\n```json\n" + json.dumps(answer) + "\n```"))
    ]
    out, _ = summarise(server.url + "/v1")
    assert out.backend == "openai" and out.summary[0]["article_id"] == IDS[0]


@pytest.mark.parametrize(
    "content",
    [
        "I'm sorry, I can't help with that.",
        '{"headline": "Ferry capsizes", "summary": [',  # truncated JSON
        json.dumps({"headline": "Ferry", "summary": GOOD["summary"][:1]}),  # too short
        json.dumps(
            GOOD
            | {
                "summary": [
                    *GOOD["summary"][:2],
                    {"text": "Made up.", "article_id": 99999},
                ]
            }
        ),
        json.dumps(GOOD | {"headline": ""}),
        json.dumps(
            GOOD | {"headline": "Shocking ferry disaster: how many more must die?"}
        ),
    ],
)
def test_invalid_output_falls_back(server: ChatServer, content: str) -> None:
    server.script = [(200, {}, completion(content))]
    out, slept = summarise(server.url)
    assert (
        out.backend == "extractive" and "fallback_reason" in out.extra and slept == []
    )
    assert (
        3 <= len(out.summary) <= 5 and len(server.requests) == 1
    )  # invalid output is not retried


def test_ungrounded_citation_falls_back(server: ChatServer) -> None:
    wrong = json.loads(json.dumps(GOOD))
    # German development aid is only in the DW article; citing the Kenyan article is a mis-citation.
    wrong["summary"][1] = {"text": "German development cooperation trains lifeguards and equips small ports with "
                           "life jackets.", "article_id": IDS[0]}  # fmt: skip
    server.script = [(200, {}, completion(json.dumps(wrong)))]
    out, _ = summarise(server.url)
    assert (
        out.backend == "extractive" and "not supported" in out.extra["fallback_reason"]
    )


def test_rate_limit_then_success(server: ChatServer) -> None:
    server.script = [RATE_LIMIT, (200, {}, completion(json.dumps(GOOD)))]
    out, slept = summarise(server.url)
    assert out.backend == "openai" and len(server.requests) == 2
    assert slept == [0.05]  # Retry-After honoured


def test_server_error_retries_then_falls_back(server: ChatServer) -> None:
    server.script = [SERVER_ERROR]
    out, slept = summarise(server.url)
    assert out.backend == "extractive" and "http 500" in out.extra["fallback_reason"]
    assert len(server.requests) == 3 and slept == [0.01, 0.02]  # exponential backoff


def test_client_error_not_retried(server: ChatServer) -> None:
    server.script = [
        (
            401,
            {},
            {
                "error": {
                    "message": "Incorrect API key provided",
                    "type": "invalid_request_error",
                }
            },
        )
    ]
    out, slept = summarise(server.url)
    assert out.backend == "extractive" and len(server.requests) == 1 and slept == []


def test_timeout_falls_back(server: ChatServer) -> None:
    server.script = [(200, {}, completion(json.dumps(GOOD)), 1.0)]
    out, _ = summarise(server.url, llm_timeout_seconds=0.2, llm_max_retries=0)
    assert out.backend == "extractive" and "timeout" in out.extra["fallback_reason"]


def test_connection_refused_falls_back() -> None:
    with ChatServer() as s:
        url = s.url
    out, _ = summarise(url, llm_max_retries=1)
    assert out.backend == "extractive"


def test_synthesis_uses_configured_backend(server: ChatServer) -> None:
    server.script = [(200, {}, completion(json.dumps(GOOD)))]
    d = synthesise_story(4, ARTS, settings=settings(server.url), reference_outlets=10,
                         reference_crawled=lambda since, until: 10)  # the US outlets were crawled then
    assert d["summariser"] == "openai" and d["headline"] == GOOD["headline"]
    assert (
        d["blindspot"]["flag"] is True and d["countries_mentioned"][0] == "TZ"
    )  # the rest stays extractive
    json.dumps(d)


def test_not_configured() -> None:
    with pytest.raises(LLMConfigError):
        OpenAISummariser(StorySettings(summariser="openai"))
    assert chat_url("http://h:11434/") == "http://h:11434/v1/chat/completions"
    assert chat_url("http://h/v1/chat/completions") == "http://h/v1/chat/completions"
