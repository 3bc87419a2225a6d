"""Language detection with lingua, with and without a declared prior."""

from __future__ import annotations

import pytest

from globewire.language import (
    ALL_LANGUAGES,
    DEFAULT_LANGUAGES,
    detect_language,
    get_detector,
    normalise_code,
)

TEXTS = {
    "en": "The city council approved the new budget on Tuesday after a long debate about school funding.",
    "de": "Der Stadtrat hat am Dienstag nach einer langen Debatte über die Finanzierung der Schulen den Haushalt beschlossen.",
    "fr": "Le conseil municipal a adopté mardi le nouveau budget après un long débat sur le financement des écoles.",
    "es": "El ayuntamiento aprobó el martes el nuevo presupuesto tras un largo debate sobre la financiación de las escuelas.",
    "ru": "Городской совет во вторник утвердил новый бюджет после долгих споров о финансировании школ.",
    "ja": "市議会は火曜日、学校の財源をめぐる長い議論の末に新しい予算案を可決した。",
    "zh": "市议会周二在就学校经费问题进行长时间辩论后批准了新的预算。",
    "ar": "وافق مجلس المدينة يوم الثلاثاء على الميزانية الجديدة بعد نقاش طويل حول تمويل المدارس.",
}


@pytest.mark.parametrize("lang", sorted(TEXTS))
def test_detects_without_prior(lang: str) -> None:
    res = detect_language(TEXTS[lang])
    assert res.language == lang
    assert res.confidence > 0.5
    assert res.declared_agrees is None


def test_confident_detector_beats_wrong_declaration() -> None:
    # A CMS that declares lang="en" on a German article.
    res = detect_language(TEXTS["de"], declared="en")
    assert res.language == "de"
    assert res.declared_agrees is False
    assert res.method == "detector"


def test_declared_agrees_with_region_subtag() -> None:
    res = detect_language(TEXTS["de"], declared="de-AT")
    assert res.language == "de" and res.declared_agrees is True


def test_declared_wins_close_call() -> None:
    # Danish and Norwegian Bokmål are close: a short ambiguous line follows the declared language.
    text = "Det er en god dag i dag, og vi skal ud at gå en tur."
    no_prior = detect_language(text)
    assert no_prior.language in {"da", "nb"}
    for decl in ("da", "nb"):
        assert detect_language(text, declared=decl).language == decl
    # 'no' (the code pages often declare) maps to Bokmål
    assert detect_language(text, declared="no").language == "nb"


def test_too_short_text_uses_declared_or_none() -> None:
    assert detect_language("OK", declared="fr").language == "fr"
    assert detect_language("OK").language is None
    assert detect_language("", declared=None).language is None
    assert detect_language("12345 https://example.org/x 67890").language is None


def test_candidates_restrict_the_answer() -> None:
    res = detect_language(TEXTS["es"], candidates=["en", "fr"])
    assert res.language in {"en", "fr"}
    full = detect_language(TEXTS["es"], candidates=ALL_LANGUAGES)
    assert full.language == "es"


def test_long_chinese_text_is_not_japanese() -> None:
    # low-accuracy mode alone misreads long Han-only texts as Japanese
    text = (TEXTS["zh"] + "会议还讨论了城市交通和公共住房的问题，多名议员发言。") * 20
    assert detect_language(text).language == "zh"


def test_detector_is_cached() -> None:
    a = get_detector(DEFAULT_LANGUAGES, high_accuracy=False)
    b = get_detector(list(reversed(DEFAULT_LANGUAGES)), high_accuracy=False)
    assert a is b


@pytest.mark.parametrize(
    ("tag", "code"),
    [("de-AT", "de"), ("en_US", "en"), ("no", "nb"), ("iw", "he"), ("zh-Hant", "zh"), ("", None), (None, None), ("x", None)],
)
def test_normalise_code(tag: str | None, code: str | None) -> None:
    assert normalise_code(tag) == code
