-- Notices: texts recognised as "not an article" because the same body arrived from several unrelated URLs
-- (an anti-bot or consent notice served instead of the page). A later copy is rejected at once, by its
-- content hash or by MinHash similarity to a stored notice signature. See globewire.extract.nonarticle.
CREATE TABLE notices (
    id {ID},
    content_hash TEXT NOT NULL UNIQUE,
    minhash {BLOB},
    kind TEXT NOT NULL,
    urls INTEGER NOT NULL DEFAULT 0,
    sample_url TEXT NOT NULL DEFAULT '',
    first_seen TEXT NOT NULL,
    last_seen TEXT NOT NULL
);
CREATE INDEX notices_seen ON notices(last_seen);
