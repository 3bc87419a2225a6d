-- Translations to English (PostgreSQL twin of sqlite/0002_translations.sql).

CREATE TABLE translations (
    article_id BIGINT PRIMARY KEY REFERENCES articles(id),
    status TEXT NOT NULL,
    source_language TEXT,
    content_hash TEXT,
    title_en TEXT,
    text_en TEXT,
    alignment TEXT NOT NULL DEFAULT '[]',
    backend TEXT,
    model TEXT,
    notes TEXT NOT NULL DEFAULT '{}',
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
    sentence_hash TEXT NOT NULL,
    translation TEXT NOT NULL,
    created_at TEXT NOT NULL,
    PRIMARY KEY (backend, model, source_language, sentence_hash)
);
