"""Store reads of the reader's front (store/front.py, TranslationsRepo.translation_states). Portable: the
contract suite (tests/test_store_contract.py) runs these on SQLite and PostgreSQL."""

from __future__ import annotations

import datetime as dt
from typing import Any

from globewire.store.types import MemberFact, TranslationState
from tests.browser.frontcorpus import UNAVAILABLE, fill_front_store


def test_front_reads(store: Any) -> None:
    info = fill_front_store(store, picture_base="https://pictures.example")
    ever = store.articles_per_country(None)
    assert ever["TZ"] >= 1 and ever["PL"] == 1 and sum(ever.values()) >= 30
    recent = store.articles_per_country(dt.datetime.now(dt.UTC) - dt.timedelta(hours=24))
    # the EuroBasket day (DE, ES, FR, US) and the flood (PL published, CZ undated: counted by fetch time)
    assert recent == {"DE": 1, "ES": 1, "FR": 1, "US": 1, "PL": 1, "CZ": 1}
    facts = store.story_member_facts([info["flood_story"], info["stories"][1], 10**9])
    assert facts[10**9] == []
    # both backends hand back the same frozen types (store/types.py), not rows
    assert all(type(m) is MemberFact for ms in facts.values() for m in ms)
    flood = facts[info["flood_story"]]
    assert [m.id for m in flood] == info["flood"]
    assert flood[0].site_name == "Gazeta Wrocławska" and flood[0].outlet_name is None
    assert flood[1].outlet_name == "ČT24" and flood[1].published_at is None and flood[1].fetched_at
    quake = facts[info["stories"][1]]
    assert any(m.image_url == "https://pictures.example/pictures/1-6.png" for m in quake)
    states = store.translation_states(info["flood"] + [info["articles"][6], info["articles"][2]])
    assert states and all(type(st) is TranslationState for st in states.values())
    assert states[info["flood"][0]].status == "unavailable" and states[info["flood"][0]].last_error == UNAVAILABLE
    assert states[info["flood"][1]].status is None
    assert states[info["articles"][6]].status == "done" and not states[info["articles"][6]].stale
    assert states[info["articles"][2]].language == "en"
