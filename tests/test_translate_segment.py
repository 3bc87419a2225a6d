from __future__ import annotations

import os
import time

from globewire.translate.segment import (
    TITLE_PARA,
    batch_by_budget,
    clean_text,
    estimate_tokens,
    segment_article,
    split_paragraphs,
    split_sentences,
)


def test_german_pysbd_keeps_abbreviations_and_decimals() -> None:
    out = split_sentences("Dr. Müller kam um 3.5 Uhr an. Er sagte: „Ja!“ Dann ging er.", "de")
    assert out[0] == "Dr. Müller kam um 3.5 Uhr an."
    assert len(out) == 3


def test_cjk_full_width_enders_without_spaces() -> None:
    assert split_sentences("東京で地震があった。被害は少ない！本当？「はい。」", "ja") == [
        "東京で地震があった。",
        "被害は少ない！",
        "本当？",
        "「はい。」",
    ]
    assert split_sentences("北京今天下雨。明天晴。", "zh") == ["北京今天下雨。", "明天晴。"]


def test_arabic_question_mark_and_urdu_full_stop() -> None:
    assert split_sentences("هل أنت بخير؟ نعم. الرقم 3.5 صحيح", "ar") == ["هل أنت بخير؟", "نعم.", "الرقم 3.5 صحيح"]
    assert split_sentences("یہ پہلا جملہ ہے۔ یہ دوسرا ہے۔", "ur") == ["یہ پہلا جملہ ہے۔", "یہ دوسرا ہے۔"]


def test_hindi_danda() -> None:
    assert split_sentences("भारत एक देश है। यह बड़ा है।", "hi") == ["भारत एक देश है।", "यह बड़ा है।"]


def test_thai_splits_on_spaces_and_merges_short_pieces() -> None:
    text = "วันนี้ฝนตกหนักมากในกรุงเทพมหานคร รัฐบาลประกาศมาตรการใหม่เพื่อช่วยประชาชน 2567"
    out = split_sentences(text, "th")
    assert out == ["วันนี้ฝนตกหนักมากในกรุงเทพมหานคร", "รัฐบาลประกาศมาตรการใหม่เพื่อช่วยประชาชน 2567"]


def test_paragraphs_kept_and_indexed() -> None:
    seg = segment_article(
        "Titel hier",
        "Erster Satz. Zweiter Satz.\n\nDritter Satz.\n",
        "de",
        max_sentence_chars=500,
        max_article_chars=10_000,
    )
    assert [(u.para, u.src) for u in seg.units] == [
        (TITLE_PARA, "Titel hier"),
        (0, "Erster Satz."),
        (0, "Zweiter Satz."),
        (1, "Dritter Satz."),
    ]
    assert split_paragraphs(" a \n\n\n b\r\nc ") == ["a", "b", "c"]


def test_binary_and_control_characters_are_stripped() -> None:
    junk = os.urandom(4096).decode("latin-1")
    out = split_sentences("Hallo Welt.\x00\x07 " + junk + "\ud800 Ende.", "de")
    assert out, "something survives"
    for s in out:
        assert not any(ord(c) < 32 and c not in "\t" for c in s)
        assert "\ud800" not in s
    assert clean_text("a\x00b\x1fc\x7fd") == "abcd"


def test_one_megabyte_sentence_is_bounded_and_noted() -> None:
    huge = "x" * 1_000_000
    t = time.monotonic()
    seg = segment_article("T", huge, "de", max_sentence_chars=600, max_article_chars=60_000)
    assert time.monotonic() - t < 5
    assert all(len(u.src) <= 600 for u in seg.units)
    assert seg.notes["truncated_sentences"] == 1
    assert seg.notes["article_chars_dropped"] == 1_000_000 - 60_000
    # a long paragraph of real sentences in a pysbd language takes the plain rules, still bounded
    long_para = "Das ist ein Satz. " * 3000
    t = time.monotonic()
    out = split_sentences(long_para, "de")
    assert time.monotonic() - t < 5 and len(out) == 3000


def test_mixed_scripts_and_unknown_language() -> None:
    out = split_sentences("Tokyo 東京 is big. これは日本語です。 Кто там? Yes!", "xx")
    assert out == ["Tokyo 東京 is big.", "これは日本語です。", "Кто там?", "Yes!"]


def test_batch_by_budget() -> None:
    items = ["a" * 40, "b" * 40, "c" * 400, "d" * 4, "e" * 4]
    batches = list(batch_by_budget(items, estimate_tokens, budget=30, max_items=2))
    assert [len(b) for b in batches] == [2, 1, 2]
    assert [x for b in batches for x in b] == items
    assert [len(b) for b in batch_by_budget(range(7), lambda _: 1, budget=100, max_items=3)] == [3, 3, 1]


def test_segmentation_is_thread_safe() -> None:
    """Translation workers segment concurrently; pysbd keeps state on its Segmenter, so each thread needs its own."""
    from concurrent.futures import ThreadPoolExecutor

    from globewire.translate.segment import split_sentences

    texts = [
        f"El terremoto número {i} sacudió la costa a las 3:42. Los vecinos salieron a la calle. "
        f"Las autoridades evaluaron los daños en {i + 2} pueblos. No hubo víctimas mortales."
        for i in range(40)
    ]
    expected = [split_sentences(t, "es") for t in texts]

    def run(_: int) -> list[list[str]]:
        return [split_sentences(t, "es") for t in texts]

    with ThreadPoolExecutor(4) as pool:
        results = list(pool.map(run, range(16)))
    assert all(r == expected for r in results)


def test_an_ordinal_day_or_a_one_letter_abbreviation_ends_no_sentence() -> None:
    """Before: "Die Sperrung gilt ab dem 8." / "Dezember 2026 ..." (pysbd) and "... v úterý 8." / "prosince ..."
    (the generic rule): summaries showed the fragments."""
    from globewire.translate.segment import split_sentences

    assert split_sentences("Die Sperrung gilt ab dem 8. Dezember 2026 für alle Fahrzeuge. Danach wird geprüft.", "de") \
        == ["Die Sperrung gilt ab dem 8. Dezember 2026 für alle Fahrzeuge.", "Danach wird geprüft."]
    assert split_sentences("Voda nepoteče v úterý 8. prosince 2026 v ulici Na Kopcích (č. p. 12–48). Děkujeme.", "cs") \
        == ["Voda nepoteče v úterý 8. prosince 2026 v ulici Na Kopcích (č. p. 12–48).", "Děkujeme."]
    assert split_sentences("Cestovné sa od 1. januára 2026 zvýši. Lístok bude stáť 1,30 eura.", "sk") \
        == ["Cestovné sa od 1. januára 2026 zvýši.", "Lístok bude stáť 1,30 eura."]
    # a number ending a sentence still ends it when a sentence follows
    assert split_sentences("Die Mannschaft wurde 8. Danach kam der Regen.", "xx") \
        == ["Die Mannschaft wurde 8.", "Danach kam der Regen."]


def test_text_all_in_lower_case_is_not_rejoined_into_one_unit() -> None:
    from globewire.translate.segment import REJOIN_MAX_CHARS, split_sentences

    chat = " ".join(f"das war ein langer tag nummer {i} und ich bin müde." for i in range(40))
    parts = split_sentences(chat, "xx")
    assert len(parts) > 1 and max(len(p) for p in parts) < REJOIN_MAX_CHARS + 60
