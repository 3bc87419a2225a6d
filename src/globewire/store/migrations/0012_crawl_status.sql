-- What the crawler is doing now, for the empty home page and `globewire stats`: one row (id = 1),
-- rewritten as a round goes (outlets done of total, new articles, failures by kind, network state).

CREATE TABLE crawl_status (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    state TEXT NOT NULL,                    -- crawling | idle | unreachable | no_outlets
    round INTEGER NOT NULL DEFAULT 0,       -- rounds started by this process's crawler (1 = the first crawl)
    outlets_total INTEGER NOT NULL DEFAULT 0,
    outlets_done INTEGER NOT NULL DEFAULT 0,
    articles_new INTEGER NOT NULL DEFAULT 0,
    failures TEXT NOT NULL DEFAULT '{}',    -- JSON {kind: count} of this round
    detail TEXT NOT NULL DEFAULT '',
    started_at TEXT,
    next_round_at TEXT,
    updated_at TEXT NOT NULL
);
