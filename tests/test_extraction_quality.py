"""Quality gate for extraction: the page families under tests/fixtures/families must
stay above the floors pinned in tests/eval_baseline.json ("extraction"), and the real
CNN Arabic page (../shared/realnews, read in place when present) must keep its body
and never get a year-level date.  Figures are printed even without -s."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from fixturesite.extraction_eval import evaluate, realnews_dir, summary, token_f1
from fixturesite.families import FAMILIES
from pipelines.extract import extract

ROOT = Path(__file__).resolve().parent.parent
FLOORS = json.loads((Path(__file__).parent / "eval_baseline.json").read_text(encoding="utf-8"))["extraction"]
FIXTURES = Path(__file__).parent / "fixtures" / "families"


@pytest.fixture(scope="module")
def scores():
    return evaluate(FIXTURES)


def test_every_family_has_pages_and_a_floor(scores):
    assert set(scores) == set(FAMILIES) == set(FLOORS["family_body_f1"])
    assert all(len(f.pages) >= 5 for f in scores.values())


@pytest.mark.parametrize("family", FAMILIES)
def test_family_body_f1_floor(scores, family, capsys):
    fam = scores[family]
    with capsys.disabled():
        print(f"\n[extraction] {family}: body F1 {fam.f1:.3f} (floor {FLOORS['family_body_f1'][family]}), "
              f"title {fam.title_share:.0%}, date {fam.date_share:.0%}, invented {fam.invented}, {fam.extractors}")
    worst = min(fam.pages, key=lambda p: p.f1)
    assert fam.f1 >= FLOORS["family_body_f1"][family], f"{family}: F1 {fam.f1:.3f}; worst page {worst}"


def test_average_title_and_date_floors(scores):
    total = summary(scores)["average"]
    wrong_titles = [(p.family, p.page, p.got_title) for f in scores.values() for p in f.pages if not p.title_ok]
    wrong_dates = [(p.family, p.page, p.got_date, p.want_date) for f in scores.values() for p in f.pages
                   if not p.date_ok]
    assert total["body_f1"] >= FLOORS["average_body_f1"]
    assert total["title_right"] >= FLOORS["title_right"], wrong_titles
    assert total["date_right"] >= FLOORS["date_right"], wrong_dates
    assert total["invented_dates"] <= FLOORS["invented_dates"], wrong_dates


def test_cnn_arabic_real_page():
    folder = realnews_dir(ROOT)
    if folder is None or not (folder / "pages" / "cnn-arabic-2013.html").exists():
        pytest.skip("../shared/realnews/pages/cnn-arabic-2013.* not present")
    page = folder / "pages" / "cnn-arabic-2013.html"
    want = (folder / "pages" / "cnn-arabic-2013.txt").read_text(encoding="utf-8")
    ex = extract(page.read_bytes(), "http://arabic.cnn.com/2013/middle_east/8/3/egypt.mohamed.morsi/index.html")
    assert token_f1(ex.body, want) >= FLOORS["cnn_arabic_2013"]["body_f1"]
    assert (ex.published[:10] or None) in FLOORS["cnn_arabic_2013"]["dates_allowed"]
    assert ex.published[:10] != "2013-01-01"
