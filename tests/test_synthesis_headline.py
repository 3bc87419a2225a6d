"""Neutral headline and extractive summary on small hand-made stories."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from globewire.config.stories import StorySettings
from globewire.stories.sentences import split_sentences
from globewire.stories.summarise import (
    clean_title,
    extractive_summary,
    headline_penalty,
    neutral_headline,
    trim_headline,
)
from globewire.stories.synthesis import ArticleView, synthesise_story

T0 = datetime(2025, 3, 2, 9, 0, tzinfo=UTC)
BODY = (
    "The city council of Lyon approved a new tram line on Monday after a two-year consultation. "
    "The line will link the main railway station with the university campus in the east of the city. "
    "Construction is planned to start next spring and to last about three years. "
    "The project is expected to cost 420 million euros, shared between the city and the region. "
    "Opposition councillors criticised the cost and asked for more bus lanes instead."
)


def a(i: int, title: str, text: str = BODY, lang: str = "en", title_en: str | None = None,
      text_en: str | None = None, outlet: str = "x", country: str = "FR") -> ArticleView:  # fmt: skip
    return ArticleView(i, outlet, outlet.title(), country, lang, title, text, title_en, text_en,
                       T0 + timedelta(minutes=i), None)  # fmt: skip


def test_loaded_title_loses_to_neutral_alternative() -> None:
    arts = [
        a(
            1,
            "Council SLAMS critics, forces through shocking tram plan!",
            outlet="tabloid",
        ),
        a(
            2,
            "Lyon council approves new tram line to university campus",
            outlet="paper",
        ),
        a(3, "Lyon approves tram line linking station and campus", outlet="wire"),
    ]
    headline, lang, _ = neutral_headline(arts)
    assert lang == "en"
    assert (
        "shocking" not in headline.lower()
        and "slams" not in headline.lower()
        and "!" not in headline
    )
    # with different bodies (so no lead sentence dominates), one of the plain titles wins
    bodies = [
        BODY,
        " ".join(split_sentences(BODY)[1:]),
        " ".join(split_sentences(BODY)[2:]),
    ]
    arts = [
        a(i + 1, x.title, bodies[i], outlet=x.outlet_id or "")
        for i, x in enumerate(arts)
    ]
    headline, _, src = neutral_headline(arts)
    assert src in (2, 3) and headline in {x.title for x in arts[1:]}


def test_question_and_quote_headlines_penalised() -> None:
    assert headline_penalty("Is this the end of the tram plan?") > headline_penalty(
        "Lyon approves tram plan"
    )
    assert headline_penalty('"We will never give up": mayor') > headline_penalty(
        "Mayor vows to continue"
    )
    assert headline_penalty("You won't believe what the council did") >= 0.4


def test_outlet_suffix_and_prefix_stripped() -> None:
    assert (
        clean_title("Lyon approves tram line - BBC News", "BBC News")
        == "Lyon approves tram line"
    )
    assert clean_title("Lyon approves tram line | Reuters") == "Lyon approves tram line"
    assert clean_title("LIVE: Lyon approves tram line") == "Lyon approves tram line"
    assert (
        clean_title("Quake hits Peru - death toll rises")
        == "Quake hits Peru - death toll rises"
    )


def test_trim_at_word_boundary() -> None:
    long = "Lyon city council approves a new tram line linking the main railway station with the eastern university campus"
    t = trim_headline(long)
    assert len(t) <= 90 and t.endswith("…") and long.startswith(t[:-1])
    assert trim_headline("Short headline") == "Short headline"


def test_long_titles_still_fit() -> None:
    long = "Lyon " + "council approves a new tram line " * 6
    d = synthesise_story(
        1,
        [a(1, long), a(2, long + " again")],
        settings=StorySettings(),
        reference_outlets=0,
    )
    assert 0 < len(d["headline"]) <= 90


def test_translated_titles_used_and_original_fallback() -> None:
    fr = a(1, "Lyon approuve une ligne de tramway", "Texte.", "fr", title_en="Lyon approves a tram line",
           text_en=BODY)  # fmt: skip
    headline, lang, _ = neutral_headline([fr])
    assert lang == "en" and "tram" in headline
    untranslated = [a(1, "Lyon approuve une ligne de tramway", "Texte en français.", "fr"),
                    a(2, "Le tramway de Lyon validé", "Autre texte.", "fr")]  # fmt: skip
    headline, lang, _ = neutral_headline(untranslated)
    assert lang == "fr" and headline == "Lyon approuve une ligne de tramway"
    d = synthesise_story(1, untranslated, settings=StorySettings(), reference_outlets=0)
    assert d["headline_language"] == "fr" and d["summary"] == []


def test_summary_drops_boilerplate_and_keeps_ids() -> None:
    noisy = (
        BODY
        + " Subscribe to our newsletter for more stories like this one every day. Read more."
    )
    arts = [
        a(1, "Lyon approves tram line", noisy),
        a(2, "Tram line approved in Lyon", BODY),
    ]
    summ = extractive_summary(arts)
    assert 3 <= len(summ) <= 5
    assert all(s["article_id"] in (1, 2) for s in summ)
    assert not any(
        "newsletter" in s["text"].lower() or s["text"] == "Read more." for s in summ
    )
    assert len({s["text"] for s in summ}) == len(
        summ
    )  # the two identical bodies are not repeated
    first = split_sentences(BODY)[0]
    assert summ[0]["text"] == first  # the lead comes first


def test_empty_and_bad_input() -> None:
    d = synthesise_story(5, [], settings=StorySettings(), reference_outlets=2)
    assert (
        d["article_count"] == 0
        and d["headline"] == ""
        and d["blindspot"]["flag"] is False
    )
    import pytest

    from globewire.stories.synthesis import SynthesisError

    with pytest.raises(SynthesisError):
        synthesise_story(
            5, [a(1, "x"), a(1, "y")], settings=StorySettings(), reference_outlets=0
        )


def test_summariser_setting_unknown_backend() -> None:
    import pytest

    from globewire.plugins import BackendNotFound

    with pytest.raises(BackendNotFound):
        synthesise_story(
            1,
            [a(1, "Lyon tram")],
            settings=StorySettings(summariser="nope"),
            reference_outlets=0,
        )


DE_BODY = (
    "Der Stadtrat von Lyon hat am Montag nach zweijähriger Beratung eine neue Straßenbahnlinie beschlossen. "
    "Die Linie soll den Hauptbahnhof mit dem Universitätsgelände im Osten der Stadt verbinden. "
    "Der Bau soll im kommenden Frühjahr beginnen und etwa drei Jahre dauern. "
    "Die Kosten werden auf 420 Millionen Euro geschätzt."
)
FR_BODY = (
    "Le conseil municipal de Lyon a approuvé lundi une nouvelle ligne de tramway après deux ans de concertation. "
    "La ligne reliera la gare principale au campus universitaire à l'est de la ville."
)


def test_untranslated_story_gets_a_summary_in_its_main_language() -> None:
    """No English anywhere (nothing translated yet): the summary is the opening of the earliest article in
    the story's most common language, each sentence marked with that language, instead of nothing."""
    arts = [a(1, "Lyon beschließt neue Straßenbahn", DE_BODY, lang="de", country="DE"),
            a(2, "Lyon : feu vert pour le tram", FR_BODY, lang="fr"),
            a(3, "Neue Tramlinie für Lyon", DE_BODY.replace("Montag", "Montagabend"), lang="de", country="CH")]
    summary = extractive_summary(arts)
    assert summary == []  # nothing in English to extract from
    out = synthesise_story(7, arts, settings=StorySettings(), reference_outlets=0)
    assert len(out["summary"]) == 3
    assert all(s["language"] == "de" and s["article_id"] == 1 for s in out["summary"])
    assert out["summary"][0]["text"].startswith("Der Stadtrat von Lyon")
    # once one article has English, the English extractive summary takes over
    arts[1] = a(2, "Lyon : feu vert pour le tram", FR_BODY, lang="fr", title_en="Lyon approves tram",
                text_en=BODY)
    out = synthesise_story(7, arts, settings=StorySettings(), reference_outlets=0)
    assert out["summary"] and all("language" not in s for s in out["summary"])


def test_untranslated_story_names_the_countries_it_mentions() -> None:
    text = ("Frankreich und Deutschland haben sich auf eine gemeinsame Linie geeinigt. "
            "Frankreich übernimmt den Vorsitz, Deutschland stellt die Mittel bereit.")
    arts = [a(1, "Einigung zwischen Paris und Berlin", text, lang="de", country="DE"),
            a(2, "Paris und Berlin einig", text.replace("geeinigt", "verständigt"), lang="de", country="AT")]
    out = synthesise_story(8, arts, settings=StorySettings(), reference_outlets=0)
    assert out["countries_mentioned"] == ["DE", "FR"]
