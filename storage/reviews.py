"""Reviews: an analyst's verdict on a flagged story, kept apart from flags.

One row per article in ``reviews`` (the current verdict) plus an append-only
``review_log`` (who said what when), so re-crawling or re-scoring an article, which
rewrites its ``flags`` rows, can never erase a verdict.
"""

from __future__ import annotations

from typing import Iterable

import sqlite_utils

from raqib.errors import NotFound
from storage.misses import note_review
from storage.tx import now_iso, transaction

STATUSES = ("relevant", "irrelevant", "later")
MAX_ID = 2 ** 63 - 1   # SQLite's largest integer: a bigger id cannot exist (and would overflow)


def mark(db: sqlite_utils.Database, article_ids: Iterable[int], status: str, note: str | None = None,
         *, reviewer: str = "") -> list[int]:
    """Set the review of each article (in one transaction); returns the ids marked.

    ``note=None`` keeps an existing note, so re-marking from a keyboard shortcut does
    not wipe what the analyst wrote.  Unknown article ids raise ``NotFound`` and
    nothing is written.
    """
    marked, _ = _mark(db, article_ids, status, note, reviewer=reviewer, skip_unknown=False)
    return marked


def mark_known(db: sqlite_utils.Database, article_ids: Iterable[int], status: str, note: str | None = None,
               *, reviewer: str = "") -> tuple[list[int], list[int]]:
    """Like :func:`mark`, but unknown ids are skipped and returned, not fatal:
    ``(marked, unknown)``.  The review page's batch form uses it, so one story deleted
    since the page was loaded does not throw away the analyst's other verdicts."""
    return _mark(db, article_ids, status, note, reviewer=reviewer, skip_unknown=True)


def _mark(db, article_ids, status, note, *, reviewer: str, skip_unknown: bool) -> tuple[list[int], list[int]]:
    if status not in STATUSES:
        raise ValueError(f"unknown review status {status!r}; expected one of {', '.join(STATUSES)}")
    ids = [int(i) for i in article_ids]
    marked: list[int] = []
    unknown: list[int] = []
    now = now_iso()
    with transaction(db):
        for aid in ids:
            if not 0 < aid <= MAX_ID or db.execute("SELECT 1 FROM articles WHERE id = ?", [aid]).fetchone() is None:
                if skip_unknown:
                    unknown.append(aid)
                    continue
                raise NotFound(f"article {aid}: no such article (see `raqib review` for ids)")
            marked.append(aid)
            db.execute(
                "INSERT INTO reviews (article_id, status, note, reviewer, created_at, updated_at)"
                " VALUES (?,?,?,?,?,?) ON CONFLICT(article_id) DO UPDATE SET status=excluded.status,"
                " note=COALESCE(?, reviews.note), reviewer=excluded.reviewer, updated_at=excluded.updated_at",
                [aid, status, note or "", reviewer, now, now, note])
            db.execute("INSERT INTO review_log (article_id, status, note, at) VALUES (?,?,?,?)",
                       [aid, status, note or "", now])
            note_review(db, aid, status, now)   # an unflagged story marked relevant is a miss
    return marked, unknown


def get_review(db: sqlite_utils.Database, article_id: int) -> dict | None:
    rows = list(db.query("SELECT * FROM reviews WHERE article_id = ?", [article_id]))
    return rows[0] if rows else None


def review_history(db: sqlite_utils.Database, article_id: int) -> list[dict]:
    return list(db.query("SELECT status, note, at FROM review_log WHERE article_id = ? ORDER BY id",
                         [article_id]))
