"""Misses: articles no watchlist flagged that an analyst marked relevant.

A miss is recorded when the verdict is given (``storage.reviews.mark`` calls
:func:`note_review` in the same transaction) together with the flag state at that
moment (watchlist, version, score), so it stays visible — and countable against the
watchlist version that missed it — even after a later version catches the story.
Changing the verdict away from relevant removes the miss.  The back-test needs no
copy of this: it re-scores every article and counts each relevant one it does not
flag as a false negative; :func:`miss_ids` lets it say how many of those were misses.
"""

from __future__ import annotations

import json

import sqlite_utils


def note_review(db: sqlite_utils.Database, article_id: int, status: str, at: str) -> bool:
    """Record or clear the miss for one review (inside the caller's transaction);
    returns True when the article is (still) a miss."""
    if status != "relevant":
        db.execute("DELETE FROM misses WHERE article_id = ?", [article_id])
        return False
    flags = db.execute("SELECT watchlist, version, score, flagged FROM flags WHERE article_id = ?"
                       " ORDER BY watchlist", [article_id]).fetchall()
    if any(f[3] for f in flags):
        db.execute("DELETE FROM misses WHERE article_id = ?", [article_id])
        return False
    evidence = json.dumps([{"watchlist": w, "version": v, "score": s} for w, v, s, _ in flags], ensure_ascii=False)
    db.execute("INSERT OR IGNORE INTO misses (article_id, marked_at, flags) VALUES (?,?,?)",
               [article_id, at, evidence])
    return True


def miss_ids(db: sqlite_utils.Database) -> set[int]:
    return {r[0] for r in db.execute("SELECT article_id FROM misses")}


def get_miss(db: sqlite_utils.Database, article_id: int) -> dict | None:
    rows = list(db.query("SELECT * FROM misses WHERE article_id = ?", [article_id]))
    if not rows:
        return None
    rows[0]["flags"] = json.loads(rows[0]["flags"] or "[]")
    return rows[0]
