"""Typed rows of the web read model (``web/queries.py``): what the pages, the API and the feeds read of a
story instead of ``dict[str, Any]``. Frozen and slotted: the read model caches them for every visitor, so
no reader can change what another sees.

Templates read their attributes (Jinja's ``x.attr``); anything that needs plain data calls ``to_json()``,
whose keys and their order are the shape the read model has always returned (``tests/test_web_views.py``).
The parts taken verbatim from a story's synthesis JSON (summary sentences, outlets, alternative takes)
stay plain dicts: their keys are the synthesis's, not the web's.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from globewire.records import Article, Outlet
from globewire.store.types import ArticleVersion, CopyRow


@dataclass(frozen=True, slots=True)
class BlindspotView:
    """The blindspot part of a story (``queries.blindspot_view``). ``flag`` only for an ``overlooked`` status;
    ``reference_crawled`` None when not known."""

    flag: bool
    status: str  # overlooked | covered | unknown | unchecked (synthesised before crawl evidence)
    reason: str
    countries: list[str]
    reference_country: str
    reference_crawled: int | None
    reference_outlets: int

    def to_json(self) -> dict[str, Any]:
        return {"flag": self.flag, "status": self.status, "reason": self.reason, "countries": list(self.countries),
                "reference_country": self.reference_country, "reference_crawled": self.reference_crawled,
                "reference_outlets": self.reference_outlets}


@dataclass(frozen=True, slots=True)
class StoryView:
    """A story as the web reads it (``queries.normalise_story``: the stored row and its synthesis data)."""

    id: int
    headline: str
    summary: list[dict[str, Any]]  # sentences {"text", "article_id", ...} of the synthesis
    countries_covering: list[str]
    countries_mentioned: list[str]
    languages: list[str]
    outlets: list[dict[str, Any]]  # the synthesis's outlets {"id", "name", "country", ...}
    alternative_takes: dict[str, list[dict[str, Any]]]  # country -> sentences
    blindspot: BlindspotView
    related_story_ids: list[int]
    first_seen: str | None
    last_updated: str | None
    date_source: str  # published | fetched
    article_count: int
    outlet_count: int
    country_count: int
    # the second tier ("coverage elsewhere", stories/stage.py): countries and takes only linked stories add,
    # "likely the same event", kept apart from the story's own
    countries_elsewhere: list[str] = field(default_factory=list)
    alternative_takes_elsewhere: dict[str, list[dict[str, Any]]] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id, "headline": self.headline, "summary": [dict(x) for x in self.summary],
            "countries_covering": list(self.countries_covering), "countries_mentioned": list(self.countries_mentioned),
            "languages": list(self.languages), "outlets": [dict(o) for o in self.outlets],
            "alternative_takes": {cc: [dict(t) for t in ts] for cc, ts in self.alternative_takes.items()},
            "countries_elsewhere": list(self.countries_elsewhere),
            "alternative_takes_elsewhere": {cc: [dict(t) for t in ts]
                                            for cc, ts in self.alternative_takes_elsewhere.items()},
            "blindspot": self.blindspot.to_json(), "related_story_ids": list(self.related_story_ids),
            "first_seen": self.first_seen, "last_updated": self.last_updated, "date_source": self.date_source,
            "article_count": self.article_count, "outlet_count": self.outlet_count, "country_count": self.country_count,
        }


@dataclass(frozen=True, slots=True)
class TimelineEvent:
    """One step of how a story formed (``ReadModel.story_timeline``: ``story_updates``), ``detail`` its JSON."""

    at: str
    kind: str
    detail: dict[str, Any]

    def to_json(self) -> dict[str, Any]:
        return {"at": self.at, "kind": self.kind, "detail": dict(self.detail)}


@dataclass(frozen=True, slots=True)
class SearchGroup:
    """One result of search by story (``ReadModel.search_stories``): a story with its matching articles, or a
    matching article in no story (``story`` None, ``url`` the article's). ``hits`` are the read model's
    decorated search rows."""

    story: StoryView | None
    title: str
    url: str
    hits: list[dict[str, Any]]
    more_hits: int

    def to_json(self) -> dict[str, Any]:
        return {"story": None if self.story is None else self.story.to_json(), "title": self.title, "url": self.url,
                "hits": [dict(h) for h in self.hits], "more_hits": self.more_hits}


@dataclass(frozen=True, slots=True)
class CountryPage:
    """A country page (``ReadModel.country_page``): its outlets, a page of its articles (``next_cursor``: the
    next), the stories its outlets cover and those about it (both empty past the first page)."""

    outlets: list[Outlet]
    articles: list[dict[str, Any]]
    next_cursor: str | None
    stories: list[StoryView]
    about: list[StoryView]


@dataclass(frozen=True, slots=True)
class StoryPageList:
    """A page of stories with the cursor of the next (``ReadModel.blindspot``)."""

    stories: list[StoryView]
    next_cursor: str | None


@dataclass(frozen=True, slots=True)
class ArticleView:
    """An article as its page reads it (``ReadModel.get_article``): the stored ``records.Article`` (its title
    made usable), its catalogue outlet, the name and country shown, its English (``translation``: the stored
    translation with a usable title and only well-formed alignment rows), versions, copies and story."""

    article: Article
    outlet: Outlet | None
    outlet_name: str | None
    country: str | None
    title_derived: bool
    translation: dict[str, Any] | None
    versions: list[ArticleVersion]
    duplicates: list[CopyRow]
    story_id: int | None
