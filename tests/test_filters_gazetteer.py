"""The shipped gazetteer: spelling variants resolve to the right entity and role."""

from __future__ import annotations

from pathlib import Path

import pytest

from filters.gazetteer import load_gazetteer, parse_gazetteer, validate_gazetteer
from filters.matcher import Matcher
from raqib.errors import WatchlistError

ROOT = Path(__file__).resolve().parent.parent
GAZ = ROOT / "config" / "default" / "gazetteer.yaml"
FIX = Path(__file__).parent / "fixtures" / "watchlists"


@pytest.fixture(scope="module")
def matcher():
    return Matcher([], load_gazetteer(GAZ))


def entities_in(matcher, text):
    return [(e.name, e.role, e.surface) for e in matcher.find_entities(text)]


VARIANTS = [
    # (id, text, canonical name, role, surface)
    ("hammouchi_full", "استقبل عبد اللطيف حموشي الوفد", "عبد اللطيف حموشي", "moroccan_actor", "عبد اللطيف حموشي"),
    ("hammouchi_joined", "استقبل عبداللطيف حموشي الوفد", "عبد اللطيف حموشي", "moroccan_actor", "عبداللطيف حموشي"),
    ("hammouchi_article", "أكد عبد اللطيف الحموشي", "عبد اللطيف حموشي", "moroccan_actor", "عبد اللطيف الحموشي"),
    ("hammouchi_joined_article", "أكد عبداللطيف الحموشي", "عبد اللطيف حموشي", "moroccan_actor", "عبداللطيف الحموشي"),
    ("hammouchi_surname", "زيارات حموشي للخارج", "عبد اللطيف حموشي", "moroccan_actor", "حموشي"),
    ("hammouchi_surname_article", "التقى الحموشي", "عبد اللطيف حموشي", "moroccan_actor", "الحموشي"),
    ("hammouchi_diacritics", "عَبْدِ اللَّطِيفِ حَمُّوشِي", "عبد اللطيف حموشي", "moroccan_actor", "عَبْدِ اللَّطِيفِ حَمُّوشِي"),
    ("dgsn_full", "بلاغ للمديرية العامة للأمن الوطني", "المديرية العامة للأمن الوطني", "moroccan_actor",
     "للمديرية العامة للأمن الوطني"),
    ("dgsn_short", "مصالح الأمن الوطني", "المديرية العامة للأمن الوطني", "moroccan_actor", "الأمن الوطني"),
    ("dgst_title", "المدير العام للأمن الوطني ولمراقبة التراب الوطني", "المديرية العامة لمراقبة التراب الوطني",
     "moroccan_actor", "ولمراقبة التراب الوطني"),
    ("dgst_ladisti", "عناصر لاديستي", "المديرية العامة لمراقبة التراب الوطني", "moroccan_actor", "لاديستي"),
    ("dged", "المديرية العامة للدراسات والمستندات", "المديرية العامة للدراسات والمستندات", "moroccan_actor",
     "المديرية العامة للدراسات والمستندات"),
    ("bcij", "المكتب المركزي للأبحاث القضائية", "المكتب المركزي للأبحاث القضائية", "moroccan_actor",
     "المكتب المركزي للأبحاث القضائية"),
    ("gendarmerie", "وبالدرك الملكي", "الدرك الملكي", "moroccan_actor", "وبالدرك الملكي"),
    ("far", "القوات المسلحة الملكية", "القوات المسلحة الملكية", "moroccan_actor", "القوات المسلحة الملكية"),
    ("laftit", "وزير الداخلية عبد الوافي لفتيت", "عبد الوافي لفتيت", "moroccan_actor", "عبد الوافي لفتيت"),
    ("mansouri", "ياسين المنصوري", "ياسين المنصوري", "moroccan_actor", "ياسين المنصوري"),
    ("morocco_rabat", "زيارة إلى الرباط", "المغرب", "moroccan_place", "الرباط"),
    ("morocco_adjective", "الشرطة القضائية مواطنا مغربيا", "المغرب", "moroccan_place", "مغربيا"),
    ("kingdom", "أعلنت المملكة", "المملكة", "moroccan_context", "المملكة"),
    # (after a security noun the adjective makes a composed actor: tests/test_filters_compose.py)
    ("spain_adjective", "الحكومة الإسبانية", "إسبانيا", "foreign_partner", "الإسبانية"),
    ("spain_plural", "زملائه الإسبان", "إسبانيا", "foreign_partner", "الإسبان"),
    ("us_amerki", "المسؤولين الأمريكيين", "الولايات المتحدة", "foreign_partner", "الأمريكيين"),
    ("us_ameirki", "الصحافة الأميركية", "الولايات المتحدة", "foreign_partner", "الأميركية"),
    ("dgsi_longest", "المديرة العامة للأمن الداخلي الفرنسي", "المديرية العامة للأمن الداخلي الفرنسي",
     "foreign_partner", "للأمن الداخلي الفرنسي"),
    ("guardia_civil_longest", "الحرس المدني الإسباني", "الحرس المدني الإسباني", "foreign_partner",
     "الحرس المدني الإسباني"),
    ("interpol_hamza", "منظمة الإنتربول", "الإنتربول", "foreign_partner", "الإنتربول"),
    ("interpol_plain", "بتنسيق مع انتربول", "الإنتربول", "foreign_partner", "انتربول"),
    ("interpol_guillemets", "«أنتربول»", "الإنتربول", "foreign_partner", "أنتربول"),
    ("interpol_long", "للمنظمة الدولية للشرطة الجنائية", "الإنتربول", "foreign_partner",
     "للمنظمة الدولية للشرطة الجنائية"),
    ("fbi_arabic", "أف بي آي", "مكتب التحقيقات الفيدرالي", "foreign_partner", "أف بي آي"),
    ("fbi_latin", "(FBI)", "مكتب التحقيقات الفيدرالي", "foreign_partner", "FBI"),
    ("nato", "حلف شمال الأطلسي", "حلف شمال الأطلسي", "foreign_partner", "حلف شمال الأطلسي"),
    ("jordan_kingdom_longest", "في المملكة الأردنية الهاشمية", "الأردن", "foreign_partner",
     "المملكة الأردنية الهاشمية"),
    ("uk_not_kingdom", "والمملكة المتحدة", "المملكة المتحدة", "foreign_partner", "والمملكة المتحدة"),
    ("germany_li", "لألمانيا", "ألمانيا", "foreign_partner", "لألمانيا"),
    # the UN office on drugs and crime is its own entry, not the counter-terrorism office's variant
    ("unodc_own_entry", "أفاد مكتب الأمم المتحدة المعني بالمخدرات والجريمة", "مكتب الأمم المتحدة المعني بالمخدرات والجريمة",
     "foreign_partner", "مكتب الأمم المتحدة المعني بالمخدرات والجريمة"),
    ("unoct_stays", "مكتب الأمم المتحدة لمكافحة الإرهاب في نيويورك", "مكتب الأمم المتحدة لمكافحة الإرهاب", "foreign_partner",
     "مكتب الأمم المتحدة لمكافحة الإرهاب"),
    ("broken_plural_germans", "المحققين الألمان", "المحققين (ألمانيا)", "foreign_partner", "المحققين الألمان"),
]


@pytest.mark.parametrize("text,name,role,surface", [v[1:] for v in VARIANTS], ids=[v[0] for v in VARIANTS])
def test_variant_resolves(matcher, text, name, role, surface):
    found = entities_in(matcher, text)
    assert (name, role, surface) in found, found


NOT_ENTITIES = [
    ("interior_minister_bare_is_not_moroccan", "وزير الداخلية التونسي", "moroccan_actor"),
    ("financial_is_not_mali", "مبالغ مالية", "foreign_partner"),
    ("spiritual_security", "الأمن الروحي", "moroccan_actor"),
]


@pytest.mark.parametrize("text,role", [v[1:] for v in NOT_ENTITIES], ids=[v[0] for v in NOT_ENTITIES])
def test_not_an_entity(matcher, text, role):
    assert role not in {r for _, r, _ in entities_in(matcher, text)}


def test_shipped_gazetteer_is_valid():
    assert validate_gazetteer(GAZ) == []
    assert load_gazetteer(GAZ).version


def test_invalid_gazetteer_lists_every_problem():
    path = FIX / "bad_gazetteer.yaml"
    assert [p.format(path.name) for p in validate_gazetteer(path)] == [
        "bad_gazetteer.yaml:6: entities[1].type: unknown type 'agency'; expected one of: person, organisation, country, place",
        "bad_gazetteer.yaml:8: entities[1]: variant 'حموشي' also belongs to 'حموشي' (line 2); "
        "an entity spelling must be unambiguous",
        "bad_gazetteer.yaml:8: entities[1]: variant '.*' looks like a regular expression; write plain words",
        "bad_gazetteer.yaml:9: entities[2].name: duplicate entity 'حموشي' (first on line 2); merge the two entries",
        "bad_gazetteer.yaml:12: entities[2].colour: unknown key 'colour'; "
        "expected one of: name, type, role, variants, adjectives, plurals, note",
    ]
    with pytest.raises(WatchlistError):
        load_gazetteer(path)


def test_an_envoy_must_be_a_head(tmp_path):
    """composition.envoys only widens heads: an envoy that is not a head would never be read."""
    path = tmp_path / "gaz.yaml"
    path.write_text("composition:\n  heads: [وفد أمني]\n  envoys: [وفد أمني, وفد تجاري]\n"
                    "entities:\n  - {name: المغرب, type: country, role: moroccan_place}\n", encoding="utf-8")
    assert [p.format("gaz.yaml") for p in validate_gazetteer(path)] == [
        "gaz.yaml:3: composition.envoys: 'وفد تجاري' is not in composition.heads; add it there too"]


def test_a_malformed_envoy_is_reported_once():
    """The envoys check reads the list the composition loop already read, not a second time."""
    text = ("composition:\n  heads: [وفد أمني]\n  envoys: [وفد أمني, [x]]\n"
            "entities:\n  - {name: المغرب, type: country, role: moroccan_place}\n")
    _, problems = parse_gazetteer(text)
    assert [p.format("g.yaml") for p in problems] == [
        "g.yaml:3: composition.envoys[1]: expected a text value, got a list"]
