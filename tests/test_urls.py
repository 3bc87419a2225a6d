"""URL normalisation, AMP/mobile mapping and keys."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from globewire.urls import UrlError, canonical_variants, is_http_url, normalise_url, url_key


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("HTTP://Example.COM:80/a/b?b=2&a=1#frag", "http://example.com/a/b?a=1&b=2"),
        ("https://example.com:443", "https://example.com/"),
        ("https://example.com:8443/x", "https://example.com:8443/x"),
        ("  https://example.com/a/./b/../c  ", "https://example.com/a/c"),
        ("https://example.com/news?utm_source=tw&utm_medium=social&id=42&fbclid=abc", "https://example.com/news?id=42"),
        ("https://example.com/a?gclid=1&mc_cid=2&mc_eid=3&ocid=4&cmpid=5&_ga=6&igshid=7", "https://example.com/a"),
        ("https://example.com/a?ref=twitter&page=2", "https://example.com/a?page=2"),
        ("https://example.com/a?ref_src=twsrc%5Etfw", "https://example.com/a"),
        ("https://example.com/a?ref=v2.1-release", "https://example.com/a"),
        ("https://example.com/doc?ref=A1234", "https://example.com/doc?ref=A1234"),
        ("https://example.com/%7euser/%e2%82%ac", "https://example.com/~user/%E2%82%AC"),
        ("https://bücher.example/straße", "https://xn--bcher-kva.example/stra%C3%9Fe"),
        ("https://example.com./a", "https://example.com/a"),
        ("https://example.com/index.html", "https://example.com/index.html"),
        ("https://example.com/a/", "https://example.com/a/"),
        ("https://example.com/search?q=a+b&q=c", "https://example.com/search?q=a%20b&q=c"),
    ],
)
def test_normalise(raw: str, expected: str) -> None:
    assert normalise_url(raw) == expected


def test_relative_and_non_http() -> None:
    assert normalise_url("../b?x=1#y", base="https://Ex.org/a/c/d") == "https://ex.org/a/b?x=1"
    assert normalise_url("/p", base="https://ex.org/feed.xml") == "https://ex.org/p"
    assert normalise_url(" mailto:a@b.c ") == "mailto:a@b.c"
    with pytest.raises(UrlError):
        normalise_url("http:///nohost")
    with pytest.raises(UrlError):
        normalise_url("http://example.com:99999/")


@pytest.mark.parametrize(
    ("variant", "desktop"),
    [
        ("https://www.example.com/news/story/amp/", "https://www.example.com/news/story/"),
        ("https://www.example.com/news/story/amp", "https://www.example.com/news/story"),
        ("https://www.example.com/amp/news/story", "https://www.example.com/news/story"),
        ("https://www.example.com/news/story.amp", "https://www.example.com/news/story"),
        ("https://www.example.com/news/story.amp.html", "https://www.example.com/news/story.html"),
        ("https://www.example.com/news/story?amp=1", "https://www.example.com/news/story"),
        ("https://www.example.com/news/story?outputType=amp&id=3", "https://www.example.com/news/story?id=3"),
        ("https://amp.example.com/news/story", "https://www.example.com/news/story"),
        ("https://m.example.co.uk/news/story", "https://www.example.co.uk/news/story"),
        ("https://mobile.example.com/news/story", "https://www.example.com/news/story"),
        ("https://m.www.example.com/a", "https://www.example.com/a"),
        ("https://www.google.com/amp/s/www.example.com/news/story", "https://www.example.com/news/story"),
        (
            "https://www-example-com.cdn.ampproject.org/c/s/www.example.com/news/story",
            "https://www.example.com/news/story",
        ),
        ("https://amp.dev/about", "https://amp.dev/about"),
        ("https://m.com/a", "https://m.com/a"),
    ],
)
def test_canonical_variants(variant: str, desktop: str) -> None:
    assert canonical_variants(variant) == desktop


def test_url_key() -> None:
    k = url_key("https://www.example.com/a?utm_source=x")
    assert k == url_key("http://example.com/a#top") == url_key("https://m.example.com/a/amp")
    assert k != url_key("https://www.example.com/b")
    assert len(k) == 40


def test_is_http_url() -> None:
    assert is_http_url("https://example.com/x") and is_http_url(" http://a.b ")
    assert not is_http_url("ftp://example.com/") and not is_http_url("javascript:alert(1)")
    assert not is_http_url("/relative") and not is_http_url("http://")


_seg = st.text(alphabet="abcXYZ019-._~%/é ?&=#+:;", max_size=12)
_urls = st.builds(
    lambda scheme, host, port, path, query, frag: f"{scheme}://{host}{port}/{path}{query}{frag}",
    st.sampled_from(["http", "https", "HTTP", "Https"]),
    st.sampled_from(
        ["example.com", "EXAMPLE.org", "bücher.de", "m.news.example", "amp.site.example", "[::1]", "1.2.3.4"]
    ),
    st.sampled_from(["", ":80", ":443", ":8080"]),
    _seg,
    st.one_of(st.just(""), st.builds(lambda q: "?" + q, st.text(alphabet="abutm_=&+%20x1", max_size=20))),
    st.one_of(st.just(""), st.builds(lambda f: "#" + f, _seg)),
)


@settings(max_examples=400, deadline=None)
@given(_urls)
def test_normalisation_is_idempotent(url: str) -> None:
    try:
        once = normalise_url(url)
    except UrlError:
        return
    assert normalise_url(once) == once
    canon = canonical_variants(url)
    assert canonical_variants(canon) == canon
    assert url_key(canon) == url_key(url)
