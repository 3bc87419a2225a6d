"""Store methods for stories: membership, synthesis, countries, timeline, embeddings.

Portable SQL (``?`` placeholders, ``ON CONFLICT``, ``RETURNING``). Times are ISO-8601 UTC text. A story's
``first_seen``/``last_updated`` follow the articles' publication times (fetch times only for a story none of
whose articles has one, marked ``date_source = 'fetched'``), so that re-clustering the same articles gives the
same stories whatever the wall clock says.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, Any, Unpack

import numpy as np

from globewire.records import utcnow
from globewire.store.db import dumps, iso
from globewire.store.types import StoryFilters, StoryMember, StoryRow, StoryUpdate, json_object

if TYPE_CHECKING:
    from globewire.store.db import Database

    _Base = Database
else:
    _Base = object

ARTICLE_TIME = "COALESCE(a.published_at, a.fetched_at)"
LIVE_STORY = "s.merged_into IS NULL AND s.article_count > 0"  # not merged into another, not emptied
MAX_STORY_ROWS = 1000  # largest list of stories one call returns
# Up to this many stories for a country, a story list filtered by it reads that country's stories through the
# story_countries index and sorts them; above, it walks all stories newest first (see list_stories).
# Calibrated with `globewire bench api` (20k stories): both plans cost ~5 ms at 500 stories.
FEW_COUNTRY_STORIES = 500
_CHUNK = 500


class StoryNotFound(LookupError):
    pass


def _chunks(ids: Sequence[int]) -> Iterable[list[int]]:
    ids = list(ids)
    for i in range(0, len(ids), _CHUNK):
        yield ids[i : i + _CHUNK]


def _since(since: dt.datetime | None) -> tuple[list[str], list[Any]]:
    return (["s.last_updated >= ?"], [iso(since)]) if since else ([], [])


class StoriesRepo(_Base):
    # ------------------------------------------------------------------ membership (clustering stage)

    def create_story(
        self, article_ids: Sequence[int], *, at: dt.datetime, scores: Mapping[int, float] | None = None,
        detail: Mapping[str, Any] | None = None,
    ) -> int:
        """A new story holding ``article_ids`` (moved from any story they were in); returns its id."""
        when = iso(at)
        with self.tx():
            sid = int(self.scalar(
                "INSERT INTO stories(headline, first_seen, last_updated) VALUES ('', ?, ?) RETURNING id",
                (when, when),
            ))
            self._add_update(sid, at, "created", {"article_ids": list(article_ids), **(detail or {})})
            for aid in article_ids:
                self._put_member(sid, aid, (scores or {}).get(aid, 1.0), at)
            self.refresh_story_counts([sid])
        return sid

    def add_to_story(self, story_id: int, article_id: int, *, score: float = 0.0, at: dt.datetime | None = None) -> None:
        """Put an article in a story (moving it if it was in another one) and note it on the timeline. A story
        merged into another one stands for the one that kept its articles (a caller holding an old story id,
        e.g. a window state from before a merge by another process, never adds to a story nobody sees)."""
        at = at or utcnow()
        with self.tx():
            story_id = self.live_story_id(story_id)
            old = self.story_of_article(article_id)
            self._put_member(story_id, article_id, score, at)
            self._add_update(story_id, at, "article_added", {"article_id": article_id, "score": round(score, 4)})
            self.refresh_story_counts([story_id] + ([old] if old and old != story_id else []))

    def live_story_id(self, story_id: int) -> int:
        """``story_id``, or the story it was merged into (followed to the end of the chain)."""
        seen: set[int] = set()
        while story_id not in seen:
            seen.add(story_id)
            row = self.query_one("SELECT merged_into FROM stories WHERE id = ?", (story_id,))
            if not row or row.get("merged_into") is None:
                break
            story_id = int(row["merged_into"])
        return story_id

    def _put_member(self, story_id: int, article_id: int, score: float, at: dt.datetime) -> None:
        self.execute(
            "INSERT INTO story_articles(story_id, article_id, score, joined_at) VALUES (?,?,?,?)"
            " ON CONFLICT(article_id) DO UPDATE SET story_id=excluded.story_id, score=excluded.score,"
            " joined_at=excluded.joined_at",
            (story_id, article_id, float(score), iso(at)),
        )

    def _add_update(self, story_id: int, at: dt.datetime, kind: str, detail: Mapping[str, Any]) -> None:
        self.execute(
            "INSERT INTO story_updates(story_id, at, kind, detail) VALUES (?,?,?,?)",
            (story_id, iso(at), kind, dumps(dict(detail))),
        )

    def add_story_update(self, story_id: int, kind: str, detail: Mapping[str, Any], at: dt.datetime | None = None) -> None:
        self._add_update(story_id, at or utcnow(), kind, detail)

    def merge_stories(self, keep: int, gone: int, *, at: dt.datetime, detail: Mapping[str, Any] | None = None) -> None:
        """Move every article of ``gone`` into ``keep``; ``gone`` remains as a pointer (``merged_into``)."""
        if keep == gone:
            return
        with self.tx():
            moved = [r["article_id"] for r in self.query(
                "SELECT article_id FROM story_articles WHERE story_id = ? ORDER BY article_id", (gone,))]
            self.execute("UPDATE story_articles SET story_id = ? WHERE story_id = ?", (keep, gone))
            self.execute("UPDATE stories SET merged_into = ?, article_count = 0 WHERE id = ?", (keep, gone))
            self.execute("UPDATE stories SET merged_into = ? WHERE merged_into = ?", (keep, gone))
            self.execute("DELETE FROM story_countries WHERE story_id = ?", (gone,))
            info = {"article_ids": moved, **(detail or {})}
            self._add_update(keep, at, "merged", {"from_story": gone, **info})
            self._add_update(gone, at, "merged", {"into_story": keep, **info})
            self.refresh_story_counts([keep])

    def split_story(self, story_id: int, article_ids: Sequence[int], *, at: dt.datetime,
                    detail: Mapping[str, Any] | None = None) -> int:
        """Move ``article_ids`` out of ``story_id`` into a new story; returns the new story's id."""
        with self.tx():
            new_id = self.create_story(article_ids, at=at, detail={"split_from": story_id, **(detail or {})})
            self._add_update(story_id, at, "split", {"into_story": new_id, "article_ids": list(article_ids),
                                                     **(detail or {})})
            self.refresh_story_counts([story_id, new_id])
        return new_id

    def refresh_story_counts(self, story_ids: Iterable[int]) -> None:
        """Recompute article/outlet/country counts and first_seen/last_updated from the members: their
        publication times; fetch times only when no member has one (``date_source`` = 'fetched')."""
        for sid in dict.fromkeys(story_ids):
            agg = self.query_one(
                "SELECT COUNT(*) AS n, COUNT(DISTINCT a.outlet_id) AS outlets, COUNT(DISTINCT a.country) AS countries,"
                " MIN(a.published_at) AS first_pub, MAX(a.published_at) AS last_pub,"
                " MIN(a.fetched_at) AS first_fetch, MAX(a.fetched_at) AS last_fetch"
                " FROM story_articles sa JOIN articles a ON a.id = sa.article_id WHERE sa.story_id = ?",
                (sid,),
            ) or {}
            if not agg.get("n"):
                self.execute("UPDATE stories SET article_count = 0 WHERE id = ?", (sid,))
                continue
            # members changed: the story is due a synthesis until save_story_synthesis writes one
            published = agg.get("first_pub") is not None
            self.execute(
                "UPDATE stories SET article_count = ?, outlet_count = ?, country_count = ?,"
                " first_seen = ?, last_updated = ?, date_source = ?, synthesis_due = 1 WHERE id = ?",
                (agg["n"], agg["outlets"], agg["countries"],
                 agg["first_pub"] if published else agg["first_fetch"],
                 agg["last_pub"] if published else agg["last_fetch"],
                 "published" if published else "fetched", sid),
            )

    def link_articles(self, article_id: int, links: Sequence[tuple[int, float]]) -> None:
        """Record "probably the same event" links of an article (both directions; the higher score wins)."""
        rows = [(a, b, float(p)) for other, p in links if other != article_id
                for a, b in ((article_id, other), (other, article_id))]
        if rows:
            self.executemany(
                "INSERT INTO article_links(article_id, other_id, score) VALUES (?,?,?)"
                " ON CONFLICT(article_id, other_id) DO UPDATE SET score ="
                " CASE WHEN excluded.score > article_links.score THEN excluded.score ELSE article_links.score END",
                rows,
            )

    def coverage_elsewhere(self, story_id: int, limit: int = 10) -> list[tuple[int, float]]:
        """Other live stories linked to this one's articles, with the best link score, best first."""
        rows = self.query(
            "SELECT o.story_id AS other, MAX(l.score) AS score FROM story_articles s"
            " JOIN article_links l ON l.article_id = s.article_id"
            " JOIN story_articles o ON o.article_id = l.other_id"
            " WHERE s.story_id = ? AND o.story_id <> ?"
            " GROUP BY o.story_id ORDER BY score DESC, other LIMIT ?",
            (story_id, story_id, int(limit)),
        )
        return [(int(r["other"]), float(r["score"])) for r in rows]

    def story_of_article(self, article_id: int) -> int | None:
        v = self.scalar("SELECT story_id FROM story_articles WHERE article_id = ?", (article_id,))
        return None if v is None else int(v)

    def stories_of_articles(self, article_ids: Sequence[int]) -> dict[int, int]:
        out: dict[int, int] = {}
        for chunk in _chunks(article_ids):
            marks = ",".join("?" * len(chunk))
            for r in self.query(
                f"SELECT article_id, story_id FROM story_articles WHERE article_id IN ({marks})", chunk
            ):
                out[int(r["article_id"])] = int(r["story_id"])
        return out

    def story_member_ids(self, story_id: int) -> list[int]:
        return [int(r["article_id"]) for r in self.query(
            "SELECT article_id FROM story_articles WHERE story_id = ? ORDER BY article_id", (story_id,))]

    def unclustered_article_ids(self, *, limit: int | None = None) -> list[int]:
        """Articles in no story, in id order."""
        sql = ("SELECT a.id FROM articles a LEFT JOIN story_articles sa ON sa.article_id = a.id"
               " WHERE sa.article_id IS NULL ORDER BY a.id")
        if limit:
            sql += f" LIMIT {int(limit)}"
        return [int(r["id"]) for r in self.query(sql)]

    def has_stories(self) -> bool:
        return self.scalar("SELECT id FROM stories LIMIT 1") is not None

    # ------------------------------------------------------------------ pending work (resume by state)

    def translated_not_reclustered_ids(self, *, limit: int | None = None) -> list[int]:
        """Articles in a story whose English text is newer than their last re-clustering with it: the
        translation stage gave them English and the re-clustering (``mark_reclustered``) has not happened."""
        sql = ("SELECT a.id FROM articles a JOIN story_articles sa ON sa.article_id = a.id"
               " JOIN translations t ON t.article_id = a.id WHERE t.status = 'done'"
               " AND (t.reclustered_at IS NULL OR t.reclustered_at < t.translated_at) ORDER BY a.id")
        if limit:
            sql += f" LIMIT {int(limit)}"
        return [int(r["id"]) for r in self.query(sql)]

    def mark_reclustered(self, article_ids: Sequence[int], *, translated_before: dt.datetime) -> None:
        """Note that ``article_ids`` were clustered (or re-clustered) with the English text they had at
        ``translated_before`` (a translation made later stays pending)."""
        now, before = iso(utcnow()), iso(translated_before)
        for chunk in _chunks(article_ids):
            marks = ",".join("?" * len(chunk))
            self.execute(
                f"UPDATE translations SET reclustered_at = ? WHERE article_id IN ({marks}) AND status = 'done'"
                " AND translated_at <= ?", [now, *chunk, before])

    def stories_due_synthesis(self, *, limit: int | None = None) -> list[int]:
        """Live stories whose members changed since their last synthesis, in id order."""
        sql = f"SELECT s.id FROM stories s WHERE s.synthesis_due = 1 AND {LIVE_STORY} ORDER BY s.id"
        if limit:
            sql += f" LIMIT {int(limit)}"
        return [int(r["id"]) for r in self.query(sql)]

    def clustered_without_embedding_ids(self, model: str, *, limit: int | None = None) -> list[int]:
        """Articles in a story with no vector of ``model`` (or one older than the article's last version)."""
        sql = ("SELECT a.id FROM articles a JOIN story_articles sa ON sa.article_id = a.id"
               " WHERE NOT EXISTS (SELECT 1 FROM embeddings e WHERE e.article_id = a.id AND e.model = ?"
               " AND e.created_at >= a.updated_at) ORDER BY a.id")
        if limit:
            sql += f" LIMIT {int(limit)}"
        return [int(r["id"]) for r in self.query(sql, (model,))]

    def stories_with_wrong_counts(self, *, limit: int | None = None) -> list[int]:
        """Stories not merged away whose stored article count differs from their members (e.g. a live story
        with no member left): ``refresh_story_counts`` puts them right."""
        sql = ("SELECT s.id FROM stories s WHERE s.merged_into IS NULL AND s.article_count !="
               " (SELECT COUNT(*) FROM story_articles sa WHERE sa.story_id = s.id) ORDER BY s.id")
        if limit:
            sql += f" LIMIT {int(limit)}"
        return [int(r["id"]) for r in self.query(sql)]

    def window_members(self, since: dt.datetime, until: dt.datetime | None = None) -> list[dict[str, Any]]:
        """(article_id, story_id, t) of story members whose article time is in [since, until], by article id."""
        params: list[Any] = [iso(since)]
        extra = ""
        if until is not None:
            extra = f" AND {ARTICLE_TIME} <= ?"
            params.append(iso(until))
        return self.query(
            # articles first (CROSS JOIN keeps that order in SQLite): a range scan of the time index
            f"SELECT sa.article_id, sa.story_id, {ARTICLE_TIME} AS t FROM articles a"
            " CROSS JOIN story_articles sa CROSS JOIN stories s"
            f" WHERE sa.article_id = a.id AND s.id = sa.story_id AND s.merged_into IS NULL"
            f" AND {ARTICLE_TIME} >= ?{extra} ORDER BY sa.article_id",
            params,
        )

    def clustering_rows(self, article_ids: Sequence[int]) -> list[dict[str, Any]]:
        """What the clusterer reads of articles: id, title, text, language, country, outlet, addresses, time,
        duplicate_of."""
        out: list[dict[str, Any]] = []
        for chunk in _chunks(article_ids):
            marks = ",".join("?" * len(chunk))
            out += self.query(
                f"SELECT a.id, a.title, a.text, a.language, a.country, a.outlet_id, a.url, a.canonical_url,"
                f" a.duplicate_of, a.published_at, {ARTICLE_TIME} AS t FROM articles a WHERE a.id IN ({marks})",
                chunk,
            )
        order = {i: n for n, i in enumerate(article_ids)}
        out.sort(key=lambda r: order.get(r["id"], 0))
        return out

    def clear_stories(self) -> None:
        """Forget every story (``globewire cluster --rebuild``); embeddings are kept."""
        with self.tx():
            for table in ("article_links", "story_countries", "story_updates", "story_articles"):
                self.execute(f"DELETE FROM {table}")
            self.execute("UPDATE stories SET merged_into = NULL")
            self.execute("DELETE FROM stories")

    # ------------------------------------------------------------------ synthesis

    def save_story_synthesis(self, story_id: int, data: Mapping[str, Any]) -> None:
        """Store the synthesis JSON, headline, blindspot flag and country rows of a story."""
        row = self.query_one("SELECT headline FROM stories WHERE id = ?", (story_id,))
        if row is None:
            raise StoryNotFound(f"no story {story_id}")
        headline = str(data.get("headline") or "")
        covering = sorted({str(c).upper() for c in (data.get("countries_covering") or []) if c})
        mentioned = sorted({str(c).upper() for c in (data.get("countries_mentioned") or []) if c})
        blind = data.get("blindspot") or {}
        flag = bool(blind.get("flag")) if isinstance(blind, Mapping) else bool(blind)
        with self.tx():
            self.execute(
                "UPDATE stories SET headline = ?, data = ?, blindspot = ?, synthesis_due = 0 WHERE id = ?",
                (headline, dumps(dict(data)), 1 if flag else 0, story_id),
            )
            self.execute("DELETE FROM story_countries WHERE story_id = ?", (story_id,))
            self.executemany(
                "INSERT INTO story_countries(story_id, country, role) VALUES (?,?,?) ON CONFLICT DO NOTHING",
                [(story_id, c, "covering") for c in covering] + [(story_id, c, "mentioned") for c in mentioned],
            )
            if row["headline"] and headline and row["headline"] != headline:
                self._add_update(story_id, utcnow(), "headline_changed", {"from": row["headline"], "to": headline})

    def reference_outlet_count(self, country: str) -> int:
        return int(self.scalar("SELECT COUNT(*) FROM outlets WHERE country = ? AND enabled = 1",
                               (country.upper(),)) or 0)

    # ------------------------------------------------------------------ reading

    def get_story(self, story_id: int) -> StoryRow | None:
        """The story with its ``article_ids`` and country roles; a merged story carries ``merged_into``."""
        r = self.query_one("SELECT * FROM stories WHERE id = ?", (story_id,))
        if r is None:
            return None
        roles: dict[str, list[str]] = {"covering": [], "mentioned": []}
        for x in self.query("SELECT country, role FROM story_countries WHERE story_id = ? ORDER BY country",
                            (story_id,)):
            roles.setdefault(str(x["role"]), []).append(str(x["country"]))
        return StoryRow.from_row(r, article_ids=tuple(self.story_member_ids(story_id)),
                                 countries_covering=tuple(roles["covering"]),
                                 countries_mentioned=tuple(roles["mentioned"]))

    def story_articles(self, story_id: int, *, with_text: bool = False) -> list[StoryMember]:
        """Members with outlet name, oldest first (``with_text``: include the body)."""
        text = ", a.text" if with_text else ""
        return [StoryMember.from_row(r) for r in self.query(
            "SELECT a.id, a.url, a.canonical_url, a.site_name, a.title, a.outlet_id, o.name AS outlet_name,"
            f" a.country, a.language, a.published_at, a.fetched_at, a.duplicate_of, sa.score, sa.joined_at{text}"
            " FROM story_articles sa JOIN articles a ON a.id = sa.article_id"
            " LEFT JOIN outlets o ON o.id = a.outlet_id"
            f" WHERE sa.story_id = ? ORDER BY {ARTICLE_TIME}, a.id",
            (story_id,),
        )]

    def _live_stories(self, where: list[str], params: list[Any], order: str, limit: int) -> list[StoryRow]:
        """Live (not merged, not emptied) stories matching ``where``, in ``order``, at most ``limit``."""
        rows = self.query(
            f"SELECT s.* FROM stories s WHERE {' AND '.join([LIVE_STORY, *where])} ORDER BY {order} LIMIT ?",
            [*params, max(1, min(int(limit), MAX_STORY_ROWS))],
        )
        return [StoryRow.from_row(r) for r in rows]

    def list_stories(self, *, limit: int = 50, before: tuple[str, int] | None = None,
                     **filters: Unpack[StoryFilters]) -> list[StoryRow]:
        """Live (not merged) stories, most recently updated first; ``before=(last_updated, id)`` pages on.
        ``country``: covered by its outlets; ``mentioned``: about it; ``exclude_covering``: not covered by it."""
        where: list[str] = []
        params: list[Any] = []
        country, mentioned, exclude_covering = (filters.get("country"), filters.get("mentioned"),
                                                filters.get("exclude_covering"))
        blindspot, since = filters.get("blindspot"), filters.get("since")
        # A country with many stories: EXISTS lets the database walk stories newest first (index on
        # last_updated) and stop at the page size; an IN (...) list made it fetch and sort every story of the
        # country (17 ms vs 1 ms for 1,500 of 20k stories). A country with few stories: the walk would visit
        # most of the table before filling a page (130 ms at 20k stories for a country with none), so the
        # IN list of its few stories wins. The count that decides comes from the (country, role) index.
        for cc, role, exists in ((country, "covering", "EXISTS"), (mentioned, "mentioned", "EXISTS"),
                                 (exclude_covering, "covering", "NOT EXISTS")):
            if not cc:
                continue
            if exists == "EXISTS" and self._country_story_count(cc.upper(), role) <= FEW_COUNTRY_STORIES:
                where.append(f"s.id IN (SELECT c.story_id FROM story_countries c WHERE c.country = ?"
                             f" AND c.role = '{role}')")
            else:
                where.append(f"{exists} (SELECT 1 FROM story_countries c WHERE c.story_id = s.id AND c.country = ?"
                             f" AND c.role = '{role}')")
            params.append(cc.upper())
        if blindspot is not None:
            where.append("s.blindspot = ?")
            params.append(1 if blindspot else 0)
        if since:
            where.append("s.last_updated >= ?")
            params.append(iso(since))
        if before:
            where.append("(s.last_updated < ? OR (s.last_updated = ? AND s.id < ?))")
            params += [before[0], before[0], int(before[1])]
        return self._live_stories(where, params, "s.last_updated DESC, s.id DESC", limit)

    def _country_story_count(self, cc: str, role: str) -> int:
        return int(self.scalar(
            "SELECT COUNT(*) FROM story_countries WHERE country = ? AND role = ?", (cc, role)) or 0)

    def top_stories(self, since: dt.datetime | None = None, limit: int = 20) -> list[StoryRow]:
        """Most countries covering, then most outlets, then most recent."""
        where, params = _since(since)
        return self._live_stories(
            where, params, "s.country_count DESC, s.outlet_count DESC, s.last_updated DESC, s.id DESC", limit)

    def blindspot_stories(self, since: dt.datetime | None = None, limit: int = 20) -> list[StoryRow]:
        """Flagged stories, most countries covering first, then most recent."""
        where, params = _since(since)
        return self._live_stories(
            ["s.blindspot = 1", *where], params, "s.country_count DESC, s.last_updated DESC, s.id DESC", limit)

    def country_article_counts(self, since: dt.datetime | None = None) -> dict[str, int]:
        params: list[Any] = []
        where = "a.country IS NOT NULL"
        if since:
            where += f" AND {ARTICLE_TIME} >= ?"
            params.append(iso(since))
        return {str(r["country"]): int(r["n"]) for r in self.query(
            f"SELECT a.country, COUNT(*) AS n FROM articles a WHERE {where} GROUP BY a.country ORDER BY n DESC",
            params,
        )}

    def story_timeline(self, story_id: int) -> list[StoryUpdate]:
        return [StoryUpdate(id=int(r["id"]), at=str(r["at"]), kind=str(r["kind"]), detail=json_object(r["detail"]))
                for r in self.query("SELECT id, at, kind, detail FROM story_updates WHERE story_id = ? ORDER BY at, id",
                                    (story_id,))]

    def all_story_ids(self) -> list[int]:
        return [int(r["id"]) for r in self.query(
            "SELECT id FROM stories WHERE merged_into IS NULL AND article_count > 0 ORDER BY id")]

    def membership(self) -> dict[int, list[int]]:
        """story id -> sorted article ids, for live stories (used by tests and `cluster --rebuild` checks)."""
        out: dict[int, list[int]] = {}
        for r in self.query("SELECT story_id, article_id FROM story_articles ORDER BY story_id, article_id"):
            out.setdefault(int(r["story_id"]), []).append(int(r["article_id"]))
        return out

    # ------------------------------------------------------------------ embeddings

    def save_embeddings(self, model: str, vectors: Mapping[int, np.ndarray]) -> None:
        now = iso(utcnow())
        rows = []
        for aid, v in vectors.items():
            arr = np.asarray(v, dtype="<f4").ravel()
            rows.append((int(aid), model, int(arr.shape[0]), arr.tobytes(), now))
        with self.tx():
            self.executemany(
                "INSERT INTO embeddings(article_id, model, dim, vector, created_at) VALUES (?,?,?,?,?)"
                " ON CONFLICT(article_id, model) DO UPDATE SET dim=excluded.dim, vector=excluded.vector,"
                " created_at=excluded.created_at",
                rows,
            )

    def get_embeddings(self, article_ids: Sequence[int], model: str, *, fresh_only: bool = False) -> dict[int, np.ndarray]:
        """Stored vectors of ``model``; ``fresh_only`` leaves out those older than the article's last update
        (a new version of the text needs a new vector)."""
        out: dict[int, np.ndarray] = {}
        fresh = " AND e.created_at >= a.updated_at" if fresh_only else ""
        for chunk in _chunks(article_ids):
            marks = ",".join("?" * len(chunk))
            for r in self.query(
                "SELECT e.article_id, e.vector FROM embeddings e JOIN articles a ON a.id = e.article_id"
                f" WHERE e.model = ? AND e.article_id IN ({marks}){fresh}",
                [model, *chunk],
            ):
                out[int(r["article_id"])] = np.frombuffer(r["vector"], dtype="<f4").copy()
        return out

    def window_embeddings(self, since: dt.datetime, model: str) -> list[tuple[int, np.ndarray]]:
        """(article id, vector) of the articles whose time is >= ``since``, in id order."""
        rows = self.query(
            f"SELECT e.article_id, e.vector FROM articles a CROSS JOIN embeddings e"
            f" WHERE e.article_id = a.id AND e.model = ? AND {ARTICLE_TIME} >= ? ORDER BY e.article_id",
            (model, iso(since)),
        )
        return [(int(r["article_id"]), np.frombuffer(r["vector"], dtype="<f4").copy()) for r in rows]

    def stories_fingerprint(self) -> tuple[int, int, int]:
        """(highest story-update id, number of story updates, highest story id): changes whenever stories are
        written, so a cache of story state can tell it is stale."""
        row = self.query_one(
            "SELECT (SELECT COALESCE(MAX(id), 0) FROM story_updates) AS u, (SELECT COUNT(*) FROM story_updates) AS n,"
            " (SELECT COALESCE(MAX(id), 0) FROM stories) AS s"
        ) or {}
        return int(row.get("u") or 0), int(row.get("n") or 0), int(row.get("s") or 0)

    def count_stories(self) -> int:
        return int(self.scalar("SELECT COUNT(*) FROM stories") or 0)

    def sample_story_ids(self, n: int) -> list[int]:
        """Up to ``n`` story ids drawn at random (benchmarks pick the story pages they request this way)."""
        return [int(r["id"]) for r in self.query("SELECT id FROM stories ORDER BY random() LIMIT ?", (int(n),))]
