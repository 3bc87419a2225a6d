-- Blindspot flags made before the claim needed crawl evidence: none of them checked that the reference
-- country's outlets were crawled in the story's window (imported-only stores were flagged wholesale). They
-- are withdrawn; the next synthesis of each story decides again, with the evidence (stories/blindspot.py).
UPDATE stories SET blindspot = 0 WHERE blindspot = 1;
