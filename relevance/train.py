"""Train, store, score and explain the relevance model over a store.

Labels, strongest first:

* the analysts' verdicts: relevant (including *misses*, unflagged stories marked
  relevant — the very stories the model exists to find) and irrelevant, weight 1;
* while there are fewer than ``model_weak_labels_below`` verdicts, the watchlists'
  own verdicts on unreviewed articles (flagged → relevant, else irrelevant) as weak
  labels with weight :data:`WEAK_WEIGHT`, so a fresh install has a model at all.

By default the model only ranks (the near-miss queue, the inbox's sort); with
``model_flag_probability`` > 0 it also flags unflagged articles scored at or above
that probability, as the pseudo-watchlist :data:`MODEL_WATCHLIST` (``apply_flags``).
"""

from __future__ import annotations

import io
import logging
import pickle
import time
from dataclasses import asdict

import sqlite_utils

from relevance import model as rm
from raqib.errors import NotFound
from raqib.items import Flag
from storage import relevance as store
from storage.flags import save_flags

log = logging.getLogger(__name__)

WEAK_WEIGHT = 0.3
WEAK_LIMIT = 20_000
MODEL_WATCHLIST = store.MODEL_WATCHLIST
_cache: dict[tuple, object] = {}


def _db_key(db: sqlite_utils.Database) -> str:
    return next((r[2] for r in db.execute("PRAGMA database_list") if r[1] == "main"), "") or str(id(db.conn))


def training_set(db: sqlite_utils.Database, weak_below: int) -> tuple[list[str], list[int], list[float], list[bool], dict]:
    """(docs, labels, weights, graded, sizes) from the store (see the module doc)."""
    human = store.human_labels(db)
    docs, labels, weights, graded = [], [], [], []
    flags = store.rule_flags(db, [r["id"] for r in human])
    for r in human:
        docs.append(rm.document(r["title"], r["body"], flags.get(r["id"])))
        labels.append(int(bool(r["label"])))
        weights.append(1.0)
        graded.append(True)
    sizes = {"relevant": sum(1 for r in human if r["label"] and not r["miss"]),
             "misses": sum(1 for r in human if r["miss"]),
             "irrelevant": sum(1 for r in human if not r["label"]),
             "weak_relevant": 0, "weak_irrelevant": 0}
    if len(human) < weak_below:
        weak = store.weak_labels(db, WEAK_LIMIT)
        flags = store.rule_flags(db, [r["id"] for r in weak])
        for r in weak:
            docs.append(rm.document(r["title"], r["body"], flags.get(r["id"])))
            labels.append(int(bool(r["label"])))
            weights.append(WEAK_WEIGHT)
            graded.append(False)
            sizes["weak_relevant" if r["label"] else "weak_irrelevant"] += 1
    return docs, labels, weights, graded, sizes


def train(db: sqlite_utils.Database, *, weak_below: int = 200, cv_folds: int = 5) -> dict:
    """Train on the store's labels, store the model, score every article; returns the
    model's status (as :func:`status`).

    Raises:
        NotFound: no relevant or no irrelevant example to learn from.
    """
    started = time.monotonic()
    review_id = store.last_review_id(db)
    docs, labels, weights, graded, sizes = training_set(db, weak_below)
    if not any(labels) or all(labels):
        raise NotFound("nothing to learn from: the model needs at least one relevant and one irrelevant "
                       "story (mark some with `raqib review mark`, or let the watchlists flag some)")
    metrics = rm.cross_validate(docs, labels, weights, graded, folds=cv_folds)
    if metrics["folds"] == 0 and not all(graded):
        # too few verdicts to grade: report how well it reproduces the weak labels instead
        metrics = {**rm.cross_validate(docs, labels, weights, [True] * len(docs), folds=cv_folds),
                   "graded_on": "weak labels"}
    else:
        metrics["graded_on"] = "reviews"
    pipe = rm.fit(docs, labels, weights)
    metrics["train_seconds"] = round(time.monotonic() - started, 2)
    buf = io.BytesIO()
    pickle.dump(pipe, buf, protocol=pickle.HIGHEST_PROTOCOL)
    model_id = store.save_model(db, buf.getvalue(), watchlists=store.live_watchlists(db), sizes=sizes,
                                metrics=metrics, params={"C": rm.C, "weak_weight": WEAK_WEIGHT,
                                                         "weak_below": weak_below, "features": rm.FEATURES}, review_log_id=review_id)
    _cache[(_db_key(db), model_id)] = pipe
    log.info("relevance model %d trained on %s in %.1fs", model_id, sizes, metrics["train_seconds"])
    ensure_scores(db)
    return status(db)


def current(info: dict | None) -> bool:
    """True when a stored model was trained with today's feature set (:data:`relevance.model.FEATURES`)."""
    return info is not None and info["params"].get("features") == rm.FEATURES


def load(db: sqlite_utils.Database):
    """(pipeline, model row without blob) of the latest model, or (None, None) — also
    for a model of an older feature set, which today's code cannot score with
    (``retrain_if_due`` and ``raqib model train`` replace it)."""
    info = store.latest_model(db, with_blob=False)
    if info is None:
        return None, None
    if not current(info):
        log.warning("relevance model %d was trained with an older feature set; retrain it (raqib model train)",
                    info["id"])
        return None, None
    key = (_db_key(db), info["id"])
    pipe = _cache.get(key)
    if pipe is None:
        blob = db.execute("SELECT blob FROM relevance_models WHERE id = ?", [info["id"]]).fetchone()[0]
        pipe = pickle.loads(blob)   # our own database: the blob was written by train()
        _cache.clear()
        _cache[key] = pipe
    return pipe, info


def ensure_scores(db: sqlite_utils.Database) -> int:
    """Score the articles the latest model has not scored in their current text."""
    pipe, info = load(db)
    if pipe is None:
        return 0
    done = 0
    while True:
        rows = store.stale_scores(db, info["id"])
        if not rows:
            break
        flags = store.rule_flags(db, [r["id"] for r in rows])
        probs = rm.probabilities(pipe, [rm.document(r["title"], r["body"], flags.get(r["id"])) for r in rows])
        store.put_scores(db, info["id"], [(r["id"], r["content_hash"], round(float(p), 5))
                                          for r, p in zip(rows, probs)])
        done += len(rows)
    return done


def scores(db: sqlite_utils.Database) -> dict[int, float]:
    """Probability of relevance per article id (empty without a model)."""
    ensure_scores(db)
    info = store.latest_model(db, with_blob=False)
    return store.scores(db, info["id"]) if info else {}


def explain_article(db: sqlite_utils.Database, article: dict, n: int = 10) -> dict | None:
    """The model's probability for ``article`` (a stored row: its flags are read by
    ``id``) and the features that weighed most."""
    pipe, info = load(db)
    if pipe is None:
        return None
    flags = store.rule_flags(db, [article["id"]]).get(article["id"]) if article.get("id") is not None else None
    doc = rm.document(article.get("title"), article.get("body"), flags)
    prob = float(rm.probabilities(pipe, [doc])[0])
    why = rm.explain(pipe, doc, n)
    return {"model_id": info["id"], "trained_at": info["trained_at"], "probability": round(prob, 4),
            "for": [asdict(c) for c in why["for"]], "against": [asdict(c) for c in why["against"]]}


def status(db: sqlite_utils.Database) -> dict | None:
    """What ``raqib model status`` shows: sizes, CV figures, when, which watchlists."""
    info = store.latest_model(db, with_blob=False)
    if info is None:
        return None
    return {**info, "reviews_since": store.reviews_since(db, info["review_log_id"]),
            "watchlists_now": store.live_watchlists(db), "outdated": not current(info)}


def retrain_if_due(db: sqlite_utils.Database, cfg: dict) -> dict | None:
    """Train when ``model_retrain_after`` verdicts arrived since the last model (or there
    is none yet and there is something to learn from); None when not due."""
    every = int(cfg.get("model_retrain_after", 0) or 0)
    if every <= 0:
        return None
    info = store.latest_model(db, with_blob=False)
    if current(info) and store.reviews_since(db, info["review_log_id"]) < every:
        return None
    if info is None and store.reviews_since(db, 0) < every:
        return None
    try:
        return train(db, weak_below=cfg.get("model_weak_labels_below", 200))
    except NotFound as exc:
        log.info("relevance model not trained: %s", exc)
        return None


def apply_flags(db: sqlite_utils.Database, threshold: float) -> int:
    """With ``model_flag_probability`` set: flag (as :data:`MODEL_WATCHLIST`) the
    articles scored at or above ``threshold``; returns how many are newly flagged."""
    if threshold <= 0:
        return 0
    pipe, info = load(db)
    if pipe is None:
        return 0
    newly = 0
    current = {r[0]: r[1] for r in db.execute("SELECT article_id, flagged FROM flags WHERE watchlist = ?",
                                              [MODEL_WATCHLIST])}
    for aid, prob in scores(db).items():
        hit = prob >= threshold
        if not hit and aid not in current:
            continue
        if current.get(aid) is not None and bool(current[aid]) == hit:
            continue
        rules = [{"name": "relevance model", "satisfied": hit, "weight": 1.0, "scope": "article",
                  "contribution": round(prob, 4), "probability": round(prob, 4), "threshold": threshold,
                  "model_id": info["id"]}]
        newly += len(save_flags(db, aid, [Flag(MODEL_WATCHLIST, f"model-{info['id']}", round(prob, 4), hit,
                                               [], [], rules)]))
    return newly
