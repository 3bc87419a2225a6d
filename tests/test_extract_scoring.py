"""The benchmark scoring functions (AEB shingle F1, token F1, dates)."""

from __future__ import annotations

import datetime as dt

import pytest

from globewire.bench.scoring import (
    corpus_score,
    date_within,
    parse_iso_datetime,
    primary_subtag,
    shingle_counts,
    shingles,
    title_exact,
    token_f1,
)


def test_shingles_are_4_token_multisets() -> None:
    s = shingles("a b c d a b c d")
    assert s[("a", "b", "c", "d")] == 2
    assert sum(s.values()) == 5
    assert shingles("one two") == {("one", "two"): 1}  # shorter than 4 tokens: one shorter shingle
    assert not shingles("")


def test_page_counts_normalised() -> None:
    c = shingle_counts("a b c d e f", "a b c d e x")
    assert c.tp + c.fp + c.fn == pytest.approx(1.0)
    assert c.precision == pytest.approx(2 / 3)
    assert c.recall == pytest.approx(2 / 3)
    perfect = shingle_counts("same text here again", "same text here again")
    assert perfect.precision == perfect.recall == 1.0
    empty = shingle_counts("some expected words here", "")
    assert empty.precision == 0.0 and empty.recall == 0.0


def test_corpus_f1_is_f1_of_means() -> None:
    pages = [shingle_counts("a b c d e", "a b c d e"), shingle_counts("a b c d e", "x y z w v")]
    s = corpus_score(pages)
    assert s.precision == pytest.approx(0.5) and s.recall == pytest.approx(0.5) and s.f1 == pytest.approx(0.5)


def test_token_f1_and_title() -> None:
    assert token_f1("The Quick fox", "the quick fox") == 1.0
    assert token_f1("a b", "c d") == 0.0
    assert title_exact("  Hello\n world ", "Hello world")


def test_dates_and_langs() -> None:
    d = parse_iso_datetime("2024-05-03 15:47:42.389000+00:00")
    assert d is not None
    assert date_within(d, dt.datetime(2024, 5, 4, 10, 0, tzinfo=dt.UTC))
    assert not date_within(d, dt.datetime(2024, 5, 5, 10, 0, tzinfo=dt.UTC))
    assert not date_within(d, None)
    assert primary_subtag("nb-NO") == "no" and primary_subtag("de-CH") == "de" and primary_subtag(None) is None
