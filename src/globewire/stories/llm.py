"""Optional LLM summariser over an OpenAI-compatible chat API (``/v1/chat/completions``).

Works with OpenAI, Ollama, llama.cpp server and vLLM. It replaces the extractive headline and summary when
``StorySettings.summariser = "openai"``; everything else in the synthesis stays extractive.

The model gets a fixed prompt with the story's articles (id, outlet, country, English title and text) and
must answer with JSON ``{"headline": str, "summary": [{"text": str, "article_id": int}, ...]}`` (3–5 items).
The answer is validated: every ``article_id`` must be one of the provided ids and the sentence must share
enough content words with that article (grounding). Invalid output, timeouts, 429 and 5xx responses (after
``llm_max_retries`` retries with exponential backoff, ``Retry-After`` honoured) fall back to the extractive
summariser; the fallback reason is logged and kept in ``StorySummary.extra``.
"""

from __future__ import annotations

import json
import os
import re
import time
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any, Self

import httpx

from globewire.log import get_logger
from globewire.stories.summarise import (
    HEADLINE_MAX_CHARS,
    LOADED_RE,
    SUMMARY_MAX_SENTENCES,
    SUMMARY_MIN_SENTENCES,
    ExtractiveSummariser,
    StorySummary,
    analyse,
    english_text,
    english_title,
    story_sentences,
    trim_headline,
    unique_articles,
)

if TYPE_CHECKING:
    from globewire.config.stories import StorySettings
    from globewire.stories.views import ArticleView

log = get_logger(__name__)

RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})
MAX_RETRY_AFTER_SECONDS = 60.0
# Grounding: a summary sentence must share at least this share of its content words (stemmed) with the
# article it cites. Faithful paraphrases of an article score 0.5-1.0; a sentence citing the wrong article of
# the same story typically 0.2-0.4 (shared story words), so 0.35 rejects clear mis-citations only.
MIN_GROUNDING = 0.35

SYSTEM_PROMPT = (
    "You are a news editor writing neutral summaries of one news story reported by several outlets in "
    "different countries. Use only facts stated in the articles provided. Do not take any outlet's side, do "
    "not use loaded or sensational words, do not speculate. Reply with a single JSON object and nothing else."
)
USER_TEMPLATE = (
    "Articles (JSON list; 'id' identifies each article):\n{articles}\n\n"
    "Write:\n"
    '1. "headline": a neutral English headline of at most {max_chars} characters stating what most sources '
    "agree happened.\n"
    '2. "summary": {min_s} to {max_s} English sentences, most important first. Each item is an object '
    '{{"text": <one sentence>, "article_id": <id of the article the sentence is based on>}}; article_id '
    "must be one of: {ids}.\n"
    'Answer with JSON only: {{"headline": "...", "summary": [{{"text": "...", "article_id": 0}}]}}'
)


class LLMError(RuntimeError):
    """The chat server failed (HTTP error, timeout, rate limit after retries)."""


class LLMOutputInvalid(LLMError):
    """The model answered, but not with a valid grounded headline + summary."""


class LLMConfigError(ValueError):
    """The backend is selected but not configured (no base URL or model)."""


def chat_url(base_url: str) -> str:
    base = base_url.rstrip("/")
    if base.endswith("/chat/completions"):
        return base
    if base.endswith("/v1"):
        return base + "/chat/completions"
    return base + "/v1/chat/completions"


def _retry_after(resp: httpx.Response) -> float | None:
    value = resp.headers.get("retry-after")
    if not value:
        return None
    try:
        return max(0.0, min(float(value), MAX_RETRY_AFTER_SECONDS))
    except ValueError:
        return None  # HTTP-date form: use our own backoff


def _json_object(content: str) -> dict[str, Any]:
    text = content.strip()
    fence = re.search(r"```(?:json)?\s*(.*?)```", text, re.DOTALL)
    if fence:
        text = fence.group(1).strip()
    start, end = text.find("{"), text.rfind("}")
    if start < 0 or end <= start:
        raise LLMOutputInvalid("no JSON object in the answer")
    try:
        obj = json.loads(text[start : end + 1])
    except json.JSONDecodeError as exc:
        raise LLMOutputInvalid(f"answer is not valid JSON: {exc.msg}") from exc
    if not isinstance(obj, dict):
        raise LLMOutputInvalid("answer is not a JSON object")
    return obj


def validate_answer(
    obj: dict[str, Any], articles: Sequence[ArticleView]
) -> tuple[str, list[dict[str, Any]]]:
    """(headline, summary) from a parsed answer, or LLMOutputInvalid."""
    headline = obj.get("headline")
    if not isinstance(headline, str) or not headline.strip():
        raise LLMOutputInvalid("missing headline")
    if LOADED_RE.search(headline) or "?" in headline or "!" in headline:
        raise LLMOutputInvalid(
            "headline is not neutral (loaded words, question or exclamation)"
        )
    summary = obj.get("summary")
    if not isinstance(summary, list):
        raise LLMOutputInvalid("summary is not a list")
    available = len(story_sentences(unique_articles(articles)))
    need = min(SUMMARY_MIN_SENTENCES, max(available, 1))
    if not need <= len(summary) <= SUMMARY_MAX_SENTENCES:
        raise LLMOutputInvalid(
            f"summary has {len(summary)} sentences (want {need}-{SUMMARY_MAX_SENTENCES})"
        )
    by_id = {a.id: a for a in articles}
    out: list[dict[str, Any]] = []
    for item in summary:
        if not isinstance(item, dict):
            raise LLMOutputInvalid("summary item is not an object")
        text, aid = item.get("text"), item.get("article_id")
        if isinstance(aid, str) and aid.strip().isdigit():
            aid = int(aid)
        if not isinstance(text, str) or not text.strip():
            raise LLMOutputInvalid("summary item without text")
        if isinstance(aid, bool) or not isinstance(aid, int) or aid not in by_id:
            raise LLMOutputInvalid(f"summary item cites unknown article {aid!r}")
        source = " ".join(
            filter(None, [english_title(by_id[aid]), english_text(by_id[aid])])
        )
        terms = set(analyse(text))
        if source and terms:
            support = len(terms & set(analyse(source))) / len(terms)
            if support < MIN_GROUNDING:
                raise LLMOutputInvalid(
                    f"summary sentence not supported by article {aid} ({support:.2f})"
                )
        out.append({"text": " ".join(text.split()), "article_id": aid})
    return trim_headline(headline, HEADLINE_MAX_CHARS), out


class OpenAISummariser:
    """Summariser backend ``openai`` (entry point group ``globewire.summarisers``)."""

    name = "openai"

    def __init__(
        self,
        settings: StorySettings,
        *,
        transport: httpx.BaseTransport | None = None,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        if not settings.llm_base_url or not settings.llm_model:
            raise LLMConfigError(
                "summariser 'openai' needs stories.llm_base_url and stories.llm_model"
            )
        self.settings = settings
        self.url = chat_url(settings.llm_base_url)
        key = settings.llm_api_key or os.environ.get("OPENAI_API_KEY", "")
        headers = {"Content-Type": "application/json", "Accept": "application/json"}
        if key:
            headers["Authorization"] = f"Bearer {key}"
        self._client = httpx.Client(
            timeout=settings.llm_timeout_seconds, headers=headers, transport=transport
        )
        self._sleep = sleep
        self._fallback = ExtractiveSummariser(settings)

    def close(self) -> None:
        self._client.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -------------------------------------------------------------- prompt

    def messages(self, articles: Sequence[ArticleView]) -> list[dict[str, str]]:
        s = self.settings
        arts = unique_articles(articles)[: max(1, s.llm_max_articles)]
        payload = [
            {
                "id": a.id,
                "outlet": a.outlet_name or a.outlet_id or "",
                "country": a.country or "",
                "title": english_title(a) or a.title,
                "text": (english_text(a) or a.text)[: s.llm_chars_per_article],
            }
            for a in arts
        ]
        user = USER_TEMPLATE.format(
            articles=json.dumps(payload, ensure_ascii=False),
            max_chars=HEADLINE_MAX_CHARS,
            min_s=SUMMARY_MIN_SENTENCES,
            max_s=SUMMARY_MAX_SENTENCES,
            ids=", ".join(str(a.id) for a in arts),
        )
        return [
            {"role": "system", "content": SYSTEM_PROMPT},
            {"role": "user", "content": user},
        ]

    # -------------------------------------------------------------- HTTP

    def complete(self, messages: list[dict[str, str]]) -> str:
        """The assistant message content, retrying 429/5xx/timeouts with backoff; LLMError when it gives up."""
        body = {
            "model": self.settings.llm_model,
            "messages": messages,
            "temperature": 0,
            "response_format": {"type": "json_object"},
        }
        attempts = 1 + max(0, self.settings.llm_max_retries)
        last = "no attempt"
        for attempt in range(attempts):
            wait: float | None = None
            try:
                resp = self._client.post(self.url, json=body)
            except httpx.TimeoutException as exc:
                last = f"timeout: {exc.__class__.__name__}"
            except httpx.TransportError as exc:
                last = f"transport: {exc.__class__.__name__}"
            else:
                if resp.status_code == 200:
                    try:
                        data = resp.json()
                        content = data["choices"][0]["message"]["content"]
                    except (ValueError, KeyError, IndexError, TypeError) as exc:
                        raise LLMOutputInvalid(
                            "response is not a chat completion"
                        ) from exc
                    if not isinstance(content, str):
                        raise LLMOutputInvalid("completion content is not text")
                    return content
                last = f"http {resp.status_code}"
                if resp.status_code not in RETRY_STATUSES:
                    raise LLMError(last)
                wait = _retry_after(resp)
            if attempt + 1 < attempts:
                delay = (
                    wait
                    if wait is not None
                    else self.settings.llm_backoff_seconds * (2**attempt)
                )
                log.info(
                    "llm_retry",
                    url=self.url,
                    reason=last,
                    attempt=attempt + 1,
                    delay=delay,
                )
                self._sleep(delay)
        raise LLMError(f"gave up after {attempts} attempts ({last})")

    # -------------------------------------------------------------- backend

    def summarise(self, articles: Sequence[ArticleView]) -> StorySummary:
        if not articles:
            return self._fallback.summarise(articles)
        try:
            content = self.complete(self.messages(articles))
            headline, summary = validate_answer(_json_object(content), articles)
        except LLMError as exc:
            log.warning("llm_fallback", reason=str(exc), model=self.settings.llm_model)
            fb = self._fallback.summarise(articles)
            return StorySummary(
                fb.headline,
                fb.headline_language,
                fb.summary,
                fb.backend,
                {"fallback_reason": str(exc)},
            )
        return StorySummary(
            headline, "en", summary, self.name, {"model": self.settings.llm_model}
        )
