"""Pure parts of watchlist tuning: folding, phrases, metrics, suggestions, diffs, validation."""

from __future__ import annotations

from pathlib import Path

import pytest

from filters.watchlist import parse_watchlist
from tuning.diff import diff_watchlists
from tuning.metrics import Confusion, confusion
from tuning.suggest import fold, known_terms, phrases, suggest
from tuning.validate import validate_files

FIX = Path(__file__).parent / "fixtures" / "watchlists"


@pytest.mark.parametrize("token,expected", [
    ("المغرب", "المغرب"),
    ("والمغرب", "المغرب"),
    ("بالمغرب", "المغرب"),
    ("وبالمغرب", "المغرب"),
    ("للتعاون", "التعاون"),          # ل + ال with the alef dropped
    ("وللتعاون", "التعاون"),
    ("فالتنسيق", "التنسيق"),
    ("وزير", "وزير"),                # no article: a leading و is never stripped
    ("بلاغ", "بلاغ"),
    ("لجنة", "لجنة"),
    ("والي", "والي"),                # too short after ال: kept whole
    ("بالا", "بالا"),
    ("تعاون", "تعاون"),
])
def test_fold(token, expected):
    assert fold(token) == expected


@pytest.mark.parametrize("text,max_words,expected", [
    ("وبالتعاون الأمني", 2, {"التعاون": "التعاون", "الامني": "الأمني", "التعاون الامني": "التعاون الأمني"}),
    # only the first word of a phrase is folded: the matcher adds clitics to the first word only
    ("العامة للأمن", 2, {"العامه": "العامة", "الامن": "الأمن", "العامه للامن": "العامة للأمن"}),
    # punctuation is dropped (as the matcher sees it); a Latin token breaks a phrase;
    # words under three letters start none
    ("تعاون، تنسيق", 2, {"تعاون": "تعاون", "تنسيق": "تنسيق", "تعاون تنسيق": "تعاون، تنسيق"}),
    ("تعاون FBI تنسيق", 2, {"تعاون": "تعاون", "تنسيق": "تنسيق"}),
    ("مع الشرطة", 2, {"الشرطه": "الشرطة"}),
    ("في إطار التعاون", 1, {"اطار": "إطار", "التعاون": "التعاون"}),
    ("", 2, {}),
    ("التَّعَاوُن", 1, {"التعاون": "التَّعَاوُن"}),   # the surface keeps what the reader saw
])
def test_phrases(text, max_words, expected):
    assert phrases(text, max_words) == expected


@pytest.mark.parametrize("flagged,labels,expected", [
    ({1: True, 2: True, 3: False, 4: False}, {1: True, 2: False, 3: True, 4: False}, Confusion(1, 1, 1, 1)),
    ({}, {1: True}, Confusion(0, 0, 1, 0)),                   # missing = not flagged
    ({1: True, 9: True}, {1: True}, Confusion(1, 0, 0, 0)),   # unlabelled ids do not count
    ({}, {}, Confusion()),
])
def test_confusion(flagged, labels, expected):
    assert confusion(flagged, labels) == expected


@pytest.mark.parametrize("c,precision,recall,f1", [
    (Confusion(4, 1, 0, 3), 0.8, 1.0, 0.8889),
    (Confusion(3, 1, 1, 3), 0.75, 0.75, 0.75),
    (Confusion(0, 0, 2, 1), None, 0.0, None),       # nothing flagged: precision undefined
    (Confusion(0, 2, 0, 0), 0.0, None, None),       # nothing relevant: recall undefined
    (Confusion(0, 1, 1, 0), 0.0, 0.0, 0.0),
])
def test_metrics(c, precision, recall, f1):
    d = c.to_dict()
    assert (d["precision"], d["recall"], d["f1"]) == (precision, recall, f1)


def test_suggest_ranks_separating_phrases_and_reports_counts():
    relevant = ["تعاون أمني مع المديرية العامة", "المديرية العامة تنسق مع إسبانيا", "المديرية العامة والإنتربول"]
    irrelevant = ["الأمن الغذائي في المغرب", "مشاريع الأمن الغذائي", "المديرية الإقليمية للفلاحة"]
    add, exclude, totals = suggest(relevant, irrelevant, min_docs=2)
    assert totals == (3, 3)
    top = add[0]
    assert (top.key, top.relevant, top.irrelevant) == ("المديريه العامه", 3, 0)
    assert top.phrase == "المديرية العامة"
    assert {s.key for s in exclude[:3]} >= {"الامن الغذايي", "الامن"}
    assert all(s.relevant >= 2 for s in add) and all(s.irrelevant >= 2 for s in exclude)
    # "المديرية" occurs on both sides: ranked below the one-sided phrase
    assert [s.key for s in add].index("المديريه") > 0


def test_known_terms_mark_what_a_watchlist_already_matches():
    wl, problems = parse_watchlist((FIX / "valid.yaml").read_text(encoding="utf-8"), FIX / "valid.yaml")
    assert not problems
    known = known_terms([wl])
    first = wl.groups["cooperation"].terms[0].text
    from filters.normalize import normalize
    assert known[normalize(first)] == "test-cooperation/cooperation"
    assert known["و" + normalize(first)] == "test-cooperation/cooperation"   # clitic spellings too


def _wl(text: str):
    wl, problems = parse_watchlist(text)
    assert not problems, problems
    return wl


BASE = """
name: t
threshold: 2
groups:
  coop:
    terms: [تعاون, {term: تنسيق, variants: [التنسيق]}]
  noise:
    terms: [الأمن الغذائي, الأمن الروحي]
rules:
  - {name: core, any_of: [coop], weight: 2}
  - {name: penalty, any_of: [noise], weight: -1}
"""


def test_diff_reports_terms_rules_and_settings():
    new = (BASE.replace("threshold: 2", "threshold: 3")
           .replace("[الأمن الغذائي, الأمن الروحي]", "[الأمن الغذائي]")
           .replace("[تعاون, ", "[تعاون, شراكة, ")
           .replace("weight: -1}", "weight: -2}")
           + "  - {name: festival, any_of: [fest], veto: true}\n")
    new = new.replace("rules:", "  fest:\n    terms: [مهرجان]\nrules:")
    d = diff_watchlists(_wl(BASE), _wl(new))
    assert d.settings == {"threshold": (2.0, 3.0)}
    assert d.groups_added == ["fest"] and d.groups_removed == []
    assert d.terms_added == {"coop": ["شراكة"], "fest": ["مهرجان"]}
    assert d.terms_removed == {"noise": ["الأمن الروحي"]}
    assert d.rules_added == ["festival"] and d.rules_removed == []
    assert d.rules_changed == {"penalty": {"weight": (-1.0, -2.0)}}


def test_diff_ignores_spelling_only_changes():
    d = diff_watchlists(_wl(BASE), _wl(BASE.replace("تعاون,", "تَعاوُن,")))
    assert d.empty


def test_validate_files_toml_and_duplicate_names(monkeypatch):
    monkeypatch.chdir(FIX)
    out = validate_files(["bad_toml.toml", "valid.yaml", "same_name.yaml", "missing.yaml"])
    assert [p.format("bad_toml.toml") for p in out["bad_toml.toml"]] == [
        "bad_toml.toml:2: invalid TOML: Invalid value; note that watchlists are YAML files (.yaml): "
        "see config/default/watchlists/ for the format"]
    assert out["valid.yaml"] == []
    assert [p.format("same_name.yaml") for p in out["same_name.yaml"]] == [
        "same_name.yaml:1: name: watchlist name 'test-cooperation' is also used by valid.yaml; names must be unique"]
    assert out["missing.yaml"][0].message.startswith("cannot read the watchlist")
