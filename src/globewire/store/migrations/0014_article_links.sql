-- "Coverage elsewhere": pairs of articles in different stories that probably report the same event
-- (stories/cluster.py, step 5). Stored in both directions so a story's links are one join away; read
-- through the articles' current stories, so merges and splits need no bookkeeping here.
CREATE TABLE IF NOT EXISTS article_links (
    article_id INTEGER NOT NULL,
    other_id INTEGER NOT NULL,
    score REAL NOT NULL,
    PRIMARY KEY (article_id, other_id)
);
