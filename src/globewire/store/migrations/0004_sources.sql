-- Sources health: the latest check of every feed (dead feeds stay, flagged) and a bounded history.

CREATE TABLE feed_health (
    url TEXT PRIMARY KEY,
    outlet_id TEXT NOT NULL,
    kind TEXT NOT NULL DEFAULT 'rss',
    checked_at TEXT NOT NULL,
    status INTEGER,
    ok INTEGER NOT NULL DEFAULT 0,          -- HTTP 2xx
    alive INTEGER NOT NULL DEFAULT 0,       -- fetched and parsed with at least one item
    stale INTEGER NOT NULL DEFAULT 0,       -- alive but the newest item is old
    item_count INTEGER,
    newest_item_at TEXT,
    latency_ms {REAL},
    final_url TEXT,
    last_error TEXT,
    error_detail TEXT NOT NULL DEFAULT '',
    last_success_at TEXT,
    checks INTEGER NOT NULL DEFAULT 0,
    failures INTEGER NOT NULL DEFAULT 0,
    consecutive_failures INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX feed_health_outlet ON feed_health(outlet_id);

CREATE TABLE feed_health_log (
    id {ID},
    url TEXT NOT NULL,
    outlet_id TEXT NOT NULL,
    checked_at TEXT NOT NULL,
    status INTEGER,
    alive INTEGER NOT NULL DEFAULT 0,
    item_count INTEGER,
    latency_ms {REAL},
    last_error TEXT
);
CREATE INDEX feed_health_log_url ON feed_health_log(url, checked_at);
