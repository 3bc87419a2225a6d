-- Distributed WARC backfill (scale/backfill.py): one job per set of files and facts, one row per record range
-- of one file; a range is marked done after its articles are stored. Earlier versions created these two
-- tables on first use with the same definitions, hence IF NOT EXISTS.
CREATE TABLE IF NOT EXISTS backfill_jobs (
    id TEXT PRIMARY KEY,
    created_at TEXT NOT NULL,
    paths TEXT NOT NULL,
    facts TEXT NOT NULL,
    ranges INTEGER NOT NULL DEFAULT 0
);
CREATE TABLE IF NOT EXISTS backfill_ranges (
    job_id TEXT NOT NULL,
    path TEXT NOT NULL,
    start_offset BIGINT NOT NULL,
    record_count INTEGER NOT NULL,
    status TEXT NOT NULL DEFAULT 'pending',
    records INTEGER NOT NULL DEFAULT 0,
    stored INTEGER NOT NULL DEFAULT 0,
    failures INTEGER NOT NULL DEFAULT 0,
    updated_at TEXT NOT NULL,
    PRIMARY KEY (job_id, path, start_offset)
);
