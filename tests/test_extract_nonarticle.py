"""Non-articles (anti-bot, consent, paywall teasers, error and section pages, repeated notices) never become
articles: recognised by structure at extraction, by repetition across URLs at dedup, recorded by reason."""

from __future__ import annotations

from pathlib import Path

import pytest

from globewire.extract import ExtractionError, ExtractSettings, extract_html
from globewire.extract.nonarticle import judge_repetition, purge_repeated_notices, title_in_body
from globewire.pipeline import PipelineContext, process_documents
from globewire.records import RawDocument
from globewire.settings import load_settings
from globewire.store import open_store

FIXTURES = Path(__file__).parent / "fixtures" / "nonarticles"

EXPECTED = {
    "pl_antibot_access_denied.html": "not_article:antibot",
    "xx_cloudflare_challenge.html": "not_article:antibot",
    "ru_ddos_guard.html": "not_article:antibot",
    "de_consent_wall.html": "not_article:consent",
    "it_consent_overlay.html": "not_article:consent",
    "fr_paywall_teaser.html": "not_article:paywall",
    "ja_not_found.html": "not_article:error_page",
    "ar_404.html": "not_article:error_page",
    "es_section_index.html": "not_article:index_page",
    "tr_tag_page.html": "not_article:index_page",
}
CONTROLS = sorted(p.name for p in FIXTURES.glob("ctrl_*.html")) + sorted(p.name for p in FIXTURES.glob("*liveblog*.html"))


def _extract(name: str):
    return extract_html((FIXTURES / name).read_bytes(), f"https://news.example.org/2024/05/03/{name[:-5]}",
                        settings=ExtractSettings(min_text_chars=0))


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_non_article_pages_fail_with_their_reason(name: str) -> None:
    with pytest.raises(ExtractionError) as exc:
        _extract(name)
    assert exc.value.reason == EXPECTED[name], exc.value.detail
    assert exc.value.detail  # the evidence is recorded with the failure


def test_every_fixture_is_expected_or_a_control() -> None:
    names = {p.name for p in FIXTURES.glob("*.html")}
    assert names == set(EXPECTED) | set(CONTROLS)


@pytest.mark.parametrize("name", CONTROLS)
def test_real_articles_beside_widgets_are_kept(name: str) -> None:
    ex = _extract(name)
    assert len(ex.text) >= 250


def test_detection_can_be_switched_off() -> None:
    ex = extract_html((FIXTURES / "pl_antibot_access_denied.html").read_bytes(), "https://x.example/a",
                      settings=ExtractSettings(min_text_chars=0, detect_nonarticles=False))
    assert "zablokowane" in ex.text


def test_http_status_passed_with_the_headers_makes_an_error_page() -> None:
    raw = (FIXTURES / "ctrl_de_article_with_captcha.html").read_bytes()
    with pytest.raises(ExtractionError) as exc:
        extract_html(raw, "https://x.example/a", http_headers={"x-globewire-status": "410"},
                     settings=ExtractSettings(min_text_chars=0))
    assert exc.value.reason == "not_article:error_page"


# --------------------------------------------------------------------------- repetition across URLs

# A notice inside the site's own chrome (navigation, footer: not a "bare" block page) in a language the phrase
# hints do not cover: only its repetition gives it away.
NOTICE = """<!DOCTYPE html><html lang="hu"><head><meta charset="utf-8"><title>{title}</title>
<meta property="og:title" content="{title}"></head><body>
<nav><a href="/">Címlap</a> <a href="/belfold">Belföld</a> <a href="/kulfold">Külföld</a> <a href="/gazdasag">Gazdaság</a>
<a href="/sport">Sport</a> <a href="/kultura">Kultúra</a></nav>
<main><p>A kérését ebben a pillanatban nem tudjuk kiszolgálni, mert a hálózatáról szokatlanul sok kérés érkezett
rövid idő alatt. Kérjük, várjon néhány percet, majd töltse be újra az oldalt. Ha a hiba tartósan fennáll, írjon
ügyfélszolgálatunknak, és adja meg a kérés azonosítóját, hogy kollégáink ki tudják vizsgálni az esetet.</p>
<p>Kérésazonosító: {ref}</p></main>
<footer><a href="/impresszum">Impresszum</a> <a href="/adatvedelem">Adatvédelem</a></footer></body></html>"""

TITLES = ["Újabb árvíz fenyeget a Tisza mentén", "A kormány bejelentette a minimálbér emelését",
          "Kigyulladt egy kamion az M1-es autópályán", "Bajnok lett a Ferencváros", "Megnyílt az új híd Szegeden",
          "Drágul a benzin jövő héten", "Rekordszámú turista érkezett Budapestre"]

WIRE = """<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>{title}</title>
<meta property="og:type" content="article"></head><body><nav><a href="/">Home</a> <a href="/world">World</a></nav>
<article><h1>{title}</h1><p>Ferry operators on Lake Victoria suspended crossings between Mwanza and Bukoba on Friday
after a storm capsized a cargo vessel near Ukerewe island, Tanzania's maritime authority said.</p>
<p>Rescue teams pulled eleven crew members from the water; two remain missing. The authority said crossings would
resume once wind speeds drop, and urged small boat owners to stay ashore through the weekend.</p></article>
</body></html>"""


def _ctx(tmp_path: Path, **extract: object) -> PipelineContext:
    settings = load_settings(workers=1, data_dir=tmp_path)
    for k, v in extract.items():
        setattr(settings.extract, k, v)
    return PipelineContext(settings=settings, store=open_store(str(tmp_path / "gw.db")))


def _notice_docs(host: str, n: int, start: int = 0) -> list[RawDocument]:
    return [RawDocument(url=f"https://{host}/hirek/{i}-cikk", content=NOTICE.format(title=TITLES[i % 7], ref=f"7f{i:04d}ab").encode())
            for i in range(start, start + n)]


def test_a_notice_from_seven_urls_never_becomes_an_article(tmp_path: Path) -> None:
    ctx = _ctx(tmp_path)
    report = process_documents(_notice_docs("hirportal.example", 7), ctx)
    assert ctx.store.count_articles() == 0
    # The third copy reveals it (the two stored before are removed), the four after it are rejected at once ...
    assert report.failures == {"dedup:not_article:repeated_notice": 5}
    stats = ctx.store.stats()["failures_by_reason"]
    assert stats["dedup:not_article:repeated_notice"] == 7  # ... and every copy is recorded
    # Later copies, from another site too, are rejected at once by the remembered signature.
    report = process_documents(_notice_docs("masik.example", 2, start=10), ctx)
    assert report.failures == {"dedup:not_article:repeated_notice": 2} and ctx.store.count_articles() == 0


def test_template_reports_of_one_site_stay_articles(tmp_path: Path) -> None:
    import json

    ctx = _ctx(tmp_path)
    docs = json.loads((FIXTURES / "press_templates.json").read_text(encoding="utf-8"))
    pages = [RawDocument(url=f"https://presse.example/{d['id']}", content=(
        f"<html lang='{d['language']}'><head><title>{d['title']}</title></head><body><h1>{d['title']}</h1>"
        + "".join(f"<p>{p}</p>" for p in d["text"].split("\n")) + "</body></html>").encode()) for d in docs]
    report = process_documents(pages, ctx)
    assert report.failures == {} and report.new == len(docs)


def test_wire_copies_from_several_sites_stay_articles(tmp_path: Path) -> None:
    ctx = _ctx(tmp_path)
    title = "Storm halts Lake Victoria ferries after cargo vessel capsizes"
    docs = [RawDocument(url=f"https://{h}/world/ferries", content=WIRE.format(title=title).encode())
            for h in ("a.example", "b.example", "c.example", "d.example")]
    report = process_documents(docs, ctx)
    assert report.failures == {} and report.new == 4 and report.duplicates == 3


def test_judge_repetition_needs_several_urls_and_unrelated_titles_or_one_site() -> None:
    text = "Ihre Anfrage wurde blockiert. Bitte versuchen Sie es später erneut. Referenz 1234."
    two = [{"canonical_url": f"https://a.example/{i}", "title": "Regierung stürzt"} for i in range(2)]
    assert judge_repetition(two, text) is None
    three_sites = [{"canonical_url": f"https://{h}.example/x", "title": t}
                   for h, t in (("a", "Regierung stürzt"), ("b", "Bahnstreik beendet"), ("c", "Hitze in Spanien"))]
    assert judge_repetition(three_sites, text) is not None
    related = [{"canonical_url": f"https://{h}.example/x", "title": "Anfrage blockiert: später erneut versuchen"}
               for h in "abc"]
    assert judge_repetition(related, text) is None  # the same short text under its own headline: copies
    one_site = [{"canonical_url": f"https://a.example/{i}", "title": "Anfrage blockiert"} for i in range(3)]
    assert judge_repetition(one_site, text) is not None
    own_titles = [{"canonical_url": f"https://a.example/{i}", "title": f"Anfrage blockiert in {t}"}
                  for i, t in enumerate(("Nordheim", "Waldbrunn", "Talhausen"))]
    assert judge_repetition(own_titles, text) is None  # one template, each report its own headline
    local = [{"canonical_url": f"file:///tmp/{i}.txt", "title": "Anfrage blockiert"} for i in range(3)]
    assert judge_repetition(local, text) is None  # local files name no site
    assert title_in_body("東京で大雨", "東京で大雨が降った") > 0.5 and title_in_body("大阪の地震", "東京で大雨が降った") < 0.25


def test_title_less_imports_are_judged_by_their_url_slugs(tmp_path: Path) -> None:
    """JSON Lines records without a title (the cleaner then takes one from the text itself): the same short
    text under URLs whose slugs name other articles is a notice; wire copies under slugs about it stay."""
    import json

    from tests.e2e_helpers import cli

    notice = ("Przykro nam, ale z adresu IP z którego się łączysz odnotowaliśmy ogromną ilość połączeń. "
              "Podejrzewamy, że to automatyczne zapytania. Spróbuj ponownie za kilka minut.")
    wire = ("Storm halts Lake Victoria ferries after a cargo vessel capsized near the port of Mwanza on Tuesday, "
            "the Tanzanian maritime authority said, adding that all crew members had been rescued by fishermen.")
    slugs = ["koronawirus-w-pyrzowicach-pasazer-odwieziony-do-szpitala", "pozar-przy-grunwaldzkiej-znaleziono-zwloki",
             "niedziele-handlowe-duze-zmiany-w-zakazie-handlu", "pirat-drogowy-w-chorzowie-zatrzymany"]
    rows = [{"url": f"https://{h}.example.pl/{slug}/ar/c1-{i}", "text": notice, "language": "pl"}
            for i, (h, slug) in enumerate(zip(("dziennik", "pomorska", "express", "gazeta"), slugs, strict=True))]
    rows += [{"url": f"https://{h}.example/world/storm-halts-lake-victoria-ferries-vessel-capsizes", "text": wire,
              "language": "en"} for h in ("a", "b", "c")]
    src = tmp_path / "records.jsonl"
    src.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in rows) + "\n", encoding="utf-8")
    db = tmp_path / "gw.db"
    cli("ingest", str(src), "--db", str(db), "--json", env={"GLOBEWIRE_DATA_DIR": str(tmp_path / "data")})
    store = open_store(str(db))
    try:
        urls = sorted(r["url"] for r in store.query("SELECT url FROM articles"))
        assert urls == sorted(r["url"] for r in rows[4:])  # the four notices are gone, the three copies kept
        assert store.stats()["failures_by_reason"]["dedup:not_article:repeated_notice"] == 4
    finally:
        store.close()


def test_purge_removes_stored_copies_from_their_story(tmp_path: Path) -> None:
    from globewire.stories.stage import update_stories

    ctx = _ctx(tmp_path, detect_nonarticles=False)
    docs = _notice_docs("hirportal.example", 7)
    report = process_documents(docs, ctx)
    assert report.new == 7
    process_documents([RawDocument(url="https://a.example/world/ferries",
                                   content=WIRE.format(title="Storm halts Lake Victoria ferries").encode())], ctx)
    ids = [int(r["id"]) for r in ctx.store.query("SELECT id FROM articles ORDER BY id")]
    update_stories(ctx.store, ids, ctx.settings)
    sizes = {sid: len(m) for sid, m in ctx.store.membership().items()}
    notice_story = max(sizes, key=sizes.__getitem__)
    assert sizes[notice_story] == 7  # the notice is the "biggest story" ...
    found = purge_repeated_notices(ctx.store, dry_run=True)
    assert len(found) == 1 and len(found[0]["article_ids"]) == 7 and ctx.store.count_articles() == 8
    found = purge_repeated_notices(ctx.store)
    assert found[0]["stories"] == [notice_story]
    assert ctx.store.count_articles() == 1
    live = ctx.store.list_stories(limit=10)
    assert [s.article_count for s in live] == [1]  # ... and is gone; the real article's story stays
    assert notice_story not in {s.id for s in live}
    assert ctx.store.stats()["failures_by_reason"]["dedup:not_article:repeated_notice"] == 7
    # A new copy is now rejected at once, even with detection of repetition learned from the purge.
    ctx.settings.extract.detect_nonarticles = True
    report = process_documents(_notice_docs("hirportal.example", 1, start=20), ctx)
    assert report.failures == {"dedup:not_article:repeated_notice": 1}


# --------------------------------------------------------------------------- live blogs and not-body blocks

def test_an_english_live_blog_is_kept_whole_as_timed_entries_oldest_first() -> None:
    text = _extract("en_liveblog.html").text
    lines = text.split("\n")
    assert lines[0] == "2024-07-04 22:00 — Polls close"
    stamps = [ln.split(" — ")[0] for ln in lines[::2]]
    assert stamps == ["2024-07-04 22:00", "2024-07-04 22:30", "2024-07-05 00:45", "2024-07-05 02:10"]
    assert "majority of 3,412" in text and "postal votes still being verified" in text
    for junk in ("Join the conversation", "Sign up", "Huge queues at Westgate", "political editor", "What the polls say",
                 "Copy link", "Log in or register"):
        assert junk not in text, junk


def test_a_portuguese_live_blog_keeps_every_entry_without_prompts() -> None:
    text = _extract("pt_liveblog.html").text
    assert [ln.split(" — ")[1] for ln in text.split("\n")[::2]] == [
        "Número de mortos sobe para 39", "Aeroporto suspende voos", "Guaíba passa de 5 metros"]
    for junk in ("Deixe seu comentário", "Assine o Jornal", "Como ajudar", "publicação compartilhada"):
        assert junk not in text, junk


def test_embedded_posts_bios_and_teaser_blocks_are_not_body_text() -> None:
    html = (FIXTURES / "ctrl_de_article_with_captcha.html").read_text(encoding="utf-8").replace(
        "</article>",
        '<blockquote class="twitter-tweet"><p>Endlich! Die Linie kommt #Nordheim</p>— Anwohner (@anw)</blockquote>'
        '<div class="author-box"><p>Lena Brandt schreibt seit 2015 für den Kreisboten über Stadtpolitik und Verkehr '
        "und leitet die Lokalredaktion.</p></div>"
        '<section class="more-from-author"><h3>Mehr von Lena Brandt</h3><a href="/lokales/2024/04/30/neue-radwege-'
        'fuer-die-innenstadt-geplant">Neue Radwege für die Innenstadt geplant</a></section></article>')
    text = extract_html(html.encode(), "https://kreisbote.example/lokales/strassenbahn",
                        settings=ExtractSettings(min_text_chars=0)).text
    assert "31 zu 12 Stimmen" in text and "Bürgerversammlung im Juni" in text
    for junk in ("Endlich!", "schreibt seit 2015", "Neue Radwege"):
        assert junk not in text, junk


@pytest.mark.shared
def test_no_real_article_of_a_fundus_slice_is_rejected(shared_dir: Path) -> None:
    """Every 6th real page of fundus-pages (43 pages, ~40 countries): none is taken for a non-article (the
    whole set and extraction-aeb: `globewire bench nonarticles`)."""
    import gzip
    import json

    data = shared_dir / "benchmarks" / "fundus-pages"
    rows = [json.loads(line) for line in (data / "manifest.jsonl").read_text(encoding="utf-8").splitlines() if line.strip()]
    rejected = []
    for row in rows[::6]:
        try:
            extract_html(gzip.decompress((data / row["html_file"]).read_bytes()), row["url"],
                         settings=ExtractSettings(min_text_chars=0))
        except ExtractionError as exc:
            if exc.reason.startswith("not_article:"):
                rejected.append((row["url"], exc.reason, exc.detail))
    assert rejected == []


def test_purge_notices_command_removes_and_reports(tmp_path: Path) -> None:
    import json
    import os
    import subprocess
    import sys

    ctx = _ctx(tmp_path, detect_nonarticles=False)
    process_documents(_notice_docs("hirportal.example", 4), ctx)
    db = tmp_path / "gw.db"
    src = Path(__file__).resolve().parents[1] / "src"
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(src), os.environ.get("PYTHONPATH", "")])}
    run = [sys.executable, "-m", "globewire.cli", "purge-notices", "--db", str(db), "--json"]
    dry = subprocess.run([*run, "--dry-run"], capture_output=True, text=True, env=env, timeout=120, check=True)
    assert len(json.loads(dry.stdout)["notices"][0]["article_ids"]) == 4 and ctx.store.count_articles() == 4
    done = subprocess.run(run, capture_output=True, text=True, env=env, timeout=120, check=True)
    assert json.loads(done.stdout)["dry_run"] is False and ctx.store.count_articles() == 0


def test_slugs_in_another_script_or_language_still_relate_to_their_text() -> None:
    from globewire.extract.nonarticle import slug_in_body

    ru = "Москва заявила о новых санкциях против поставщиков"
    assert slug_in_body("https://ria.example/20240101/moskva-zayavila-o-novykh-sanktsiyakh-123.html", ru) == 1.0
    de = "Auf dem Victoriasee ist eine Fähre gekentert; die Behörden suchen nach Vermissten."
    assert slug_in_body("https://news.example/world/2025/jul/20/lake-victoria-ferry", de) > 0  # the name meets
    assert slug_in_body("https://news.example/pozar-przy-grunwaldzkiej-znaleziono-zwloki", de) == 0
    assert slug_in_body("https://news.example/a/1234", de) is None and slug_in_body("file:///tmp/a-b-c-d.txt", de) is None
