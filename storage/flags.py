"""Flags: one row per (article, watchlist), replaced when re-scored, never touching reviews.

A flag stores its evidence (matched terms, entities, per-rule explanation) so the
review page shows what the filter saw instead of recomputing it.
"""

from __future__ import annotations

import json
import sqlite_utils

from raqib.items import Flag
from storage.relevance import MODEL_WATCHLIST
from storage.tx import now_iso, transaction


def save_flags(db: sqlite_utils.Database, article_id: int, flags: list[Flag]) -> list[str]:
    """Upsert each flag; returns the watchlists for which the article is *newly* flagged."""
    newly: list[str] = []
    now = now_iso()
    with transaction(db):
        for flag in flags:
            old = db.execute("SELECT flagged, matches, entities, rules FROM flags WHERE article_id = ? AND watchlist = ?",
                             [article_id, flag.watchlist]).fetchone()
            values = [flag.version, float(flag.score), int(flag.flagged),
                      # vars(), not dataclasses.asdict: flat dataclasses, and asdict's deep
                      # copy was a tenth of the store step (bench/bench_pipeline.py)
                      json.dumps([vars(m) for m in flag.matches], ensure_ascii=False),
                      json.dumps([vars(e) for e in flag.entities], ensure_ascii=False),
                      json.dumps(flag.rules, ensure_ascii=False), now]
            if flag.watchlist != MODEL_WATCHLIST and (old is None or tuple(old[1:]) != tuple(values[3:6])):
                # the relevance model reads the rules' evidence: its cached score is stale
                db.execute("DELETE FROM relevance_scores WHERE article_id = ?", [article_id])
            if old is None:
                db.execute("INSERT INTO flags (version, score, flagged, matches, entities, rules, updated_at,"
                           " created_at, article_id, watchlist) VALUES (?,?,?,?,?,?,?,?,?,?)",
                           values + [now, article_id, flag.watchlist])
            else:
                db.execute("UPDATE flags SET version=?, score=?, flagged=?, matches=?, entities=?, rules=?,"
                           " updated_at=? WHERE article_id=? AND watchlist=?",
                           values + [article_id, flag.watchlist])
            if flag.flagged and not (old and old[0]):
                newly.append(flag.watchlist)
    return newly


def record_watchlist_version(db: sqlite_utils.Database, name: str, version: str, content: str,
                             path: str) -> bool:
    """Keep this watchlist version's text and log when it went live.

    Called whenever a watchlist is applied (each crawl, each rescore).  Returns True
    when ``version`` became the live version of ``name`` now (first use, a change or a
    revert), so ``raqib watchlist history`` can say which text produced which flags.
    """
    now = now_iso()
    with transaction(db):
        db.execute("INSERT OR IGNORE INTO watchlist_versions (name, version, content, path, first_used_at)"
                   " VALUES (?,?,?,?,?)", [name, version, content, path, now])
        last = db.execute("SELECT version FROM watchlist_live WHERE name = ? ORDER BY id DESC LIMIT 1",
                          [name]).fetchone()
        if last is not None and last[0] == version:
            return False
        db.execute("INSERT INTO watchlist_live (name, version, went_live_at) VALUES (?,?,?)",
                   [name, version, now])
    return True


def flags_for(db: sqlite_utils.Database, article_id: int) -> list[dict]:
    rows = list(db.query("SELECT * FROM flags WHERE article_id = ? ORDER BY watchlist", [article_id]))
    for r in rows:
        for key in ("matches", "entities", "rules"):
            r[key] = json.loads(r[key] or "[]")
    return rows
