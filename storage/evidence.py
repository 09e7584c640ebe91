"""What an evidence sentence is cut from: an article's stored text and its stored flags.

Read-only; the cutting itself is ``review.evidence`` (no database there).
"""

from __future__ import annotations

import json

import sqlite_utils


def flag_texts(db: sqlite_utils.Database, article_id: int, watchlist: str | None = None
               ) -> tuple[str, str, list[dict]] | None:
    """(title, body, flagged flags with decoded matches/entities/rules) of one article,
    only ``watchlist``'s flag when given; None when the article does not exist."""
    row = db.execute("SELECT title, body FROM articles WHERE id = ?", [article_id]).fetchone()
    if row is None:
        return None
    sql = "SELECT watchlist, score, matches, entities, rules FROM flags WHERE article_id = ? AND flagged = 1"
    params: list = [article_id]
    if watchlist:
        sql += " AND watchlist = ?"
        params.append(watchlist)
    flags = []
    for w, score, matches, entities, rules in db.execute(sql, params):
        flags.append({"watchlist": w, "score": score, "matches": json.loads(matches or "[]"),
                      "entities": json.loads(entities or "[]"), "rules": json.loads(rules or "[]")})
    return row[0] or "", row[1] or "", flags
