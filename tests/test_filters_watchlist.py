"""Watchlist validation: every problem, with file, line and field, in the exact words."""

from __future__ import annotations

from pathlib import Path

import pytest

from filters.watchlist import load_watchlist, parse_watchlist, validate_watchlist
from raqib.errors import WatchlistError

ROOT = Path(__file__).resolve().parent.parent
FIX = Path(__file__).parent / "fixtures" / "watchlists"
DEFAULT = ROOT / "config" / "default" / "watchlists" / "morocco-security-cooperation.yaml"

REGEX_HINT = "looks like a regular expression; terms are plain words or phrases (clitics such as و ب ال are matched automatically)"
EMPTY = "empty term; write the word or phrase, or delete the line"

CASES = [
    ("bad_syntax", [
        "bad_syntax.yaml:6: invalid YAML: while parsing a flow sequence, expected ',' or ']', but got ':' "
        "(the construct opened on line 5); check quoting and indentation",
    ]),
    ("unknown_group", [
        "unknown_group.yaml:8: rules[0] (core).all_of: unknown group 'cooperaton' (did you mean 'cooperation'?); "
        "known groups and entity references: cooperation",
    ]),
    ("empty_term", [
        f"empty_term.yaml:7: groups.cooperation.terms[1]: {EMPTY}",
        f"empty_term.yaml:8: groups.cooperation.terms[2]: {EMPTY}",
        f"empty_term.yaml:9: groups.cooperation.terms[3]: {EMPTY}",
    ]),
    ("regex_term", [
        f"regex_term.yaml:6: groups.cooperation.terms[0]: 'تعاون.*' {REGEX_HINT}",
        f"regex_term.yaml:7: groups.cooperation.terms[1]: '\\\\bأمن\\\\b' {REGEX_HINT}",
        f"regex_term.yaml:8: groups.cooperation.terms[2].variants: '(شراكة|تعاون)' {REGEX_HINT}",
    ]),
    ("duplicates", [
        "duplicates.yaml:8: groups.cooperation.terms[2]: duplicate term 'تَعاوُن' in group 'cooperation' "
        "(already on line 6); delete one",
        "duplicates.yaml:9: groups.cooperation: duplicate key 'cooperation' (first on line 4); keep only one",
        "duplicates.yaml:14: rules[1] (core): duplicate rule name 'core' (first on line 12); rename one",
    ]),
    ("unknown_keys", [
        "unknown_keys.yaml:3: treshold: unknown key 'treshold' (did you mean 'threshold'?); "
        "expected one of: name, description, threshold, title_boost, proximity, groups, entities, senses, rules",
        "unknown_keys.yaml:6: groups.cooperation.term: unknown key 'term' (did you mean 'terms'?); "
        "expected one of: description, weight, suffixes, mask, terms",
        "unknown_keys.yaml:6: groups.cooperation.terms: missing required key 'terms'; add it",
        "unknown_keys.yaml:10: rules[0].wihtin: unknown key 'wihtin' (did you mean 'within'?); expected one of: "
        "name, description, all_of, any_of, none_of, context, lead, min_weight, within, same, weight, veto, graded",
    ]),
    ("wrong_types", [
        "wrong_types.yaml:2: threshold: expected a number, got 'high'",
        "wrong_types.yaml:3: title_boost: expected a number, got a list",
        "wrong_types.yaml:6: groups.cooperation.weight: expected a number, got 'heavy'",
        "wrong_types.yaml:7: groups.cooperation.terms: expected a list, got 'تعاون'",
        "wrong_types.yaml:9: entities.partner.roles: unknown role 'foreign_partnr' (did you mean 'foreign_partner'?); "
        "expected one of: foreign_partner, moroccan_actor, moroccan_authority, moroccan_city, moroccan_context, moroccan_place",
        "wrong_types.yaml:13: rules[0] (core).within: expected a whole number, got 'ten'",
        "wrong_types.yaml:14: rules[0] (core).same: unknown scope 'sentence'; expected one of: paragraph, field",
        "wrong_types.yaml:14: rules[0] (core): use either 'within' or 'same', not both",
        "wrong_types.yaml:15: rules[0] (core).veto: expected true or false, got 'maybe'",
    ]),
    ("missing_threshold", [
        "missing_threshold.yaml:1: threshold: missing required key 'threshold'; add it",
    ]),
    ("no_conditions", [
        "no_conditions.yaml:7: rules[0] (core): a rule needs at least one of all_of, any_of, none_of",
        "no_conditions.yaml:9: rules[0] (core): use either 'within' or 'same', not both",
        "no_conditions.yaml:11: rules[1].name: missing required key 'name'; add it",
    ]),
]


@pytest.mark.parametrize("name,expected", CASES, ids=[c[0] for c in CASES])
def test_validate_reports_every_problem(name, expected):
    path = FIX / f"{name}.yaml"
    assert [p.format(path.name) for p in validate_watchlist(path)] == expected


@pytest.mark.parametrize("name,expected", CASES, ids=[c[0] for c in CASES])
def test_load_raises_watchlist_error_with_all_problems(name, expected):
    path = FIX / f"{name}.yaml"
    with pytest.raises(WatchlistError) as exc:
        load_watchlist(path)
    assert len(exc.value.problems) == len(expected)
    assert str(exc.value).splitlines() == [f"{FIX}/{line}" for line in expected]


@pytest.mark.parametrize("path", [FIX / "valid.yaml", DEFAULT], ids=["fixture", "shipped_default"])
def test_valid_watchlists_have_no_problems(path):
    assert validate_watchlist(path) == []


def test_version_is_sha256_prefix_of_file_bytes():
    import hashlib

    wl = load_watchlist(DEFAULT)
    assert wl.version == hashlib.sha256(DEFAULT.read_bytes()).hexdigest()[:12]
    assert wl.name == "morocco-security-cooperation"
    assert wl.source_text == DEFAULT.read_text(encoding="utf-8")


def test_version_changes_with_content(tmp_path):
    text = (FIX / "valid.yaml").read_text(encoding="utf-8")
    a, b = tmp_path / "a.yaml", tmp_path / "b.yaml"
    a.write_text(text, encoding="utf-8")
    b.write_text(text + "\n# edited\n", encoding="utf-8")
    assert load_watchlist(a).version != load_watchlist(b).version


def test_parsed_structure():
    wl = load_watchlist(FIX / "valid.yaml")
    assert wl.threshold == 2 and wl.title_boost == 2
    assert list(wl.groups) == ["cooperation", "food", "security"]
    assert wl.groups["food"].mask is True
    term = wl.groups["cooperation"].terms[1]
    assert (term.text, term.variants, term.weight, term.line) == ("تبادل المعلومات", ("تقاسم المعلومات",), 2.0, 11)
    assert wl.rules[0].within == 10 and wl.rules[1].veto is True


def test_unreadable_file(tmp_path):
    problems = validate_watchlist(tmp_path / "missing.yaml")
    assert len(problems) == 1 and problems[0].message.startswith("cannot read the watchlist")


def test_empty_file():
    _, problems = parse_watchlist("", "empty.yaml")
    assert [p.message for p in problems] == ["the file is empty; a watchlist needs name, threshold, groups and rules"]


def test_sense_clause_must_be_true_or_false():
    """``clause`` (a denial's scope) is a switch: anything else is reported with its line."""
    text = ("name: t\nthreshold: 1\ngroups:\n  cooperation:\n    terms: [تنسيق]\n"
            "senses:\n  - name: denial\n    removes: [cooperation]\n    before: [لا]\n    clause: perhaps\n"
            "rules:\n  - name: core\n    any_of: [cooperation]\n    weight: 1\n")
    _, problems = parse_watchlist(text, "t.yaml")
    assert [p.format("t.yaml") for p in problems] == [
        "t.yaml:10: senses[0].clause: expected true or false, got 'perhaps'"]
    wl, problems = parse_watchlist(text.replace("perhaps", "true"), "t.yaml")
    assert not problems and wl.senses[0].clause is True


@pytest.mark.parametrize("terms,term,covered", [
    ((), "تعاون", True),                                       # no terms: every hit
    (("تعاون", "تنسيق"), "تعاون", True),
    (("تعاون", "تنسيق"), "شراكة", False),
    (("القوات المسلحة الملكية",), "القوات المسلحة الملكية", True),   # an entity's name
    (("الجيش",), "الجيش (المغرب)", True),                      # a composed actor, by its noun
    (("الجيش",), "والجيش (المغرب)", True),                     # ... written with و
    (("الجيش",), "فالجيش (المغرب)", True),
    (("الجيش",), "الشرطة (المغرب)", False),
    (("الشرطة",), "الشرطه (إسبانيا)", True),                   # normalised (ة / ه)
    (("الجيش",), "الجيش الملكي", False),                       # a plain term is compared as written
    (("وحدات",), "وحدات (المغرب)", True),                      # a noun that starts with و keeps it
])
def test_sense_terms_cover(terms, term, covered):
    from filters.senses import Sense

    assert Sense("s", ("moroccan_actor",), terms=terms).covers(term) is covered
