"""Search queries: Arabic normalisation and clitics on the query side, exact
highlight spans on the original text, and clear errors for unreadable queries."""

from __future__ import annotations

import pytest

from filters.search_query import find_spans, fts_expression, index_text, parse_query
from raqib.errors import QueryError

TEXT = "أكّد بلاغٌ للمديرية أن المغربَ وإسبانيا عزّزا تعاونهما الأمنيّ، وبالتعاون الأمني مع للمغرب."

FOUND = [
    ("plain", "المغرب", ["المغربَ", "للمغرب"]),
    ("diacritics and hamza in the text", "اكد", ["أكّد"]),
    ("diacritics in the query", "المغرِبُ", ["المغربَ", "للمغرب"]),
    ("hamza in the query", "إسبانيا", ["وإسبانيا"]),
    ("conjunction attached in the text", "اسبانيا", ["وإسبانيا"]),
    ("query typed with clitics", "بالمغرب", ["المغربَ", "للمغرب"]),
    ("query typed with lam-lam", "للمغرب", ["المغربَ", "للمغرب"]),
    ("pronoun suffix and proclitics in the text", "تعاون", ["تعاونهما", "وبالتعاون"]),
    ("phrase with proclitics", '"التعاون الأمني"', ["وبالتعاون الأمني"]),
    ("phrase words must be adjacent", '"بلاغ المغرب"', []),
    ("not inside a longer word", "مدير", []),
    ("ta marbuta as ha", "المديريه", ["للمديرية"]),
]


@pytest.mark.parametrize("query,expected", [(q, e) for _, q, e in FOUND], ids=[i for i, _, _ in FOUND])
def test_find_spans(query, expected):
    spans = find_spans(TEXT, parse_query(query))
    assert [TEXT[s:e] for s, e, _ in spans] == expected


BAD = [
    ("lone quote", '"', "unbalanced quote"),
    ("unclosed phrase", '"التعاون الأمني', "unbalanced quote"),
    ("punctuation only", "؟!،", "nothing to search for"),
    ("empty phrase", '""', "nothing to search for"),
    ("too long", "ا" * 501, "query too long"),
    ("too many words", " ".join(f"كلمة{i}" for i in range(13)), "too many words"),
]


@pytest.mark.parametrize("query,message", [(q, m) for _, q, m in BAD], ids=[i for i, _, _ in BAD])
def test_unreadable_queries_raise_query_error(query, message):
    with pytest.raises(QueryError, match=message):
        parse_query(query)


def test_fts_expression_quotes_every_variant_and_ands_clauses():
    expr = fts_expression(parse_query('امن "تعاون دولي"'))
    left, right = expr.split(" AND ")
    assert left.startswith("(") and '"امن"' in left and '"والامن"' in left
    assert '"تعاون دولي"' in right and '"بالتعاون دولي"' in right


def test_index_text_is_normalised_tokens():
    assert index_text("الأمنُ — لـFBI «المغربي»") == "الامن ل fbi المغربي"
