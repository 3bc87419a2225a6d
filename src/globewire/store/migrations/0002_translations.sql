-- Translations to English: one row per article (status, English text, sentence alignment, provenance,
-- retry state) and a sentence cache keyed by (backend, model, source language, sentence hash).

CREATE TABLE translations (
    article_id {REF} PRIMARY KEY REFERENCES articles(id),
    status TEXT NOT NULL,               -- done | failed | unavailable
    source_language TEXT,
    content_hash TEXT,                  -- articles.content_hash that was translated (stale when it differs)
    title_en TEXT,
    text_en TEXT,
    alignment TEXT NOT NULL DEFAULT '[]', -- JSON list of {para, src, en}; para -1 is the title
    backend TEXT,
    model TEXT,
    notes TEXT NOT NULL DEFAULT '{}',   -- JSON: truncation, reused_from, cache hits...
    translated_at TEXT,
    attempts INTEGER NOT NULL DEFAULT 0,
    next_retry_at TEXT,
    last_error TEXT,
    updated_at TEXT NOT NULL
);
CREATE INDEX translations_status ON translations(status, next_retry_at);
CREATE INDEX translations_lang ON translations(source_language, status);

CREATE TABLE translation_cache (
    backend TEXT NOT NULL,
    model TEXT NOT NULL,
    source_language TEXT NOT NULL,
    sentence_hash TEXT NOT NULL,        -- sha256 hex of the source sentence (UTF-8)
    translation TEXT NOT NULL,
    created_at TEXT NOT NULL,
    PRIMARY KEY (backend, model, source_language, sentence_hash)
);
