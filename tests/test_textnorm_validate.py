"""The one definition of clean text (textnorm) and of plausible values from outside (validate)."""

from __future__ import annotations

import datetime as dt
import math

import pytest

from globewire import validate
from globewire.textnorm import clean_html, clean_text, clean_value
from globewire.validate import FieldError


def test_clean_text_drops_what_xml_and_extractors_cannot_take() -> None:
    assert clean_text("a\x00b\x01c\x1fd\x7fe\x85f") == "abcdef"
    assert clean_text("tab\tnew\nline\r") == "tab\tnew\nline\r"
    assert clean_text("v\x0bf\x0c") == "v f "
    assert clean_text("\ufffe\uffff\ufdd0\ufdef\U0001fffe\U0010ffff\ud800x\udfff") == "x"
    # Bidi overrides and isolates go (a title can no longer read backwards); implicit marks stay.
    assert clean_text("evil\u202egnp.exe") == "evilgnp.exe"
    assert clean_text("\u2066a\u2069 \u200fb\u200e") == "a \u200fb\u200e"
    assert clean_text("Ünïcödé 中文 العربية 🙂") == "Ünïcödé 中文 العربية 🙂"


def test_clean_html_removes_references_to_dropped_code_points() -> None:
    assert clean_html("a&#xFFFE;b&#1;c&#xD800;d&#x202E;e") == "abcde"
    assert clean_html("&#0;&#x110000;") == "\ufffd\ufffd"
    assert clean_html("&#233;&#x4E2D;&#150;&amp;") == "&#233;&#x4E2D;&#150;&amp;"  # kept for the parser


def test_clean_value_keeps_markup_type() -> None:
    from markupsafe import Markup

    out = clean_value(Markup("<b>x\ufffe</b>"))
    assert isinstance(out, Markup) and str(out) == "<b>x</b>"
    assert clean_value(5) == 5 and clean_value("ok") == "ok"


def test_plausible_dates_and_clamps() -> None:
    now = dt.datetime.now(dt.UTC)
    assert validate.plausible_datetime(now) == now
    assert validate.plausible_datetime(dt.datetime(1994, 12, 31, tzinfo=dt.UTC)) is None
    assert validate.plausible_datetime(now + dt.timedelta(days=3)) is None
    assert validate.plausible_datetime(dt.datetime(1, 1, 1, tzinfo=dt.timezone(dt.timedelta(hours=14)))) is None
    assert validate.plausible_datetime(dt.datetime(2020, 1, 1)) == dt.datetime(2020, 1, 1, tzinfo=dt.UTC)
    assert validate.clamp_datetime(dt.datetime(9999, 12, 31, tzinfo=dt.UTC)) == validate.SAFE_MAX
    assert validate.clamp_datetime(dt.datetime(1, 1, 1, tzinfo=dt.timezone(dt.timedelta(hours=14)))) == validate.SAFE_MIN
    lo, hi = validate.SAFE_MIN.timestamp() / 3600, validate.SAFE_MAX.timestamp() / 3600
    assert validate.clamp_hours(1e300) == hi and validate.clamp_hours(-math.inf) == lo
    assert validate.clamp_hours(math.nan) == lo
    # Extraction and feeds use the same window.
    from globewire import feeds
    from globewire.extract import dates

    assert dates.MIN_YEAR == feeds.MIN_PLAUSIBLE_YEAR == validate.MIN_YEAR


@pytest.mark.parametrize(("fn", "value", "expected"), [
    (validate.language_code, "de-AT", "de"),
    (validate.language_code, "zh_Hant", "zh"),
    (validate.language_code, "EN", "en"),
    (validate.language_code, None, None),
    (validate.country_code, "gb", "GB"),
    (validate.country_code, "XK", "XK"),
    (validate.http_url, " https://a.test/x ", "https://a.test/x"),
    (validate.source_url, "file:///tmp/a.html", "file:///tmp/a.html"),
])
def test_good_values(fn, value, expected) -> None:
    assert fn(value, "f") == expected


@pytest.mark.parametrize(("fn", "value"), [
    (validate.language_code, "x" * 5000),
    (validate.language_code, "e1"),
    (validate.language_code, 12),
    (validate.country_code, "ZZ"),
    (validate.country_code, "GBR"),
    (validate.http_url, 12345),
    (validate.http_url, "javascript:alert(1)"),
    (validate.http_url, "https://a.test/\x00"),
    (validate.http_url, "https://"),
    (validate.http_url, "https://a.test/" + "x" * 9000),
    (validate.source_url, "data:text/html,hi"),
])
def test_bad_values_name_their_field(fn, value) -> None:
    with pytest.raises(FieldError) as err:
        fn(value, "the_field")
    assert err.value.field == "the_field" and str(err.value).startswith("the_field: ")


def test_numbers_and_texts() -> None:
    assert validate.finite_number(0.5, "c", 0, 1) == 0.5
    for bad in (math.inf, -math.inf, math.nan, 1.5, -0.1, True, "0.5", 10**400):
        with pytest.raises(FieldError):
            validate.finite_number(bad, "c", 0, 1)
    assert validate.text("a\x00b", "t", 10) == "ab"
    with pytest.raises(FieldError):
        validate.text("x" * 11, "t", 10)
    with pytest.raises(FieldError):
        validate.text(["x"], "t", 10)
    with pytest.raises(FieldError, match="outside the plausible range"):
        validate.parse_datetime("9999-12-31", "published_at")
    assert validate.parse_datetime("2024-05-01T10:00:00Z", "p") == dt.datetime(2024, 5, 1, 10, tzinfo=dt.UTC)
