"""ISO 3166-1 alpha-2 country code -> continent.

Assignments follow the GeoNames continent codes (the Americas split into North
America, which includes Central America and the Caribbean, and South America;
Russia in Europe; Turkey, the Caucasus and Kazakhstan in Asia; Cyprus in Europe),
except Timor-Leste, put in Asia as in the UN M49 regions. Every code pycountry
knows is covered (a test checks it).
"""

from __future__ import annotations

AFRICA = "Africa"
ANTARCTICA = "Antarctica"
ASIA = "Asia"
EUROPE = "Europe"
NORTH_AMERICA = "North America"
OCEANIA = "Oceania"
SOUTH_AMERICA = "South America"

INHABITED_CONTINENTS = (AFRICA, ASIA, EUROPE, NORTH_AMERICA, SOUTH_AMERICA, OCEANIA)

_CODES: dict[str, str] = {
    AFRICA: (
        "DZ AO BJ BW BF BI CV CM CF TD KM CG CD CI DJ EG GQ ER SZ ET GA GM GH GN GW KE LS LR LY MG MW ML "
        "MR MU YT MA MZ NA NE NG RE RW SH ST SN SC SL SO ZA SS SD TZ TG TN UG EH ZM ZW"
    ),
    ASIA: (
        "AF AM AZ BH BD BT IO BN KH CN CX CC GE HK IN ID IR IQ IL JP JO KZ KW KG LA LB MO MY MV MN MM NP "
        "KP OM PK PS PH QA SA SG KR LK SY TW TJ TH TL TR TM AE UZ VN YE"
    ),
    EUROPE: (
        "AX AL AD AT BY BE BA BG HR CY CZ DK EE FO FI FR DE GI GR GG HU IS IE IM IT JE LV LI LT LU MT MD "
        "MC ME NL MK NO PL PT RO RU SM RS SK SI ES SJ SE CH UA GB VA"
    ),
    NORTH_AMERICA: (
        "AI AG AW BS BB BZ BM BQ VG CA KY CR CU CW DM DO SV GL GD GP GT HT HN JM MQ MX MS NI PA PM PR BL "
        "KN LC MF VC SX TT TC US VI"
    ),
    SOUTH_AMERICA: "AR BO BR CL CO EC FK GF GY PY PE SR UY VE",
    OCEANIA: "AS AU CK FJ PF GU KI MH FM NR NC NZ NU NF MP PW PG PN WS SB TK TO TV UM VU WF",
    ANTARCTICA: "AQ BV GS HM TF",
}

CONTINENT_OF: dict[str, str] = {code: cont for cont, codes in _CODES.items() for code in codes.split()}


def continent_of(country: str) -> str | None:
    """Continent name for an alpha-2 code (any case), or None if unknown."""
    return CONTINENT_OF.get(country.upper())
