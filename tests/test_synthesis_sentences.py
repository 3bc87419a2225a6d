"""The built-in sentence splitter (fallback when globewire.translate.segment is absent) and tokens."""

from __future__ import annotations

from globewire.stories.sentences import _own_split, split_sentences, words
from globewire.stories.summarise import clean_title, stem


def test_own_splitter_abbreviations_and_quotes() -> None:
    text = 'The U.S. and Dr. Smith met in Tokyo. It was "great." Then J. Doe left! Did it work? 3 people died.'
    assert _own_split(text) == [
        "The U.S. and Dr. Smith met in Tokyo.", 'It was "great."', "Then J. Doe left!", "Did it work?", "3 people died.",
    ]  # fmt: skip


def test_own_splitter_paragraphs_and_cjk() -> None:
    assert _own_split("First para.\n\nSecond para") == ["First para.", "Second para"]
    assert _own_split("東京で会談が開かれた。首脳は合意した。") == [
        "東京で会談が開かれた。",
        "首脳は合意した。",
    ]
    assert _own_split("   ") == []


def test_public_splitter_agrees_on_plain_text() -> None:
    text = "Spain won the final. Germany lost it.\n\nFans celebrated in Madrid."
    assert split_sentences(text, "en") == _own_split(text)
    assert split_sentences("", "en") == []


def test_words_and_stem() -> None:
    assert words("Japan's chip-supply deal, 2.0% (AP)") == [
        "Japan's",
        "chip",
        "supply",
        "deal",
        "2",
        "0",
        "AP",
    ]
    assert [stem(w) for w in ("chips", "running", "supplies", "center", "planned", "crisis")] == [
        "chip", "run", "supply", "centre", "plan", "crisis",
    ]  # fmt: skip
    assert (
        clean_title("WATCH: Ferry capsizes | The Citizen", "The Citizen")
        == "Ferry capsizes"
    )
