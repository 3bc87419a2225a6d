-- Stories are dated by their articles: first_seen/last_updated are the earliest/latest publication time of
-- the members; only a story none of whose articles carries a publication time is dated by fetch time, and
-- `date_source` says which ('published' | 'fetched'). Backfill of the stories stored before.
ALTER TABLE stories ADD COLUMN date_source TEXT NOT NULL DEFAULT 'fetched';

UPDATE stories SET
    first_seen = COALESCE((SELECT MIN(a.published_at) FROM story_articles sa JOIN articles a ON a.id = sa.article_id
                           WHERE sa.story_id = stories.id), first_seen),
    last_updated = COALESCE((SELECT MAX(a.published_at) FROM story_articles sa JOIN articles a ON a.id = sa.article_id
                             WHERE sa.story_id = stories.id), last_updated),
    date_source = CASE WHEN EXISTS (SELECT 1 FROM story_articles sa JOIN articles a ON a.id = sa.article_id
                                    WHERE sa.story_id = stories.id AND a.published_at IS NOT NULL)
                       THEN 'published' ELSE 'fetched' END
WHERE article_count > 0;
