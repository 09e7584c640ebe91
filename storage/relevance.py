"""Relevance models, their cached scores, and the labels they learn from.

A model is stored as one row (a pickled scikit-learn pipeline plus what it was
trained on: label counts, cross-validated figures, the live watchlist versions and
the last review it saw), so ``raqib model status`` and the daemon's "retrain after N
new reviews" need nothing but the database.  Scores are cached per article with the
content hash and model id they were computed from, and recomputed only when either
changes.
"""

from __future__ import annotations

import json

import sqlite_utils

from storage.tx import now_iso, transaction

#: The pseudo-watchlist the model flags as (relevance/train.py apply_flags).
MODEL_WATCHLIST = "relevance-model"
_FLAGGED = "EXISTS (SELECT 1 FROM flags f WHERE f.article_id = a.id AND f.flagged = 1)"
# weak labels come from the watchlists only, never from the model's own flags
_RULE_FLAGGED = ("EXISTS (SELECT 1 FROM flags f WHERE f.article_id = a.id AND f.flagged = 1"
                 " AND f.watchlist != 'relevance-model')")


def human_labels(db: sqlite_utils.Database) -> list[dict]:
    """Articles an analyst marked relevant or irrelevant: id, title, body, label, miss."""
    return list(db.query(
        "SELECT a.id, a.title, a.body, r.status = 'relevant' AS label, m.article_id IS NOT NULL AS miss"
        " FROM reviews r JOIN articles a ON a.id = r.article_id LEFT JOIN misses m ON m.article_id = a.id"
        " WHERE r.status IN ('relevant', 'irrelevant') ORDER BY a.id"))


def weak_labels(db: sqlite_utils.Database, limit: int) -> list[dict]:
    """Unreviewed articles labelled by the watchlists' own verdict (flagged = relevant),
    newest first, at most ``limit``."""
    return list(db.query(
        f"SELECT a.id, a.title, a.body, {_RULE_FLAGGED} AS label FROM articles a"
        " LEFT JOIN reviews r ON r.article_id = a.id"
        " WHERE r.status IS NULL OR r.status NOT IN ('relevant', 'irrelevant')"
        " ORDER BY coalesce(nullif(a.published, ''), a.fetched_at) DESC, a.id DESC LIMIT ?", [limit]))


def rule_flags(db: sqlite_utils.Database, article_ids: list[int]) -> dict[int, list[dict]]:
    """The watchlists' stored flags (not the model's own) of these articles, decoded:
    ``{article_id: [{"watchlist", "score", "flagged", "matches", "entities", "rules"}]}``
    — the evidence the relevance model reads (relevance/evidence.py)."""
    out: dict[int, list[dict]] = {}
    ids = list(dict.fromkeys(article_ids))
    for i in range(0, len(ids), 500):
        chunk = ids[i:i + 500]
        marks = ",".join("?" * len(chunk))
        for r in db.execute(f"SELECT article_id, watchlist, score, flagged, matches, entities, rules FROM flags"
                            f" WHERE article_id IN ({marks}) AND watchlist != ? ORDER BY article_id, watchlist",
                            [*chunk, MODEL_WATCHLIST]):
            out.setdefault(r[0], []).append({
                "watchlist": r[1], "score": r[2], "flagged": bool(r[3]), "matches": json.loads(r[4] or "[]"),
                "entities": json.loads(r[5] or "[]"), "rules": json.loads(r[6] or "[]")})
    return out


def live_watchlists(db: sqlite_utils.Database) -> dict[str, str]:
    """``{watchlist: version}`` live now (the last applied version of each)."""
    return {r[0]: r[1] for r in db.execute(
        "SELECT name, version FROM watchlist_live l WHERE id = (SELECT max(id) FROM watchlist_live"
        " WHERE name = l.name) ORDER BY name")}


def last_review_id(db: sqlite_utils.Database) -> int:
    return db.execute("SELECT coalesce(max(id), 0) FROM review_log").fetchone()[0]


def reviews_since(db: sqlite_utils.Database, review_log_id: int) -> int:
    """Verdicts (relevant/irrelevant) given after review_log row ``review_log_id``."""
    return db.execute("SELECT count(*) FROM review_log WHERE id > ? AND status IN ('relevant', 'irrelevant')",
                      [review_log_id]).fetchone()[0]


def save_model(db: sqlite_utils.Database, blob: bytes, *, watchlists: dict, sizes: dict, metrics: dict,
               params: dict, review_log_id: int, trained_at: str | None = None) -> int:
    with transaction(db):
        cur = db.execute(
            "INSERT INTO relevance_models (trained_at, watchlists, sizes, metrics, params, review_log_id, blob)"
            " VALUES (?,?,?,?,?,?,?)",
            [trained_at or now_iso(), json.dumps(watchlists), json.dumps(sizes), json.dumps(metrics),
             json.dumps(params), review_log_id, blob])
        model_id = cur.lastrowid
        # keep the last three models: enough to compare, not a growing pile of blobs
        db.execute("DELETE FROM relevance_models WHERE id NOT IN"
                   " (SELECT id FROM relevance_models ORDER BY id DESC LIMIT 3)")
    return model_id


def latest_model(db: sqlite_utils.Database, *, with_blob: bool = True) -> dict | None:
    cols = "*" if with_blob else "id, trained_at, watchlists, sizes, metrics, params, review_log_id"
    rows = list(db.query(f"SELECT {cols} FROM relevance_models ORDER BY id DESC LIMIT 1"))
    if not rows:
        return None
    row = rows[0]
    for key in ("watchlists", "sizes", "metrics", "params"):
        row[key] = json.loads(row[key] or "{}")
    return row


def stale_scores(db: sqlite_utils.Database, model_id: int, limit: int = 1000) -> list[dict]:
    """Articles without a score from ``model_id`` for their current text and flags
    (``storage.flags.save_flags`` drops a score when the rules' evidence changes)."""
    return list(db.query(
        "SELECT a.id, a.title, a.body, a.content_hash FROM articles a LEFT JOIN relevance_scores s"
        " ON s.article_id = a.id WHERE s.article_id IS NULL OR s.model_id != ? OR s.content_hash IS NOT a.content_hash"
        " LIMIT ?", [model_id, limit]))


def put_scores(db: sqlite_utils.Database, model_id: int, rows: list[tuple[int, str, float]]) -> None:
    """Store ``(article_id, content_hash, probability)`` scored by ``model_id``."""
    with transaction(db):
        db.conn.executemany("INSERT OR REPLACE INTO relevance_scores (article_id, model_id, content_hash,"
                            " probability) VALUES (?,?,?,?)", [(a, model_id, h, p) for a, h, p in rows])


def scores(db: sqlite_utils.Database, model_id: int) -> dict[int, float]:
    return {r[0]: r[1] for r in db.execute(
        "SELECT article_id, probability FROM relevance_scores WHERE model_id = ?", [model_id])}


def score_of(db: sqlite_utils.Database, article_id: int) -> float | None:
    row = db.execute("SELECT s.probability FROM relevance_scores s JOIN articles a ON a.id = s.article_id"
                     " WHERE s.article_id = ? AND s.content_hash IS a.content_hash"
                     " AND s.model_id = (SELECT max(id) FROM relevance_models)", [article_id]).fetchone()
    return row[0] if row else None


def unflagged_unreviewed(db: sqlite_utils.Database) -> list[dict]:
    """Articles no watchlist flagged and nobody gave a verdict on ("later" counts as
    none), with their stored flags' score and per-rule explanation (JSON text)."""
    rows = list(db.query(
        "SELECT a.id, a.source, a.title, a.url, a.published, a.fetched_at, r.status AS review_status,"
        " json_group_array(json_object('watchlist', f.watchlist, 'version', f.version, 'score', f.score,"
        " 'rules', json(coalesce(f.rules, '[]')))) FILTER (WHERE f.id IS NOT NULL) AS flags"
        f" FROM articles a LEFT JOIN flags f ON f.article_id = a.id LEFT JOIN reviews r ON r.article_id = a.id"
        f" WHERE NOT {_FLAGGED} AND (r.status IS NULL OR r.status = 'later') GROUP BY a.id"))
    for r in rows:
        r["flags"] = json.loads(r["flags"] or "[]")
    return rows


def watchlist_text(db: sqlite_utils.Database, name: str, version: str) -> dict | None:
    """The stored text of one watchlist version (``watchlist_versions`` row), or None."""
    rows = list(db.query("SELECT name, version, content, path FROM watchlist_versions WHERE name = ? AND version = ?",
                         [name, version]))
    return rows[0] if rows else None
