"""Response models of the JSON API (pydantic): the OpenAPI schema at /api/v1/openapi.json is built from them."""

from __future__ import annotations

from typing import Any, Generic, TypeVar

from pydantic import BaseModel, Field

T = TypeVar("T")


class Page(BaseModel, Generic[T]):
    items: list[T]
    next_cursor: str | None = Field(None, description="Pass as `cursor` to get the next page; null at the end.")


class SourcedText(BaseModel):
    text: str
    article_id: int | None = None


class ElsewhereText(SourcedText):
    story_id: int | None = Field(None, description="The linked story the sentence comes from.")
    likely_same_event: bool = Field(True, description="From the 'coverage elsewhere' tier: probably, not surely, "
                                    "this story's event.")


class BlindspotOut(BaseModel):
    flag: bool = False
    status: str = Field("unchecked", description="overlooked (flagged), unknown (no reference-country outlet was "
                        "crawled in the story's window), covered, local, small, no articles, or unchecked.")
    reason: str = ""
    countries: list[str] = []
    reference_country: str = ""
    reference_crawled: int | None = Field(None, description="Reference-country outlets crawled successfully in "
                                          "the story's window (the evidence behind a flag).")


class StorySummary(BaseModel):
    id: int
    url: str
    headline: str
    countries_covering: list[str]
    country_count: int
    article_count: int
    blindspot: bool
    blindspot_status: str = "unchecked"
    blindspot_reason: str = ""
    first_seen: str | None = None
    last_updated: str | None = None
    date_source: str = Field("published", description="What dates the story: 'published' (its articles'"
                             " publication times) or 'fetched' (no article gave one: the times they were fetched).")


class DateOut(BaseModel):
    at: str | None = Field(None, description="Newest publication time of the story's articles (ISO-8601).")
    first: str | None = Field(None, description="First publication time.")
    kind: str = Field("published", description="'published', or 'fetched' when no article has a publication time.")


class SourceOut(BaseModel):
    id: str | None = None
    name: str
    country: str = ""
    flag: str = ""
    articles: int = 0


class CoverageOut(BaseModel):
    cc: str = Field(description="Country code; empty for the segment of the remaining countries.")
    name: str
    flag: str = ""
    articles: int
    share: float = Field(description="Percent of the story's articles.")


class TranslationDetailOut(BaseModel):
    state: str
    articles: int
    reason: str = ""
    fix: str = ""


class TranslationStatusOut(BaseModel):
    state: str = Field(description="pending | unavailable | failed | off")
    reason: str = ""
    fix: str = Field("", description="What makes the English appear (a command or a setting).")
    language: str | None = None
    languages: list[str] = []
    articles: int | None = Field(None, description="Story: its articles waiting for English.")
    summary: str = ""
    retry_at: str | None = None
    attempts: int | None = None
    details: list[TranslationDetailOut] = Field([], description="Story: one entry per state, with its reasons and fix.")


class StoryCard(StorySummary):
    summary_line: str = ""
    date: DateOut
    sources: list[SourceOut]
    coverage: list[CoverageOut]
    image: str | None = Field(None, description="Same-origin proxied picture; null when images are off.")
    english: TranslationStatusOut | None = Field(None, description="Set when nothing of the story is in English.")


class ArticleSummary(BaseModel):
    id: int
    url: str = Field(description="This server's page of the article.")
    source_url: str = Field(description="The article on the outlet's site.")
    title: str
    title_en: str | None = None
    outlet_id: str | None = None
    outlet_name: str | None = None
    country: str | None = None
    language: str | None = None
    published_at: str | None = None
    source_name: str | None = Field(None, description="The outlet's name, else the page's site name, else its host.")
    english: TranslationStatusOut | None = Field(None, description="Set when the article waits for English.")


class TimelineEntry(BaseModel):
    at: str
    kind: str
    detail: dict[str, Any] = {}


class OutletRef(BaseModel):
    id: str | None = None
    name: str | None = None
    country: str | None = None
    articles: int | None = None


class PublicationOut(BaseModel):
    article_id: int
    at: str | None
    kind: str = Field(description="'published', or 'fetched' when the page gave no publication time.")
    source: str
    country: str | None = None
    title: str


class StoryDetail(StoryCard):
    summary: list[SourcedText]
    countries_mentioned: list[str]
    languages: list[str]
    outlets: list[OutletRef]
    alternative_takes: dict[str, list[SourcedText]]
    countries_elsewhere: list[str] = Field([], description="Countries that only stories in 'elsewhere' (likely the "
                                           "same event, kept apart) add to this story's coverage.")
    alternative_takes_elsewhere: dict[str, list[ElsewhereText]] = Field(
        {}, description="What those countries' coverage adds, per country; each sentence names its story.")
    blindspot_detail: BlindspotOut
    related: list[StoryCard]
    elsewhere: list[StoryCard] = Field([], description="Stories that probably report the same event (coverage elsewhere).")
    timeline: list[TimelineEntry]
    publications: list[PublicationOut] = Field(description="The articles by publication time, oldest first.")
    articles: list[ArticleSummary]


class AlignedSentence(BaseModel):
    para: int | None = None
    src: str = ""
    en: str = ""


class OutletOut(BaseModel):
    id: str
    name: str
    homepage: str
    country: str
    languages: list[str]
    ownership: str = "unknown"
    enabled: bool = True
    articles: int | None = None
    articles_24h: int | None = None
    last_success_at: str | None = None
    last_fetch_at: str | None = None
    failing_feeds: int | None = None
    consecutive_failures: int | None = None
    last_error: str | None = None
    health: str | None = Field(None, description="ok, failing, not fetched or disabled.")


class VersionOut(BaseModel):
    version: int
    title: str
    seen_at: str


class DuplicateOut(BaseModel):
    id: int
    url: str
    outlet_id: str | None = None
    similarity: float | None = None


class ArticleDetail(ArticleSummary):
    text: str
    title_en: str | None = None
    text_en: str | None = None
    alignment: list[AlignedSentence] = []
    translation_backend: str | None = None
    authors: list[str] = []
    outlet: OutletOut | None = None
    story_id: int | None = None
    duplicate_of: int | None = None
    versions: list[VersionOut] = []
    duplicates: list[DuplicateOut] = []


class CountryOut(BaseModel):
    cc: str
    name: str
    articles: int = Field(description="Articles published by the country's outlets in the window.")
    outlets: int


class CountriesOut(BaseModel):
    window: str = Field(description="The window's label, e.g. 'last 7 days'.")
    window_key: str = Field("", description="24h | 7d | 30d | all")
    fallback: bool = Field(False, description="No window was asked for and the last 24 hours had no news.")
    items: list[CountryOut]


class FrontOut(CountriesOut):
    top: list[StoryCard]
    blindspot: list[StoryCard]


class CountryDetail(BaseModel):
    cc: str
    name: str
    outlets: list[OutletOut]
    articles: list[ArticleSummary]
    stories: list[StorySummary]
    about: list[StorySummary] = Field(description="Stories mentioning this country, covered by other countries.")
    next_cursor: str | None = Field(None, description="Pass as `cursor` for the next page of `articles` (newest "
                                    "published first); only `articles` is paged.")


class SearchHit(ArticleSummary):
    snippet: str = ""
    display_title: str = Field("", description="The title to show: English, original, or derived from the text.")


class SearchGroup(BaseModel):
    story: StorySummary | None = Field(None, description="The story of the hits; null for an article in no story.")
    title: str
    url: str = Field(description="This server's page of the story (or of the lone article).")
    hits: list[SearchHit]
    more_hits: int = Field(0, description="Further matching articles of the story not listed.")


class ErrorBody(BaseModel):
    status: int
    message: str


class ErrorOut(BaseModel):
    error: ErrorBody
