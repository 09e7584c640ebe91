"""The alert outbox: one row per (flag, channel), so an alert is never sent twice.

``flag_key`` is ``f"{article_id}:{watchlist}"`` and (flag_key, channel) is unique,
so enqueueing is an idempotent ``INSERT OR IGNORE`` and the daemon, a restarted
daemon and ``raqib alerts send`` all agree on what has been sent.  A row is
*claimed* (pending → sending) with a conditional UPDATE before it is sent, so two
processes dispatching at once never send the same alert.

A claim is a *lease*: it names its owner and lasts until ``lease_until``.  A sender
killed mid-send (SIGKILL, power cut) leaves its row in ``sending``; once the lease
has run out the row is claimable again, so the alert is retried instead of being
lost for good.  The lease is longer than a send can take (``review.alerts``
derives it from the timeout), so a live sender never loses its row to another, and
only the owner can finish a row.
"""

from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone

import sqlite_utils

from storage.tx import now_iso, transaction

# A row is up for (re)sending when pending, or sending under a lease that has run out
# (rows left 'sending' before leases existed have none and count as run out).  Its
# columns are unqualified: no other table joined to alerts has them.
_CLAIMABLE = "(status = 'pending' OR (status = 'sending' AND coalesce(lease_until, '') <= ?))"


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


def pending(db: sqlite_utils.Database, channel: str, *, limit: int = 500, now: str | None = None) -> list[dict]:
    """Alerts of one channel to send, oldest first, with what the message needs: pending
    ones and those whose sender's lease ran out (it died while sending)."""
    rows = list(db.query(
        "SELECT x.id, x.flag_key, x.channel, x.attempts, x.article_id, x.watchlist, a.title, a.url,"
        " a.source, a.published, f.score, f.matches FROM alerts x JOIN articles a ON a.id = x.article_id"
        " LEFT JOIN flags f ON f.article_id = x.article_id AND f.watchlist = x.watchlist"
        f" WHERE x.channel = ? AND {_CLAIMABLE} ORDER BY x.id LIMIT ?", [channel, now or now_iso(), limit]))
    for r in rows:
        r["matches"] = json.loads(r["matches"] or "[]")
    return rows


def claim(db: sqlite_utils.Database, alert_id: int, *, owner: str, lease_seconds: float,
          now: str | None = None) -> bool:
    """pending (or sending under a run-out lease) → sending, leased to ``owner`` for
    ``lease_seconds``; False when another process holds it or got there first."""
    now = now or now_iso()
    until = (datetime.fromisoformat(now) + timedelta(seconds=lease_seconds)).astimezone(timezone.utc)
    with transaction(db):
        cur = db.execute(
            "UPDATE alerts SET status = 'sending', claimed_by = ?, claimed_at = ?, lease_until = ?"
            f" WHERE id = ? AND {_CLAIMABLE}",
            [owner, now, until.isoformat(timespec="seconds"), alert_id, now])
        return cur.rowcount == 1


def finish(db: sqlite_utils.Database, alert_id: int, *, owner: str, sent: bool, attempts: int, error: str = "",
           give_up: bool = False, at: str | None = None) -> bool:
    """Record the outcome of one claimed alert: sent, back to pending, or failed for good.

    Only the lease's owner may: False (nothing written) when the lease ran out and
    another sender has claimed the row since.
    """
    status = "sent" if sent else ("failed" if give_up else "pending")
    with transaction(db):
        cur = db.execute(
            "UPDATE alerts SET status = ?, attempts = ?, last_error = ?, sent_at = ?, claimed_by = NULL,"
            " lease_until = NULL WHERE id = ? AND status = 'sending' AND claimed_by = ?",
            [status, attempts, error[:500], (at or now_iso()) if sent else None, alert_id, owner])
        return cur.rowcount == 1


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
