"""The outlet catalogue: shipped per-country TOML files plus the user's own file.

Shipped files live in ``globewire/sources/data/<cc>.toml``, one outlet per line so that a
contributor adds an outlet with one line::

    country = "FR"
    checked = "2026-11-23"   # when these entries were last checked
    outlets = [
      { id = "le-monde", name = "Le Monde", homepage = "https://www.lemonde.fr/", languages = ["fr"], ownership = "private", ownership_source = "...", feeds = ["https://www.lemonde.fr/rss/une.xml"] },
    ]

Outlet keys: ``id`` (slug, unique over the catalogue), ``name``, ``homepage``, ``languages``
(ISO 639-1, primary first), ``feeds`` (URL strings or ``{ url, section, kind, verified, evidence }``
tables: ``kind`` rss|sitemap, ``verified`` reference|cms|unverified with its ``evidence``, see
``sources/verify.py``), optional
``sitemap``, ``ownership`` (public|state|private|nonprofit), ``ownership_source`` (URL or short
citation), optional ``rules = { title, body, date, authors, image, drop = [...] }`` (CSS
selectors for the extractor), ``enabled = false``, ``wire = true`` (news agencies), and
``country`` (only needed in the user file). Each outlet needs a feed or a sitemap.

The user file (``settings.sources_file``, default ``<data_dir>/sources.toml``) uses the same
format and may also

* add outlets (each outlet line then carries ``country = "CC"`` unless the file has a
  top-level ``country``),
* override a shipped outlet by declaring one with the same ``id``,
* disable outlets with ``disabled = ["id", ...]``;
* turn off every shipped outlet with ``shipped = false`` (only the user's own outlets are crawled).

Every problem is reported as a :class:`CatalogueError` naming the file and the line.
"""

from __future__ import annotations

import functools
import re
import tomllib
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal
from urllib.parse import urlsplit

import pycountry
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from globewire.log import get_logger
from globewire.records import ExtractionRules, Feed, Outlet

if TYPE_CHECKING:
    from globewire.settings import Settings

log = get_logger(__name__)

ID_PATTERN = r"^[a-z0-9][a-z0-9-]{1,48}$"
USER_FILE_NAME = "sources.toml"


class CatalogueError(ValueError):
    """A catalogue file is invalid. ``str()`` reads ``<file>:<line>: <problem>``."""

    def __init__(self, path: str | Path, line: int | None, problem: str) -> None:
        self.path = str(path)
        self.line = line
        self.problem = problem
        where = f"{self.path}:{line}" if line else self.path
        super().__init__(f"{where}: {problem}")


# --------------------------------------------------------------------------- validation models


def check_http_url(value: str) -> str:
    parts = urlsplit(value)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise ValueError(f"{value!r} is not an http(s) URL")
    return value


def check_country(value: str) -> str:
    code = value.strip().upper()
    if len(code) != 2 or pycountry.countries.get(alpha_2=code) is None:
        raise ValueError(f"{value!r} is not an ISO 3166-1 alpha-2 country code")
    return code


def check_language(value: str) -> str:
    code = value.strip().lower()
    if len(code) != 2 or pycountry.languages.get(alpha_2=code) is None:
        raise ValueError(f"{value!r} is not an ISO 639-1 language code")
    return code


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class FeedModel(_Strict):
    url: str
    section: str = ""
    kind: Literal["rss", "sitemap"] = "rss"
    verified: Literal["reference", "cms", "unverified"] = "unverified"
    evidence: str = ""

    @field_validator("url")
    @classmethod
    def _url(cls, v: str) -> str:
        return check_http_url(v)


class RulesModel(_Strict):
    title: str | None = None
    body: str | None = None
    date: str | None = None
    authors: str | None = None
    image: str | None = None
    drop: list[str] = Field(default_factory=list)


class OutletModel(_Strict):
    id: str = Field(pattern=ID_PATTERN)
    name: str = Field(min_length=1)
    homepage: str
    languages: list[str] = Field(min_length=1)
    feeds: list[FeedModel] = Field(default_factory=list)
    sitemap: str | None = None
    ownership: Literal["public", "state", "private", "nonprofit", "unknown"] = "unknown"
    ownership_source: str = ""
    rules: RulesModel | None = None
    enabled: bool = True
    wire: bool = False
    country: str | None = None  # per-outlet country (user files mixing countries)

    @field_validator("homepage", "sitemap")
    @classmethod
    def _urls(cls, v: str | None) -> str | None:
        return None if v is None else check_http_url(v)

    @field_validator("feeds", mode="before")
    @classmethod
    def _feed_strings(cls, v: Any) -> Any:
        # A feed is a URL string or a {url, section} table; strings become tables.
        return [{"url": f} if isinstance(f, str) else f for f in v] if isinstance(v, list) else v

    @field_validator("languages")
    @classmethod
    def _langs(cls, v: list[str]) -> list[str]:
        return [check_language(x) for x in v]

    @field_validator("country")
    @classmethod
    def _country(cls, v: str | None) -> str | None:
        return None if v is None else check_country(v)


class FileModel(_Strict):
    country: str | None = None
    checked: str | None = None
    outlets: list[dict[str, Any]] = Field(default_factory=list)
    disabled: list[str] = Field(default_factory=list)
    shipped: bool = True  # user file only: false turns off every shipped outlet it does not redeclare

    @field_validator("country")
    @classmethod
    def _country(cls, v: str | None) -> str | None:
        return None if v is None else check_country(v)


# --------------------------------------------------------------------------- line lookup


def _line_of_key(text: str, key: str) -> int | None:
    m = re.search(rf"(?m)^\s*{re.escape(key)}\s*=", text)
    return text.count("\n", 0, m.start()) + 1 if m else None


def _outlet_entry_lines(text: str) -> list[int]:
    """Line numbers where each outlet entry starts (one-line inline tables or [[outlets]])."""
    lines = text.splitlines()
    starts: list[int] = []
    in_array = False
    for no, raw in enumerate(lines, start=1):
        s = raw.strip()
        if s.startswith("[[outlets]]"):
            starts.append(no)
            continue
        if re.match(r"^outlets\s*=\s*\[", s):
            in_array = True
            rest = s.split("[", 1)[1].strip()
            if rest.startswith("{"):
                starts.append(no)
            continue
        if in_array:
            if s.startswith("{"):
                starts.append(no)
            elif s.startswith("]"):
                in_array = False
    return starts


def _line_of_id(text: str, outlet_id: str, occurrence: int = 0) -> int | None:
    hits = list(re.finditer(rf"\bid\s*=\s*[\"']{re.escape(outlet_id)}[\"']", text))
    if len(hits) > occurrence:
        return text.count("\n", 0, hits[occurrence].start()) + 1
    return None


def _line_of_text(text: str, needle: str, occurrence: int = 0) -> int | None:
    pos = -1
    for _ in range(occurrence + 1):
        pos = text.find(needle, pos + 1)
        if pos < 0:
            return None
    return text.count("\n", 0, pos) + 1


def _outlet_line(text: str, index: int, raw: dict[str, Any]) -> int | None:
    oid = raw.get("id")
    if isinstance(oid, str):
        line = _line_of_id(text, oid)
        if line:
            return line
    starts = _outlet_entry_lines(text)
    return starts[index] if index < len(starts) else _line_of_key(text, "outlets")


def _describe_validation(err: ValidationError) -> str:
    first = err.errors()[0]
    loc = ".".join(str(p) for p in first["loc"])
    kind = first["type"]
    if kind == "extra_forbidden":
        return f"unknown key {loc!r}"
    msg = first["msg"].removeprefix("Value error, ")
    return f"{loc}: {msg}" if loc else msg


# --------------------------------------------------------------------------- parsing


@dataclass(frozen=True, slots=True)
class ParsedFile:
    path: str
    outlets: tuple[Outlet, ...]
    wire_ids: frozenset[str]
    disabled: tuple[str, ...]
    lines: dict[str, int]  # outlet id -> line
    shipped: bool = True


def _to_outlet(m: OutletModel, country: str, origin: str) -> Outlet:
    feeds: list[Feed] = []
    for f in m.feeds:
        feeds.append(Feed(url=f.url, section=f.section or ("sitemap" if f.kind == "sitemap" else ""), kind=f.kind,
                          verified=f.verified, evidence=f.evidence))
    if m.sitemap:
        feeds.append(Feed(url=m.sitemap, section="sitemap", kind="sitemap"))
    rules = None
    if m.rules is not None:
        r = m.rules
        rules = ExtractionRules(
            title=r.title, body=r.body, date=r.date, authors=r.authors, image=r.image, drop=tuple(r.drop)
        )
    kwargs: dict[str, Any] = {}
    if "wire" in getattr(Outlet, "__dataclass_fields__", {}):
        kwargs["wire"] = m.wire
    return Outlet(
        id=m.id,
        name=m.name,
        homepage=m.homepage,
        country=country,
        languages=tuple(m.languages),
        feeds=tuple(feeds),
        ownership=m.ownership,
        ownership_source=m.ownership_source,
        rules=rules,
        enabled=m.enabled,
        origin=origin,
        **kwargs,
    )


def parse_catalogue_text(text: str, path: str | Path, *, user_file: bool = False) -> ParsedFile:
    """Parse and validate one catalogue file's text. Raises :class:`CatalogueError`."""
    path = str(path)
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        at = re.search(r"line (\d+)", str(exc))
        raise CatalogueError(path, int(at.group(1)) if at else None, f"invalid TOML: {exc}") from None
    try:
        fm = FileModel.model_validate(data)
    except ValidationError as exc:
        first = exc.errors()[0]
        key = str(first["loc"][0]) if first["loc"] else ""
        raise CatalogueError(path, _line_of_key(text, key) if key else None, _describe_validation(exc)) from None
    if fm.disabled and not user_file:
        raise CatalogueError(path, _line_of_key(text, "disabled"), "'disabled' is only allowed in the user file")
    if not fm.shipped and not user_file:
        raise CatalogueError(path, _line_of_key(text, "shipped"), "'shipped' is only allowed in the user file")
    if not user_file and fm.country is None:
        raise CatalogueError(path, 1, "missing top-level 'country'")

    outlets: list[Outlet] = []
    wire: set[str] = set()
    lines: dict[str, int] = {}
    seen_feeds: dict[str, str] = {}
    for index, raw in enumerate(fm.outlets):
        line = _outlet_line(text, index, raw)
        label = f"outlet {raw.get('id')!r}" if isinstance(raw.get("id"), str) else f"outlet #{index + 1}"
        try:
            m = OutletModel.model_validate(raw)
        except ValidationError as exc:
            raise CatalogueError(path, line, f"{label}: {_describe_validation(exc)}") from None
        country = m.country or fm.country
        if country is None:
            raise CatalogueError(path, line, f"{label}: no country (set 'country' on the outlet or the file)")
        if m.id in lines:
            dup_line = _line_of_id(text, m.id, occurrence=1) or line
            raise CatalogueError(path, dup_line, f"duplicate outlet id {m.id!r} (first on line {lines[m.id]})")
        outlet = _to_outlet(m, country, path)
        if not outlet.feeds:
            raise CatalogueError(path, line, f"{label}: needs at least one feed or a sitemap")
        for f in outlet.feeds:
            key = feed_key(f.url)
            if key in seen_feeds:
                dup_line = _line_of_text(text, f.url, occurrence=1) or line
                raise CatalogueError(path, dup_line, f"duplicate feed URL {f.url} (also in {seen_feeds[key]!r})")
            seen_feeds[key] = m.id
        lines[m.id] = line or 0
        if m.wire:
            wire.add(m.id)
        outlets.append(outlet)
    return ParsedFile(path, tuple(outlets), frozenset(wire), tuple(fm.disabled), lines, fm.shipped)


def feed_key(url: str) -> str:
    """Comparison key for feed URLs: scheme-insensitive, lower-case host, no trailing slash."""
    p = urlsplit(url.strip())
    rest = p.path.rstrip("/") + (f"?{p.query}" if p.query else "")
    return f"{p.netloc.lower()}{rest}"


def parse_catalogue_file(path: Path, *, user_file: bool = False) -> ParsedFile:
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise CatalogueError(path, None, f"cannot read: {exc}") from None
    return parse_catalogue_text(text, path, user_file=user_file)


# --------------------------------------------------------------------------- catalogue


@dataclass(frozen=True)
class Catalogue:
    outlets: tuple[Outlet, ...]
    wire_ids: frozenset[str] = frozenset()
    disabled_ids: frozenset[str] = frozenset()
    user_file: Path | None = None
    _by_id: dict[str, Outlet] = field(default_factory=dict, repr=False, compare=False)

    def __post_init__(self) -> None:
        self._by_id.update({o.id: o for o in self.outlets})

    def __len__(self) -> int:
        return len(self.outlets)

    def __iter__(self):  # type: ignore[no-untyped-def]
        return iter(self.outlets)

    def by_id(self, outlet_id: str) -> Outlet | None:
        return self._by_id.get(outlet_id)

    def by_country(self, cc: str) -> list[Outlet]:
        cc = cc.upper()
        return [o for o in self.outlets if o.country == cc]

    def countries(self) -> list[str]:
        return sorted({o.country for o in self.outlets})

    def is_wire(self, outlet_id: str) -> bool:
        return outlet_id in self.wire_ids


def shipped_data_dir() -> Path:
    return Path(str(resources.files("globewire.sources").joinpath("data")))


@functools.lru_cache(maxsize=4)
def _load_shipped(data_dir: str) -> tuple[tuple[Outlet, ...], frozenset[str]]:
    outlets: list[Outlet] = []
    wire: set[str] = set()
    owner_of_id: dict[str, str] = {}
    owner_of_feed: dict[str, tuple[str, str]] = {}
    for path in sorted(Path(data_dir).glob("*.toml")):
        parsed = parse_catalogue_file(path)
        text = path.read_text(encoding="utf-8")
        if _file_country(text) != path.stem.upper():
            raise CatalogueError(path, _line_of_key(text, "country"), f"country must be {path.stem.upper()!r} in {path.name}")
        for o in parsed.outlets:
            if o.id in owner_of_id:
                raise CatalogueError(path, parsed.lines.get(o.id), f"duplicate outlet id {o.id!r} (also in {owner_of_id[o.id]})")
            owner_of_id[o.id] = path.name
            for f in o.feeds:
                k = feed_key(f.url)
                if k in owner_of_feed:
                    other_file, other_id = owner_of_feed[k]
                    raise CatalogueError(
                        path,
                        _line_of_text(text, f.url) or parsed.lines.get(o.id),
                        f"duplicate feed URL {f.url} (also outlet {other_id!r} in {other_file})",
                    )
                owner_of_feed[k] = (path.name, o.id)
        outlets.extend(parsed.outlets)
        wire |= parsed.wire_ids
    log.debug("catalogue.shipped_loaded", outlets=len(outlets), data_dir=data_dir)
    return tuple(outlets), frozenset(wire)


def _file_country(text: str) -> str | None:
    m = re.search(r'(?m)^\s*country\s*=\s*"([A-Za-z]{2})"', text)
    return m.group(1).upper() if m else None


def default_user_file(settings: Settings) -> Path:
    return settings.sources_file or settings.data_dir / USER_FILE_NAME


def load_catalogue(
    settings: Settings | None = None,
    *,
    user_file: Path | None = None,
    include_disabled: bool = False,
    data_dir: Path | None = None,
) -> Catalogue:
    """Shipped outlets, overridden/extended/disabled by the user file.

    ``user_file`` wins over ``settings.sources_file``; with neither settings nor
    user_file, the effective settings are loaded. ``data_dir`` replaces the shipped
    folder (tests).
    """
    if user_file is None:
        if settings is None:
            from globewire.settings import load_settings

            settings = load_settings()
        user_file = default_user_file(settings)
    shipped, wire = _load_shipped(str(data_dir or shipped_data_dir()))
    merged: dict[str, Outlet] = {o.id: o for o in shipped}
    wire_ids = set(wire)
    disabled: set[str] = set()
    if user_file.exists():
        parsed = parse_catalogue_file(user_file, user_file=True)
        text = user_file.read_text(encoding="utf-8")
        shipped_feed_owner = {feed_key(f.url): o.id for o in shipped for f in o.feeds}
        overridden = {o.id for o in parsed.outlets}
        for o in parsed.outlets:
            for f in o.feeds:
                owner = shipped_feed_owner.get(feed_key(f.url))
                if owner is not None and owner not in overridden:
                    raise CatalogueError(
                        user_file, _line_of_text(text, f.url) or parsed.lines.get(o.id),
                        f"feed URL {f.url} already belongs to shipped outlet {owner!r}",
                    )
            merged[o.id] = o
            if o.id in parsed.wire_ids:
                wire_ids.add(o.id)
            else:
                wire_ids.discard(o.id)
        if not parsed.shipped:  # `shipped = false`: only the user's own outlets
            disabled.update(o.id for o in shipped if o.id not in overridden)
        for oid in parsed.disabled:
            if oid not in merged:
                log.warning("catalogue.disable_unknown", outlet_id=oid, file=str(user_file))
            disabled.add(oid)
    outlets = []
    for o in merged.values():
        off = (not o.enabled) or o.id in disabled
        if off:
            disabled.add(o.id)
        if include_disabled or not off:
            outlets.append(o)
    outlets.sort(key=lambda o: (o.country, o.id))
    return Catalogue(tuple(outlets), frozenset(wire_ids), frozenset(disabled), user_file)
