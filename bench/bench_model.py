"""Bench: how fast the relevance model trains and scores, in ms per article.

Texts: the fixture corpus (fixturesite/content, labelled) and, when present, the real
news of ../shared/realnews/articles.jsonl (read at run time, never copied).  Each text
is scored by the default watchlists first (the model reads the rules' stored evidence,
relevance/evidence.py), exactly as the store would hold it.  Scoring is timed per body
length (words): under 300, 300–800 (typical stories), over 800; ``--join`` adds
bodies made of two or three real stories in a row so the 300–800 and 800+ rows are
never empty.

Figures, per article:

* ``train``: fitting on the fixture corpus' labels (and on every labelled text);
* ``prep``: building the model's document (normalise, stem, evidence tokens) — cold
  (first sight of the words) and warm (the per-word cache filled, as in a running daemon);
* ``score``: features + logistic regression, in one batch (how ``ensure_scores`` runs)
  and one article per call (the article page);
* ``explain``: the page's "why the model thinks so".

``--baseline`` also times the model this one replaced (word 1–2-grams + character
3–5-grams, scikit-learn TfidfVectorizer over filters.search_query.index_text), for the
before/after comparison.

    .venv/bin/python bench/bench_model.py [--join] [--baseline] [--rounds 3]
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from filters.loading import load_matcher  # noqa: E402
from relevance import model as rm  # noqa: E402

CONTENT = ROOT / "fixturesite" / "content"
REALNEWS_CANDIDATES = [ROOT.parent / "shared" / "realnews" / "articles.jsonl",
                       ROOT.parent.parent / "shared" / "realnews" / "articles.jsonl"]
WL_DIR = ROOT / "config" / "default" / "watchlists"
GAZ = ROOT / "config" / "default" / "gazetteer.yaml"
BUCKETS = [("< 300 words", 0, 300), ("300-800 words", 300, 800), ("> 800 words", 800, 10**9)]


def texts(realnews: Path | None, join: bool) -> tuple[list[tuple[str, str, int | None]], str, int]:
    """(title, body, label or None) of the fixture corpus and the real news, a
    description, and how many of the texts (the first ones) are the fixture corpus."""
    out: list[tuple[str, str, int | None]] = []
    for a in tomllib.loads((CONTENT / "seeds.toml").read_text(encoding="utf-8"))["article"]:
        out.append((a.get("title") or "", (CONTENT / a["file"]).read_text(encoding="utf-8"),
                    int(a["label"] == "positive")))
    for manifest in ("positives.toml", "negatives.toml"):
        for a in tomllib.loads((CONTENT / "articles" / manifest).read_text(encoding="utf-8"))["article"]:
            title, _, body = (CONTENT / a["file"]).read_text(encoding="utf-8").partition("\n")
            out.append((title.strip(), body.strip(), int(a["label"] == "positive")))
    n_fixture = len(out)
    where = "fixture corpus"
    if realnews is not None and realnews.exists():
        real = [json.loads(line) for line in realnews.read_text(encoding="utf-8").splitlines() if line.strip()]
        out += [(r.get("title") or "", r.get("body") or "", r.get("label")) for r in real]
        where += f" + {len(real)} realnews"
        if join:
            for i, r in enumerate(real):
                for k in (2, 3):
                    body = "\n".join(real[(i + j * 37) % len(real)].get("body") or "" for j in range(k))
                    out.append((r.get("title") or "", body, None))
            where += f" + {2 * len(real)} joined realnews bodies"
    else:
        where += " (realnews not found: ../shared/realnews/articles.jsonl)"
    return out, where, n_fixture


def per_article(seconds: float, n: int) -> str:
    return f"{seconds / max(n, 1) * 1000:.3f} ms/article"


def timed(fn, rounds: int) -> tuple[float, object]:
    """Best of ``rounds`` wall times (the machine is shared: the minimum is the cost)."""
    best, out = float("inf"), None
    for _ in range(rounds):
        t = time.perf_counter()
        out = fn()
        best = min(best, time.perf_counter() - t)
    return best, out


def baseline_pipeline():
    """The model before bench/bench_model.py existed: word 1–2 + char_wb 3–5 TF-IDF."""
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import FeatureUnion, Pipeline

    features = FeatureUnion([
        ("word", TfidfVectorizer(analyzer="word", ngram_range=(1, 2), min_df=1, sublinear_tf=True,
                                 token_pattern=r"(?u)\b\w\w+\b", max_features=200_000)),
        ("char", TfidfVectorizer(analyzer="char_wb", ngram_range=(3, 5), min_df=2, sublinear_tf=True,
                                 max_features=300_000)),
    ])
    return Pipeline([("features", features),
                     ("clf", LogisticRegression(C=rm.C, class_weight="balanced", max_iter=2000, solver="liblinear"))])


def baseline_document(title: str, body: str) -> str:
    from filters.search_query import index_text

    t = index_text(title or "")
    return f"{t} {t} {index_text(body or '')}"


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--realnews", type=Path, default=next((p for p in REALNEWS_CANDIDATES if p.exists()), None))
    ap.add_argument("--join", action="store_true", help="Add bodies of 2 and 3 real stories joined (longer texts).")
    ap.add_argument("--baseline", action="store_true", help="Also time the former char n-gram model.")
    ap.add_argument("--rounds", type=int, default=3, help="Timing rounds (best is reported).")
    args = ap.parse_args()

    items, where, n_fixture = texts(args.realnews, args.join)
    words = [len(b.split()) for _, b, _ in items]
    print(f"texts: {len(items)} ({where}); body words median {statistics.median(words):.0f},"
          f" max {max(words)}")
    matcher, _ = load_matcher(WL_DIR, GAZ)
    flags = []
    for title, body, _ in items:   # as the store holds them: decoded flag rows
        flags.append([{"watchlist": f.watchlist, "matches": [vars(m) for m in f.matches],
                       "entities": [vars(e) for e in f.entities], "rules": f.rules}
                      for f in matcher.score(title, body)])
    labelled = [(i, lab) for i, (_, _, lab) in enumerate(items) if lab is not None]
    fixture = [(i, lab) for i, lab in labelled if i < n_fixture]

    def doc(i: int) -> str:
        return rm.document(items[i][0], items[i][1], flags[i])

    # prep, cold then warm (the per-word cache: rm._word)
    rm._word.cache_clear()
    t = time.perf_counter()
    docs = [doc(i) for i in range(len(items))]
    cold = time.perf_counter() - t
    warm, docs = timed(lambda: [doc(i) for i in range(len(items))], args.rounds)
    print(f"prep (document): cold {per_article(cold, len(items))}, warm {per_article(warm, len(items))}"
          f" (all texts)")

    rm.fit(docs[:2], [0, 1], [1.0, 1.0])          # untimed: the first fit pays one-off imports
    for name, pick in (("fixture labels", fixture), ("all labelled texts", labelled)):
        secs, _ = timed(lambda: rm.fit([docs[i] for i, _ in pick], [lab for _, lab in pick], [1.0] * len(pick)),
                        args.rounds)
        print(f"train on {name} ({len(pick)}): {secs:.2f}s, {per_article(secs, len(pick))}")
    pipe = rm.fit([docs[i] for i, _ in fixture], [lab for _, lab in fixture], [1.0] * len(fixture))

    print("score (features + logistic regression), by body length:")
    for label, lo, hi in BUCKETS:
        ids = [i for i, w in enumerate(words) if lo <= w < hi]
        if not ids:
            print(f"  {label}: no texts")
            continue
        batch = [docs[i] for i in ids]
        b_secs, _ = timed(lambda: rm.probabilities(pipe, batch), args.rounds)
        one_secs, _ = timed(lambda: [rm.probabilities(pipe, [d]) for d in batch], args.rounds)
        p_secs, _ = timed(lambda: [doc(i) for i in ids], args.rounds)
        e_secs, _ = timed(lambda: [rm.explain(pipe, d) for d in batch], 1)
        print(f"  {label} ({len(ids)} texts, median {statistics.median(words[i] for i in ids):.0f} words):"
              f" prep {per_article(p_secs, len(ids))} (warm) + score {per_article(b_secs, len(ids))} in a batch"
              f" = {per_article(p_secs + b_secs, len(ids))}; one per call {per_article(one_secs, len(ids))};"
              f" explain {per_article(e_secs, len(ids))}")

    if args.baseline:
        print("baseline (the former model: word 1-2 + char_wb 3-5 TfidfVectorizer over index_text):")
        bdocs = [baseline_document(t, b) for t, b, _ in items]
        old = baseline_pipeline()
        secs, _ = timed(lambda: old.fit([bdocs[i] for i, _ in fixture], [lab for _, lab in fixture]), 1)
        print(f"  train on fixture labels ({len(fixture)}): {secs:.2f}s, {per_article(secs, len(fixture))}")
        for label, lo, hi in BUCKETS:
            ids = [i for i, w in enumerate(words) if lo <= w < hi]
            if not ids:
                continue
            batch = [bdocs[i] for i in ids]
            p_secs, _ = timed(lambda: [baseline_document(items[i][0], items[i][1]) for i in ids], args.rounds)
            b_secs, _ = timed(lambda: old.predict_proba(batch), args.rounds)
            one_secs, _ = timed(lambda: [old.predict_proba([d]) for d in batch], 1)
            print(f"  {label} ({len(ids)} texts): prep {per_article(p_secs, len(ids))} + score"
                  f" {per_article(b_secs, len(ids))} in a batch = {per_article(p_secs + b_secs, len(ids))};"
                  f" one per call {per_article(one_secs, len(ids))}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
