"""Headline quality check and derivation (globewire.headline), issue 13 item 3."""

from __future__ import annotations

import pytest

from globewire.headline import (
    HEADLINE_MAX_CHARS,
    compress,
    derive_headline,
    headline_problems,
    is_good_headline,
    is_usable_title,
    runon_title,
    slug_title,
    story_headline,
    usable_title,
)

GOOD = [
    ("Port strike ends after nine days", "en"),
    ("ECB cuts key rate again by 0.25 percentage points", "en"),
    ("May says Brexit deal is close", "en"),
    ("Bahn kündigt neuen Fahrplan für den Winter an", "de"),
    ("Von München bis Aachen: Im Netz der China-Agenten", "de"),
    ("Die Eisheiligen 2024: Wann sie sind - und wie das Wetter wird", "de"),  # "die"/"mit" are not weekdays
    ("So 5 Leute starben bei dem Unwetter in Bayern", "de"),
    ("Le musée des beaux-arts rouvre ses portes après trois ans de travaux", "fr"),
    ("Las lluvias torrenciales obligan a evacuar a cientos de vecinos", "es"),
    ("Путин провёл переговоры с премьером Индии", "ru"),
    ("الحكومة تعلن خطة جديدة للطاقة", "ar"),
    ("NATO首脳会議がワシントンで開幕", "ja"),
    ("台风袭击广东沿海地区", "zh"),
    ("भारी बारिश से मुंबई में जनजीवन अस्त-व्यस्त", "hi"),
    ("서울 지하철 파업 사흘째 이어져", "ko"),
]

JUNK = [
    ("Tuesday, November 5, 2024 | 09:10 AM IST हिंदी में पढ़ें", "en", {"date", "time"}),
    ("5 Nov 2024, 09:10", "en", {"time"}),
    ("date 2024-11-05", "en", {"date"}),
    ("Am 5. Mai 2024 wählt Berlin", "de", {"date"}),
    ("Der 9. Juli naht", "de", {"date"}),
    ("Home / World News / Asia", "en", {"breadcrumb"}),
    ("Home > Politik > Ausland", "de", {"menu", "breadcrumb"}),
    ("Share X Other Apps", "en", {"menu"}),
    ("- Get link", "en", {"menu"}),
    ("Get link", "en", {"menu"}),
    ("The Hindu logo", "en", {"caption"}),
    ("Image: Reuters", "en", {"caption"}),
    ("", "en", {"empty"}),
    ("   ", "en", {"empty"}),
    ("Story 416", "en", {"placeholder"}),
    ("Article 1", "en", {"placeholder"}),
    ("https://www.example.com/news/2024/story", "en", {"url"}),
    ("mdr.de", "de", {"url"}),
    ("See also: Floods in Spain", "en", {"menu"}),
    ("3 min read", "en", {"menu"}),
    ("Read in Hindi", "en", {"read_in"}),
    ("हिंदी में पढ़ें", "hi", {"read_in"}),
    ("Floods close schools in the north of the country as rivers keep rising and more rain is due tonight", "en",
     {"too_long"}),
    ("Путин провёл переговоры с премьером Индии", "en", {"script"}),
    ("Port strike ends after nine days", "ru", {"script"}),
    ("| — | • |", "en", {"symbols"}),
]


@pytest.mark.parametrize("text,lang", GOOD)
def test_real_headlines_pass(text: str, lang: str) -> None:
    assert headline_problems(text, lang) == [], text


@pytest.mark.parametrize("text,lang,reasons", JUNK)
def test_junk_shapes_fail_for_the_right_reason(text: str, lang: str, reasons: set[str]) -> None:
    problems = set(headline_problems(text, lang))
    assert problems, text
    assert reasons & problems, (text, problems)


def test_site_name_alone_is_not_a_headline() -> None:
    assert "site_name" in headline_problems("junge Welt", "de", site_names=["junge Welt"])
    assert is_good_headline("Streik bei der Bahn legt den Verkehr lahm", "de", site_names=["junge Welt"])


def test_compress_cuts_at_clause_boundaries_never_mid_word() -> None:
    s = ("Dock workers at the country's largest container port returned to work on Monday after union leaders "
         "accepted a pay offer that had been improved twice during the nine-day stoppage.")
    h = compress(s)
    assert len(h) <= HEADLINE_MAX_CHARS
    assert s.startswith(h) and s[len(h)] in " ,;", h  # ends where a word ends
    assert h == "Dock workers at the country's largest container port returned to work on Monday"


def test_compress_without_any_boundary_cuts_at_a_word_with_an_ellipsis() -> None:
    s = " ".join(["Wortlang"] * 20)
    h = compress(s)
    assert len(h) <= HEADLINE_MAX_CHARS and h.endswith("…") and h[:-1].split()[-1] == "Wortlang"


def test_derive_drops_dateline_and_attribution() -> None:
    text = ("BERLIN (Reuters) - Germany will close its last coal plants by 2030, the economy minister said. "
            "The plan needs the approval of parliament. Unions criticised the timetable.")
    h = derive_headline(text, "en")
    assert h == "Germany will close its last coal plants by 2030"
    assert is_good_headline(h, "en")


def test_derive_skips_furniture_lines_in_any_language() -> None:
    text = ("Teilen\nDrucken\nStartseite > Politik > Ausland\n"
            "Die Regierung in Wien hat am Dienstag ein neues Klimagesetz beschlossen, das strengere Ziele vorsieht.\n"
            "Die Opposition kritisierte den Entwurf als unzureichend.")
    h = derive_headline(text, "de")
    assert h.startswith("Die Regierung in Wien hat am Dienstag ein neues Klimagesetz beschlossen")
    assert is_good_headline(h, "de")


def test_derive_prefers_the_central_lead_sentence() -> None:
    text = ("Good morning and welcome to our coverage. "
            "Floods in Valencia killed dozens of people after record rain fell on the region. "
            "Rescue teams searched flooded homes in Valencia for people missing after the floods. "
            "The region's president said the rain was the heaviest in decades.")
    h = derive_headline(text, "en")
    assert "Valencia" in h and "welcome" not in h


def test_derive_from_unspaced_script() -> None:
    text = "東京都は五日、新しい防災計画を発表した。計画では避難所の数を増やす。"
    h = derive_headline(text, "ja")
    assert h.startswith("東京都は五日") and is_good_headline(h, "ja")


def test_usable_title_keeps_good_replaces_junk_and_empty() -> None:
    body = "The city council approved a new tram line on Tuesday after two years of debate. Work starts in May."
    assert usable_title("Lyon approves new tram line", body, "en") == ("Lyon approves new tram line", False)
    for junk in ("- Get link", "", "Share X Other Apps", "Tuesday, November 5, 2024 | 09:10 AM IST"):
        title, derived = usable_title(junk, body, "en")
        assert derived and title == "The city council approved a new tram line on Tuesday after two years of debate", junk
    # an article keeps its full title even when longer than a story headline may be; cut on request
    long = "Lyon approves a new tram line across the city, ending two years of debate about its route and cost"
    assert usable_title(long, body, "en") == (long, False)
    assert usable_title(long, body, "en", max_chars=90) == ("Lyon approves a new tram line across the city", False)


def test_story_headline_never_a_placeholder() -> None:
    assert story_headline("Story 12", ["Floods in Valencia killed dozens of people after record rain fell."]) \
        == "Floods in Valencia killed dozens of people after record rain fell"
    assert story_headline("Story 12", []) == ""
    assert story_headline("Port strike ends after nine days", []) == "Port strike ends after nine days"


def test_usable_title_ignores_length_only() -> None:
    long = "Nearly 3000 pages of Jeffrey Epstein documents released, but some questions remain for the victims"
    assert not is_good_headline(long, "en") and is_usable_title(long, "en")
    assert not is_usable_title("Tuesday, November 5, 2024 | 09:10 AM IST", "en")


def test_markup_left_by_a_scraper_is_no_headline_and_is_cut_from_derived_ones() -> None:
    from globewire.headline import derive_headline, headline_problems

    assert "markup" in headline_problems("<s> Der Besitzer eines Reihenhauses hatte das Feuer gelöscht", "de")
    assert "markup" not in headline_problems("Der Besitzer eines Reihenhauses hatte das Feuer gelöscht", "de")
    h = derive_headline("<s> Der Besitzer eines Reiheneinfamilienhauses hatte das Feuer in dem Häuschen selbst "
                        "bemerkt. Die Feuerwehr war schnell vor Ort.", "de")
    assert h and "<" not in h and h.startswith("Der Besitzer")


RUNON = [
    # (text whose title lost its line break, the title)
    ("Harbour cranes stand still as dock workers strike LISBON: Dock workers at the main container port walked "
     "out on Monday and the strike is the first in a decade at the port, where the cranes stood still in the "
     "rain and the ships waited in the bay.", "Harbour cranes stand still as dock workers strike"),
    ("Neue Radwege für die Innenstadt beschlossen  Kassel (dpa) - Der Stadtrat hat am Dienstag neue Radwege "
     "beschlossen. Die Radwege sollen bis zum Sommer fertig sein, sagte die Bürgermeisterin in der Sitzung.",
     "Neue Radwege für die Innenstadt beschlossen"),
    ("Bürgermeisterin eröffnet die neue Stadtbibliothek am Markt In der neuen Bibliothek stehen mehr als "
     "hunderttausend Bücher, und in den Räumen gibt es in jedem Stock Plätze zum Lernen. Die Eröffnung war in "
     "der Stadt seit Jahren erwartet worden.", "Bürgermeisterin eröffnet die neue Stadtbibliothek am Markt"),
    ("'We have never had a winter like this': ski resorts close early as snow fails to arrive The lifts are "
     "still and the slopes are green in the mountains, where the resorts say the season is over. The owners "
     "say the snow never came.", "'We have never had a winter like this': ski resorts close early as snow fails to arrive"),
    ("Nowy most na Wiśle otwarty dla kierowców Jeśli pogoda pozwoli, most zostanie otwarty w piątek. Kierowcy "
     "czekali na most od lat, a jeśli wszystko pójdzie dobrze, w przyszłym roku ruszy także linia tramwajowa, "
     "jeśli miasto znajdzie pieniądze.", "Nowy most na Wiśle otwarty dla kierowców"),
    ("Council approves new budget for the city schools By Maria Lopez City Hall reporter The city council "
     "approved the budget on Tuesday after a long debate about the schools and the roads.",
     "Council approves new budget for the city schools"),
]


@pytest.mark.parametrize("text,title", RUNON)
def test_a_title_glued_to_its_text_is_found(text: str, title: str) -> None:
    """Imported records that lost their line breaks ("… strike LISBON: Dock workers …"): the headline is the
    title before the dateline, double space, byline or sentence-starting function word — not the title run on
    into the first sentence."""
    assert runon_title(text) == title
    assert derive_headline(text) == title


@pytest.mark.parametrize("text", [
    # prose from the first word: a sentence that ends before any cut
    "The council approved the budget on Tuesday. The mayor said The Times had reported it first.",
    # German nouns and names are capitalised in running text: no cut without a function word
    "Die Bürgermeisterin der Stadt Kassel Anna Schmidt eröffnet am Montag die neue Stadtbibliothek Kassel mit "
    "einem Fest für alle Bürger",
    # a name after a lowercase word is no sentence start
    "Police are looking for witnesses after Anna Berg was hit by a car on the bridge and a cyclist saw it",
    # too short to hold a title
    "Fire in the old mill",
])
def test_no_glued_title_where_the_text_has_none(text: str) -> None:
    assert runon_title(text) == ""


# Titles glued to their text that only the article's address can cut: the next words are capitalised (a place,
# a German noun, a name), so no function-word cue exists. (text, URL, title)
SLUG_RUNON = [
    ("Streik legt Häfen in Norddeutschland lahm Hamburg Am Montag standen in den Häfen die Kräne still, weil "
     "die Beschäftigten für mehr Lohn streikten.",
     "https://www.example-zeitung.de/wirtschaft/streik-legt-haefen-in-norddeutschland-lahm-artikel20261204.html",
     "Streik legt Häfen in Norddeutschland lahm"),
    ("Grève des dockers : le port du Havre à l'arrêt Le Havre Les dockers ont cessé le travail lundi matin.",
     "https://journal.example.fr/economie/greve-des-dockers-le-port-du-havre-a-l-arret_123456",
     "Grève des dockers : le port du Havre à l'arrêt"),
    ("İzmir'de fırtına çatıları uçurdu Meteoroloji Genel Müdürlüğü, kentte rüzgârın saatte 90 kilometreye "
     "ulaştığını açıkladı.",
     "https://haber.example.com.tr/gundem/2026/12/04/izmirde-firtina-catilari-ucurdu",
     "İzmir'de fırtına çatıları uçurdu"),
    # short words the slug leaves out, or whose letters it spells inside the next word ("apunalar-la")
    ("Detienen al acusado de atacar a \"El Tigre\" Ruiz Fuentes policiales confirmaron la captura el miércoles.",
     "https://diario.example.com.ar/policiales/2026/12/4/detienen-al-acusado-de-atacar-el-tigre-ruiz-100602.html",
     "Detienen al acusado de atacar a \"El Tigre\" Ruiz"),
    ("Policja zatrzymała kierowcę w Krośnie Do zdarzenia doszło w piątek wieczorem.",
     "https://gazeta.example.pl/policja-zatrzymala-kierowce-krosnie/ar/c1-1234567",
     "Policja zatrzymała kierowcę w Krośnie"),
    # a year in the slug is a word, not an id
    ("Budget 2027 passes after all-night session Lawmakers approved the plan at dawn.",
     "https://news.example.org/politics/budget-2027-passes-after-all-night-session-987654",
     "Budget 2027 passes after all-night session"),
    # "MUNICH, Germany, Feb 15, 2026 (Agency) -": a dateline with several commas, no slug needed
    ("Ministers agree on ceasefire talks in Geneva MUNICH, Germany, Feb 15, 2026 (Agency) -The ministers "
     "agreed on Saturday to hold talks next week, officials said.", "https://news.example.org/?p=4411",
     "Ministers agree on ceasefire talks in Geneva"),
]


@pytest.mark.parametrize("text,url,title", SLUG_RUNON)
def test_the_address_tells_where_a_glued_title_ends(text: str, url: str, title: str) -> None:
    """A record imported without a title whose text starts with it ("… lahm Hamburg Am Montag …"): the slug of
    its address spells the title, so the headline stops where the slug does."""
    assert runon_title(text, url) == title
    assert derive_headline(text, url=url) == title


@pytest.mark.parametrize("text,url", [
    # the slug was cut short of the title: the text goes on in lower case
    ("Storm closes schools across the north of the county as rivers rise Pupils stayed at home.",
     "https://news.example.org/storm-closes-schools-across"),
    # … or stopped at a colon: what follows is the title's second half
    ("Zinsentscheid am Donnerstag: Sinkt der Leitzins? Die Notenbank entscheidet am Donnerstag.",
     "https://www.example-zeitung.de/finanzen/zinsentscheid-am-donnerstag-1234567.html"),
    # the slug names another title (the page was renamed): its first word is not the text's
    ("Brand in der Altstadt gelöscht Die Feuerwehr war mit 40 Kräften im Einsatz.",
     "https://www.example-zeitung.de/lokales/feuer-im-zentrum-1234567.html"),
    # no words in the address
    ("Brand in der Altstadt gelöscht Die Feuerwehr war mit 40 Kräften im Einsatz.",
     "https://www.example-zeitung.de/1234567"),
    # the title stands on its own line: nothing to cut
    ("Storm closes schools\nPupils stayed at home on Monday.", "https://news.example.org/storm-closes-schools"),
    # a text without case whose slug goes on past the words it spells
    ("عودة الفريق الطبي إلى المستشفى بنجاح بعد أسبوعين من العمل", "https://example.com/عودة-الفريق-الطبي-إلى-المستشفى-الجامعي"),
])
def test_the_address_cuts_nothing_it_does_not_spell(text: str, url: str) -> None:
    assert slug_title(text, url) == ""


def test_a_storys_headline_leaves_out_the_emoji_a_channel_decorates_titles_with() -> None:
    from globewire.headline import story_headline

    t = "Strong earthquake shakes southern Peru, damaging churches and cutting roads"
    assert story_headline("⚡️" + t, []) == t
    assert story_headline("🔴🇵🇪 " + t + " 👇", []) == t
    assert story_headline("Ölpreis steigt um 5 % nach Angriff ✈️ auf Raffinerie", [], "de") == \
        "Ölpreis steigt um 5 % nach Angriff ✈️ auf Raffinerie"  # inside the title it stays
    assert story_headline("【速報】東京で震度5強の地震、交通に乱れ", [], "ja").startswith("【速報】")  # brackets are no emoji


def test_a_title_with_a_date_in_it_is_a_headline_not_a_dateline() -> None:
    """Pasted and imported titles such as these were replaced by derived ones cut at the "1." of a date."""
    for title, lang in (("Milano, dal 1° ottobre stop ai furgoni diesel Euro 5 in Area B: multe fino a 168 euro", "it"),
                        ("Cestovné v Košiciach zdražie: základný lístok bude od januára stáť 1,30 eura", "sk"),
                        ("Oznámení o přerušení dodávky vody – Třebíč, 8. prosince 2026", "cs")):
        assert is_usable_title(title, lang), title
        assert usable_title(title, "Text. " * 20, lang) == (title, False)
    for dateline, lang in (("Tuesday, November 5, 2024 | 09:10 AM IST", "en"), ("Montag, 8. Dezember 2026", "de"),
                           ("Published 8 December 2026 | Updated", "en")):
        assert not is_usable_title(dateline, lang), dateline
    stuck = ("Lufthansa retires big jets, says rebound could take years Lufthansa retires big jets, says rebound "
             "could take years by Associated PressWednesday, April 8th 2020")
    assert not is_usable_title(stuck, "en")  # too long for a headline, and a dateline stuck on


@pytest.mark.parametrize("sentence,expected", [
    ("BERLIN (Reuters) - Senior figures in the coalition will hold crisis talks.",
     "Senior figures in the coalition will hold crisis talks."),
    ("LOS ANGELES — The storm moved east on Thursday, forecasters said.", "The storm moved east on Thursday, forecasters said."),
    ("Bagdad/Washington (dpa) - Die Spannungen zwischen den Ländern haben sich verschärft.",
     "Die Spannungen zwischen den Ländern haben sich verschärft."),
    ("PARIS, Nov 5 (AFP) - France will raise taxes on airline tickets.", "France will raise taxes on airline tickets."),
    ("BERLIN: The small state broke a political taboo on Wednesday.", "The small state broke a political taboo on Wednesday."),
    # who, not where: kept
    ("NATO: Allies agree to raise defence spending to three percent.", None),
    ("Germany's economy – Europe's largest – shrank in the third quarter.", None),
    ("The US-China trade talks - which resumed on Monday - ended without a deal.", None),
    # nothing would be left but a fragment
    ("BERLIN (dpa) - Ja.", None),
])
def test_a_dateline_leaves_a_summary_sentence(sentence: str, expected: str | None) -> None:
    from globewire.headline import strip_dateline

    assert strip_dateline(sentence) == (expected or sentence)


@pytest.mark.parametrize("rest,name", [
    ("– Kreisblatt am See Eine Gruppe von Anwohnern hat eine Petition eingereicht, die eine neue Brücke fordert.",
     "– Kreisblatt am See "),
    ("| Radio Nord Die Feuerwehr war die ganze Nacht im Einsatz, die Straße bleibt gesperrt.", "| Radio Nord "),
    ("- Diario del Valle El primer bebé del año nació en el hospital de la ciudad, el más pequeño del año.",
     "- Diario del Valle "),
    # a dash that opens the text's own words, not a name
    ("- Cinco escuelas pueden ser rehabilitadas en esa área, dijo el director de la escuela.", ""),
    ("- Słyszymy, że prezydent jedzie do Waszyngtonu, ale nie wiemy, w jakim celu.", ""),
    # a name with no cue after it: nothing can be told
    ("– Lakeside Morning Star Broken your resolution yet? Yes, we are only a few hours into it.", ""),
    ("No separator The text goes on and on about the council.", ""),
])
def test_a_pages_name_after_a_glued_title_is_told_by_the_same_cue(rest: str, name: str) -> None:
    from globewire.headline import site_name_after_title

    assert rest[: site_name_after_title(rest, rest)] == name


def test_pasted_text_keeps_the_pages_name_out_of_the_body() -> None:
    from globewire.extract.text import clean_pasted_text

    text = ("Neue Brücke über den Fluss gefordert – Kreisblatt am See Eine Gruppe von Anwohnern hat eine Petition "
            "eingereicht, die eine neue Brücke fordert. Die Stadt prüft die Petition, die eine Antwort verlangt.")
    ex = clean_pasted_text(text, "https://www.kreisblatt.example/lokales/neue-bruecke-ueber-den-fluss-gefordert")
    assert ex.title == "Neue Brücke über den Fluss gefordert"
    assert ex.text.startswith("Eine Gruppe von Anwohnern")
