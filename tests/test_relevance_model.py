"""The relevance model's parts: evidence tokens from the real matcher's flags, the fast
vectoriser against scikit-learn's TfidfVectorizer, and the document's robustness to
clitics and suffixes (what character n-grams used to give)."""

from __future__ import annotations

import numpy as np
import pytest
from sklearn.feature_extraction.text import TfidfVectorizer

import recall_data
from filters.loading import load_matcher
from relevance import model as rm
from relevance.evidence import evidence_tokens
from relevance.features import SEP, DocVectorizer


@pytest.fixture(scope="module")
def matcher():
    return load_matcher(recall_data.WATCHLISTS, recall_data.GAZETTEER)[0]


def stored_flags(matcher, title: str, body: str) -> list[dict]:
    """The matcher's flags as the store decodes them (storage.relevance.rule_flags)."""
    return [{"watchlist": f.watchlist, "matches": [vars(m) for m in f.matches],
             "entities": [vars(e) for e in f.entities], "rules": f.rules} for f in matcher.score(title, body)]


EVIDENCE = [
    # (id, title, body, tokens that must be there, tokens that must not)
    ("all three in one sentence", "", "استقبل حموشي وفدا من إسبانيا لبحث التعاون الأمني.",
     {"p:moroccan_actor+partner:sent", "p:cooperation+partner:sent", "g:cooperation", "l:moroccan_actor",
      "e:foreign_partner", "e:foreign_partner:country"}, {"t:partner"}),
    ("actor and partner one paragraph apart", "", "استقبل حموشي وفدا رسميا.\nوفي سياق آخر، تستعد إسبانيا لموسم سياحي.",
     {"p:moroccan_actor+partner:art"},
     {"p:moroccan_actor+partner:para", "p:moroccan_actor+partner:sent", "g:cooperation"}),
    ("same paragraph, two sentences", "", "استقبل حموشي وفدا رسميا. وتستعد إسبانيا لموسم سياحي.",
     {"p:moroccan_actor+partner:para", "p:moroccan_actor+partner:art"}, {"p:moroccan_actor+partner:sent"}),
    ("in the title", "حموشي في مدريد", "فاز الرجاء.",
     {"t:moroccan_actor", "t:partner", "p:moroccan_actor+partner:sent"}, set()),
    ("lead is the first two paragraphs", "", "فاز الرجاء.\nتعادل الوداد.\nوزار حموشي إسبانيا.",
     {"g:moroccan_actor", "p:moroccan_actor+partner:sent"}, {"l:moroccan_actor", "l:partner"}),
    ("all groups but out of the rule's scope", *recall_data.STORIES["near"],
     {"p:cooperation+moroccan_actor:sent", "p:moroccan_actor+partner:art"}, {"p:moroccan_actor+partner:para"}),
    ("nothing found", "", "فاز الرجاء على الوداد.", set(), {"g:moroccan_actor"}),
]


@pytest.mark.parametrize("title,body,present,absent", [e[1:] for e in EVIDENCE], ids=[e[0] for e in EVIDENCE])
def test_evidence_tokens_describe_the_matchers_flags(matcher, title, body, present, absent):
    tokens = evidence_tokens(body, stored_flags(matcher, title, body))
    # which rule fired is deliberately not a feature (relevance/evidence.py)
    assert not [t for t in tokens if t.split(":")[0] not in {"g", "t", "l", "p", "e"}]
    assert present <= set(tokens), sorted(present - set(tokens))
    assert not absent & set(tokens), sorted(absent & set(tokens))
    assert len(tokens) == len(set(tokens))


def test_evidence_ignores_the_models_own_flags(matcher):
    body = "استقبل حموشي وفدا من إسبانيا."
    flags = stored_flags(matcher, "", body)
    own = [{**f, "watchlist": "relevance-model"} for f in flags]
    assert evidence_tokens(body, own) == [] and evidence_tokens(body, None) == []
    assert evidence_tokens(body, flags + own) == evidence_tokens(body, flags)


DOCS = [rm.document(t, b) for t, b in recall_data.STORIES.values()] + [
    rm.document("تعاون امني", "التعاون الأمني بين المغرب وإسبانيا، التعاون الأمني مستمر")]


def word_ngrams(doc: str) -> list[str]:
    words = doc.partition(SEP)[0].split()
    return words + [f"{a} {b}" for a, b in zip(words, words[1:])]


def test_word_block_equals_scikit_learn_tfidf():
    """Same weighting as TfidfVectorizer(sublinear_tf, smooth idf, l2) over the same 1–2-grams."""
    vec = DocVectorizer().fit(DOCS[:-2])
    ref = TfidfVectorizer(analyzer=word_ngrams, sublinear_tf=True).fit(DOCS[:-2])
    ours = vec.transform(DOCS).toarray()[:, :vec.n_word_features_]
    theirs = ref.transform(DOCS).toarray()
    names = [vec.feature_name(i)[1] for i in range(vec.n_word_features_)]
    assert sorted(names) == sorted(ref.get_feature_names_out())
    order = [ref.vocabulary_[n] for n in names]
    np.testing.assert_allclose(ours, theirs[:, order], atol=1e-12)


def test_probabilities_equal_the_pipelines_predict_proba(matcher):
    docs = [rm.document(t, b, stored_flags(matcher, t, b)) for t, b in recall_data.STORIES.values()]
    labels = [1, 0, 1, 0, 0, 0]
    pipe = rm.fit(docs, labels, [1.0] * len(docs))
    np.testing.assert_allclose(rm.probabilities(pipe, docs), pipe.predict_proba(docs)[:, 1], atol=1e-12)
    one = [rm.probabilities(pipe, [d])[0] for d in docs]
    np.testing.assert_allclose(one, rm.probabilities(pipe, docs), atol=1e-12)
    why = rm.explain(pipe, docs[0])
    assert why["for"] and {c.kind for c in why["for"] + why["against"]} <= {"word", "evidence"}
    grams = set(word_ngrams(docs[0]))
    evidence = set(docs[0].partition(SEP)[2].split())
    for c in why["for"] + why["against"]:
        assert c.ngram in (grams if c.kind == "word" else evidence)


SPELLINGS = [
    # (id, one spelling, another): the model must see the same words
    ("clitics", "وبالتعاون الأمني مع للمغرب", "التعاون الامني مع المغرب"),
    ("suffixes", "تعاونهما الأمنية المغربية", "تعاونها الأمنيين المغربي"),
    ("diacritics and hamza", "التَّعاوُن الأمْني", "التعاون الامني"),
]


@pytest.mark.parametrize("one,other", [s[1:] for s in SPELLINGS], ids=[s[0] for s in SPELLINGS])
def test_document_sees_through_clitics_and_suffixes(one, other):
    assert rm.document("", one) == rm.document("", other)


def test_body_is_read_up_to_the_cap():
    head = "كلمة " * (rm.MAX_BODY_CHARS // 5)
    assert rm.document("", head + "إسبانيا") == rm.document("", head + "فرنسا")
    assert rm.document("", "إسبانيا") != rm.document("", "فرنسا")


DESCRIBED = [
    ("group", "g:partner", "partner"),
    ("title", "t:moroccan_actor", "moroccan_actor في العنوان"),
    ("lead", "l:cooperation", "cooperation في المقدمة"),
    ("pair in a sentence", "p:moroccan_actor+partner:sent", "moroccan_actor + partner في جملة واحدة"),
    ("pair in a paragraph", "p:cooperation+partner:para", "cooperation + partner في فقرة واحدة"),
    ("pair in the article", "p:cooperation+partner:art", "cooperation + partner في المقال"),
    ("entity with type", "e:foreign_partner:organisation", "foreign_partner (organisation)"),
    ("entity", "e:moroccan_place", "moroccan_place"),
    ("no evidence", "g:none", "لا دليل من القواعد"),
    ("unknown shape", "x:whatever", "x:whatever"),
]


@pytest.mark.parametrize("token,expected", [d[1:] for d in DESCRIBED], ids=[d[0] for d in DESCRIBED])
def test_evidence_tokens_are_described_for_the_article_page(token, expected):
    from relevance.evidence import describe

    assert describe(token) == expected
