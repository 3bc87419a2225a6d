"""Store methods of the WARC backfill bookkeeping (``scale/backfill.py``): jobs and their record ranges."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from globewire.records import utcnow
from globewire.store.db import iso

if TYPE_CHECKING:
    from globewire.store.db import Database

    _Base = Database
else:
    _Base = object

PROGRESS_FIELDS = ("ranges", "done", "records", "stored", "failures")


class BackfillRepo(_Base):
    """Mixin over ``globewire.store.db.Database``."""

    def has_backfill_job(self, job: str) -> bool:
        return self.query_one("SELECT id FROM backfill_jobs WHERE id = ?", (job,)) is not None

    def create_backfill_job(self, job: str, *, paths: str, facts: str,
                            ranges: Sequence[tuple[str, int, int]]) -> None:
        """Record a job (``paths`` and ``facts`` as JSON text) and its ``(path, start offset, record count)``
        ranges in one transaction; a job or range already recorded is left as it is."""
        now = iso(utcnow())
        with self.tx():
            self.execute(
                "INSERT INTO backfill_jobs(id, created_at, paths, facts, ranges) VALUES (?,?,?,?,?)"
                " ON CONFLICT DO NOTHING", (job, now, paths, facts, len(ranges)))
            self.executemany(
                "INSERT INTO backfill_ranges(job_id, path, start_offset, record_count, updated_at)"
                " VALUES (?,?,?,?,?) ON CONFLICT DO NOTHING",
                [(job, path, int(off), int(n), now) for path, off, n in ranges])

    def backfill_ranges_todo(self, job: str) -> list[dict[str, Any]]:
        """The ranges of ``job`` not done yet (path, start_offset, record_count), in file and offset order."""
        return self.query(
            "SELECT path, start_offset, record_count FROM backfill_ranges WHERE job_id = ? AND status != 'done'"
            " ORDER BY path, start_offset", (job,))

    def finish_backfill_range(self, job: str, path: str, offset: int, *, records: int, stored: int,
                              failures: int) -> None:
        self.execute(
            "UPDATE backfill_ranges SET status = 'done', records = ?, stored = ?, failures = ?, updated_at = ?"
            " WHERE job_id = ? AND path = ? AND start_offset = ?",
            (records, stored, failures, iso(utcnow()), job, path, offset))

    def backfill_progress(self, job: str) -> dict[str, int]:
        """Ranges in all and done, and the records, stored articles and failures of the done ones."""
        row = self.query_one(
            "SELECT COUNT(*) AS ranges, SUM(CASE WHEN status = 'done' THEN 1 ELSE 0 END) AS done,"
            " SUM(records) AS records, SUM(stored) AS stored, SUM(failures) AS failures"
            " FROM backfill_ranges WHERE job_id = ?", (job,)) or {}
        return {k: int(row.get(k) or 0) for k in PROGRESS_FIELDS}
