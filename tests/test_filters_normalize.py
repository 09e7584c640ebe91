"""Arabic normalisation and the index map back to the original text."""

from __future__ import annotations

import pytest

from filters.normalize import normalize, normalize_with_offsets, original_span
from filters.tokenize import TokenIndex, tokenize

NORMALIZE = [
    ("harakat", "تَعَاوُنٌ أَمْنِيٌّ", "تعاون امني"),
    ("shadda_sukun", "الشُّرْطَةُ", "الشرطه"),
    ("tanwin_fath", "شَرِيكًا", "شريكا"),
    ("dagger_alef", "هٰذا", "هذا"),
    ("quranic_marks", "الأمنۖ", "الامن"),
    ("tatweel", "المغـــرب", "المغرب"),
    ("alef_hamza_above", "أمن", "امن"),
    ("alef_hamza_below", "إسبانيا", "اسبانيا"),
    ("alef_madda", "آليات", "اليات"),
    ("alef_wasla", "ٱلمغرب", "المغرب"),
    ("alef_maqsura", "مستوى", "مستوي"),
    ("ta_marbuta", "المملكة المغربية", "المملكه المغربيه"),
    ("waw_hamza", "مسؤول", "مسوول"),
    ("ya_hamza", "رئيس", "رييس"),
    ("lone_hamza_kept", "أجزاء", "اجزاء"),
    ("farsi_yeh_keheh", "کی", "كي"),
    ("arabic_indic_digits", "سنة ٢٠٢٥", "سنه 2025"),
    ("persian_digits", "۲۰۳۰", "2030"),
    ("arabic_comma", "المغرب،إسبانيا", "المغرب اسبانيا"),
    ("arabic_semicolon_question", "لماذا؟ لأن؛ هكذا", "لماذا لان هكذا"),
    ("guillemets", "«أنتربول»", "انتربول"),
    ("curly_quotes", "“عبد اللطيف حموشي”", "عبد اللطيف حموشي"),
    ("latin_punct_hyphen", "المغربية-الفرنسية.", "المغربيه الفرنسيه"),
    ("collapse_whitespace", "  المغرب \n\n\t فرنسا  ", "المغرب فرنسا"),
    ("lowercase_latin", "FBI و MI5", "fbi و mi5"),
    ("zero_width_marks", "المغ\u200cرب\u200f", "المغرب"),
    ("zero_width_space_splits", "المغرب\u200bفرنسا", "المغرب فرنسا"),
    ("presentation_form_lam_alef", "\ufefb", "لا"),
    ("empty", "", ""),
    ("only_punct", "«،»", ""),
]


@pytest.mark.parametrize("text,expected", [r[1:] for r in NORMALIZE], ids=[r[0] for r in NORMALIZE])
def test_normalize(text, expected):
    assert normalize(text) == expected


@pytest.mark.parametrize("text", [r[1] for r in NORMALIZE], ids=[r[0] for r in NORMALIZE])
def test_offsets_point_at_source_characters(text):
    norm, offsets = normalize_with_offsets(text)
    assert len(norm) == len(offsets)
    assert offsets == sorted(offsets)
    for ch, i in zip(norm, offsets):
        if ch == " ":
            continue
        assert normalize(text[i]) and ch in normalize(text[i])


SPANS = [
    # (id, original text, normalised substring, expected original surface)
    ("diacritics_inside", "وقال إنَّ التَّعَاوُنَ مهم", "التعاون", "التَّعَاوُنَ"),
    ("tatweel_inside", "في المغـــرب اليوم", "المغرب", "المغـــرب"),
    ("trailing_damma_included", "المغربُ بلد", "المغرب", "المغربُ"),
    ("hamza_seat", "مع إسبانيا", "اسبانيا", "إسبانيا"),
    ("digits", "سنة ٢٠٣٠ المقبلة", "2030", "٢٠٣٠"),
    ("after_guillemet", "منظمة «الإنتربول» الدولية", "الانتربول", "الإنتربول"),
    ("multiword", "عبدُ اللطيفِ حموشي", "عبد اللطيف حموشي", "عبدُ اللطيفِ حموشي"),
]


@pytest.mark.parametrize("text,needle,surface", [r[1:] for r in SPANS], ids=[r[0] for r in SPANS])
def test_original_span(text, needle, surface):
    norm, offsets = normalize_with_offsets(text)
    start = norm.index(needle)
    s, e = original_span(text, offsets, start, start + len(needle))
    assert text[s:e] == surface


TOKENS = [
    ("plain", "التعاون الامني", ["التعاون", "الامني"]),
    ("latin_attached", "لfbi", ["ل", "fbi"]),
    ("digits", "مونديال 2030", ["مونديال", "2030"]),
]


@pytest.mark.parametrize("norm,expected", [r[1:] for r in TOKENS], ids=[r[0] for r in TOKENS])
def test_tokenize(norm, expected):
    assert [t.text for t in tokenize(norm)] == expected


def test_token_index_whole_words_only():
    idx = TokenIndex("الامن الامنيه")
    assert idx.word_span(0, 5) == (0, 0)
    assert idx.word_span(6, 11) is None          # "الامن" inside "الامنيه"
    assert idx.word_span(0, 13) == (0, 1)


def test_vectorised_path_equals_per_character_path():
    """normalize_with_offsets takes a numpy path; the per-character loop is the reference."""
    import random

    from filters.normalize import _normalize_slow

    pool = "المغربأإآىةؤئ ًٌٍَُِّْـ\u200c\u200f،.؛«»\n\t  abcDEF٠١٢۳\x00\ufeff"
    rng = random.Random(7)
    texts = ["", " ", "  a  ", "\u064b", " \u064b ", "a\u064b b", "\n\nالمغرب\n"]
    texts += ["".join(rng.choice(pool) for _ in range(rng.randint(0, 60))) for _ in range(3000)]
    for t in texts:
        assert normalize_with_offsets(t) == _normalize_slow(t), repr(t)
