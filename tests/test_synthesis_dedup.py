"""Summaries a person would read (issue 13 item 6): no sentence twice across copies, no furniture, no
caption residue, 3-5 sentences each with its source; takes without furniture."""

from __future__ import annotations

import datetime as dt

from globewire.config.stories import StorySettings
from globewire.stories.summarise import (
    NEAR_DUPLICATE_JACCARD,
    Sentence,
    _token_set,
    drop_near_duplicates,
    extractive_summary,
    is_boilerplate,
)
from globewire.stories.synthesis import ArticleView, synthesise_story

T0 = dt.datetime(2026, 11, 5, 8, tzinfo=dt.UTC)

LEAD = ("Parliament will vote on Tuesday on a bill that raises the minimum wage by ten percent from January, "
        "the government said.")
UPDATE = ("Parliament voted on Tuesday for a bill that raises the minimum wage by ten percent from January, "
          "the government said.")
FACTS = [
    "Employers' groups warned that small shops in rural areas could cut jobs because of the higher wage costs.",
    "Unions welcomed the decision but said the increase came two years later than they had demanded.",
    "The finance ministry expects the measure to lift the pay of about two million workers across the country.",
    "Opposition lawmakers argued that the bill did nothing to address the rising cost of housing in cities.",
]
FURNITURE = [
    "3 min read Last Updated: Nov 5, 2024, 09:10 AM IST and the vote is expected to pass easily today.",
    "See also: Minimum wage rises in neighbouring countries after long debates among their lawmakers.",
    "2 Bilder 2 Bilder Parliament building in the capital seen from the river on a cloudy morning.",
    "Lawmakers gather in the chamber before the vote on the wage bill (Photo: Reuters / Jane Smith).",
]


def view(i: int, text: str, *, country: str = "GB", outlet: str = "o", hours: int = 0, dup: int | None = None
         ) -> ArticleView:
    return ArticleView(id=i, outlet_id=f"{outlet}{i}", outlet_name=f"Outlet {i}", country=country, language="en",
                       title="Parliament votes to raise the minimum wage", text=text, title_en=None, text_en=None,
                       published_at=T0 + dt.timedelta(hours=hours), duplicate_of=dup)


def test_threshold_is_named_and_separates_an_update_from_a_new_fact() -> None:
    assert 0.5 <= NEAR_DUPLICATE_JACCARD <= 0.8
    a, b = _token_set(LEAD), _token_set(UPDATE)
    assert len(a & b) / len(a | b) >= NEAR_DUPLICATE_JACCARD  # "will vote on" -> "voted for": one sentence
    c = _token_set(FACTS[0])
    assert len(a & c) / len(a | c) < NEAR_DUPLICATE_JACCARD


def test_drop_near_duplicates_keeps_the_first() -> None:
    sents = [Sentence(1, 0, 3, LEAD, "GB", "o1", T0), Sentence(2, 0, 3, UPDATE, "GB", "o2", T0),
             Sentence(3, 0, 3, "BERLIN (dpa) - " + LEAD, "DE", "o3", T0), Sentence(3, 1, 3, FACTS[1], "DE", "o3", T0)]
    kept = drop_near_duplicates(sents)
    assert [s.article_id for s in kept] == [1, 3]
    assert kept[1].text == FACTS[1]


def test_summary_never_says_a_sentence_twice_across_copies_and_updates() -> None:
    # three outlets carry the same wire lead (one the update), none marked as a duplicate of another
    arts = [
        view(1, " ".join([LEAD, FACTS[0], FACTS[1]])),
        view(2, " ".join([UPDATE, FACTS[2]]), hours=1),
        view(3, " ".join(["LONDON (Reuters) - " + LEAD, FACTS[3], FACTS[0]]), hours=2),
        view(4, " ".join([UPDATE, FACTS[1], FACTS[2]]), hours=3),
    ]
    summ = extractive_summary(arts)
    assert 3 <= len(summ) <= 5
    texts = [s["text"] for s in summ]
    sets = [_token_set(t) for t in texts]
    for i in range(len(sets)):
        for j in range(i):
            assert len(sets[i] & sets[j]) / len(sets[i] | sets[j]) < NEAR_DUPLICATE_JACCARD, (texts[i], texts[j])
    ids = {a.id for a in arts}
    assert all(s["article_id"] in ids for s in summ)  # each keeps its source


def test_summary_and_takes_leave_furniture_and_captions_out() -> None:
    for f in FURNITURE:
        assert is_boilerplate(f), f
    for f in FACTS + [LEAD]:
        assert not is_boilerplate(f), f
    arts = [
        view(1, "\n".join([FURNITURE[0], LEAD, FURNITURE[2], FACTS[0], FURNITURE[1]]), country="GB"),
        view(2, "\n".join([FURNITURE[3], UPDATE, FACTS[1], FURNITURE[0]]), country="DE", hours=1),
        view(3, "\n".join([LEAD, FACTS[2], FURNITURE[2], FACTS[3]]), country="FR", hours=2),
    ]
    data = synthesise_story(7, arts, settings=StorySettings(), reference_outlets=0)
    said = [s["text"] for s in data["summary"]] + [t["text"] for ts in data["alternative_takes"].values() for t in ts]
    assert data["summary"]
    for text in said:
        assert not is_boilerplate(text), text
        assert "min read" not in text and "See also" not in text and "Bilder" not in text and "Photo:" not in text


def test_a_summary_opens_without_the_dateline_or_the_title_glued_to_the_text() -> None:
    """The first sentence of a text often carries a dateline ("BERLIN (Reuters) - ") or, in imported text,
    the headline itself run into the lead: the reader sees the headline above and wants the news."""
    from globewire.stories.summarise import original_language_summary, story_sentences

    title = "Parliament votes to raise the minimum wage"
    arts = [view(1, "WESTMINSTER (Reuters) - " + LEAD + " " + " ".join(FACTS)),
            view(2, title + " " + UPDATE + " " + FACTS[1], hours=1)]
    firsts = [s.text for s in story_sentences(arts) if s.index == 0]
    assert firsts == [LEAD, UPDATE]
    # the same in a story with no English yet: the opening of the first report, in its own language
    pl = ArticleView(id=3, outlet_id="o3", outlet_name="Outlet 3", country="PL", language="pl",
                     title="Sondaż: co Polacy chcą zmienić w 2027 roku?",
                     text="Sondaż: co Polacy chcą zmienić w 2027 roku?\nNajwięcej, bo 41 proc. badanych, wskazało na "
                          "ochronę zdrowia. Na drugim miejscu znalazło się sądownictwo, które wskazało 21 proc.",
                     title_en=None, text_en=None, published_at=T0, duplicate_of=None)
    said = [s["text"] for s in original_language_summary([pl])]
    assert said and not any(s.startswith("Sondaż") for s in said)
    assert said[0].startswith("Najwięcej")
