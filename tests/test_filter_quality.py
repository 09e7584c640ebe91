"""Quality gate: recall and precision of the default watchlist on the labelled sets.

* the fixture corpus (fixturesite/content: the five seeds and the written articles);
* the twenty-seven blind sets (tests/fixtures/blind/, blind2/ … blind27/, written by people who never saw
  the watchlist): only aggregate figures are printed for them, never a title, text or
  file name;
* the development set (tests/fixtures/dev/, written the same way but open: rules are
  developed against its errors, by class);
* the real articles in ``../shared/realnews/`` when that folder exists (skipped cleanly
  when it does not: the articles belong to their publishers and are not in the project).

The sets are loaded and scored by bench/quality.py (the same loading and scoring as the
crawl).  The floors live in ``tests/eval_baseline.json`` and are lowered only by editing
that file on purpose.
"""

from __future__ import annotations

import importlib.util
import json
import sys
from pathlib import Path

import pytest

from filters.loading import load_matcher
from filters.matcher import explain

ROOT = Path(__file__).resolve().parent.parent
BASELINE = json.loads((Path(__file__).parent / "eval_baseline.json").read_text(encoding="utf-8"))

_spec = importlib.util.spec_from_file_location("bench_quality", ROOT / "bench" / "quality.py")
quality = importlib.util.module_from_spec(_spec)
sys.modules["bench_quality"] = quality          # dataclasses look their module up by name
_spec.loader.exec_module(quality)


@pytest.fixture(scope="module")
def matcher():
    m, _ = load_matcher(ROOT / "config" / "default" / "watchlists", ROOT / "config" / "default" / "gazetteer.yaml")
    return m


def _gate(capsys, matcher, name: str, items: list, floors: dict, show_errors: bool) -> None:
    labels = {it.positive for it in items}
    if labels != {True, False}:
        pytest.skip(f"labelled set {name!r} incomplete or absent")
    score, wrong = quality.evaluate(matcher, items)
    with capsys.disabled():
        print(f"\n[quality] {score.line(name)} (floors: precision {floors['precision']}, recall {floors['recall']})")
        if show_errors:
            for it, flag in wrong:
                print(f"{'FN' if it.positive else 'FP'} {it.ident} ({it.kind})\n{explain(flag)}")
    assert score.recall >= floors["recall"], f"{name}: recall {score.recall:.3f} < floor {floors['recall']}"
    assert score.precision >= floors["precision"], \
        f"{name}: precision {score.precision:.3f} < floor {floors['precision']}"


def test_fixture_corpus_meets_quality_floors(capsys, matcher):
    _gate(capsys, matcher, "fixture", quality.fixture_set(), BASELINE["floors"], show_errors=True)


def test_seeds_all_flagged(matcher):
    seeds = [it for it in quality.fixture_set() if it.ident.startswith("seeds/")]
    assert len(seeds) == 5
    missed = [it.ident for it in seeds if not next(
        f for f in matcher.score(it.title, it.body) if f.watchlist == quality.WATCHLIST).flagged]
    assert missed == []


@pytest.mark.parametrize("name", list(quality.BLIND_DIRS))
def test_blind_set_meets_quality_floors(capsys, matcher, name):
    # aggregates only: per-article results of the blind sets are never printed
    _gate(capsys, matcher, name, quality.blind_set(quality.BLIND_DIRS[name]), BASELINE[f"{name}_floors"],
          show_errors=False)


def test_dev_set_meets_quality_floors(capsys, matcher):
    # the open development set: its errors may be shown
    _gate(capsys, matcher, "dev", quality.blind_set(quality.DEV), BASELINE["dev_floors"], show_errors=True)


def test_real_articles_meet_quality_floors(capsys, matcher):
    if not quality.REALNEWS.exists():
        pytest.skip("../shared/realnews is not present on this machine")
    _gate(capsys, matcher, "realnews", quality.realnews_set(), BASELINE["realnews_floors"], show_errors=True)
