"""The alert outbox: one row per (flag, channel), so an alert is never sent twice.

``flag_key`` is ``f"{article_id}:{watchlist}"`` and (flag_key, channel) is unique,
so enqueueing is an idempotent ``INSERT OR IGNORE`` and the daemon, a restarted
daemon and ``raqib alerts send`` all agree on what has been sent.  A row is
*claimed* (pending → sending) with a conditional UPDATE before it is sent, so two
processes dispatching at once never send the same alert.
"""

from __future__ import annotations

import json

import sqlite_utils

from storage.tx import now_iso, transaction


# A story carried by several outlets is alerted once per watchlist and channel: for its
# first flagged article only, and never once any article of the story has an alert row,
# so a later outlet's copy joins the story silently (storage/stories.py).
ONCE_PER_STORY = (
    " AND NOT EXISTS (SELECT 1 FROM alerts y JOIN articles b ON b.id = y.article_id"
    " JOIN articles c ON c.id = f.article_id WHERE y.watchlist = f.watchlist AND y.channel = ?"
    " AND coalesce(b.story_id, b.id) = coalesce(c.story_id, c.id))"
    " AND NOT EXISTS (SELECT 1 FROM flags g JOIN articles b ON b.id = g.article_id"
    " JOIN articles c ON c.id = f.article_id WHERE g.flagged = 1 AND g.watchlist = f.watchlist"
    " AND coalesce(b.story_id, b.id) = coalesce(c.story_id, c.id)"
    " AND (g.created_at < f.created_at OR (g.created_at = f.created_at AND g.id < f.id)))")


def flag_key(article_id: int, watchlist: str) -> str:
    return f"{article_id}:{watchlist}"


def enqueue_new(db: sqlite_utils.Database, channels: list[str]) -> int:
    """Add a pending row per channel for every flagged (article, watchlist) not yet in
    the outbox — one per story (``ONCE_PER_STORY``); returns how many rows were added."""
    added = 0
    now = now_iso()
    with transaction(db):
        for channel in channels:
            cur = db.execute(
                "INSERT OR IGNORE INTO alerts (flag_key, channel, article_id, watchlist, status, attempts,"
                " created_at) SELECT f.article_id || ':' || f.watchlist, ?, f.article_id, f.watchlist,"
                " 'pending', 0, ? FROM flags f WHERE f.flagged = 1 AND NOT EXISTS (SELECT 1 FROM alerts x"
                " WHERE x.flag_key = f.article_id || ':' || f.watchlist AND x.channel = ?)"
                + ONCE_PER_STORY + " ORDER BY f.created_at, f.id", [channel, now, channel, channel])
            added += cur.rowcount
    return added


def pending(db: sqlite_utils.Database, channel: str, *, limit: int = 500) -> list[dict]:
    """Pending alerts of one channel, oldest first, with what the message needs."""
    rows = list(db.query(
        "SELECT x.id, x.flag_key, x.channel, x.attempts, x.article_id, x.watchlist, a.title, a.url,"
        " a.source, a.published, f.score, f.matches FROM alerts x JOIN articles a ON a.id = x.article_id"
        " LEFT JOIN flags f ON f.article_id = x.article_id AND f.watchlist = x.watchlist"
        " WHERE x.channel = ? AND x.status = 'pending' ORDER BY x.id LIMIT ?", [channel, limit]))
    for r in rows:
        r["matches"] = json.loads(r["matches"] or "[]")
    return rows


def claim(db: sqlite_utils.Database, alert_id: int) -> bool:
    """pending → sending; False when another process got there first."""
    with transaction(db):
        cur = db.execute("UPDATE alerts SET status = 'sending' WHERE id = ? AND status = 'pending'", [alert_id])
        return cur.rowcount == 1


def finish(db: sqlite_utils.Database, alert_id: int, *, sent: bool, attempts: int, error: str = "",
           give_up: bool = False, at: str | None = None) -> None:
    """Record the outcome of one claimed alert: sent, back to pending, or failed for good."""
    status = "sent" if sent else ("failed" if give_up else "pending")
    with transaction(db):
        db.execute("UPDATE alerts SET status = ?, attempts = ?, last_error = ?, sent_at = ? WHERE id = ?",
                   [status, attempts, error[:500], (at or now_iso()) if sent else None, alert_id])


def outbox_counts(db: sqlite_utils.Database) -> dict[str, dict[str, int]]:
    """{channel: {status: count}} for `raqib alerts status`."""
    out: dict[str, dict[str, int]] = {}
    for channel, status, n in db.execute("SELECT channel, status, count(*) FROM alerts GROUP BY 1, 2"):
        out.setdefault(channel, {})[status] = n
    return out


def requeue_failed(db: sqlite_utils.Database, channel: str | None = None) -> int:
    """failed → pending (attempts reset), after fixing a broken receiver."""
    with transaction(db):
        sql = "UPDATE alerts SET status = 'pending', attempts = 0 WHERE status = 'failed'"
        cur = db.execute(sql + (" AND channel = ?" if channel else ""), [channel] if channel else [])
        return cur.rowcount
