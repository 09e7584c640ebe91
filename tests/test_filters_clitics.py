"""Clitic-aware term matching: real word forms, one row each, with the negatives."""

from __future__ import annotations

import pytest

from filters.clitics import possessed_forms, expand_suffixes, term_matches, term_variants

NONE: tuple[str, ...] = ()
PRON = expand_suffixes(["pronouns"])
NISBA = expand_suffixes(["nisba"])

CASES = [
    # (id, term, text, suffixes, expected)
    ("wa_al", "المغرب", "زار الوفد الرباط والمغرب", NONE, True),
    ("no_bare_riyadh", "الرياض", "افتتاح رياض الأطفال ورياض جديدة", NONE, False),
    ("riyadh_with_clitic", "الرياض", "وصل الوفد إلى الرياض وبالرياض", NONE, True),
    ("bi_al", "المغرب", "يقيم بالمغرب منذ سنوات", NONE, True),
    ("li_al_to_lil", "المملكة", "الزيارة الرسمية للمملكة", NONE, True),
    ("wa_li_al", "الاستخبارات", "وللاستخبارات دور حاسم", NONE, True),
    ("fa_al", "التعاون", "فالتعاون قائم", NONE, True),
    ("wa_bi_al", "التنسيق", "وبالتنسيق مع الشرطة", NONE, True),
    ("ka_al", "الأمن", "كالأمن والاستقرار", NONE, True),
    ("fa_li_al", "المغرب", "فللمغرب تجربة", NONE, True),
    ("bare_wa", "تعاون", "وتعاون البلدين", NONE, True),
    ("bare_bi_indefinite", "تنسيق", "بتنسيق مع الدرك الملكي", NONE, True),
    ("ka_indefinite", "شريك", "كشريك موثوق", NONE, True),
    ("definite_added", "تعاون", "التعاون الأمني", NONE, True),
    ("definite_stripped", "المغرب", "مغرب الغد", NONE, True),
    ("tatweel_in_text", "المغرب", "والمغـــرب", NONE, True),
    ("diacritics_in_text", "التعاون", "وَالتَّعَاوُنُ", NONE, True),
    ("hamza_in_term_only", "الأمن", "الامن الوطني", NONE, True),
    ("name_with_article", "حموشي", "استقبل الحموشي الوفد", NONE, True),
    ("name_lil", "حموشي", "زيارات لحموشي", NONE, True),
    ("alef_initial_name", "ألمانيا", "زيارة لألمانيا", NONE, True),
    ("alef_initial_name_bi", "ألمانيا", "بألمانيا وهولندا", NONE, True),
    ("lam_initial_word", "اللجنة", "اجتماع للجنة المشتركة", NONE, True),
    ("multiword_first_gets_clitic", "التعاون الأمني", "وبالتعاون الأمني بين البلدين", NONE, True),
    ("multiword_tatweel", "التعاون الأمني", "التعـــاون الأمـــني", NONE, True),
    ("latin_with_li", "FBI", "مدير لـFBI", NONE, True),
    ("pronoun_suffix_opt_in", "تعاون", "تعاونها مع فرنسا", PRON, True),
    ("ta_marbuta_before_pronoun", "شراكة", "شراكتها مع إسبانيا", PRON, True),
    ("nisba_feminine_opt_in", "أمني", "الأجهزة الأمنية", NISBA, True),
    ("nisba_plural_opt_in", "أمني", "المسؤولين الأمنيين", NISBA, True),
    ("nisba_accusative", "فرنسي", "مواطنا فرنسيا", NISBA, True),
    ("wazir_not_overstripped", "وزير", "قال وزير الداخلية", NONE, True),
    ("wazir_with_wa", "وزير", "ووزير الخارجية", NONE, True),
    # negatives
    ("amn_not_in_amniya", "أمن", "الأجهزة الأمنية", NONE, False),
    ("amn_not_in_amniya_even_nisba", "أمن", "الأجهزة الأمنية", NISBA, False),
    ("no_suffix_by_default", "تعاون", "تعاونها مع فرنسا", NONE, False),
    ("adjective_not_country", "المغرب", "الأجهزة المغربية", NONE, False),
    ("al_inside_word", "الأمن", "والأمنيون", NONE, False),
    ("term_not_inside_longer_word", "تسليم", "استسليم", NONE, False),
    ("wazir_not_stripped_to_zir", "وزير", "زير", NONE, False),
    ("wazira_needs_suffix", "وزير", "وزيرة الداخلية", NONE, False),
    ("prefix_not_in_middle", "المغرب", "فيالمغرب", NONE, False),
    ("second_word_no_clitic", "التعاون الأمني", "التعاون والأمني", NONE, False),
    ("different_word", "شراكة", "شركة", NONE, False),
]


@pytest.mark.parametrize("term,text,suffixes,expected", [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_term_matches(term, text, suffixes, expected):
    assert term_matches(term, text, suffixes) is expected


def test_variants_include_lil_contraction():
    v = term_variants("المملكة")
    assert {"للمملكه", "وللمملكه", "بالمملكه", "المملكه", "مملكه"} <= v


def test_empty_term_has_no_variants():
    assert term_variants("  ،  ") == set()


def test_expand_suffixes_names_and_literals():
    assert expand_suffixes(["feminine", "ات"]) == ("ه", "ات")


STEMS = [
    # (id, text, expected light stem): the relevance model's word features (relevance/model.py)
    ("article_chain_bi", "بالتعاون", "تعاون"),
    ("article_chain_wa_bi", "وبالمغرب", "مغرب"),
    ("lil", "للمغرب", "مغرب"),
    ("pronoun_dual", "تعاونهما", "تعاون"),
    ("pronoun_ha", "تعاونها", "تعاون"),
    ("nisba_feminine", "الأمنية", "امني"),
    ("nisba_plural", "الأمنيين", "امني"),
    ("nisba_masculine_same_as_feminine", "والمغربية", "مغرب"),
    ("nisba_masculine", "المغربي", "مغرب"),
    ("two_suffixes", "اتفاقيات", "اتفاق"),
    ("short_stem_kept", "التعاون", "تعاون"),           # ون after only three letters: not a plural
    ("lone_wa_kept", "وزير", "وزير"),                   # a lone و may be part of the word
    ("short_word_kept", "الله", "الله"),                # ال leaves two letters: not cut
    ("latin_untouched", "fbi", "fbi"),
    ("phrase", "التعاون الأمني بالمغرب", "تعاون امني مغرب"),
]


@pytest.mark.parametrize("text,expected", [c[1:] for c in STEMS], ids=[c[0] for c in STEMS])
def test_light_stem(text, expected):
    from filters.clitics import light_stem
    from filters.normalize import normalize

    assert light_stem(normalize(text)) == expected


POSSESSED = [
    # (id, head, expected normalised forms)
    ("adjective-phrase", "الأجهزة الأمنية", {"اجهزته الامنيه", "اجهزتها الامنيه"}),
    ("one-word", "الجيش", {"جيشه", "جيشها"}),
    ("ta-marbuta-written-ta", "الشرطة", {"شرطته", "شرطتها"}),
    ("construct-pronoun-on-genitive", "أجهزة الاستخبارات", {"اجهزه استخباراته", "اجهزه استخباراتها"}),
    ("construct-abstract-genitive", "قوات الأمن", {"قوات امنه", "قوات امنها"}),
    ("no-article-no-form", "أجهزة", set()),
]


@pytest.mark.parametrize("head,expected", [c[1:] for c in POSSESSED], ids=[c[0] for c in POSSESSED])
def test_possessed_forms(head, expected):
    assert possessed_forms(head) == expected

