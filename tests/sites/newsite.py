"""A small synthetic multi-outlet news site served on 127.0.0.1, for crawl/pipeline tests.

Five outlets, each on its own :class:`LoopbackServer` (own port, own robots.txt):

=====================  ====  ====  ==========================================================
outlet id              cc    lang  feeds
=====================  ====  ====  ==========================================================
northgate-herald       GB    en    RSS 2.0 ``/feeds/rss.xml``, news sitemap ``/news-sitemap.xml``
lakeshore-courier      US    en    Atom ``/atom.xml``, news sitemap ``/news-sitemap.xml``
rheinblick             DE    de    RSS 2.0 ``/rss``, news sitemap ``/sitemap-news.xml``
el-faro-sur            ES    es    RSS 2.0 ``/rss.xml``, sitemap INDEX ``/sitemap.xml`` -> ``/sitemap-news.xml``
minato-shimbun         JP    ja    RSS 1.0 (RDF) ``/index.rdf``, news sitemap ``/sitemap-news.xml``
=====================  ====  ====  ==========================================================

Special cases: the British and the US outlet carry the same wire story word for word (``wire=True``);
the Northgate night-bus article changes on the second request (same URL, new ETag, an added paragraph);
each robots.txt disallows one path, and the Northgate feed links one article under it (``/premium/``).

    with NewsSite() as site:
        outlets = site.outlets                  # records.Outlet pointing at the loopback URLs
        settings = site.fetch_settings()        # allow_private_addresses=True, small delays
        site.requests("rheinblick")             # what the crawler asked for

With ``virtual_hosts=True`` the outlets use ``http://<outlet-id>.test:<port>/`` URLs; pass
``site.resolver`` to the Fetcher so those names resolve to 127.0.0.1.
"""

from __future__ import annotations

import datetime as dt
import html
import json
from dataclasses import dataclass, field
from typing import Any
from xml.sax.saxutils import escape

from globewire.config.fetch import FetchSettings
from globewire.records import Feed, Outlet

from .newsite_texts import NIGHT_BUS_UPDATE, TEXTS, Text
from .server import LoggedRequest, LoopbackServer, Response, http_date, sequence


@dataclass(frozen=True)
class OutletSpec:
    id: str
    name: str
    country: str
    language: str
    ownership: str
    disallow: str
    feed_path: str
    feed_format: str  # rss | atom | rdf
    sitemap_path: str
    sitemap_index: bool = False
    article_prefix: str = "/news"


SPECS: tuple[OutletSpec, ...] = (
    OutletSpec(
        "northgate-herald",
        "The Northgate Herald",
        "GB",
        "en",
        "private",
        "/premium/",
        "/feeds/rss.xml",
        "rss",
        "/news-sitemap.xml",
        article_prefix="/news",
    ),
    OutletSpec(
        "lakeshore-courier",
        "Lakeshore Courier",
        "US",
        "en",
        "private",
        "/search",
        "/atom.xml",
        "atom",
        "/news-sitemap.xml",
        article_prefix="/story",
    ),
    OutletSpec(
        "rheinblick",
        "Rheinblick Zeitung",
        "DE",
        "de",
        "private",
        "/intern/",
        "/rss",
        "rss",
        "/sitemap-news.xml",
        article_prefix="/artikel",
    ),
    OutletSpec(
        "el-faro-sur",
        "El Faro del Sur",
        "ES",
        "es",
        "private",
        "/privado/",
        "/rss.xml",
        "rss",
        "/sitemap.xml",
        sitemap_index=True,
        article_prefix="/noticias",
    ),
    OutletSpec(
        "minato-shimbun",
        "Minato Shimbun",
        "JP",
        "ja",
        "private",
        "/members/",
        "/index.rdf",
        "rdf",
        "/sitemap-news.xml",
        article_prefix="/articles",
    ),
)


@dataclass(frozen=True)
class SiteArticle:
    outlet_id: str
    url: str
    path: str
    story: str
    language: str
    country: str
    title: str
    description: str
    author: str
    section: str
    paragraphs: tuple[str, ...]
    published_at: dt.datetime
    wire: bool = False
    disallowed: bool = False
    updated_paragraphs: tuple[str, ...] | None = None  # served from the second request on

    @property
    def text(self) -> str:
        return "\n\n".join(self.paragraphs)

    @property
    def updated_text(self) -> str | None:
        return "\n\n".join(self.updated_paragraphs) if self.updated_paragraphs else None


def _slug(text: Text, idx: int) -> str:
    return f"{text.story}-{idx + 1}"


@dataclass
class NewsSite:
    virtual_hosts: bool = False
    now: dt.datetime = field(default_factory=lambda: dt.datetime.now(dt.timezone.utc).replace(microsecond=0))
    servers: dict[str, LoopbackServer] = field(default_factory=dict)
    outlets: list[Outlet] = field(default_factory=list)
    articles: list[SiteArticle] = field(default_factory=list)

    # -------------------------------------------------------------- lifecycle

    def start(self) -> NewsSite:
        for spec in SPECS:
            srv = LoopbackServer().start()
            self.servers[spec.id] = srv
            self._build_outlet(spec, srv)
        return self

    def stop(self) -> None:
        for srv in self.servers.values():
            srv.stop()
        self.servers.clear()

    def __enter__(self) -> NewsSite:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # -------------------------------------------------------------- helpers for tests

    def base(self, outlet_id: str) -> str:
        host = f"{outlet_id}.test" if self.virtual_hosts else "127.0.0.1"
        return f"http://{host}:{self.servers[outlet_id].port}"

    async def resolver(self, host: str, port: int) -> list[str]:
        """For ``Fetcher(resolver=...)`` with ``virtual_hosts=True``: ``*.test`` and 127.0.0.1 only."""
        if host.endswith(".test") or host in ("127.0.0.1", "localhost"):
            return ["127.0.0.1"]
        from globewire.fetch.safety import ResolveError

        raise ResolveError(f"{host} is not part of the test site")

    def fetch_settings(self, **overrides: Any) -> FetchSettings:
        values: dict[str, Any] = dict(
            allow_private_addresses=True,
            min_host_delay=0.05,
            connect_timeout=3,
            read_timeout=5,
            total_timeout=15,
            backoff_base=0.1,
            max_retries=1,
        )
        values.update(overrides)
        return FetchSettings(**values)

    def requests(self, outlet_id: str) -> list[LoggedRequest]:
        return self.servers[outlet_id].requests

    def outlet(self, outlet_id: str) -> Outlet:
        return next(o for o in self.outlets if o.id == outlet_id)

    def story(self, story: str) -> list[SiteArticle]:
        return [a for a in self.articles if a.story == story]

    def article(self, outlet_id: str, story: str) -> SiteArticle:
        return next(a for a in self.articles if a.outlet_id == outlet_id and a.story == story)

    # -------------------------------------------------------------- building

    def _build_outlet(self, spec: OutletSpec, srv: LoopbackServer) -> None:
        base = self.base(spec.id)
        arts: list[SiteArticle] = []
        for idx, text in enumerate(TEXTS[spec.id]):
            published = self.now - dt.timedelta(hours=text.hours_ago)
            disallowed = text.section == "premium"
            prefix = spec.disallow.rstrip("/") if disallowed else spec.article_prefix
            path = f"{prefix}/{published:%Y/%m/%d}/{_slug(text, idx)}.html"
            updated = None
            if text.story == "gb-night-buses":
                updated = text.paragraphs + NIGHT_BUS_UPDATE
            art = SiteArticle(
                outlet_id=spec.id,
                url=base + path,
                path=path,
                story=text.story,
                language=spec.language,
                country=spec.country,
                title=text.title,
                description=text.description,
                author=text.author,
                section=text.section,
                paragraphs=text.paragraphs,
                published_at=published,
                wire=text.author == "Meridian Wire staff",
                disallowed=disallowed,
                updated_paragraphs=updated,
            )
            arts.append(art)
        self.articles.extend(arts)
        for art in arts:
            self._route_article(spec, srv, art)
        srv.route("/robots.txt", Response(body=self._robots(spec, base).encode(), content_type="text/plain"))
        srv.route("/", Response(body=self._homepage(spec, arts).encode()))
        feed_body, ctype = self._feed(spec, base, arts)
        srv.route(
            spec.feed_path,
            Response(
                body=feed_body.encode(),
                content_type=ctype,
                etag=f'"feed-{spec.id}-1"',
                last_modified=http_date(self.now.timestamp()),
            ),
        )
        news = self._news_sitemap(spec, [a for a in arts if not a.disallowed])
        if spec.sitemap_index:
            srv.route("/sitemap-news.xml", Response(body=news.encode(), content_type="application/xml"))
            srv.route(
                spec.sitemap_path, Response(body=self._sitemap_index(base).encode(), content_type="application/xml")
            )
        else:
            srv.route(spec.sitemap_path, Response(body=news.encode(), content_type="application/xml"))
        self.outlets.append(
            Outlet(
                id=spec.id,
                name=spec.name,
                homepage=base + "/",
                country=spec.country,
                languages=(spec.language,),
                feeds=(
                    Feed(url=base + spec.feed_path, section="main", kind="rss"),
                    Feed(url=base + spec.sitemap_path, section="news", kind="sitemap"),
                ),
                ownership=spec.ownership,  # type: ignore[arg-type]
                ownership_source="synthetic test site",
                origin="tests/sites/newsite.py",
            )
        )

    def _route_article(self, spec: OutletSpec, srv: LoopbackServer, art: SiteArticle) -> None:
        page = self._article_html(spec, art, art.paragraphs, modified=None)
        first = Response(
            body=page.encode(), etag=f'"{art.path}-v1"', last_modified=http_date(art.published_at.timestamp())
        )
        if art.updated_paragraphs is None:
            srv.route(art.path, first)
            return
        modified = self.now - dt.timedelta(minutes=30)
        second_page = self._article_html(spec, art, art.updated_paragraphs, modified=modified)
        second = Response(
            body=second_page.encode(), etag=f'"{art.path}-v2"', last_modified=http_date(modified.timestamp())
        )
        srv.route(art.path, sequence(first, second))

    def _robots(self, spec: OutletSpec, base: str) -> str:
        return (
            f"# robots.txt for {spec.name}\nUser-agent: *\nDisallow: {spec.disallow}\nAllow: /\n\n"
            f"Sitemap: {base}{spec.sitemap_path}\n"
        )

    def _homepage(self, spec: OutletSpec, arts: list[SiteArticle]) -> str:
        links = "\n".join(f'<li><a href="{a.path}">{html.escape(a.title)}</a></li>' for a in arts)
        return (
            f'<!DOCTYPE html><html lang="{spec.language}"><head><meta charset="utf-8"><title>{html.escape(spec.name)}'
            f'</title><link rel="alternate" type="application/rss+xml" href="{spec.feed_path}"></head><body>'
            f"<header><h1>{html.escape(spec.name)}</h1></header><main><ul>{links}</ul></main></body></html>"
        )

    def _article_html(
        self, spec: OutletSpec, art: SiteArticle, paragraphs: tuple[str, ...], modified: dt.datetime | None
    ) -> str:
        e = html.escape
        ld: dict[str, Any] = {
            "@context": "https://schema.org",
            "@type": "NewsArticle",
            "headline": art.title,
            "datePublished": art.published_at.isoformat(),
            "dateModified": (modified or art.published_at).isoformat(),
            "author": [{"@type": "Person" if not art.wire else "Organization", "name": art.author}],
            "publisher": {"@type": "Organization", "name": spec.name},
            "inLanguage": spec.language,
            "mainEntityOfPage": art.url,
            "articleSection": art.section,
        }
        body = "\n".join(f"<p>{e(p)}</p>" for p in paragraphs)
        related = "".join(
            f'<li><a href="{a.path}">{e(a.title)}</a></li>'
            for a in self.articles
            if a.outlet_id == spec.id and a.path != art.path
        )
        cookie = {
            "en": "We use cookies to improve your experience.",
            "de": "Wir verwenden Cookies.",
            "es": "Utilizamos cookies.",
            "ja": "このサイトはクッキーを使用しています。",
        }[spec.language]
        return f"""<!DOCTYPE html>
<html lang="{spec.language}">
<head>
<meta charset="utf-8">
<title>{e(art.title)} | {e(spec.name)}</title>
<meta name="description" content="{e(art.description)}">
<meta name="author" content="{e(art.author)}">
<meta property="og:type" content="article">
<meta property="og:title" content="{e(art.title)}">
<meta property="og:description" content="{e(art.description)}">
<meta property="og:url" content="{art.url}">
<meta property="og:site_name" content="{e(spec.name)}">
<meta property="og:image" content="{self.base(spec.id)}/img/{art.story}.jpg">
<meta property="article:published_time" content="{art.published_at.isoformat()}">
<link rel="canonical" href="{art.url}">
<script type="application/ld+json">{json.dumps(ld, ensure_ascii=False)}</script>
</head>
<body>
<div class="cookie-banner" id="cookie-consent"><p>{e(cookie)}</p><button>OK</button></div>
<nav class="site-nav"><a href="/">{e(spec.name)}</a> <a href="/{art.section}/">{e(art.section)}</a>
<a href="/sport/">Sport</a> <a href="/culture/">Culture</a> <a href="{spec.disallow}">Members</a></nav>
<main>
<article>
<header>
<h1>{e(art.title)}</h1>
<p class="standfirst">{e(art.description)}</p>
<p class="byline">By <span class="author">{e(art.author)}</span>,
<time datetime="{art.published_at.isoformat()}">{art.published_at:%d %B %Y %H:%M} UTC</time></p>
</header>
<figure><img src="/img/{art.story}.jpg" alt=""><figcaption>Photo: {e(spec.name)} archive</figcaption></figure>
<div class="article-body">
{body}
</div>
<div class="share"><a href="https://twitter.example/share">Share</a> <a href="https://facebook.example/share">Share</a>
<button class="copy-link">Copy link</button></div>
</article>
<aside class="related"><h2>Related</h2><ul>{related}</ul></aside>
</main>
<footer><p>&copy; {self.now.year} {e(spec.name)}. All rights reserved.</p><a href="/privacy">Privacy</a></footer>
</body>
</html>
"""

    def _feed(self, spec: OutletSpec, base: str, arts: list[SiteArticle]) -> tuple[str, str]:
        x = escape
        if spec.feed_format == "atom":
            entries = "".join(
                f'<entry><title>{x(a.title)}</title><link rel="alternate" href="{x(a.url)}"/>'
                f"<id>tag:{spec.id}.example,2024:{x(a.path)}</id><published>{a.published_at.isoformat()}</published>"
                f"<updated>{a.published_at.isoformat()}</updated><author><name>{x(a.author)}</name></author>"
                f"<summary>{x(a.description)}</summary></entry>"
                for a in arts
            )
            return (
                f'<?xml version="1.0" encoding="utf-8"?>\n<feed xmlns="http://www.w3.org/2005/Atom" xml:lang="{spec.language}">'
                f"<title>{x(spec.name)}</title><id>{base}/</id><updated>{self.now.isoformat()}</updated>"
                f'<link rel="self" href="{base}{spec.feed_path}"/>{entries}</feed>',
                "application/atom+xml; charset=utf-8",
            )
        if spec.feed_format == "rdf":
            seq = "".join(f'<rdf:li rdf:resource="{x(a.url)}"/>' for a in arts)
            items = "".join(
                f'<item rdf:about="{x(a.url)}"><title>{x(a.title)}</title><link>{x(a.url)}</link>'
                f"<description>{x(a.description)}</description><dc:date>{a.published_at.isoformat()}</dc:date>"
                f"<dc:creator>{x(a.author)}</dc:creator></item>"
                for a in arts
            )
            return (
                '<?xml version="1.0" encoding="utf-8"?>\n<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" '
                'xmlns="http://purl.org/rss/1.0/" xmlns:dc="http://purl.org/dc/elements/1.1/">'
                f'<channel rdf:about="{base}/"><title>{x(spec.name)}</title><link>{base}/</link>'
                f"<description>{x(spec.name)}</description><dc:language>{spec.language}</dc:language>"
                f"<items><rdf:Seq>{seq}</rdf:Seq></items></channel>{items}</rdf:RDF>",
                "application/rdf+xml; charset=utf-8",
            )
        items = "".join(
            # relative links in the German feed exercise link resolution
            f"<item><title>{x(a.title)}</title><link>{x(a.path if spec.id == 'rheinblick' else a.url)}</link>"
            f'<guid isPermaLink="false">{spec.id}-{x(a.story)}</guid>'
            f"<pubDate>{http_date(a.published_at.timestamp())}</pubDate><description>{x(a.description)}</description></item>"
            for a in arts
        )
        return (
            f'<?xml version="1.0" encoding="utf-8"?>\n<rss version="2.0"><channel><title>{x(spec.name)}</title>'
            f"<link>{base}/</link><description>{x(spec.name)}</description><language>{spec.language}</language>"
            f"{items}</channel></rss>",
            "application/rss+xml; charset=utf-8",
        )

    def _news_sitemap(self, spec: OutletSpec, arts: list[SiteArticle]) -> str:
        x = escape
        urls = "".join(
            f"<url><loc>{x(a.url)}</loc><news:news><news:publication><news:name>{x(spec.name)}</news:name>"
            f"<news:language>{spec.language}</news:language></news:publication>"
            f"<news:publication_date>{a.published_at.isoformat()}</news:publication_date>"
            f"<news:title>{x(a.title)}</news:title></news:news></url>"
            for a in arts
        )
        return (
            '<?xml version="1.0" encoding="UTF-8"?>\n<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9" '
            f'xmlns:news="http://www.google.com/schemas/sitemap-news/0.9">{urls}</urlset>'
        )

    def _sitemap_index(self, base: str) -> str:
        return (
            '<?xml version="1.0" encoding="UTF-8"?>\n<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
            f"<sitemap><loc>{base}/sitemap-news.xml</loc><lastmod>{self.now.isoformat()}</lastmod></sitemap></sitemapindex>"
        )


def start_news_site(virtual_hosts: bool = False) -> NewsSite:
    """Start the site (call ``.stop()`` or use ``with NewsSite() as site``)."""
    return NewsSite(virtual_hosts=virtual_hosts).start()
