"""Server-rendered pages. Every page works without JavaScript; the globe script only enhances the home page."""

from __future__ import annotations

import json
import math
import re
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Form, HTTPException, Path, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from starlette.datastructures import FormData
from markupsafe import Markup

from globewire.log import get_logger
from globewire.web import front, geo
from globewire.web.front import HOME_CACHE_SECONDS
from globewire.web.context import WebContext, get_ctx, render
from globewire.web.queries import HEALTH_STATES, WINDOW_LABELS, CursorError, search_filters_of
from globewire.web.views import SearchGroup
from globewire.web.security import CSRF_COOKIE, check_admin_token, safe_external_url

log = get_logger(__name__)
router = APIRouter(include_in_schema=False)

# A country page's lists (stories covered, stories about it, latest articles) are shared by all its
# visitors in the same way; at 20k stories they take 10-20 ms to gather.
COUNTRY_CACHE_SECONDS = 30.0
SHADE_LEVELS = 6  # globe/map shading classes lvl-0 (no articles) .. lvl-5 (the busiest country)
MAX_OPML_BYTES = 2_000_000
OUTLET_ID_RE = re.compile(r"^[a-z0-9][a-z0-9._-]{1,80}$")

IdPath = Annotated[int, Path(ge=1, le=2**62)]


def shade_level(n: int, top: int) -> int:
    """Log-scaled level 1..SHADE_LEVELS-1 for a count (0 for none), relative to the busiest country."""
    if n <= 0 or top <= 0:
        return 0
    return max(1, min(SHADE_LEVELS - 1, math.ceil(math.log1p(n) / math.log1p(top) * (SHADE_LEVELS - 1))))


def world_map(highlight: dict[str, str], *, title: str, label: str) -> Markup:
    """The server-side static map: one path per country with a CSS class (covering, mentioned, ...)."""
    return Markup(geo.static_map_svg(highlight, title=title, label=label))


def json_for_html(data: Any) -> str:
    """JSON safe inside <script type="application/json">: no '<', '>' or '&' can end the element."""
    return (json.dumps(data, separators=(",", ":"), ensure_ascii=False)
            .replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026"))


@router.get("/favicon.ico")
def favicon() -> Response:
    from importlib import resources

    svg = (resources.files("globewire.web") / "static" / "favicon.svg").read_bytes()
    return Response(svg, media_type="image/svg+xml", headers={"cache-control": "public, max-age=86400"})


@router.get("/map/world.svg")
def world_map_svg() -> Response:
    return Response(geo.world_svg(), media_type="image/svg+xml",
                    headers={"cache-control": "public, max-age=86400"})


# --------------------------------------------------------------------------- home


WindowQ = Annotated[Literal["24h", "7d", "30d", "all"] | None,
                    Query(description="Time window of the globe: 24h, 7d, 30d or all.")]


@router.get("/", response_class=HTMLResponse)
def home(request: Request, window: WindowQ = None) -> HTMLResponse:
    """The front page (``front.front_page``, like /api/v1/front): the globe and countries by articles in a
    window chosen by plain links (default: the smallest window with news, said so), story cards. The page
    is the same for every visitor of a window: its HTML is kept for HOME_CACHE_SECONDS (rendering ~18 cards
    and ~250 country rows costs ~8 ms), except while there are no stories (a new install shows its crawl
    as it goes)."""
    ctx = get_ctx(request)
    page = front.front_page(ctx, window)
    if not page.top:
        return HTMLResponse(_home_html(request, ctx, page))
    return HTMLResponse(ctx.read.cached(f"home:html:{window or ''}", HOME_CACHE_SECONDS,
                                        lambda: _home_html(request, ctx, page)))


def _home_html(request: Request, ctx: WebContext, page: front.FrontPage) -> str:
    counts = page.counts
    top = max(counts.values(), default=0)
    countries: list[dict[str, Any]] = []
    for s in geo.shapes():
        if s.cc:
            n = counts.get(s.cc, 0)
            countries.append({"cc": s.cc, "name": s.name, "count": n, "level": shade_level(n, top)})
    known = {c["cc"] for c in countries}
    for cc, n in counts.items():  # countries too small for the 110m atlas (e.g. SG, HK) still get a row
        if cc not in known and geo.is_country_code(cc):
            countries.append({"cc": cc, "name": geo.country_name(cc), "count": n, "level": shade_level(n, top)})
    countries.sort(key=lambda c: c["name"])
    globe_data = {
        "window": page.label,
        "ids": geo.numeric_to_alpha2() | {"": ""},
        "countries": {c["cc"]: [c["name"], c["count"], c["level"]] for c in countries},
        "atlas": str(request.url_for("static", path="vendor/countries-110m.json").path),
    }
    ranked = sorted((c for c in countries if c["count"]), key=lambda c: (-c["count"], c["name"]))
    return ctx.templates.get_template("home.html").render(
        request=request, ctx=ctx, page=page, window=page.label, windows=WINDOW_LABELS,
        countries=countries, ranked=ranked, globe_json=json_for_html(globe_data),
        top=page.top, blindspot=page.blindspot, reference=ctx.reference_country,
        flat_map=world_map({c["cc"]: f"lvl-{c['level']}" for c in countries if c["level"]},
                           title=f"Articles per country, {page.label}",
                           label=f"Map of articles per country, {page.label}"),
    )


# --------------------------------------------------------------------------- country


@router.get("/country")
def country_pick(cc: Annotated[str, Query(max_length=8)] = "") -> Response:
    """Target of the no-JS country picker: redirects to the country's page."""
    if not geo.is_country_code(cc):
        raise HTTPException(404, "No such country.")
    return RedirectResponse(f"/country/{cc.upper()}", status_code=303)


@router.get("/country/{cc}", response_class=HTMLResponse)
def country(request: Request, cc: Annotated[str, Path(max_length=8)],
            cursor: Annotated[str, Query(max_length=300)] = "") -> HTMLResponse:
    """A country: its outlets, stories they cover, stories about it, and its articles newest published
    first, paged by "More articles" (a keyset cursor; later pages list articles only)."""
    if not geo.is_country_code(cc):
        raise HTTPException(404, "No such country.")
    cc = cc.upper()
    ctx = get_ctx(request)
    if cursor:
        page = ctx.read.country_page(cc, cursor=cursor)
    else:  # the first page is the same for every visitor
        page = ctx.read.cached(f"country:{cc}", COUNTRY_CACHE_SECONDS, lambda: ctx.read.country_page(cc))
    return render(request, "country.html", cc=cc, name=geo.country_name(cc), cursor=cursor, outlets=page.outlets,
                  articles=page.articles, next_cursor=page.next_cursor, stories=page.stories, about=page.about)


# --------------------------------------------------------------------------- blindspot


@router.get("/blindspot", response_class=HTMLResponse)
def blindspot(request: Request, cursor: Annotated[str, Query(max_length=300)] = "") -> HTMLResponse:
    """Stories the reference country's media overlooked — only where its outlets were crawled in the
    story's window (see stories/blindspot.py); the same list as /api/v1/blindspot and the feeds."""
    ctx = get_ctx(request)
    ref = ctx.reference_country
    page = ctx.read.blindspot(limit=20, cursor=cursor or None)
    evidence = ctx.read.cached(f"blindspot:evidence:{ref}", HOME_CACHE_SECONDS,
                               lambda: ctx.read.reference_evidence(ref))
    unknown = [] if cursor else ctx.read.cached("blindspot:unknown", HOME_CACHE_SECONDS,
                                                lambda: ctx.read.blindspot_unknown(limit=10))
    return render(request, "blindspot.html", reference=ref, ref_name=geo.country_name(ref), evidence=evidence,
                  cursor=cursor, unknown=unknown, stories=page.stories, next_cursor=page.next_cursor)


# --------------------------------------------------------------------------- story


@router.get("/story/{story_id}", response_class=HTMLResponse)
def story(request: Request, story_id: IdPath) -> HTMLResponse:
    """A story (``front.story_page``, like /api/v1/stories/{id})."""
    ctx = get_ctx(request)
    page = front.story_page(ctx, story_id)
    if page is None:
        raise HTTPException(404, "No such story.")
    s = page.story
    covering = set(s.countries_covering) | {g.cc for g in page.groups if g.cc}
    highlight = {cc: "men" for cc in s.countries_mentioned}
    highlight.update({cc: "cov" for cc in covering})
    by_id = {a.id: a for a in page.articles}
    sources: dict[int, int] = {}  # article id -> footnote number, in order of first use in the summary
    for sent in s.summary:
        aid = sent.get("article_id")
        if isinstance(aid, int) and aid not in sources:
            sources[aid] = len(sources) + 1
    return render(
        request, "story.html", s=s, page=page, by_id=by_id, sources=sources,
        map=world_map(highlight, title="Countries covering this story",
                      label="Map of the countries covering this story"),
        reference=ctx.reference_country,
    )


# --------------------------------------------------------------------------- article


@router.get("/article/{article_id}", response_class=HTMLResponse)
def article(request: Request, article_id: IdPath) -> HTMLResponse:
    """An article (``front.article_page``, like /api/v1/articles/{id})."""
    ctx = get_ctx(request)
    data = front.article_page(ctx, article_id)
    if data is None:
        raise HTTPException(404, "No such article.")
    a = data.article
    t = data.translation or {}
    rows = [x for x in t.get("alignment", []) if x.get("src") or x.get("en")]
    paras: list[list[dict[str, Any]]] = []
    last = object()
    for x in rows:
        if x.get("para") != last or not paras:
            paras.append([])
            last = x.get("para")
        paras[-1].append(x)
    return render(
        request, "article.html", a=a, data=data, outlet=data.outlet, t=t, aligned=paras,
        original_paras=[p for p in a.text.split("\n") if p.strip()],
        english_paras=[p for p in (t.get("text_en") or "").split("\n") if p.strip()],
        versions=data.versions, duplicates=data.duplicates, story_id=data.story_id,
        source_url=safe_external_url(a.canonical_url) or safe_external_url(a.url),
        image=data.image,
    )


# --------------------------------------------------------------------------- search


@router.get("/search", response_class=HTMLResponse)
def search(
    request: Request,
    q: Annotated[str, Query(max_length=500)] = "",
    country: Annotated[str, Query(max_length=8)] = "",
    language: Annotated[str, Query(max_length=8)] = "",
    since: Annotated[str, Query(max_length=40)] = "",
    until: Annotated[str, Query(max_length=40)] = "",
    cursor: Annotated[str, Query(max_length=300)] = "",
) -> HTMLResponse:
    ctx = get_ctx(request)
    error = ""
    groups: list[SearchGroup] = []
    nxt = None
    try:
        filters = search_filters_of(country, language, since, until)
    except ValueError as exc:
        filters, error = {}, str(exc)
    if q.strip() and not error:
        try:
            groups, nxt = ctx.read.search_stories(q, limit=20, cursor=cursor or None, **filters)
        except CursorError:
            error = "This results page has expired; start the search again."
    feed_qs = request.url.query
    return render(request, "search.html", q=q, country=country, language=language, since=since, until=until,
                  groups=groups, next_cursor=nxt, error=error, feed_qs=feed_qs,
                  countries=sorted(((c, geo.country_name(c)) for c in ctx.read.outlet_counts_by_country()),
                                   key=lambda x: x[1]))


# --------------------------------------------------------------------------- outlets


@router.get("/outlets", response_class=HTMLResponse)
def outlets(
    request: Request,
    country: Annotated[str, Query(max_length=8)] = "",
    language: Annotated[str, Query(max_length=8)] = "",
    health: Annotated[str, Query(max_length=20)] = "",
) -> HTMLResponse:
    """The catalogue with feed health, filtered by country, language and health (a plain GET form: no
    script needed); the same rows as /api/v1/outlets."""
    ctx = get_ctx(request)
    cc = country.upper() if geo.is_country_code(country) else None
    lang = language.lower() if re.fullmatch(r"[A-Za-z]{2,3}", language) else None
    state = health if health in HEALTH_STATES else None
    everything = ctx.read.outlet_health()
    rows = ctx.read.outlet_health(cc, language=lang, health=state)
    for r in rows:
        r["homepage_safe"] = safe_external_url(r.get("homepage"))
    rows.sort(key=lambda r: (geo.country_name(str(r.get("country") or "")), str(r.get("name") or "").casefold()))
    countries = sorted({str(r["country"]).upper() for r in everything if r.get("country")},
                       key=geo.country_name)
    languages = sorted({x for r in everything for x in r["languages"]})
    problems = [msg for given, ok, msg in ((country, cc, "Unknown country code."),
                                           (language, lang, "Unknown language code."),
                                           (health, state, "Unknown health state.")) if given and not ok]
    return render(request, "outlets.html", rows=rows, total=len(everything), country=cc, language=lang,
                  health=state, countries=countries, languages=languages, states=HEALTH_STATES,
                  error=" ".join(problems))


# --------------------------------------------------------------------------- admin (POST only, token + CSRF)


def _csrf_nonce(request: Request) -> tuple[str, bool]:
    ctx = get_ctx(request)
    nonce = request.cookies.get(CSRF_COOKIE) or ""
    if re.fullmatch(r"[A-Za-z0-9_-]{20,64}", nonce):
        return nonce, False
    return ctx.signer.new_csrf_nonce(), True


@router.get("/admin", response_class=HTMLResponse)
def admin(request: Request, done: Annotated[str, Query(max_length=200)] = "") -> HTMLResponse:
    ctx = get_ctx(request)
    nonce, fresh = _csrf_nonce(request)
    resp = render(request, "admin.html", enabled=bool(ctx.web.admin_token), csrf=ctx.signer.csrf_token(nonce),
                  done=done)
    if fresh:
        resp.set_cookie(CSRF_COOKIE, nonce, httponly=True, samesite="strict", path="/admin",
                        secure=request.url.scheme == "https")
    resp.headers["cache-control"] = "no-store"
    return resp


def require_admin(request: Request, token: str, csrf: str) -> WebContext:
    """Admin POSTs need the admin token and a CSRF token matching the cookie (or a Bearer token header,
    which browsers never attach on their own)."""
    ctx = get_ctx(request)
    if not ctx.web.admin_token:
        raise HTTPException(403, "Admin actions are disabled (no admin token configured).")
    auth = request.headers.get("authorization", "")
    if auth.lower().startswith("bearer ") and check_admin_token(ctx.web.admin_token, auth[7:].strip()):
        return ctx
    if not ctx.signer.check_csrf(request.cookies.get(CSRF_COOKIE), csrf):
        raise HTTPException(403, "Missing or invalid CSRF token; reload the admin page and try again.")
    if not check_admin_token(ctx.web.admin_token, token):
        raise HTTPException(403, "Wrong admin token.")
    return ctx


def _done(message: str) -> RedirectResponse:
    from urllib.parse import quote

    return RedirectResponse("/admin?done=" + quote(message[:180]), status_code=303)


@router.post("/admin/outlets")
def admin_add_outlet(
    request: Request,
    token: Annotated[str, Form(max_length=500)] = "",
    csrf: Annotated[str, Form(max_length=200)] = "",
    id: Annotated[str, Form(max_length=80)] = "",
    name: Annotated[str, Form(max_length=200)] = "",
    homepage: Annotated[str, Form(max_length=500)] = "",
    country: Annotated[str, Form(max_length=8)] = "",
    language: Annotated[str, Form(max_length=8)] = "",
    feed: Annotated[str, Form(max_length=1000)] = "",
) -> Response:
    ctx = require_admin(request, token, csrf)
    from globewire.web.opml_io import CatalogueError, add_outlets

    if not OUTLET_ID_RE.fullmatch(id):
        raise HTTPException(400, "Outlet id: lower-case letters, digits, '.', '_' or '-'.")
    if not geo.is_country_code(country):
        raise HTTPException(400, "Country: an ISO 3166-1 alpha-2 code.")
    if not re.fullmatch(r"[a-z]{2}", language.lower()):
        raise HTTPException(400, "Language: an ISO 639-1 code.")
    if not safe_external_url(homepage) or (feed and not safe_external_url(feed)):
        raise HTTPException(400, "Homepage and feed must be http(s) URLs.")
    entry: dict[str, Any] = {"id": id, "name": name.strip() or id, "country": country.upper(),
                             "homepage": homepage, "languages": [language.lower()], "feeds": [feed] if feed else []}
    try:
        added = add_outlets(ctx.settings, ctx.store, [entry])
    except CatalogueError as exc:
        raise HTTPException(400, f"Outlet not added: {exc}") from exc
    log.info("admin_outlet_added", outlet=id)
    return _done(f"Added outlet {', '.join(added) or id}.")


@router.post("/admin/opml")
async def admin_import_opml(request: Request) -> Response:
    # the context closes the upload's temporary file (left open, it is reported as a ResourceWarning)
    async with request.form(max_files=1, max_fields=10) as form:
        return await _import_opml(request, form)


async def _import_opml(request: Request, form: FormData) -> Response:
    token = str(form.get("token") or "")
    csrf = str(form.get("csrf") or "")
    ctx = require_admin(request, token, csrf)
    upload = form.get("file")
    text = str(form.get("opml") or "")
    if upload is not None and not isinstance(upload, str):
        raw = await upload.read(MAX_OPML_BYTES + 1)
        if len(raw) > MAX_OPML_BYTES:
            raise HTTPException(413, "OPML file too large.")
        text = raw.decode("utf-8", errors="replace")
    if not text.strip():
        raise HTTPException(400, "No OPML given.")
    country = str(form.get("country") or "").upper()
    language = str(form.get("language") or "").lower()
    if country and not geo.is_country_code(country):
        raise HTTPException(400, "Country: an ISO 3166-1 alpha-2 code.")
    if language and not re.fullmatch(r"[a-z]{2}", language):
        raise HTTPException(400, "Language: an ISO 639-1 code.")
    from globewire.web.opml_io import CatalogueError, OpmlError, import_user_opml

    try:
        added, notes = import_user_opml(ctx.settings, ctx.store, text, country=country or None,
                                        language=language or None)
    except (OpmlError, CatalogueError) as exc:
        raise HTTPException(400, f"OPML not usable: {exc}") from exc
    log.info("admin_opml_imported", outlets=len(added), skipped=len(notes))
    return _done(f"Imported {len(added)} outlets" + (f"; {len(notes)} feeds skipped." if notes else "."))


@router.post("/admin/recrawl")
def admin_recrawl(
    request: Request,
    token: Annotated[str, Form(max_length=500)] = "",
    csrf: Annotated[str, Form(max_length=200)] = "",
    outlet: Annotated[str, Form(max_length=80)] = "",
) -> Response:
    ctx = require_admin(request, token, csrf)
    hook = ctx.hooks.get("recrawl")
    if hook is None:
        return _done("No crawler runs in this process (start `globewire run` to crawl and serve).")
    hook(outlet or None)
    log.info("admin_recrawl", outlet=outlet or "*")
    return _done("Re-crawl requested" + (f" for {outlet}." if outlet else "."))
