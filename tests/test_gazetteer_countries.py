"""The gazetteer knows every sovereign state as a foreign partner (Morocco aside).

A story about Moroccan help to Lebanon or Burundi has no partner at all when the
country is missing, so coverage is checked against an outside list rather than
by eye: the 193 UN member states (ISO 3166-1 alpha-2) plus Palestine, Kosovo,
Taiwan and the Holy See, named in Arabic by CLDR (Babel).  CLDR's form is not
always the one news uses; ALIASES maps those codes to the gazetteer's spelling.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from babel import Locale

from filters.gazetteer import load_gazetteer
from filters.loading import load_matcher
from filters.normalize import normalize

ROOT = Path(__file__).resolve().parent.parent
GAZ = ROOT / "config" / "default" / "gazetteer.yaml"
WL_DIR = ROOT / "config" / "default" / "watchlists"

UN_MEMBERS = """
AD AE AF AG AL AM AO AR AT AU AZ BA BB BD BE BF BG BH BI BJ BN BO BR BS BT BW BY BZ
CA CD CF CG CH CI CL CM CN CO CR CU CV CY CZ DE DJ DK DM DO DZ EC EE EG ER ES ET FI
FJ FM FR GA GB GD GE GH GM GN GQ GR GT GW GY HN HR HT HU ID IE IL IN IQ IR IS IT JM
JO JP KE KG KH KI KM KN KP KR KW KZ LA LB LC LI LK LR LS LT LU LV LY MA MC MD ME MG
MH MK ML MM MN MR MT MU MV MW MX MY MZ NA NE NG NI NL NO NP NR NZ OM PA PE PG PH PK
PL PT PW PY QA RO RS RU RW SA SB SC SD SE SG SI SK SL SM SN SO SR SS ST SV SY SZ TD
TG TH TJ TL TM TN TO TR TT TV TZ UA UG US UY UZ VC VE VN VU WS YE ZA ZM ZW
""".split()
OBSERVERS_AND_OTHERS = ["PS", "XK", "TW", "VA"]   # Palestine, Kosovo, Taiwan, Holy See

#: code → the spelling the gazetteer uses, where CLDR's form is ambiguous on its own.  CLDR
#: forms that news also writes (الكونغو - كينشاسا، ميانمار (بورما)، تيمور - ليشتي، الدانمرك،
#: إسواتيني، الأراضي الفلسطينية) are variants in the gazetteer instead.
ALIASES = {
    "OM": "سلطنة عمان",       # CLDR عُمان is also Amman (عمّان), listed under Jordan
    "ML": "دولة مالي",        # bare مالي is "financial"
    "BT": "مملكة بوتان",      # bare بوتان is butane gas (غاز البوتان)
}


def test_the_list_is_the_un():
    assert len(UN_MEMBERS) == len(set(UN_MEMBERS)) == 193


@pytest.fixture(scope="module")
def spellings():
    """Normalised spelling → (type, role) of every name or variant (adjective forms excluded)."""
    out = {}
    for e in load_gazetteer(GAZ).entities:
        for v in e.variants:
            if v not in e.adjectives:
                out.setdefault(normalize(v), (e.name, e.type, e.role))
    return out


def _lookup(spellings, name):
    key = normalize(name)
    bare = key[2:] if key.startswith("ال") else key
    return spellings.get(key) or spellings.get(bare) or spellings.get("ال" + key)


@pytest.mark.parametrize("code", UN_MEMBERS + OBSERVERS_AND_OTHERS)
def test_every_state_is_a_country(spellings, code):
    cldr = Locale("ar").territories[code]
    name = ALIASES.get(code, cldr)
    hit = _lookup(spellings, name)
    assert hit is not None, f"{code} ({cldr}): no gazetteer entity named {name!r}"
    _, etype, role = hit
    assert etype == "country", f"{code} ({name}): {hit}"
    assert role == ("moroccan_place" if code == "MA" else "foreign_partner"), f"{code} ({name}): {hit}"


def test_aliases_are_needed(spellings):
    """An alias is only for a CLDR form that is missing or names another entity."""
    for code, alias in ALIASES.items():
        assert _lookup(spellings, Locale("ar").territories[code]) != _lookup(spellings, alias), code


@pytest.fixture(scope="module")
def matcher():
    return load_matcher(WL_DIR, GAZ)[0]


# (id, text, surface of the composed actor, its country) — new adjectives through the real matcher
COMPOSED = [
    ("lebanese-army", "قدمت المملكة مساعدات إلى الجيش اللبناني", "الجيش اللبناني", "لبنان"),
    ("iraqi-police", "تنسيق مع الشرطة العراقية", "الشرطة العراقية", "العراق"),
    ("syrian-police-from-adjective", "سلمته الأجهزة الأمنية السورية", "الأجهزة الأمنية السورية", "سوريا"),
    ("iranian-security", "اعتقلت قوات الأمن الإيرانية", "قوات الأمن الإيرانية", "إيران"),
    ("yemeni-counterpart", "سلمت المطلوب إلى نظيرتها اليمنية", "نظيرتها اليمنية", "اليمن"),
    ("burundian-police", "تكوين عناصر الشرطة البوروندية", "عناصر الشرطة البوروندية", "بوروندي"),
    ("kosovar-services", "المصالح الأمنية الكوسوفية", "المصالح الأمنية الكوسوفية", "كوسوفو"),
    ("romanian-police-existing-country", "أوقفت الشرطة الرومانية المتهم", "الشرطة الرومانية", "رومانيا"),
]


@pytest.mark.parametrize("text,surface,country", [c[1:] for c in COMPOSED], ids=[c[0] for c in COMPOSED])
def test_new_adjectives_compose_foreign_actors(matcher, text, surface, country):
    got = [(e.surface, e.name, e.role) for e in matcher.find_entities(text) if e.type == "organisation"]
    assert len(got) == 1 and got[0][0] == surface, got
    assert got[0][1].endswith(f"({country})") and got[0][2] == "foreign_partner", got


# (id, text, country found) — capitals used as metonyms and spelling variants
NAMED = [
    ("beirut", "وصل وفد أمني إلى بيروت", "لبنان"),
    ("baghdad", "زيارة إلى بغداد", "العراق"),
    ("damascus", "أعلنت دمشق", "سوريا"),
    ("syria-ta-marbuta", "عاد من سورية", "سوريا"),
    ("tehran", "اتهمت طهران", "إيران"),
    ("sanaa", "في صنعاء", "اليمن"),
    ("kabul", "سقوط كابول", "أفغانستان"),
    ("south-sudan-longest", "بعثة في جنوب السودان", "جنوب السودان"),
    ("north-korea-longest", "تهديدات كوريا الشمالية", "كوريا الشمالية"),
    ("holy-see", "الكرسي الرسولي", "الفاتيكان"),
    ("danish-spelling", "سفارة الدانمرك", "الدنمارك"),
]


@pytest.mark.parametrize("text,country", [c[1:] for c in NAMED], ids=[c[0] for c in NAMED])
def test_country_names_and_capitals(matcher, text, country):
    got = {(e.name, e.role) for e in matcher.find_entities(text) if e.type == "country"}
    assert got == {(country, "foreign_partner")}


# words that look like a country but are not one
NOT_COUNTRIES = [
    ("butane-gas", "ارتفاع سعر قنينة غاز البوتان"),
    ("financial", "الدعم المالي للمشروع"),
]


@pytest.mark.parametrize("text", [c[1] for c in NOT_COUNTRIES], ids=[c[0] for c in NOT_COUNTRIES])
def test_common_words_are_not_countries(matcher, text):
    assert [e.name for e in matcher.find_entities(text) if e.role == "foreign_partner"] == []
