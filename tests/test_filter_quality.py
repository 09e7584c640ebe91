"""Quality gate: recall and precision of the default watchlist on the labelled corpus.

Corpus: the five seeds (``seeds.toml``: title from the index, body = the seed text) and
the written articles (``articles/*.toml``: line 1 of each .txt is the title, the rest the
body).  The figures are printed even without ``-s``; the floors live in
``tests/eval_baseline.json`` and are lowered only by editing that file on purpose.
"""

from __future__ import annotations

import json
import tomllib
from pathlib import Path

import pytest

from filters.loading import load_matcher
from filters.matcher import explain

ROOT = Path(__file__).resolve().parent.parent
CONTENT = ROOT / "fixturesite" / "content"
BASELINE = json.loads((Path(__file__).parent / "eval_baseline.json").read_text(encoding="utf-8"))


def load_corpus() -> list[dict]:
    """Every labelled article as {file, label, category, title, body}."""
    items = []
    seeds = CONTENT / "seeds.toml"
    if seeds.exists():
        for a in tomllib.loads(seeds.read_text(encoding="utf-8"))["article"]:
            body = (CONTENT / a["file"]).read_text(encoding="utf-8")
            items.append({**a, "title": a["title"], "body": body})
    for index in sorted((CONTENT / "articles").glob("*.toml")):
        for a in tomllib.loads(index.read_text(encoding="utf-8")).get("article", []):
            title, _, body = (CONTENT / a["file"]).read_text(encoding="utf-8").partition("\n")
            items.append({**a, "title": title.strip(), "body": body})
    return items


def test_default_watchlist_meets_quality_floors(capsys):
    corpus = load_corpus()
    labels = {a["label"] for a in corpus}
    if labels != {"positive", "negative"}:
        pytest.skip(f"labelled corpus incomplete (labels: {sorted(labels)})")
    matcher, _ = load_matcher(ROOT / "config" / "default" / "watchlists",
                              ROOT / "config" / "default" / "gazetteer.yaml")
    name = BASELINE["watchlist"]
    tp = fp = fn = tn = 0
    errors = []
    for a in corpus:
        flag = next(f for f in matcher.score(a["title"], a["body"]) if f.watchlist == name)
        positive = a["label"] == "positive"
        tp += flag.flagged and positive
        fp += flag.flagged and not positive
        fn += (not flag.flagged) and positive
        tn += (not flag.flagged) and not positive
        if flag.flagged != positive:
            errors.append(f"{'FN' if positive else 'FP'} {a['file']} ({a.get('category', '')})\n{explain(flag)}")
    recall = tp / (tp + fn) if tp + fn else 0.0
    precision = tp / (tp + fp) if tp + fp else 0.0
    floors = BASELINE["floors"]
    with capsys.disabled():
        print(f"\n[quality] {name}: recall {recall:.3f} (floor {floors['recall']}), "
              f"precision {precision:.3f} (floor {floors['precision']}) "
              f"on {len(corpus)} articles: tp={tp} fp={fp} fn={fn} tn={tn}")
        for e in errors:
            print(e)
    assert recall >= floors["recall"], f"recall {recall:.3f} < floor {floors['recall']}"
    assert precision >= floors["precision"], f"precision {precision:.3f} < floor {floors['precision']}"
