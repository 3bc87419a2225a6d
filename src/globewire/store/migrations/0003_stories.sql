-- Stories: groups of articles about the same event. The clustering stage owns story membership;
-- the synthesis stage fills `data` (headline, summary with sources, takes, countries, blindspot...).

CREATE TABLE stories (
    id {ID},
    headline TEXT NOT NULL DEFAULT '',
    first_seen TEXT NOT NULL,
    last_updated TEXT NOT NULL,
    article_count INTEGER NOT NULL DEFAULT 0,
    outlet_count INTEGER NOT NULL DEFAULT 0,
    country_count INTEGER NOT NULL DEFAULT 0,
    blindspot INTEGER NOT NULL DEFAULT 0,
    merged_into {REF} REFERENCES stories(id),
    data TEXT NOT NULL DEFAULT '{}'    -- JSON: synthesis output
);
CREATE INDEX stories_updated ON stories(last_updated);
CREATE INDEX stories_countries ON stories(country_count, last_updated);
CREATE INDEX stories_blindspot ON stories(blindspot, last_updated);

CREATE TABLE story_articles (
    story_id {REF} NOT NULL REFERENCES stories(id),
    article_id {REF} NOT NULL UNIQUE REFERENCES articles(id),
    score {REAL} NOT NULL DEFAULT 0,
    joined_at TEXT NOT NULL,
    PRIMARY KEY (story_id, article_id)
);

CREATE TABLE story_countries (          -- denormalised for "stories covered by / mentioning country X"
    story_id {REF} NOT NULL REFERENCES stories(id),
    country TEXT NOT NULL,
    role TEXT NOT NULL,                 -- covering | mentioned
    PRIMARY KEY (story_id, country, role)
);
CREATE INDEX story_countries_cc ON story_countries(country, role);

CREATE TABLE story_updates (           -- timeline
    id {ID},
    story_id {REF} NOT NULL REFERENCES stories(id),
    at TEXT NOT NULL,
    kind TEXT NOT NULL,                 -- created | article_added | merged | split | headline_changed
    detail TEXT NOT NULL DEFAULT '{}'
);
CREATE INDEX story_updates_story ON story_updates(story_id, at);

CREATE TABLE embeddings (
    article_id {REF} NOT NULL REFERENCES articles(id),
    model TEXT NOT NULL,
    dim INTEGER NOT NULL,
    vector {BLOB} NOT NULL,               -- float32 little-endian
    created_at TEXT NOT NULL,
    PRIMARY KEY (article_id, model)
);
