"""The shipped catalogue's floors and the validation of catalogue files (errors name file and line)."""

from __future__ import annotations

import re
import tomllib
from collections import Counter
from pathlib import Path

import pycountry
import pytest

from globewire.sources.catalogue import CatalogueError, load_catalogue, parse_catalogue_text, shipped_data_dir
from globewire.sources.continents import CONTINENT_OF, INHABITED_CONTINENTS, continent_of

NO_USER_FILE = Path("/nonexistent/globewire-sources.toml")
AMERICAS_EUROPE = ("Europe", "North America", "South America")


@pytest.fixture(scope="module")
def shipped():
    return load_catalogue(user_file=NO_USER_FILE, include_disabled=True)


# --------------------------------------------------------------------------- shipped data


def test_shipped_catalogue_meets_floors(shipped) -> None:
    outlets = shipped.outlets
    per_continent = Counter(continent_of(o.country) for o in outlets)
    assert len(outlets) >= 150
    assert len(shipped.countries()) >= 50
    for c in INHABITED_CONTINENTS:
        assert per_continent[c] >= 1, f"no outlet in {c}"
    assert len(shipped.by_country("US")) >= 10


def test_americas_and_europe_share(shipped) -> None:
    mine = [o for o in shipped.outlets if continent_of(o.country) in AMERICAS_EUROPE]
    assert len(mine) >= 200
    assert len({o.country for o in mine}) >= 45
    # Not only English: Spanish, Portuguese, French, German, Russian, Ukrainian ... are primary languages.
    primaries = Counter(o.languages[0] for o in mine)
    for lang in ("es", "pt", "fr", "de", "it", "ru", "uk", "pl", "nl", "sv"):
        assert primaries[lang] >= 1, lang
    latin = [o for o in mine if o.country in {"MX", "AR", "CO", "CL", "PE", "VE"}]
    assert all(o.languages[0] == "es" for o in latin)
    assert all(o.languages[0] == "pt" for o in shipped.by_country("BR") if o.id != "bbc-brasil")


def test_wire_services_and_public_broadcasters_present(shipped) -> None:
    for wire in ("ap", "reuters", "afp", "dpa", "efe", "ansa", "tass", "ukrinform", "pap"):
        assert shipped.by_id(wire) is not None, wire
        assert shipped.is_wire(wire), wire
    expected = {
        "bbc-news": "GB", "dw-en": "DE", "franceinfo": "FR", "france24-en": "FR", "rtve": "ES", "rainews": "IT",
        "nos": "NL", "svt": "SE", "nrk": "NO", "yle": "FI", "dr": "DK", "orf": "AT", "srf": "CH", "rte": "IE",
        "rtp": "PT", "ertnews": "GR", "cbc": "CA", "radio-canada": "CA", "npr": "US", "pbs-newshour": "US",
    }
    for oid, cc in expected.items():
        o = shipped.by_id(oid)
        assert o is not None and o.country == cc, oid
    us = {o.id for o in shipped.by_country("US")}
    assert {"ap", "npr", "nytimes", "washington-post", "wsj", "cnn", "fox-news", "cbs-news", "abc-news-us",
            "nbc-news", "la-times", "usa-today", "politico", "bloomberg"} <= us


def test_shipped_entries_are_well_formed(shipped) -> None:
    ids = [o.id for o in shipped.outlets]
    assert len(ids) == len(set(ids))
    urls = [f.url for o in shipped.outlets for f in o.feeds]
    assert len(urls) == len(set(urls))
    for o in shipped.outlets:
        assert pycountry.countries.get(alpha_2=o.country) is not None, o.id
        assert o.country in CONTINENT_OF
        assert o.languages and all(pycountry.languages.get(alpha_2=x) for x in o.languages), o.id
        assert o.feeds, f"{o.id} has no feed and no sitemap"
        assert o.homepage.startswith(("http://", "https://"))
        assert all(f.url.startswith(("http://", "https://")) for f in o.feeds)
        assert o.ownership in ("public", "state", "private", "nonprofit"), o.id
        assert o.ownership_source, o.id


def test_shipped_files_one_outlet_per_line() -> None:
    for path in sorted(shipped_data_dir().glob("*.toml")):
        text = path.read_text(encoding="utf-8")
        data = tomllib.loads(text)
        assert data["country"] == path.stem.upper(), path.name
        assert re.fullmatch(r"\d{4}-\d{2}-\d{2}", str(data["checked"])), path.name
        entry_lines = [ln for ln in text.splitlines() if ln.lstrip().startswith("{ id")]
        assert len(entry_lines) == len(data["outlets"]), f"{path.name}: an outlet spans several lines"
        for ln in entry_lines:  # each line is a complete inline table on its own
            tomllib.loads("x = " + ln.strip().split("  #")[0].rstrip().rstrip(","))


def test_continents_cover_every_iso_code() -> None:
    codes = {c.alpha_2 for c in pycountry.countries}
    assert codes == set(CONTINENT_OF)
    assert continent_of("ru") == "Europe" and continent_of("BR") == "South America"
    assert continent_of("MX") == "North America" and continent_of("TR") == "Asia" and continent_of("NZ") == "Oceania"


# --------------------------------------------------------------------------- validation errors

GOOD = '{ id = "good-one", name = "Good", homepage = "https://good.example/", languages = ["en"], feeds = ["https://good.example/rss"] },'


def _file(tmp_path: Path, *outlet_lines: str, header: str = 'country = "FR"\n') -> Path:
    p = tmp_path / "fr.toml"
    p.write_text("# test\n" + header + "outlets = [\n" + "\n".join("  " + ln for ln in outlet_lines) + "\n]\n")
    return p


def _error(path: Path, *, user_file: bool = False) -> CatalogueError:
    with pytest.raises(CatalogueError) as ei:
        parse_catalogue_text(path.read_text(), path, user_file=user_file)
    return ei.value


@pytest.mark.parametrize(
    ("bad_line", "needle"),
    [
        ('{ id = "bad", name = "B", homepage = "https://b.example/", languages = ["en"], country = "XX", feeds = ["https://b.example/rss"] },', "'XX' is not an ISO 3166-1"),
        ('{ id = "bad", name = "B", homepage = "https://b.example/", languages = ["english"], feeds = ["https://b.example/rss"] },', "'english' is not an ISO 639-1"),
        ('{ id = "bad", name = "B", homepage = "https://b.example/", languages = ["qq"], feeds = ["https://b.example/rss"] },', "'qq' is not an ISO 639-1"),
        ('{ id = "bad", name = "B", homepage = "ftp://b.example/", languages = ["en"], feeds = ["https://b.example/rss"] },', "not an http(s) URL"),
        ('{ id = "bad", name = "B", homepage = "https://b.example/", languages = ["en"], feeds = ["file:///etc/passwd"] },', "not an http(s) URL"),
        ('{ id = "bad", name = "B", homepage = "https://b.example/", languages = ["en"], feeds = [{ url = "javascript:alert(1)" }] },', "not an http(s) URL"),
        ('{ id = "bad", name = "B", homepage = "https://b.example/", languages = ["en"], feeds = ["https://b.example/rss"], colour = "red" },', "unknown key 'colour'"),
        ('{ id = "bad", name = "B", homepage = "https://b.example/", languages = ["en"], feeds = ["https://b.example/rss"], ownership = "govt" },', "ownership"),
        ('{ id = "Bad Id", name = "B", homepage = "https://b.example/", languages = ["en"], feeds = ["https://b.example/rss"] },', "id: String should match pattern"),
        ('{ id = "bad", name = "B", homepage = "https://b.example/", languages = ["en"], feeds = [] },', "needs at least one feed or a sitemap"),
        ('{ id = "bad", name = "B", homepage = "https://b.example/", languages = ["en"], feeds = ["https://b.example/rss"], rules = { body = "article", colour = "x" } },', "unknown key 'rules.colour'"),
    ],
)
def test_bad_outlet_names_file_and_line(tmp_path: Path, bad_line: str, needle: str) -> None:
    path = _file(tmp_path, GOOD, GOOD.replace("good-one", "good-two").replace("/rss", "/rss2"), bad_line)
    err = _error(path)
    assert err.path == str(path)
    assert err.line == 6  # comment, country, outlets = [, three entries: the bad one is on line 6
    assert str(err).startswith(f"{path}:6: ")
    assert needle in str(err)


def test_duplicate_id_points_at_second_declaration(tmp_path: Path) -> None:
    dup = GOOD.replace("/rss", "/other")
    err = _error(_file(tmp_path, GOOD, GOOD.replace("good-one", "x2").replace("/rss", "/x2"), dup))
    assert err.line == 6 and "duplicate outlet id 'good-one' (first on line 4)" in str(err)


def test_duplicate_feed_url_points_at_second_use(tmp_path: Path) -> None:
    dup = GOOD.replace("good-one", "another").replace('"https://good.example/rss"', '"http://GOOD.example/rss/"')
    err = _error(_file(tmp_path, GOOD, dup))
    assert err.line == 5 and "duplicate feed URL" in str(err)


def test_bad_file_level_country_and_unknown_top_key(tmp_path: Path) -> None:
    err = _error(_file(tmp_path, GOOD, header='country = "ZZ"\n'))
    assert err.line == 2 and "'ZZ' is not an ISO 3166-1" in str(err)
    err = _error(_file(tmp_path, GOOD, header='country = "FR"\nflavour = 1\n'))
    assert err.line == 3 and "unknown key 'flavour'" in str(err)


def test_toml_syntax_error_reports_line(tmp_path: Path) -> None:
    err = _error(_file(tmp_path, GOOD, '{ id = "broken", name = "B" '))
    assert err.line == 5 and "invalid TOML" in str(err)


def test_outlet_spread_over_array_of_tables_gets_its_line(tmp_path: Path) -> None:
    p = tmp_path / "user.toml"
    p.write_text(
        '[[outlets]]\nid = "ok-one"\nname = "A"\ncountry = "DE"\nhomepage = "https://a.example/"\n'
        'languages = ["de"]\nfeeds = ["https://a.example/rss"]\n\n'
        '[[outlets]]\nname = "no id"\ncountry = "DE"\nhomepage = "https://b.example/"\nlanguages = ["de"]\n'
        'feeds = ["https://b.example/rss"]\n'
    )
    err = _error(p, user_file=True)
    assert err.line == 9 and "outlet #2" in str(err) and "id" in str(err)


def test_shipped_duplicates_across_files(tmp_path: Path) -> None:
    data = tmp_path / "data"
    data.mkdir()
    (data / "fr.toml").write_text('country = "FR"\noutlets = [\n  ' + GOOD + "\n]\n")
    (data / "de.toml").write_text(
        'country = "DE"\noutlets = [\n  { id = "xx", name = "X", homepage = "https://x.example/", languages = ["de"], feeds = ["https://x.example/rss"] },\n  '
        + GOOD.replace("/rss", "/de") + "\n]\n"
    )
    with pytest.raises(CatalogueError) as ei:
        load_catalogue(user_file=NO_USER_FILE, data_dir=data)
    # de.toml sorts first, so fr.toml holds the second declaration
    assert "fr.toml:3" in str(ei.value) and "duplicate outlet id 'good-one'" in str(ei.value)
    (data / "fr.toml").write_text('country = "DE"\noutlets = []\n')
    with pytest.raises(CatalogueError, match=r"fr\.toml:1: country must be 'FR'"):
        load_catalogue(user_file=NO_USER_FILE, data_dir=data)


# --------------------------------------------------------------------------- user file


@pytest.fixture
def small_data(tmp_path: Path) -> Path:
    data = tmp_path / "data"
    data.mkdir()
    (data / "fr.toml").write_text(
        'country = "FR"\nchecked = "2026-11-23"\noutlets = [\n'
        '  { id = "le-test", name = "Le Test", homepage = "https://letest.example/", languages = ["fr"], ownership = "private", ownership_source = "x", feeds = [{ url = "https://letest.example/rss", section = "une" }], sitemap = "https://letest.example/news-sitemap.xml", rules = { body = "article", drop = [".ad"] } },\n'
        '  { id = "agence", name = "Agence", homepage = "https://agence.example/", languages = ["fr", "en"], wire = true, feeds = ["https://agence.example/feed"] },\n'
        '  { id = "sleepy", name = "Sleepy", homepage = "https://sleepy.example/", languages = ["fr"], enabled = false, feeds = ["https://sleepy.example/feed"] },\n'
        "]\n"
    )
    return data


def test_records_built_from_file(small_data: Path) -> None:
    cat = load_catalogue(user_file=NO_USER_FILE, data_dir=small_data)
    o = cat.by_id("le-test")
    assert o is not None and o.country == "FR" and o.languages == ("fr",)
    assert [(f.url, f.section, f.kind) for f in o.feeds] == [
        ("https://letest.example/rss", "une", "rss"),
        ("https://letest.example/news-sitemap.xml", "sitemap", "sitemap"),
    ]
    assert o.rules is not None and o.rules.body == "article" and o.rules.drop == (".ad",)
    assert o.origin.endswith("fr.toml")
    assert cat.is_wire("agence") and not cat.is_wire("le-test")
    assert cat.by_id("sleepy") is None  # enabled = false
    assert load_catalogue(user_file=NO_USER_FILE, data_dir=small_data, include_disabled=True).by_id("sleepy")
    assert cat.countries() == ["FR"] and len(cat.by_country("fr")) == 2


def test_user_file_adds_overrides_and_disables(small_data: Path, tmp_path: Path) -> None:
    user = tmp_path / "sources.toml"
    user.write_text(
        'disabled = ["agence"]\noutlets = [\n'
        '  { id = "le-test", name = "Le Test (mine)", country = "FR", homepage = "https://letest.example/", languages = ["fr"], feeds = ["https://letest.example/rss"] },\n'
        '  { id = "my-blog", name = "My Blog", country = "br", homepage = "https://blog.example/", languages = ["PT"], feeds = ["https://blog.example/atom.xml"] },\n'
        "]\n"
    )
    cat = load_catalogue(user_file=user, data_dir=small_data)
    assert {o.id for o in cat.outlets} == {"le-test", "my-blog"}
    assert cat.by_id("le-test").name == "Le Test (mine)"  # type: ignore[union-attr]
    assert len(cat.by_id("le-test").feeds) == 1  # type: ignore[union-attr]
    mine = cat.by_id("my-blog")
    assert mine is not None and mine.country == "BR" and mine.languages == ("pt",) and mine.origin == str(user)
    assert "agence" in cat.disabled_ids
    every = load_catalogue(user_file=user, data_dir=small_data, include_disabled=True)
    assert {o.id for o in every.outlets} == {"le-test", "my-blog", "agence", "sleepy"}


def test_user_file_can_turn_off_the_shipped_catalogue(small_data: Path, tmp_path: Path) -> None:
    user = tmp_path / "sources.toml"
    user.write_text(
        'shipped = false\noutlets = [\n'
        '  { id = "le-test", name = "Le Test (mine)", country = "FR", homepage = "https://letest.example/", languages = ["fr"], feeds = ["https://letest.example/rss"] },\n'
        '  { id = "my-blog", name = "My Blog", country = "BR", homepage = "https://blog.example/", languages = ["pt"], feeds = ["https://blog.example/atom.xml"] },\n'
        "]\n"
    )
    cat = load_catalogue(user_file=user, data_dir=small_data)
    # Redeclared shipped outlets stay (as the user declared them); every other shipped one is off.
    assert {o.id for o in cat.outlets} == {"le-test", "my-blog"}
    assert {"agence", "sleepy"} <= cat.disabled_ids
    p = _file(tmp_path, GOOD, header='country = "FR"\nshipped = false\n')
    err = _error(p)
    assert err.line == 3 and "only allowed in the user file" in str(err)


def test_user_file_cannot_steal_a_shipped_feed(small_data: Path, tmp_path: Path) -> None:
    user = tmp_path / "sources.toml"
    user.write_text(
        'outlets = [\n'
        '  { id = "thief", name = "T", country = "FR", homepage = "https://t.example/", languages = ["fr"], feeds = ["https://agence.example/feed"] },\n'
        "]\n"
    )
    with pytest.raises(CatalogueError, match=r"sources\.toml:2: feed URL https://agence\.example/feed already belongs to shipped outlet 'agence'"):
        load_catalogue(user_file=user, data_dir=small_data)


def test_user_outlet_without_country(small_data: Path, tmp_path: Path) -> None:
    user = tmp_path / "sources.toml"
    user.write_text('outlets = [\n  { id = "nowhere", name = "N", homepage = "https://n.example/", languages = ["fr"], feeds = ["https://n.example/f"] },\n]\n')
    with pytest.raises(CatalogueError, match=r"sources\.toml:2: outlet 'nowhere': no country"):
        load_catalogue(user_file=user, data_dir=small_data)


def test_disabled_only_in_user_file(tmp_path: Path) -> None:
    p = _file(tmp_path, GOOD, header='country = "FR"\ndisabled = ["x"]\n')
    err = _error(p)
    assert err.line == 3 and "only allowed in the user file" in str(err)


def test_userfile_edits_keep_comments_and_stay_valid(small_data: Path, tmp_path: Path) -> None:
    from globewire.sources.userfile import append_outlets, disable_outlet

    user = tmp_path / "cfg" / "sources.toml"
    n = append_outlets(user, [{"id": "one", "name": "Uno \"quoted\" ñ", "country": "ES", "homepage": "https://one.example/",
                               "languages": ["es"], "feeds": ["https://one.example/rss"]}])
    assert n == 1
    user.write_text(user.read_text().replace("disabled = []", "disabled = []  # my note"))
    append_outlets(user, [{"id": "two", "name": "Two", "country": "ES", "homepage": "https://two.example/",
                           "languages": ["es"], "feeds": [{"url": "https://two.example/rss", "section": "x"}],
                           "sitemap": "https://two.example/sitemap.xml"}])
    assert disable_outlet(user, "agence") is True
    assert disable_outlet(user, "agence") is False
    text = user.read_text()
    assert 'disabled = ["agence"]  # my note' in text  # rewritten in place, comment kept
    assert text.count('{ id = "') == 2  # one line per outlet
    assert "# globewire user catalogue" in text
    cat = load_catalogue(user_file=user, data_dir=small_data)
    assert cat.by_id("one").name == 'Uno "quoted" ñ'  # type: ignore[union-attr]
    assert [f.kind for f in cat.by_id("two").feeds] == ["rss", "sitemap"]  # type: ignore[union-attr]
    assert "agence" in cat.disabled_ids
    # An edit that would break the file is refused and leaves the file as it was.
    before = user.read_text()
    with pytest.raises(CatalogueError, match="duplicate outlet id 'one'"):
        append_outlets(user, [{"id": "one", "name": "again", "country": "ES", "homepage": "https://x.example/",
                               "languages": ["es"], "feeds": ["https://x.example/rss"]}])
    assert user.read_text() == before
