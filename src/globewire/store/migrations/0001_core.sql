-- Core schema: outlets mirror, feed state, seen feed items, articles (+ versions), fetch log, failures, FTS.
-- One file for both backends (store/db.py render_migration): {ID}, {REF}, {REAL}, {BLOB} become each dialect's
-- types, and `-- [sqlite]` / `-- [postgresql]` ... `-- [end]` hold what one backend alone has. Times are
-- ISO-8601 UTC text on both, so the store mixins compare them the same way.

CREATE TABLE outlets (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    homepage TEXT NOT NULL,
    country TEXT NOT NULL,
    languages TEXT NOT NULL,            -- JSON list
    ownership TEXT NOT NULL DEFAULT 'unknown',
    ownership_source TEXT NOT NULL DEFAULT '',
    enabled INTEGER NOT NULL DEFAULT 1,
    data TEXT NOT NULL DEFAULT '{}',    -- JSON: feeds, rules, origin
    updated_at TEXT NOT NULL
);
CREATE INDEX outlets_country ON outlets(country);

CREATE TABLE feed_state (
    url TEXT PRIMARY KEY,
    outlet_id TEXT NOT NULL,
    kind TEXT NOT NULL DEFAULT 'rss',
    etag TEXT,
    last_modified TEXT,
    last_fetch_at TEXT,
    last_success_at TEXT,
    last_status INTEGER,
    last_error TEXT,
    consecutive_failures INTEGER NOT NULL DEFAULT 0,
    item_count INTEGER,
    newest_item_at TEXT
);

CREATE TABLE seen_items (
    key TEXT PRIMARY KEY,               -- sha1 of the normalised GUID / link
    outlet_id TEXT,
    url TEXT NOT NULL,
    first_seen TEXT NOT NULL,
    status TEXT NOT NULL DEFAULT 'new'  -- new | stored | failed
);

CREATE TABLE articles (
    id {ID},
    url TEXT NOT NULL,
    canonical_url TEXT NOT NULL UNIQUE,
    guid_key TEXT,
    outlet_id TEXT,
    country TEXT,
    language TEXT,
    language_confidence {REAL} NOT NULL DEFAULT 0,
    title TEXT NOT NULL DEFAULT '',
    text TEXT NOT NULL DEFAULT '',
    published_at TEXT,
    authors TEXT NOT NULL DEFAULT '[]', -- JSON list
    image_url TEXT,
    site_name TEXT,
    html_lang TEXT,
    content_hash TEXT NOT NULL,
    duplicate_of {REF} REFERENCES articles(id),
    duplicate_similarity {REAL},
    minhash {BLOB},
    source TEXT NOT NULL DEFAULT 'crawl',
    version INTEGER NOT NULL DEFAULT 1,
    fetched_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    extra TEXT NOT NULL DEFAULT '{}'
);
CREATE INDEX articles_guid ON articles(guid_key);
CREATE INDEX articles_hash ON articles(content_hash);
CREATE INDEX articles_outlet ON articles(outlet_id, published_at);
CREATE INDEX articles_country ON articles(country, published_at);
CREATE INDEX articles_published ON articles(published_at);
CREATE INDEX articles_fetched ON articles(fetched_at);
CREATE INDEX articles_dup ON articles(duplicate_of);

CREATE TABLE article_versions (
    article_id {REF} NOT NULL REFERENCES articles(id),
    version INTEGER NOT NULL,
    title TEXT NOT NULL,
    text TEXT NOT NULL,
    content_hash TEXT NOT NULL,
    seen_at TEXT NOT NULL,
    PRIMARY KEY (article_id, version)
);

CREATE TABLE fetch_log (
    id {ID},
    url TEXT NOT NULL,
    host TEXT NOT NULL,
    outlet_id TEXT,
    kind TEXT NOT NULL DEFAULT 'page',
    status INTEGER,
    bytes INTEGER NOT NULL DEFAULT 0,
    elapsed_ms {REAL} NOT NULL DEFAULT 0,
    error TEXT,
    at TEXT NOT NULL
);
CREATE INDEX fetch_log_outlet ON fetch_log(outlet_id, at);
CREATE INDEX fetch_log_at ON fetch_log(at);

CREATE TABLE failures (
    id {ID},
    url TEXT NOT NULL,
    outlet_id TEXT,
    stage TEXT NOT NULL,
    reason TEXT NOT NULL,
    detail TEXT NOT NULL DEFAULT '',
    at TEXT NOT NULL
);
CREATE INDEX failures_reason ON failures(stage, reason);
CREATE INDEX failures_outlet ON failures(outlet_id, at);

-- Full-text index over originals (and, filled by the translation stage, English), one row per article kept
-- by the store (ArticlesRepo._index_fts), not by triggers.
-- [sqlite]
-- FTS5, contentless-delete style: rows keyed by article id.
CREATE VIRTUAL TABLE articles_fts USING fts5(
    title, text, title_en, text_en,
    tokenize = 'unicode61 remove_diacritics 2'
);
-- [postgresql]
-- The searchable columns and a weighted tsvector ('simple' configuration over diacritic-folded text; titles
-- weigh A).
CREATE TABLE articles_fts (
    article_id BIGINT PRIMARY KEY REFERENCES articles(id),
    title TEXT NOT NULL DEFAULT '',
    text TEXT NOT NULL DEFAULT '',
    title_en TEXT NOT NULL DEFAULT '',
    text_en TEXT NOT NULL DEFAULT '',
    tsv TSVECTOR NOT NULL
);
CREATE INDEX articles_fts_tsv ON articles_fts USING GIN (tsv);
-- [end]
