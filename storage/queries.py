"""Read queries shared by the CLI, the review page and exports."""

from __future__ import annotations

import sqlite_utils


def flagged_articles(db: sqlite_utils.Database, *, limit: int = 100, status: str | None = None) -> list[dict]:
    """Flagged articles, newest first, with their best flag and review status."""
    where = ["f.flagged = 1"]
    params: list = []
    if status == "new":
        where.append("r.status IS NULL")
    elif status:
        where.append("r.status = ?")
        params.append(status)
    sql = ("SELECT a.id, a.source, a.title, a.url, a.published, a.fetched_at, max(f.score) AS score,"
           " group_concat(f.watchlist) AS watchlists, r.status AS review_status"
           " FROM articles a JOIN flags f ON f.article_id = a.id LEFT JOIN reviews r ON r.article_id = a.id"
           f" WHERE {' AND '.join(where)} GROUP BY a.id"
           " ORDER BY coalesce(a.published, a.fetched_at) DESC, a.id DESC LIMIT ?")
    return list(db.query(sql, params + [limit]))
