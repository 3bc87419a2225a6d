"""Source naming (globewire.naming), issue 13 item 4: catalogue → site name → registrable domain (PSL)."""

from __future__ import annotations

import pytest

from globewire.naming import (
    LOCAL_FILE_NAME,
    clean_site_name,
    name_row,
    registrable_domain,
    source_country,
    source_name,
)


@pytest.mark.parametrize("url,domain", [
    ("https://www.bbc.co.uk/news/world-1", "bbc.co.uk"),          # multi-part suffix
    ("https://www.news.com.au/world/x", "news.com.au"),
    ("https://www.abc.net.au/news/x", "abc.net.au"),
    ("https://www.asahi.co.jp/x", "asahi.co.jp"),
    ("https://www.mdr.de/nachrichten/x.html", "mdr.de"),
    ("https://www.business-standard.com/india-news/x", "business-standard.com"),
    ("https://edition.cnn.com/x", "cnn.com"),
    ("https://xn--mller-kva.de/artikel", "müller.de"),            # IDN shown in Unicode
    ("https://www.müller.de/artikel", "müller.de"),
    ("https://xn--80aswg.xn--p1ai/news", "сайт.рф"),
    ("http://192.0.2.7:8080/a", "192.0.2.7"),                    # IPs are shown as themselves
    ("http://[2001:db8::1]/a", "2001:db8::1"),
    ("HTTPS://WWW.LEMONDE.FR/x", "lemonde.fr"),
])
def test_registrable_domain(url: str, domain: str) -> None:
    assert registrable_domain(url) == domain


@pytest.mark.parametrize("url", ["", "not a url", "https://co.uk/", "http://localhost/a", "http://[bad/"])
def test_no_registrable_domain(url: str) -> None:
    assert registrable_domain(url) is None


def test_name_prefers_catalogue_then_site_name_then_domain() -> None:
    url = "https://www.jungewelt.de/artikel/1.html"
    assert source_name("junge Welt (catalogue)", "jW", url) == "junge Welt (catalogue)"
    assert source_name(None, "junge Welt", url) == "junge Welt"
    assert source_name(None, None, url) == "jungewelt.de"
    assert source_name(None, "   ", url) == "jungewelt.de"
    # a tagline or a generic word is not a site name
    assert source_name(None, "Home", url) == "jungewelt.de"
    assert source_name(None, "Breaking news, sport, TV, radio and a whole lot more from around the world", url) \
        == "jungewelt.de"
    assert source_name(None, None, "file:///home/me/pasted.txt") == LOCAL_FILE_NAME
    assert source_name(None, None, None) is None


def test_clean_site_name() -> None:
    assert clean_site_name(" MDR.DE ") == "MDR.DE"
    assert clean_site_name("— Business Standard |") == "Business Standard"
    assert clean_site_name("") is None and clean_site_name("---") is None and clean_site_name(None) is None


def test_country_from_catalogue_then_country_code_domain_else_unknown() -> None:
    assert source_country("fr", "https://www.bbc.co.uk/x") == "FR"
    assert source_country(None, "https://www.bbc.co.uk/x") == "GB"
    assert source_country(None, "https://www.news.com.au/x") == "AU"
    assert source_country(None, "https://xn--mller-kva.de/x") == "DE"
    assert source_country(None, "https://www.business-standard.com/x") is None  # honestly unknown
    assert source_country(None, "http://192.0.2.7/x") is None


def test_name_row_fills_every_row_with_a_url() -> None:
    rows = [
        {"outlet_name": "Deutsche Welle", "url": "https://www.dw.com/x"},
        {"outlet_name": None, "site_name": "MDR.DE", "url": "https://www.mdr.de/x", "country": None},
        {"outlet_name": None, "site_name": None, "canonical_url": "https://www.business-standard.com/x",
         "url": "file:///tmp/saved.html"},
    ]
    named = [name_row(dict(r)) for r in rows]
    assert [r["outlet_name"] for r in named] == ["Deutsche Welle", "MDR.DE", "business-standard.com"]
    assert [r["outlet_named_by"] for r in named] == ["catalogue", "site", "domain"]
    assert named[1]["country"] == "DE" and named[2].get("country") is None
