"""Store methods for translations: per-article English text + alignment + provenance, retry state,
and the sentence cache."""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, Any

from globewire.records import utcnow
from globewire.store.db import dumps, iso, parse_iso
from globewire.store.stories import _chunks
from globewire.store.types import TranslationRow, TranslationState

if TYPE_CHECKING:
    from globewire.store.db import Database

    _Base = Database
else:
    _Base = object

ENGLISH = ("en",)
# languages that are never sent to a translator: English and "unknown/undetermined"
NOT_TRANSLATED = ("en", "und", "")


def sentence_hash(sentence: str) -> str:
    return hashlib.sha256(sentence.encode("utf-8", "surrogatepass")).hexdigest()


class TranslationsRepo(_Base):
    # ------------------------------------------------------------------ per-article translations

    def save_translation(
        self,
        article_id: int,
        title_en: str,
        text_en: str,
        alignment: Sequence[dict[str, Any]],
        backend: str,
        model: str,
        notes: dict[str, Any] | None = None,
        *,
        source_language: str | None = None,
        content_hash: str | None = None,
    ) -> None:
        now = iso(utcnow())
        if source_language is None or content_hash is None:
            row = self.query_one("SELECT language, content_hash FROM articles WHERE id = ?", (article_id,))
            if row:
                source_language = source_language or row["language"]
                content_hash = content_hash or row["content_hash"]
        self.execute(
            "INSERT INTO translations(article_id, status, source_language, content_hash, title_en, text_en, alignment,"
            " backend, model, notes, translated_at, attempts, next_retry_at, last_error, updated_at)"
            " VALUES (?, 'done', ?, ?, ?, ?, ?, ?, ?, ?, ?, 0, NULL, NULL, ?)"
            " ON CONFLICT(article_id) DO UPDATE SET status='done', source_language=excluded.source_language,"
            " content_hash=excluded.content_hash, title_en=excluded.title_en, text_en=excluded.text_en,"
            " alignment=excluded.alignment, backend=excluded.backend, model=excluded.model, notes=excluded.notes,"
            " translated_at=excluded.translated_at, attempts=0, next_retry_at=NULL, last_error=NULL,"
            " updated_at=excluded.updated_at",
            (
                article_id,
                source_language,
                content_hash,
                title_en,
                text_en,
                dumps(list(alignment)),
                backend,
                model,
                dumps(notes or {}),
                now,
                now,
            ),
        )
        # A stored lead vector was made without this English text (the vector of a translated article is
        # original + English): drop it, so whoever embeds the article next (the story stage, `cluster
        # --rebuild`, the fleet's embed task) includes the translation.
        self.execute("DELETE FROM embeddings WHERE article_id = ?", (article_id,))

    def get_translation(self, article_id: int) -> TranslationRow | None:
        row = self.query_one("SELECT * FROM translations WHERE article_id = ?", (article_id,))
        return None if row is None else TranslationRow.from_row(row)

    def mark_translation_failed(
        self,
        article_id: int,
        reason: str,
        retry_at: dt.datetime | None,
        *,
        status: str = "failed",
        backend: str | None = None,
        model: str | None = None,
        count_attempt: bool = True,
    ) -> int:
        """Record a failed attempt (``status`` failed | unavailable); returns the attempt count.
        ``retry_at`` None means: do not retry automatically. ``count_attempt`` False (no model, or
        deferred by a rate limit) keeps the count that decides when to give up. English text of an
        earlier successful translation stays in the row."""
        now = iso(utcnow())
        lang = self.scalar("SELECT language FROM articles WHERE id = ?", (article_id,))
        self.execute(
            "INSERT INTO translations(article_id, status, source_language, backend, model, attempts, next_retry_at,"
            " last_error, updated_at) VALUES (?,?,?,?,?,?,?,?,?)"
            " ON CONFLICT(article_id) DO UPDATE SET status=excluded.status, backend=excluded.backend,"
            " model=excluded.model, attempts=translations.attempts + excluded.attempts, next_retry_at=excluded.next_retry_at,"
            " last_error=excluded.last_error, updated_at=excluded.updated_at",
            (article_id, status, lang, backend, model, 1 if count_attempt else 0, iso(retry_at), reason[:2000], now),
        )
        return int(self.scalar("SELECT attempts FROM translations WHERE article_id = ?", (article_id,)) or 0)

    def pending_translations(
        self, limit: int | None = None, *, language: str | None = None, now: dt.datetime | None = None,
        stored_before: dt.datetime | None = None,
    ) -> list[dict[str, Any]]:
        """Non-English articles to translate now: never tried, due for a retry, or changed since their
        translation. Originals come before duplicates (a duplicate reuses its original's translation)."""
        marks = ",".join("?" * len(NOT_TRANSLATED))
        where = [
            "a.language IS NOT NULL",
            f"a.language NOT IN ({marks})",
            (
                "(t.article_id IS NULL"
                " OR (t.status != 'done' AND t.next_retry_at IS NOT NULL AND t.next_retry_at <= ?)"
                " OR (t.status = 'done' AND t.content_hash IS DISTINCT FROM a.content_hash))"
            ),
        ]
        params: list[Any] = [*NOT_TRANSLATED, iso(now or utcnow())]
        if language:
            where.append("a.language = ?")
            params.append(language.lower())
        if stored_before is not None:
            where.append("a.fetched_at < ?")
            params.append(iso(stored_before))
        sql = (
            "SELECT a.id, a.language, a.duplicate_of, t.status, t.attempts FROM articles a"
            " LEFT JOIN translations t ON t.article_id = a.id"
            f" WHERE {' AND '.join(where)} ORDER BY (a.duplicate_of IS NOT NULL), a.id"
        )
        if limit is not None:
            sql += " LIMIT ?"
            params.append(int(limit))
        return self.query(sql, params)

    def translations_overdue(self, older_than: dt.datetime, *, limit: int | None = None) -> list[int]:
        """Articles still pending translation (``pending_translations``) that were stored before ``older_than``
        (a backend down for long, a language without a model, a translation stage that never ran)."""
        return [int(r["id"]) for r in self.pending_translations(limit, stored_before=older_than)]

    def reset_translations(self, language: str | None = None) -> int:
        """Forget translations (all, or of one source language) so the next run redoes them.
        The sentence cache is kept: it is keyed by model, so a new model misses it anyway."""
        if language:
            return self.execute(
                "DELETE FROM translations WHERE article_id IN (SELECT id FROM articles WHERE language = ?)",
                (language.lower(),),
            )
        return self.execute("DELETE FROM translations")

    def english_texts(self, article_ids: Iterable[int]) -> dict[int, tuple[str, str]]:
        """(title_en, text_en) per article: the original for English articles, the translation for
        translated ones (a duplicate without its own falls back to its original's). Articles with no
        English text yet are absent."""
        ids = list(dict.fromkeys(int(i) for i in article_ids))
        out: dict[int, tuple[str, str]] = {}
        for i in range(0, len(ids), 500):
            chunk = ids[i : i + 500]
            marks = ",".join("?" * len(chunk))
            rows = self.query(
                "SELECT a.id, a.language, a.title, a.text, t.title_en, t.text_en, t2.title_en AS o_title_en,"
                " t2.text_en AS o_text_en FROM articles a"
                " LEFT JOIN translations t ON t.article_id = a.id AND t.title_en IS NOT NULL"
                " LEFT JOIN translations t2 ON t2.article_id = a.duplicate_of AND t2.title_en IS NOT NULL"
                f" WHERE a.id IN ({marks})",
                chunk,
            )
            for r in rows:
                if r["language"] in ENGLISH:
                    out[r["id"]] = (r["title"] or "", r["text"] or "")
                elif r["title_en"] is not None:
                    out[r["id"]] = (r["title_en"] or "", r["text_en"] or "")
                elif r["o_title_en"] is not None:
                    out[r["id"]] = (r["o_title_en"] or "", r["o_text_en"] or "")
        return out

    def translation_states(self, article_ids: Iterable[int]) -> dict[int, TranslationState]:
        """Where each article stands with English, for the reader's pages: ``language``, ``status`` (done |
        failed | unavailable | None: never tried), ``stale`` (done for an older text), ``attempts``,
        ``next_retry_at`` (None after a failure: given up), ``last_error`` (names the fix for
        ``unavailable``), ``backend``, and ``reused`` (a copy whose original has English)."""
        ids = list(dict.fromkeys(int(i) for i in article_ids))
        out: dict[int, TranslationState] = {}
        for chunk in _chunks(ids):
            marks = ",".join("?" * len(chunk))
            for r in self.query(
                "SELECT a.id, a.language, a.content_hash AS a_hash, t.status, t.content_hash AS t_hash,"
                " t.attempts, t.next_retry_at, t.last_error, t.backend, t2.status AS o_status"
                " FROM articles a LEFT JOIN translations t ON t.article_id = a.id"
                " LEFT JOIN translations t2 ON t2.article_id = a.duplicate_of AND t2.title_en IS NOT NULL"
                f" WHERE a.id IN ({marks})",
                chunk,
            ):
                out[int(r["id"])] = TranslationState(
                    language=r["language"],
                    status=r["status"],
                    stale=r["status"] == "done" and r["t_hash"] is not None and r["t_hash"] != r["a_hash"],
                    attempts=int(r["attempts"] or 0),
                    next_retry_at=r["next_retry_at"],
                    last_error=r["last_error"],
                    backend=r["backend"],
                    reused=r["o_status"] == "done",
                )
        return out

    # ------------------------------------------------------------------ sentence cache

    def translation_cache_get(
        self, backend: str, model: str, source_language: str, hashes: Iterable[str]
    ) -> dict[str, str]:
        keys = list(dict.fromkeys(hashes))
        found: dict[str, str] = {}
        for i in range(0, len(keys), 400):
            chunk = keys[i : i + 400]
            marks = ",".join("?" * len(chunk))
            for r in self.query(
                "SELECT sentence_hash, translation FROM translation_cache WHERE backend = ? AND model = ?"
                f" AND source_language = ? AND sentence_hash IN ({marks})",
                [backend, model, source_language, *chunk],
            ):
                found[r["sentence_hash"]] = r["translation"]
        return found

    def translation_cache_put(self, backend: str, model: str, source_language: str, items: dict[str, str]) -> None:
        if not items:
            return
        now = iso(utcnow())
        with self.tx():
            self.executemany(
                "INSERT INTO translation_cache(backend, model, source_language, sentence_hash, translation, created_at)"
                " VALUES (?,?,?,?,?,?)"
                " ON CONFLICT(backend, model, source_language, sentence_hash) DO UPDATE SET translation=excluded.translation,"
                " created_at=excluded.created_at",
                [(backend, model, source_language, h, t, now) for h, t in items.items()],
            )

    # ------------------------------------------------------------------ stats

    def translation_stats(self) -> dict[str, Any]:
        marks = ",".join("?" * len(NOT_TRANSLATED))
        by_status = {
            str(r["status"]): int(r["n"])
            for r in self.query("SELECT status, COUNT(*) n FROM translations GROUP BY status")
        }
        untried = int(
            self.scalar(
                "SELECT COUNT(*) FROM articles a LEFT JOIN translations t ON t.article_id = a.id"
                f" WHERE a.language IS NOT NULL AND a.language NOT IN ({marks}) AND t.article_id IS NULL",
                NOT_TRANSLATED,
            )
            or 0
        )
        due = int(
            self.scalar(
                "SELECT COUNT(*) FROM translations WHERE status != 'done' AND next_retry_at IS NOT NULL"
                " AND next_retry_at <= ?",
                (iso(utcnow()),),
            )
            or 0
        )
        gave_up = int(
            self.scalar("SELECT COUNT(*) FROM translations WHERE status != 'done' AND next_retry_at IS NULL") or 0
        )
        next_retry = self.scalar(
            "SELECT MIN(next_retry_at) FROM translations WHERE status != 'done' AND next_retry_at IS NOT NULL"
        )
        by_lang: dict[str, dict[str, int]] = {}
        for r in self.query(
            "SELECT COALESCE(source_language, '?') k, status, COUNT(*) n FROM translations GROUP BY 1, 2"
        ):
            by_lang.setdefault(str(r["k"]), {})[str(r["status"])] = int(r["n"])
        return {
            "translated": by_status.get("done", 0),
            "failed": by_status.get("failed", 0),
            "unavailable": by_status.get("unavailable", 0),
            "untried": untried,
            "retry_due": due,
            "gave_up": gave_up,
            "next_retry_at": next_retry,
            "by_language": by_lang,
            "by_backend": {
                f"{r['backend']}:{r['model']}": int(r["n"])
                for r in self.query(
                    "SELECT backend, model, COUNT(*) n FROM translations WHERE status = 'done' GROUP BY 1, 2"
                    " ORDER BY 3 DESC"
                )
            },
            "last_errors": {
                str(r["e"]): int(r["n"])
                for r in self.query(
                    "SELECT substr(last_error, 1, 500) e, COUNT(*) n FROM translations WHERE status != 'done'"
                    " AND last_error IS NOT NULL GROUP BY 1 ORDER BY 2 DESC LIMIT 5"
                )
            },
            "cache_sentences": int(self.scalar("SELECT COUNT(*) FROM translation_cache") or 0),
            "oldest_untranslated_at": _first(
                self.query(
                    "SELECT MIN(a.fetched_at) m FROM articles a LEFT JOIN translations t ON t.article_id = a.id"
                    f" WHERE a.language IS NOT NULL AND a.language NOT IN ({marks})"
                    " AND (t.status IS NULL OR t.status != 'done')",
                    NOT_TRANSLATED,
                )
            ),
        }


def _first(rows: list[dict[str, Any]]) -> str | None:
    when = parse_iso(rows[0]["m"]) if rows and rows[0]["m"] else None
    return when.isoformat() if when else None
