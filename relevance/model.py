"""A small, explainable text classifier: logistic regression over word n-grams and evidence tokens.

Why this model: it trains on a few hundred labelled stories in seconds, scores an
article in well under a millisecond (bench/bench_model.py), needs no network or
downloaded weights, and its decision is a sum of per-feature weights, so the article
page can show which features pushed it up ("why the model thinks so").

Features, two blocks:

* ``word``: word 1–2-grams of the normalised, lightly stemmed text
  (:func:`filters.clitics.light_stem`: بالتعاون، تعاونهما → تعاون), which gives the
  clitic and suffix robustness character n-grams gave at a fraction of their cost
  (character 3–5-grams were ~90 % of the scoring time).  Bodies are cut at
  :data:`MAX_BODY_CHARS`: a story's topic is told long before that;
* ``evidence``: class-level tokens from the matcher's stored explanation
  (:mod:`relevance.evidence`: which groups, how close, in the lead or not, which
  kinds of entities).  They transfer to stories told in words the labelled ones never used.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from itertools import chain

import numpy as np
from scipy.special import expit
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import precision_score, recall_score
from sklearn.model_selection import StratifiedKFold
from sklearn.pipeline import Pipeline

from filters.clitics import light_stem
from filters.normalize import normalize
from relevance.evidence import describe, evidence_tokens
from relevance.features import SEP, DocVectorizer  # noqa: F401  (SEP: part of the document format)

__all__ = ["document", "build_pipeline", "fit", "probabilities", "cross_validate", "explain", "Contribution",
           "MAX_BODY_CHARS", "FEATURES"]

#: Regularisation strength (inverse): small corpora overfit rare n-grams otherwise.
C = 4.0
#: Body characters the model reads (~1,000 words): typical stories (300–800 words) whole.
MAX_BODY_CHARS = 6000
#: Weight of each evidence token against the (l2-normalised) word block: an article
#: carries 20–60 of them, so a small weight still lets them matter.  Why 0.05 and not
#: more: the evidence tokens describe what the rules saw, and a story the rules missed is
#: one whose evidence looks like that of the many unflagged stories around it; its words
#: tell it apart.  On the ten development rounds with rule misses (20–35, each in its own
#: store of 500+ negatives, ``bench/near_miss.py --set ROUND``) 0.05 put 10 of 23 clear
#: misses in the first 10 rows and 15 in the first 25, against 7 and 13 at 0.15 (20 / 18
#: of 43 with the borderline ones); on the whole development set in one store, the real
#: misses' median rank went from 158 to 102.  Misses simulated by deleting one group's
#: words (``--simulate``) rank a little better with more weight (median 98 at 0.15, 117
#: at 0.05): their remaining evidence is a flagged story's; real misses decided it.
EVIDENCE_WEIGHT = 0.05
#: Names the feature set a stored model was trained with; a model of another set is retrained.
FEATURES = "stemmed-words-1-2+evidence-v1"


@lru_cache(maxsize=32768)
def _word(raw: str) -> tuple[str, ...]:
    """One whitespace-separated chunk of raw text → its normalised, stemmed tokens.

    Cached per chunk: news vocabulary repeats, so after the first few hundred stories
    most chunks are cache hits and a body costs one ``split`` and dict lookups.  32,768
    chunks hold ~11 MB in the daemon (65,536: 22 MB; 16,384 made a 500-word story 50 % slower)."""
    return tuple(light_stem(normalize(raw)).split())


def _words(text: str) -> str:
    return " ".join(chain.from_iterable(map(_word, text.split())))


def document(title: str | None, body: str | None, flags: list[dict] | None = None) -> str:
    """The model's view of an article, one string: normalised, stemmed title (twice:
    headlines carry the topic) and body, then :data:`SEP` and the evidence tokens of
    its stored ``flags`` (decoded flag rows; none for a bare text)."""
    t = _words(title or "")
    b = _words((body or "")[:MAX_BODY_CHARS])
    return f"{t} {t} {b}{SEP}{' '.join(evidence_tokens(body, flags))}"


def build_pipeline() -> Pipeline:
    clf = LogisticRegression(C=C, class_weight="balanced", max_iter=2000, solver="liblinear")
    return Pipeline([("features", DocVectorizer(evidence_weight=EVIDENCE_WEIGHT)), ("clf", clf)])


def probabilities(pipe: Pipeline, docs: list[str]) -> np.ndarray:
    """P(relevant) per document, as ``pipe.predict_proba(docs)[:, 1]`` but without the
    Pipeline's and the estimator's input checks, which cost more than scoring a story."""
    clf = pipe.named_steps["clf"]
    rows, cols, vals = pipe.named_steps["features"].triplets(docs)
    z = np.bincount(rows, weights=vals * clf.coef_[0][cols], minlength=len(docs)) + clf.intercept_[0]
    # LogisticRegression.predict_proba of a binary model is expit of its decision function
    return expit(z)


def fit(docs: list[str], labels: list[int], weights: list[float]) -> Pipeline:
    pipe = build_pipeline()
    pipe.fit(docs, np.asarray(labels), clf__sample_weight=np.asarray(weights, dtype=float))
    return pipe


def cross_validate(docs: list[str], labels: list[int], weights: list[float], scored: list[bool],
                   folds: int = 5, seed: int = 13) -> dict:
    """Cross-validated precision/recall at probability 0.5, measured on the examples
    with ``scored`` True (the analysts' own labels: weak labels are trained on, never
    graded).  Returns ``{"folds", "precision", "recall", "n"}``; figures None when there
    are too few labels of a class to split."""
    y = np.asarray(labels)
    mask = np.asarray(scored, dtype=bool)
    pos, neg = int((y[mask] == 1).sum()), int((y[mask] == 0).sum())
    k = min(folds, pos, neg)
    if k < 2:
        return {"folds": 0, "precision": None, "recall": None, "n": int(mask.sum())}
    pred = np.zeros(len(y), dtype=int)
    seen = np.zeros(len(y), dtype=bool)
    docs_arr = np.asarray(docs, dtype=object)
    w = np.asarray(weights, dtype=float)
    # split the graded examples; weak-labelled ones always stay in training
    graded = np.flatnonzero(mask)
    for train_g, test_g in StratifiedKFold(k, shuffle=True, random_state=seed).split(graded, y[graded]):
        test = graded[test_g]
        train = np.setdiff1d(np.arange(len(y)), test)
        pipe = fit(list(docs_arr[train]), list(y[train]), list(w[train]))
        pred[test] = (probabilities(pipe, list(docs_arr[test])) >= 0.5).astype(int)
        seen[test] = True
    yt, yp = y[seen], pred[seen]
    return {"folds": k, "n": int(seen.sum()),
            "precision": round(float(precision_score(yt, yp, zero_division=0)), 4),
            "recall": round(float(recall_score(yt, yp, zero_division=0)), 4)}


@dataclass(frozen=True)
class Contribution:
    ngram: str
    kind: str           # "word" or "evidence"
    weight: float       # feature value × coefficient: its push on the log-odds
    label: str = ""     # as the article page shows it (evidence tokens described)


def explain(pipe: Pipeline, doc: str, n: int = 10) -> dict[str, list[Contribution]]:
    """The features of ``doc`` that pushed its score up (``"for"``) and down (``"against"``) most."""
    vec: DocVectorizer = pipe.named_steps["features"]
    coef = pipe.named_steps["clf"].coef_[0]
    x = vec.transform([doc]).tocsr()
    idx = x.indices
    contrib = x.data * coef[idx]
    order = np.argsort(contrib)

    def item(i: int) -> Contribution:
        kind, name = vec.feature_name(int(idx[i]))
        return Contribution(name, kind, round(float(contrib[i]), 4), describe(name) if kind == "evidence" else name)

    return {"for": [item(i) for i in order[::-1][:n] if contrib[i] > 0],
            "against": [item(i) for i in order[:n] if contrib[i] < 0]}
