-- Blindspot flags made before the claim needed crawl evidence: none of them checked that the reference
-- country's outlets were crawled in the story's window (imported-only stores were flagged wholesale). They
-- are withdrawn; the next synthesis of each story decides again, with the evidence (stories/blindspot.py).
UPDATE stories SET blindspot = 0 WHERE blindspot = 1;

-- The evidence query (store/reads.py outlets_crawled) looks up each reference-country outlet's successful
-- feed checks in a period; the history was indexed by URL only.
CREATE INDEX feed_health_log_outlet ON feed_health_log(outlet_id, checked_at);
-- Country pages list a country's articles newest published first (fetch time for undated ones), keyset-paged
-- on that time: this index serves the order and the "more" cursor without sorting the country's articles.
-- [sqlite]
CREATE INDEX articles_country_time ON articles(country, COALESCE(published_at, fetched_at), id);
-- [postgresql]
CREATE INDEX articles_country_time ON articles(country, (COALESCE(published_at, fetched_at)), id);
-- [end]
