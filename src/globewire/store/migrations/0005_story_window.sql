-- Story clustering reads the members of the active window by article time (published, else fetched):
-- an expression index keeps that a range scan as the store grows.
-- [sqlite]
CREATE INDEX IF NOT EXISTS articles_time ON articles(COALESCE(published_at, fetched_at));
-- [postgresql]
CREATE INDEX IF NOT EXISTS articles_time ON articles ((COALESCE(published_at, fetched_at)));
-- [end]
