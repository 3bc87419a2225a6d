"""`globewire bench stories` reads the pairs' articles as `globewire ingest` stores them (bench/stories.py,
``as_ingested``): texts cleaned with their titles found, and pages that are not articles rejected and in no
story, as the dedup stage rejects them. Invented pairs, hand-made lead vectors."""

from __future__ import annotations

from typing import Any

import numpy as np

from globewire.bench import stories as bench

BLOCK = ("Bardzo nam przykro, ale z Twojego łącza przyszło zbyt wiele zapytań. Aby przejść dalej, kliknij „Nie "
         "jestem robotem”. Twój adres IP: 192.0.2.7")
REPORT_A = ("Fire destroys warehouse in Gniezno overnight Firefighters fought the blaze in the warehouse for ten "
            "hours, the fire service said on Friday. Nobody was hurt in the fire, which started after midnight.")
REPORT_B = ("Warehouse blaze in Gniezno put out after ten hours The fire in a warehouse on the edge of Gniezno was "
            "put out on Friday morning, firefighters said. The cause of the fire is not yet known.")


def _pairs() -> list[dict[str, Any]]:
    return [
        {"pair_id": "1_2", "lang1": "en", "lang2": "en", "overall": 1.0,
         "link1": "https://news.example.org/world/fire-destroys-warehouse-in-gniezno-overnight-1234567",
         "link2": "https://paper.example.com/news/warehouse-blaze-in-gniezno-put-out-after-ten-hours",
         "text1": REPORT_A, "text2": REPORT_B},
        {"pair_id": "1_3", "lang1": "en", "lang2": "pl", "overall": 1.5,
         "link1": "https://news.example.org/world/fire-destroys-warehouse-in-gniezno-overnight-1234567",
         "link2": "https://gazeta.example.pl/pozar-hali-magazynowej-w-gnieznie-strazacy-walczyli-cala-noc/ar/c1-1",
         "text1": REPORT_A, "text2": BLOCK},
    ]


def test_articles_are_read_as_ingest_stores_them() -> None:
    pairs, rejected = bench.as_ingested(_pairs())
    assert pairs[0]["title1"] == "Fire destroys warehouse in Gniezno overnight"
    assert pairs[0]["text1"].startswith("Firefighters fought the blaze")
    assert pairs[0]["title2"] == "Warehouse blaze in Gniezno put out after ten hours"
    assert bench.article_text(pairs[0], 1).startswith("Fire destroys warehouse in Gniezno overnight\nFirefighters")
    assert rejected == {bench.article_key(pairs[1], 2): "not_article:antibot"}


def test_a_rejected_article_is_in_no_story() -> None:
    pairs, rejected = bench.as_ingested(_pairs())
    same = np.asarray([1.0, 0.0, 0.0], dtype=np.float32)
    lead = np.stack([same, same, same, same])  # every lead identical: anything clustered would join
    arts = bench.pair_articles(pairs, lead, rejected)
    assert len(arts.texts) == 3 and len(arts.rejected) == 1
    _, joined, near = bench.cluster_pairs(pairs, lead, None, arts)
    assert joined.tolist() == [True, False] and not near[1]
