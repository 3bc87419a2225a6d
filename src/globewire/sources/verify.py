"""Cross-check of the catalogue's feed URLs against maintained public feed lists, offline.

Every feed in the shipped catalogue records how its URL is known (``verified``):

* ``reference`` — a maintained public list of news feeds gives this URL for the site
  (``evidence`` names the list);
* ``cms`` — the URL follows the feed convention of the content system the site runs
  (WordPress ``/feed/``, Arc XP ``/arc/outboundfeeds/``, Drupal ``/rss.xml``, Blogger);
* ``unverified`` — neither: the URL was found by hand and waits for ``sources check``
  (the live check) to confirm it.

The reference lists are *inputs to a check*, never needed at run time: the statuses are data in
the catalogue files, and :func:`breakdown` reports them without network or lists. With the lists
at hand (``sources check --offline --references DIR``), :func:`crosscheck` recomputes every
status and lists the feeds a reference contradicts — a guessed URL for a site whose feeds a
reference knows — and the outlets the lists have for thinly covered countries.

Reference formats read here: a JSON Lines file of publishers
(``{"country", "name", "domain", "rss": [...], "sitemaps": [...], "news_sitemaps": [...]}``) and
OPML files of feeds (``<outline ... xmlUrl="...">``, read leniently: real-world OPML is often not
well-formed XML).
"""

from __future__ import annotations

import json
import re
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from html import unescape
from pathlib import Path
from typing import Literal
from urllib.parse import urlsplit

from globewire.records import Outlet

Status = Literal["reference", "cms", "unverified"]
STATUSES: tuple[Status, ...] = ("reference", "cms", "unverified")
RefKind = Literal["rss", "news_sitemap", "sitemap"]

# A country with fewer outlets than this gets the outlets the reference lists have for it.
MIN_OUTLETS_PER_COUNTRY = 5

# Feed paths that a content-management system publishes by convention. A URL of this shape is
# the system's own feed address, not a guess; whether the site runs that system is what the
# live check confirms.
CMS_CONVENTIONS: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("wordpress", re.compile(r"(^|/)feed/?$|[?&]feed=(rss2?|atom)\b", re.I)),
    ("arc-xp", re.compile(r"^/arc/outboundfeeds/", re.I)),
    ("drupal", re.compile(r"(^|/)rss\.xml$", re.I)),
    ("blogger", re.compile(r"^/feeds/posts/(default|summary)\b", re.I)),
)

# Feed-hosting services: a feed there tells nothing about which site it belongs to.
FEED_SERVICES = frozenset({"feedburner.com", "feedblitz.com", "rss.app", "feedspot.com", "fetchrss.com"})

_OUTLINE = re.compile(r"<outline\b[^>]*\bxmlUrl=\"([^\"]*)\"[^>]*>", re.I | re.S)
_ATTR_TEXT = re.compile(r"\b(?:title|text)=\"([^\"]*)\"", re.I)


def url_key(url: str) -> str:
    """A URL compared the way feed lists are: no scheme, no leading ``www.``, no trailing ``/``."""
    parts = urlsplit(url.strip())
    host = (parts.hostname or "").lower().removeprefix("www.")
    path = parts.path.rstrip("/")
    return f"{host}{path}" + (f"?{parts.query}" if parts.query else "")


def site_of(url: str) -> str:
    """The registrable domain of a URL (Public Suffix List), the site a feed or homepage belongs to."""
    from globewire.naming import registrable_domain

    host = (urlsplit(url.strip()).hostname or "").lower().rstrip(".")
    if not host:
        return ""
    return registrable_domain(url.strip()) or host.removeprefix("www.")


def cms_convention(url: str) -> str | None:
    """The content system whose feed convention the URL follows, if any."""
    parts = urlsplit(url)
    target = parts.path + (f"?{parts.query}" if parts.query else "")
    for name, pattern in CMS_CONVENTIONS:
        if pattern.search(target):
            return name
    return None


@dataclass(frozen=True, slots=True)
class RefFeed:
    url: str
    kind: RefKind
    source: str  # which list
    country: str
    publisher: str


@dataclass(frozen=True, slots=True)
class RefPublisher:
    name: str
    homepage: str
    country: str
    source: str
    feeds: tuple[RefFeed, ...]

    @property
    def site(self) -> str:
        return site_of(self.homepage or (self.feeds[0].url if self.feeds else ""))


@dataclass
class References:
    publishers: list[RefPublisher] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.by_key: dict[str, RefFeed] = {}
        self.by_site: dict[str, list[RefFeed]] = defaultdict(list)
        for p in self.publishers:
            for f in p.feeds:
                self.by_key.setdefault(url_key(f.url), f)
                for site in {p.site, site_of(f.url)} - {""}:
                    self.by_site[site].append(f)

    @property
    def sources(self) -> list[str]:
        return sorted({p.source for p in self.publishers})


def _read_publishers_jsonl(path: Path, source: str) -> Iterable[RefPublisher]:
    for no, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
        except json.JSONDecodeError as exc:
            raise ValueError(f"{path}:{no}: not JSON ({exc.msg})") from None
        country = str(row.get("country", "")).upper()
        name = str(row.get("name", ""))
        feeds: list[RefFeed] = []
        for key, kind in (("rss", "rss"), ("news_sitemaps", "news_sitemap"), ("sitemaps", "sitemap")):
            for url in row.get(key) or []:
                if isinstance(url, str) and url.startswith(("http://", "https://")):
                    feeds.append(RefFeed(url, kind, source, country, name))  # type: ignore[arg-type]
        yield RefPublisher(name, str(row.get("domain", "")), country, source, tuple(feeds))


def _read_opml(path: Path, country: str, source: str) -> Iterable[RefPublisher]:
    text = path.read_text(encoding="utf-8", errors="replace")
    for m in _OUTLINE.finditer(text):
        url = unescape(m.group(1)).strip()
        if not url.startswith(("http://", "https://")):
            continue
        title = _ATTR_TEXT.search(m.group(0))
        name = unescape(title.group(1)).strip() if title else site_of(url)
        yield RefPublisher(name, "", country, source, (RefFeed(url, "rss", source, country, name),))


def _country_of_opml_name(stem: str) -> str | None:
    import pycountry

    name = re.sub(r"\s*\(.*?\)\s*", " ", stem).strip()
    name = name.removesuffix(" SAR China").strip()
    try:
        return str(pycountry.countries.lookup(name).alpha_2)
    except LookupError:
        try:
            hits = pycountry.countries.search_fuzzy(name)
        except LookupError:
            return None
        return str(hits[0].alpha_2) if hits else None


def load_references(directory: str | Path) -> References:
    """Read every reference list in ``directory``: ``*.jsonl`` publisher files and ``*.opml``
    feed lists (one per country, named after the country) in it or one level below."""
    root = Path(directory)
    if not root.is_dir():
        raise ValueError(f"{root}: not a folder of reference feed lists")
    publishers: list[RefPublisher] = []
    for path in sorted(root.glob("*.jsonl")):
        publishers.extend(_read_publishers_jsonl(path, path.stem))
    for path in sorted([*root.glob("*.opml"), *root.glob("*/*.opml")]):
        country = _country_of_opml_name(path.stem)
        if country is None:
            raise ValueError(f"{path}: cannot tell the country from the file name")
        publishers.extend(_read_opml(path, country, path.parent.name if path.parent != root else path.stem))
    if not publishers:
        raise ValueError(f"{root}: no reference lists (*.jsonl, *.opml) found")
    return References(publishers)


# --------------------------------------------------------------------------- statuses


def classify(url: str, refs: References) -> tuple[Status, str]:
    """How a feed URL is known, with its evidence."""
    hit = refs.by_key.get(url_key(url))
    if hit is not None:
        return "reference", hit.source
    cms = cms_convention(url)
    if cms:
        return "cms", cms
    return "unverified", ""


@dataclass(frozen=True, slots=True)
class FeedCheck:
    outlet_id: str
    country: str
    url: str
    recorded: str  # the status the catalogue records
    status: Status  # the status the references give
    evidence: str
    site_known: bool  # a reference lists feeds for the outlet's site


@dataclass
class CrossCheck:
    feeds: list[FeedCheck]
    missing: list[RefPublisher]  # reference outlets for thinly covered countries, not in the catalogue

    @property
    def contradicted(self) -> list[FeedCheck]:
        """Guessed URLs for sites whose feeds a reference knows: what must be fixed."""
        return [f for f in self.feeds if f.site_known and f.status != "reference"]

    @property
    def stale(self) -> list[FeedCheck]:
        """Feeds whose recorded status differs from what the references now say."""
        return [f for f in self.feeds if f.recorded != f.status]


def outlet_site(outlet: Outlet) -> str:
    return site_of(outlet.homepage)


def _host(url: str) -> str:
    return (urlsplit(url.strip()).hostname or "").lower().rstrip(".").removeprefix("www.")


def _path(url: str) -> str:
    return urlsplit(url.strip()).path.rstrip("/").lower()


def _outlet_hosts(outlet: Outlet) -> set[str]:
    return {h for h in [_host(outlet.homepage), *(_host(f.url) for f in outlet.feeds)] if h}


def reference_feeds_for(outlet: Outlet, refs: References, *, shared_hosts: frozenset[str] = frozenset()) -> list[RefFeed]:
    """The feeds the references give for this outlet, RSS first, then news sitemaps, then sitemaps.

    A reference feed belongs to the outlet when it is on one of the outlet's hosts (its homepage's
    or its feeds'). Where that host serves several outlets of the catalogue (``shared_hosts``: a
    broadcaster's language editions, a paper's country edition), the feed must also sit under the
    outlet's homepage path (``/es/``, ``/australia-news``); otherwise it is another edition's
    feed and says nothing about this outlet's."""
    hosts = _outlet_hosts(outlet)
    home_path = _path(outlet.homepage)
    seen: set[str] = set()
    out: list[RefFeed] = []
    for f in refs.by_site.get(outlet_site(outlet), []):
        host = _host(f.url)
        if host not in hosts:
            continue
        if host in shared_hosts and not (home_path and _path(f.url).startswith(home_path)):
            continue
        k = url_key(f.url)
        if k not in seen:
            seen.add(k)
            out.append(f)
    order = {"rss": 0, "news_sitemap": 1, "sitemap": 2}
    return sorted(out, key=lambda f: order[f.kind])


def shared_hosts_of(outlets: Sequence[Outlet]) -> frozenset[str]:
    """Hosts that more than one outlet of the catalogue lives on."""
    count: Counter[str] = Counter()
    for o in outlets:
        count.update(_outlet_hosts(o))
    return frozenset(h for h, n in count.items() if n > 1)


def crosscheck(outlets: Sequence[Outlet], refs: References, *, min_per_country: int = MIN_OUTLETS_PER_COUNTRY) -> CrossCheck:
    checks: list[FeedCheck] = []
    shared = shared_hosts_of(outlets)
    for o in outlets:
        known = bool(reference_feeds_for(o, refs, shared_hosts=shared))
        for f in o.feeds:
            status, evidence = classify(f.url, refs)
            checks.append(FeedCheck(o.id, o.country, f.url, f.verified, status, evidence, known))
    return CrossCheck(checks, missing_outlets(outlets, refs, min_per_country=min_per_country))


def missing_outlets(outlets: Sequence[Outlet], refs: References, *, min_per_country: int = MIN_OUTLETS_PER_COUNTRY) -> list[RefPublisher]:
    per_country = Counter(o.country for o in outlets)
    have_sites = {site_of(u) for o in outlets for u in [o.homepage, *(f.url for f in o.feeds)]}
    out: list[RefPublisher] = []
    taken: set[str] = set()
    for p in refs.publishers:
        if per_country[p.country] >= min_per_country or not p.feeds:
            continue
        sites = {p.site, *(site_of(f.url) for f in p.feeds)}
        if sites & (have_sites | taken) or sites & FEED_SERVICES:
            continue
        taken |= sites
        out.append(p)
    return out


def breakdown(outlets: Sequence[Outlet]) -> dict[str, object]:
    """What the catalogue records about its feeds: counts by status and evidence, no network."""
    by_status: Counter[str] = Counter()
    by_evidence: Counter[str] = Counter()
    by_country: dict[str, Counter[str]] = defaultdict(Counter)
    for o in outlets:
        for f in o.feeds:
            by_status[f.verified] += 1
            by_country[o.country][f.verified] += 1
            if f.evidence:
                by_evidence[f"{f.verified}:{f.evidence}"] += 1
    return {
        "outlets": len(outlets),
        "countries": len({o.country for o in outlets}),
        "feeds": sum(by_status.values()),
        "by_status": {s: by_status.get(s, 0) for s in STATUSES},
        "by_evidence": dict(sorted(by_evidence.items())),
        "by_country": {cc: {s: c.get(s, 0) for s in STATUSES} for cc, c in sorted(by_country.items())},
    }
