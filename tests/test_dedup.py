"""Near-duplicate detection on syndicated copies and updated versions (real MinHash, no store)."""

from __future__ import annotations

from globewire import dedup

WIRE = (
    "Finance ministers from the group of twenty economies agreed on Saturday to work towards a common minimum "
    "tax on the profits of large multinational companies, ending two days of talks in the coastal city. The "
    "agreement still needs the approval of national parliaments, officials said, and several countries asked "
    "for exemptions for their shipping and mining sectors. The host government called the result a turning "
    "point for fair taxation while campaign groups said the proposed rate was too low to stop profit shifting. "
    "Negotiators will meet again in the spring to settle the remaining technical questions about how the tax "
    "would be collected and shared between the countries where companies sell their products."
)
SAME_STORY_OTHER_WRITER = (
    "A deal on taxing multinationals was struck by G20 finance chiefs at the weekend. Critics argue the "
    "minimum rate is far too low, and some nations want carve-outs for mining and shipping. Parliaments must "
    "still ratify the plan. The talks lasted two days and a new round is planned for the spring, when "
    "technical details on collecting and sharing revenue will be discussed by officials from all members."
)


def sim(a: str, b: str) -> float:
    ma, mb = dedup.minhash_of(a), dedup.minhash_of(b)
    assert ma is not None and mb is not None
    return float(ma.jaccard(mb))


def test_wire_copy_with_other_byline_is_a_near_duplicate():
    copy = "By Staff Reporter. " + WIRE + " (Reporting by Jane Roe; editing by John Doe)"
    assert sim(WIRE, copy) >= dedup.NEAR_DUP_THRESHOLD


def test_updated_version_is_a_near_duplicate():
    updated = WIRE + (" Later on Saturday two more countries said they would sign the agreement, bringing the "
                      "number of supporters to eighteen.")
    assert sim(WIRE, updated) >= dedup.NEAR_DUP_THRESHOLD


def test_same_story_by_another_writer_is_not_a_duplicate():
    assert sim(WIRE, SAME_STORY_OTHER_WRITER) < 0.2


def test_content_hash_ignores_case_and_whitespace():
    assert dedup.content_hash("t", "Hello,  World!") == dedup.content_hash("t", "hello world")
    assert dedup.content_hash("t", "hello world") != dedup.content_hash("t", "hello there world")


def test_short_texts_are_not_near_matched():
    assert dedup.minhash_of("a few words only") is None


def test_index_returns_the_earliest_best_original_and_roundtrips_bytes():
    idx = dedup.DedupIndex()
    m = dedup.minhash_of(WIRE)
    blob = dedup.minhash_to_bytes(m)
    idx.add(5, dedup.minhash_from_bytes(blob))
    idx.add(3, dedup.minhash_from_bytes(blob))
    hit = idx.best_match(dedup.minhash_of(WIRE + " Extra sentence at the end of it."))
    assert hit is not None and hit.original_id == 3 and hit.similarity > 0.8
    assert idx.best_match(dedup.minhash_of(SAME_STORY_OTHER_WRITER)) is None
    assert idx.best_match(m, exclude=3).original_id == 5
