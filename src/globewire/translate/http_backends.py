"""HTTP translation services: LibreTranslate, DeepL and any OpenAI-compatible chat server.

All three share one request loop: 429 is retried after ``Retry-After`` (or exponential backoff)
within ``http_max_retries`` and ``http_max_backoff``; 5xx is retried the same way; a bad key
(401/403) makes the backend *unavailable* (the message names the setting to fix); DeepL's 456
(quota exhausted) is a rate limit without a retry time. The network is injectable (``transport``).
"""

from __future__ import annotations

import email.utils
import re
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import httpx

from globewire.log import get_logger
from globewire.translate.base import (
    TARGET,
    Translator,
    TranslatorError,
    TranslatorRateLimited,
    TranslatorUnavailable,
    check_aligned,
)
from globewire.translate.segment import batch_by_budget, estimate_tokens

log = get_logger(__name__)

BACKOFF_BASE_SECONDS = 0.5  # first wait after a 5xx / a 429 without Retry-After; doubles per retry
DEEPL_MAX_TEXTS = 50  # DeepL accepts at most 50 `text` entries per request
RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})


def parse_retry_after(value: str | None) -> float | None:
    """Retry-After as seconds (delta-seconds or an HTTP date)."""
    if not value:
        return None
    value = value.strip()
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, when.timestamp() - time.time())


def _error_text(resp: httpx.Response) -> str:
    try:
        data = resp.json()
    except ValueError:
        return resp.text[:200].strip()
    if isinstance(data, dict):
        err = data.get("error", data.get("message", data.get("detail")))
        if isinstance(err, dict):
            err = err.get("message", err)
        if err:
            return str(err)[:300]
    return str(data)[:200]


class HttpTranslator(Translator):
    """Shared request loop; subclasses implement ``_translate_batch``."""

    name = "http"
    url_setting = ""
    key_setting = ""

    def __init__(
        self,
        config: Any,
        *,
        data_dir: Path | None = None,
        transport: httpx.BaseTransport | None = None,
        sleep: Callable[[float], None] = time.sleep,
        **options: Any,
    ) -> None:
        super().__init__(config, data_dir=data_dir, **options)
        self._client = httpx.Client(
            timeout=config.http_timeout, transport=transport, headers={"User-Agent": "globewire-translate"}
        )
        self._sleep = sleep
        self.requests = 0  # HTTP requests sent (for reports and tests)

    def close(self) -> None:
        self._client.close()

    def _post(self, url: str, payload: dict[str, Any], headers: dict[str, str] | None = None) -> Any:
        retries = max(0, int(self.config.http_max_retries))
        for attempt in range(retries + 1):
            try:
                self.requests += 1
                resp = self._client.post(url, json=payload, headers=headers or {})
            except httpx.TimeoutException as exc:
                raise TranslatorError(f"{self.name}: {url} timed out after {self.config.http_timeout}s") from exc
            except httpx.TransportError as exc:
                raise TranslatorUnavailable(
                    f"{self.name}: cannot reach {url} ({type(exc).__name__}); check translate.{self.url_setting}"
                ) from exc
            code = resp.status_code
            if code < 300:
                try:
                    return resp.json()
                except ValueError as exc:
                    raise TranslatorError(f"{self.name}: answer is not JSON ({resp.text[:100]!r})") from exc
            detail = _error_text(resp)
            if code in RETRY_STATUSES:
                wait = parse_retry_after(resp.headers.get("Retry-After"))
                if wait is None:
                    wait = BACKOFF_BASE_SECONDS * (2**attempt)
                if attempt < retries and wait <= self.config.http_max_backoff:
                    log.info("http_translate_retry", backend=self.name, status=code, wait=wait, attempt=attempt + 1)
                    self._sleep(wait)
                    continue
                if code == 429:
                    raise TranslatorRateLimited(f"{self.name}: rate limited (429: {detail})", retry_after=wait)
                raise TranslatorError(f"{self.name}: server error {code}: {detail}")
            if code in (401, 403):
                raise TranslatorUnavailable(
                    f"{self.name}: the server rejected the API key ({code}: {detail}); "
                    f"set translate.{self.key_setting} (GLOBEWIRE_TRANSLATE__{self.key_setting.upper()})"
                )
            if code == 456:
                raise TranslatorRateLimited(f"{self.name}: quota exceeded (456: {detail})", retry_after=None)
            raise TranslatorError(f"{self.name}: request refused ({code}: {detail})")
        raise TranslatorError(f"{self.name}: retries exhausted")  # pragma: no cover - loop always returns/raises

    def _batches(self, sentences: list[str], max_items: int) -> list[list[int]]:
        idx = list(range(len(sentences)))
        return list(batch_by_budget(idx, lambda i: estimate_tokens(sentences[i]), self.config.batch_tokens, max_items))

    def translate(self, sentences: list[str], src: str, tgt: str = TARGET) -> list[str]:
        if not sentences:
            return []
        out: list[str] = [""] * len(sentences)
        for batch in self._batches(sentences, self._max_items()):
            texts = [sentences[i] for i in batch]
            got = check_aligned(self._translate_batch(texts, src, tgt), texts, self.name)
            for i, t in zip(batch, got):
                out[i] = t
        return out

    def _max_items(self) -> int:
        return max(1, int(self.config.batch_max_sentences))

    def _translate_batch(self, texts: list[str], src: str, tgt: str) -> list[str]:
        raise NotImplementedError


class LibreTranslateTranslator(HttpTranslator):
    """LibreTranslate (and compatible): ``POST /translate`` with ``q`` as a list."""

    name = "libretranslate"
    url_setting = "libretranslate_url"
    key_setting = "libretranslate_api_key"

    def model_id(self, src: str) -> str:
        return f"libretranslate@{urlsplit(self.config.libretranslate_url).netloc}"

    def available(self, src: str) -> bool:
        return bool(self.config.libretranslate_url)

    def _translate_batch(self, texts: list[str], src: str, tgt: str) -> list[str]:
        payload: dict[str, Any] = {"q": texts, "source": src, "target": tgt, "format": "text"}
        if self.config.libretranslate_api_key:
            payload["api_key"] = self.config.libretranslate_api_key
        data = self._post(self.config.libretranslate_url.rstrip("/") + "/translate", payload)
        got = data.get("translatedText") if isinstance(data, dict) else None
        if isinstance(got, str) and len(texts) == 1:
            got = [got]
        if not isinstance(got, list):
            raise TranslatorError(f"libretranslate: unexpected answer {str(data)[:200]}")
        return [str(t) for t in got]


class DeepLTranslator(HttpTranslator):
    """DeepL API v2: ``POST /v2/translate`` with ``Authorization: DeepL-Auth-Key``."""

    name = "deepl"
    url_setting = "deepl_url"
    key_setting = "deepl_api_key"

    def model_id(self, src: str) -> str:
        return f"deepl-v2/{self.config.deepl_target.upper()}"

    def available(self, src: str) -> bool:
        return bool(self.config.deepl_api_key and self.config.deepl_url)

    def _max_items(self) -> int:
        return min(DEEPL_MAX_TEXTS, super()._max_items())

    def _translate_batch(self, texts: list[str], src: str, tgt: str) -> list[str]:
        if not self.config.deepl_api_key:
            raise TranslatorUnavailable(
                "deepl: no API key; set translate.deepl_api_key (GLOBEWIRE_TRANSLATE__DEEPL_API_KEY)"
            )
        target = self.config.deepl_target.upper() if tgt == "en" else tgt.upper()
        payload = {"text": texts, "source_lang": src.upper(), "target_lang": target}
        data = self._post(
            self.config.deepl_url.rstrip("/") + "/v2/translate",
            payload,
            {"Authorization": f"DeepL-Auth-Key {self.config.deepl_api_key}"},
        )
        items = data.get("translations") if isinstance(data, dict) else None
        if not isinstance(items, list):
            raise TranslatorError(f"deepl: unexpected answer {str(data)[:200]}")
        return [str(t.get("text", "")) if isinstance(t, dict) else "" for t in items]


_NUMBERED = re.compile(r"^\s*(\d{1,4})\s*[.):]\s?(.*)$")

TRANSLATION_PROMPT = (
    "You translate news text into English. The user sends numbered lines in {language}. Reply with "
    "the English translation of every line, numbered the same way ('1. ...'), one line per input line, in "
    "the same order. Translate faithfully; keep names, numbers and quotes; do not merge, split, skip, "
    "explain or add anything."
)


class OpenAIChatTranslator(HttpTranslator):
    """Any OpenAI-compatible server (``/v1/chat/completions``): numbered lines in and out, count checked;
    a batch whose answer does not line up is split in halves and retried."""

    name = "openai"
    url_setting = "openai_url"
    key_setting = "openai_api_key"

    def model_id(self, src: str) -> str:
        return self.config.openai_model or "unset"

    def available(self, src: str) -> bool:
        return bool(self.config.openai_url and self.config.openai_model)

    def _max_items(self) -> int:
        return max(1, min(int(self.config.openai_batch), super()._max_items()))

    def _ask(self, texts: list[str], src: str, tgt: str) -> list[str] | None:
        if not self.config.openai_model:
            raise TranslatorUnavailable("openai: no model configured; set translate.openai_model")
        lines = "\n".join(f"{n}. {' '.join(t.split())}" for n, t in enumerate(texts, 1))
        headers = {"Authorization": f"Bearer {self.config.openai_api_key}"} if self.config.openai_api_key else {}
        payload = {
            "model": self.config.openai_model,
            "temperature": 0,
            "messages": [
                {
                    "role": "system",
                    "content": TRANSLATION_PROMPT.format(language=src)
                    + ("" if tgt == "en" else f" Target language: {tgt}."),
                },
                {"role": "user", "content": lines},
            ],
        }
        data = self._post(self.config.openai_url.rstrip("/") + "/v1/chat/completions", payload, headers)
        try:
            content = str(data["choices"][0]["message"]["content"] or "")
        except (KeyError, IndexError, TypeError) as exc:
            raise TranslatorError(f"openai: unexpected answer {str(data)[:200]}") from exc
        got: dict[int, str] = {}
        for line in content.splitlines():
            m = _NUMBERED.match(line)
            if m:
                got.setdefault(int(m.group(1)), m.group(2).strip())
        if sorted(got) == list(range(1, len(texts) + 1)):
            return [got[n] for n in range(1, len(texts) + 1)]
        if len(texts) == 1 and content.strip() and not got:
            return [content.strip()]
        log.info("openai_misaligned", asked=len(texts), got=len(got))
        return None

    def _translate_batch(self, texts: list[str], src: str, tgt: str) -> list[str]:
        got = self._ask(texts, src, tgt)
        if got is not None:
            return got
        if len(texts) == 1:
            raise TranslatorError("openai: the answer did not contain the numbered translation")
        half = len(texts) // 2
        return self._translate_batch(texts[:half], src, tgt) + self._translate_batch(texts[half:], src, tgt)
