-- Resume by state: a story whose members changed since its last synthesis is due one. A run killed between
-- assigning articles to stories and synthesising them leaves the flag set; the next run of any entry point
-- (or `globewire db check --repair`) synthesises it. Stories never synthesised so far are due now.
ALTER TABLE stories ADD COLUMN synthesis_due INTEGER NOT NULL DEFAULT 0;
UPDATE stories SET synthesis_due = 1 WHERE merged_into IS NULL AND article_count > 0 AND data = '{}';
CREATE INDEX stories_synthesis_due ON stories(synthesis_due);
-- A translation is re-clustered (its article reconsidered with the English text) once `reclustered_at` is not
-- older than `translated_at`; a run killed between the two leaves it pending. Translations made before this
-- migration count as re-clustered (their stage ran to its end, or its failure was reported).
ALTER TABLE translations ADD COLUMN reclustered_at TEXT;
UPDATE translations SET reclustered_at = translated_at WHERE status = 'done';
