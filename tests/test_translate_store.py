from __future__ import annotations

import datetime as dt

from globewire.records import utcnow
from globewire.store.translations import sentence_hash
from tests.test_translate_support import article


def _ids(store):
    de, _ = store.upsert_article(article("https://a.de/1", "Hund", "Der Hund läuft.", "de"))
    en, _ = store.upsert_article(article("https://a.com/1", "Dog", "The dog runs.", "en", country="US"))
    dup, _ = store.upsert_article(article("https://b.de/1", "Hund!", "Der Hund läuft.", "de", duplicate_of=de))
    und, _ = store.upsert_article(article("https://c.xx/1", "??", "??", "und"))
    return de, en, dup, und


def test_migration_and_roundtrip(store) -> None:
    assert "0002_translations.sql" in store.applied_migrations()
    de, en, dup, und = _ids(store)
    assert [r["id"] for r in store.pending_translations()] == [de, dup]  # originals first, en/und never
    align = [{"para": -1, "src": "Hund", "en": "Dog"}, {"para": 0, "src": "Der Hund läuft.", "en": "The dog runs."}]
    store.save_translation(de, "Dog", "The dog runs.", align, "libretranslate", "lt@x", {"sentences": 2})
    t = store.get_translation(de)
    assert t.status == "done" and t.alignment == align and t.backend == "libretranslate"
    assert t.model == "lt@x" and t.translated_at and t.notes == {"sentences": 2}
    assert t.source_language == "de"
    texts = store.english_texts([de, en, dup, und, 999])
    assert texts[de] == ("Dog", "The dog runs.")
    assert texts[en] == ("Dog", "The dog runs.")  # the English original
    assert texts[dup] == ("Dog", "The dog runs.")  # falls back to its original's translation
    assert und not in texts and 999 not in texts
    assert [r["id"] for r in store.pending_translations()] == [dup]


def test_failures_retry_schedule_and_stats(store) -> None:
    de, _, dup, _ = _ids(store)
    past = utcnow() - dt.timedelta(seconds=5)
    future = utcnow() + dt.timedelta(hours=1)
    assert store.mark_translation_failed(de, "boom", past) == 1
    assert store.mark_translation_failed(de, "boom again", past) == 2
    store.mark_translation_failed(dup, "no model; run globewire models pull de", future, status="unavailable")
    assert [r["id"] for r in store.pending_translations()] == [de]  # dup not due yet
    assert store.pending_translations()[0]["attempts"] == 2
    st = store.translation_stats()
    assert st["failed"] == 1 and st["unavailable"] == 1 and st["retry_due"] == 1
    assert st["by_language"]["de"] == {"failed": 1, "unavailable": 1}
    assert any("boom again" in e for e in st["last_errors"])
    store.mark_translation_failed(de, "gave up", None)
    assert store.translation_stats()["gave_up"] == 1
    assert [r["id"] for r in store.pending_translations()] == []


def test_changed_article_becomes_pending_again(store) -> None:
    de, *_ = _ids(store)
    store.save_translation(de, "Dog", "The dog runs.", [], "b", "m", {})
    assert de not in [r["id"] for r in store.pending_translations()]
    store.upsert_article(article("https://a.de/1", "Hund", "Der Hund läuft schnell.", "de"))
    assert de in [r["id"] for r in store.pending_translations()]


def test_cache_is_keyed_by_backend_model_language(store) -> None:
    h = sentence_hash("Der Hund läuft.")
    store.translation_cache_put("b", "m1", "de", {h: "The dog runs."})
    assert store.translation_cache_get("b", "m1", "de", [h, "nope"]) == {h: "The dog runs."}
    assert store.translation_cache_get("b", "m2", "de", [h]) == {}
    assert store.translation_cache_get("b", "m1", "nl", [h]) == {}
    assert store.translation_cache_get("other", "m1", "de", [h]) == {}
    store.translation_cache_put("b", "m1", "de", {h: "The dog is running."})
    assert store.translation_cache_get("b", "m1", "de", [h])[h] == "The dog is running."
    assert store.translation_stats()["cache_sentences"] == 1


def test_reset_by_language(store) -> None:
    de, *_ = _ids(store)
    jp, _ = store.upsert_article(article("https://j.jp/1", "犬", "犬が走る。", "ja", country="JP"))
    for i in (de, jp):
        store.save_translation(i, "t", "x", [], "b", "m", {})
    assert store.reset_translations("ja") == 1
    assert store.get_translation(jp) is None and store.get_translation(de) is not None


def test_failed_retranslation_keeps_the_earlier_english(store) -> None:
    de, *_ = _ids(store)
    store.save_translation(de, "Dog", "The dog runs.", [], "b", "m", {})
    store.upsert_article(article("https://a.de/1", "Hund", "Der Hund läuft schnell.", "de"))
    store.mark_translation_failed(de, "server error", utcnow() + dt.timedelta(minutes=5))
    assert store.get_translation(de).status == "failed"
    assert store.english_texts([de])[de] == ("Dog", "The dog runs.")


def test_uncounted_attempts(store) -> None:
    de, *_ = _ids(store)
    assert store.mark_translation_failed(de, "no model", None, status="unavailable", count_attempt=False) == 0
    assert store.mark_translation_failed(de, "boom", None) == 1
