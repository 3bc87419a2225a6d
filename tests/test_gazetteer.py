"""Country gazetteer: names, demonyms, places, longest match, ambiguity, thresholds."""

from __future__ import annotations

import pytest

from globewire.stories.gazetteer import (
    GazetteerError,
    default_gazetteer,
    load_gazetteer,
)


def counts(text: str) -> dict[str, int]:
    return dict(default_gazetteer().count([text]))


@pytest.mark.parametrize(
    ("text", "cc"),
    [
        ("South Korean officials arrived.", "KR"),
        ("German carmakers warned.", "DE"),
        ("Brazilian voters went to the polls.", "BR"),
        ("An Emirati delegation landed.", "AE"),
        ("Thousands of Germans protested.", "DE"),
        ("Kyiv was shelled overnight.", "UA"),
        ("Residents of Kiev said.", "UA"),
        ("Talks in Tokyo ended.", "JP"),
        ("Officials in Brussels agreed.", "BE"),
        ("Washington imposed tariffs.", "US"),
        ("The U.S. economy grew.", "US"),
        ("Ministers in Türkiye and Turkey", "TR"),
        ("Côte d'Ivoire held elections.", "CI"),
    ],
)
def test_single_country(text: str, cc: str) -> None:
    assert set(counts(text)) == {cc}


def test_longest_match_first() -> None:
    assert counts("South Korea and North Korea met.") == {"KR": 1, "KP": 1}
    assert counts("Wildfires in New Mexico spread.") == {"US": 1}  # not Mexico
    assert counts("Flights from Mexico City.") == {"MX": 1}
    assert counts("Cyclone in the Indian Ocean.") == {}  # not India
    assert counts("Indian and Pakistani troops.") == {"IN": 1, "PK": 1}
    assert counts("Papua New Guinea and Guinea-Bissau") == {"PG": 1, "GW": 1}
    assert counts("Tensions in the South China Sea.") == {}


def test_case_sensitive_proper_nouns() -> None:
    assert counts("us and them; a turkey dinner; chad the intern") == {}
    assert counts("US and UK") == {"US": 1, "GB": 1}


def test_ambiguous_names_need_support() -> None:
    # Georgia alone: probably the US state (with Atlanta: clearly) -> not the country.
    assert counts("Storms hit Georgia.") == {}
    assert counts("Storms hit Georgia, flooding Atlanta.") == {"US": 1}
    # With Tbilisi the country is meant, and every mention counts.
    assert counts("Georgia's parliament in Tbilisi; Georgia votes.") == {"GE": 3}
    assert counts("Michael Jordan visited Paris.") == {"FR": 1}
    assert counts("Jordan and Jordanian officials met in Amman.") == {"JO": 3}
    assert counts("Korea's exports") == {}
    assert counts("Korea's exports; Seoul said") == {"KR": 2}


def test_support_is_story_wide() -> None:
    g = default_gazetteer()
    assert dict(
        g.count(["Protests in Georgia.", "Police in Tbilisi detained 20."])
    ) == {"GE": 2}


def test_countries_mentioned_threshold() -> None:
    g = default_gazetteer()
    text = "Peru quake. Lima sent aid to Arequipa. Peruvian rescuers. Chile felt it in Arica. A French tourist."
    kept, raw = g.countries_mentioned([text])
    assert (
        raw["FR"] == 1 and "FR" not in kept
    )  # a single passing mention is below MIN_MENTIONS
    assert kept == ["PE", "CL"]
    kept, _ = g.countries_mentioned([text], min_mentions=1, min_share=0.0)
    assert kept == ["PE", "CL", "FR"]
    assert g.countries_mentioned([""]) == ([], {})


def test_custom_places_and_errors() -> None:
    g = load_gazetteer("Springfield\tUS\tcity\nAtlantis\t-\tignore\n")
    assert dict(g.count(["Springfield and Atlantis"])) == {"US": 1}
    with pytest.raises(GazetteerError, match="3 tab-separated"):
        load_gazetteer("Springfield US city\n")
    with pytest.raises(GazetteerError, match="country code"):
        load_gazetteer("Springfield\tusa\tcity\n")
    with pytest.raises(GazetteerError, match="kind"):
        load_gazetteer("Springfield\tUS\ttown\n")


def test_data_file_is_consistent() -> None:
    g = default_gazetteer()
    assert len(g) > 900
    assert g.lookup("Georgia") == ("GE", "ambiguous")
    assert g.lookup("New Mexico") == ("US", "region")
    assert g.lookup("Emiratis") == ("AE", "demonym")


def test_untranslated_text_is_read_with_the_country_names_of_its_language() -> None:
    from globewire.stories.gazetteer import countries_mentioned, local_gazetteer

    de = "Deutschland und Frankreich verhandeln. Frankreich will mehr, in Deutschland wird gestritten."
    assert countries_mentioned([], [("de", de)])[0] == ["DE", "FR"]
    ja = "日本と中国の首脳が東京で会談。日本政府は中国との協力を強調した。"  # unspaced: no word boundaries
    assert countries_mentioned([], [("ja", ja)])[0] == ["CN", "JP"]
    es = "Perú sufrió un terremoto. El gobierno de Peru y Chile coordinan ayuda; Chile envía rescatistas."
    assert countries_mentioned([], [("es", es)])[0] == ["CL", "PE"]  # accents folded on both sides
    ar = "قال وزير خارجية اليابان إن اليابان ستساعد"  # pycountry's name carries marks the text omits
    assert countries_mentioned([], [("ar", ar)])[0] == ["JP"]
    # a word that is an ambiguous name in English is not taken from another language's text either
    assert countries_mentioned([], [("de", "Georgia und Jordan spielten. Georgia gewann, Jordan nicht.")])[0] == []
    # English texts and originals are pooled under the same share/minimum rule
    got, counts = countries_mentioned(["Japan and China met in Tokyo."], [("ja", "日本政府")])
    assert counts["JP"] == 3 and "JP" in got  # Japan, Tokyo (a capital) and 日本
    assert local_gazetteer("en") is None and local_gazetteer("xx-unknown") is None


def test_untranslated_text_names_countries_by_their_adjectives_too() -> None:
    """A domestic report names its neighbour by an adjective ("a romániai Temes megyében"): counted, lowercase
    only (a capitalised "Polska" is the country's name, which the names already count)."""
    from globewire.stories.gazetteer import countries_mentioned

    hu = "Árvíz a romániai Temes megyében. A romániai hatóságok szerint négyezer embert kellett kitelepíteni."
    assert countries_mentioned([], [("hu", hu)])[0] == ["RO"]
    pl = "Polska w finale. Polska drużyna wygrała, a polskie kluby świętowały w polskich miastach."
    got, counts = countries_mentioned([], [("pl", pl)])
    assert got == ["PL"] and counts["PL"] == 4  # Polska, Polska (names), polskie, polskich (adjectives)


def test_the_short_names_news_text_uses_count_too() -> None:
    """CLDR's short country names ("Russland", "Venezuela", "Vereinigte Staaten"), not only ISO's long ones
    ("Russische Föderation", "Bolivarische Republik Venezuela"): an untranslated German report on Venezuela
    mentions Russia and Venezuela."""
    from globewire.stories.gazetteer import countries_mentioned

    de = ("Russland und China verurteilten im Sicherheitsrat den Einsatz in Venezuela. In Venezuela blieb es "
          "ruhig; Russland forderte eine Sitzung. Die Vereinigte Staaten schwiegen.")
    got, counts = countries_mentioned([], [("de", de)])
    assert got == ["RU", "VE"] and counts["CN"] == 1 and counts["US"] == 1
    es = "Rusia pidió una reunión sobre Venezuela. Estados Unidos y Venezuela no respondieron; Rusia insistió."
    assert countries_mentioned([], [("es", es)])[0] == ["RU", "VE"]
    # the English-ambiguous ones stay out in every language ("Georgia" spelled the same in German)
    assert countries_mentioned([], [("de", "Georgia gewann. Georgia, Georgia und Jordan.")])[0] == []


def test_untranslated_text_is_read_in_its_case_forms_and_abbreviations() -> None:
    """News inflects country names and abbreviates some: a German report on "der Vereinigten Staaten" and
    "die USA" mentions the US; so do Polish, Russian and Czech case forms; a longer name wins where two match."""
    from globewire.stories.gazetteer import countries_mentioned

    de = ("UN: Russland und China kritisieren US-Militäreinsatz. Gegner der Vereinigten Staaten kritisierten "
          "Washingtons Einsatz; Maduro wurde in die USA gebracht.")
    assert "US" in countries_mentioned([], [("de", de)])[0]
    pl = "Prezydent USA był w Pakistanie. Premier Polski odpowiedział; władze Pakistanu i USA milczą."
    assert countries_mentioned([], [("pl", pl)])[0] == ["PK", "US"]
    ru = "В США прошли выборы; США и Россия обменялись заявлениями о России."
    assert countries_mentioned([], [("ru", ru)])[0] == ["RU", "US"]
    cs = "V Německu se volilo. Německo a Francie jednají; ve Francii mlčí."
    assert countries_mentioned([], [("cs", cs)])[0] == ["DE", "FR"]
    nl = "De VS en Rusland praten. De VS willen meer, Rusland niet."
    assert countries_mentioned([], [("nl", nl)])[0] == ["RU", "US"]
    assert countries_mentioned([], [("de", "Nigerias Regierung und Nigeria verhandeln.")])[0] == ["NG"]


def test_case_forms_take_in_no_other_words() -> None:
    from globewire.stories.gazetteer import countries_mentioned

    # "Indianer" (Native Americans) is no form of "Indien"; "Georgia" no form of "Georgien"
    assert countries_mentioned([], [("de", "Die Indianer in Kanada. Indianer protestieren.")])[0] == []
    assert countries_mentioned([], [("de", "Georgia und Jordan spielten. Georgia gewann, Jordan nicht.")])[0] == []
    # a consonant replaced, or a vowel replaced by a consonant, makes another word
    de = "Der Kongress schweigt. Schweine im Stall, Schweigen im Kongress; die Liberalen und die Liberale Partei."
    assert countries_mentioned([], [("de", de)])[0] == []
    assert countries_mentioned([], [("es", "San Francisco y Francisco Pérez. Francisco habló.")])[0] == []
    # lower-case words are no names; Latin abbreviations are not read inside unspaced text ("USB")
    assert countries_mentioned([], [("pl", "stany zjednoczone, stanach zjednoczonych")])[0] == []
    assert countries_mentioned([], [("ja", "USBメモリとUSBケーブル。USB規格。")])[0] == []


def test_a_currency_is_no_mention_of_its_country() -> None:
    from globewire.stories.gazetteer import countries_mentioned

    assert countries_mentioned(["A loan of US$5 billion was signed; US$3 billion more."], [])[0] == []
    assert countries_mentioned([], [("es", "Un fondo de US$ 100 millones y otros US$ 5 millones.")])[0] == []
    assert countries_mentioned(["The US and China met. The US said so."], [])[0] == ["US"]
