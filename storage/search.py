"""Full-text search over every stored article, flagged or not (the "كل المقالات" view).

``articles_fts`` (schema v1) indexes the raw text, where ``الأمن``/``الامن`` or
``المغرب``/``بالمغرب`` are different words.  ``search_fts`` indexes the text as the
matcher sees it (:func:`filters.search_query.index_text`), and queries are expanded
into clitic spellings (:mod:`filters.search_query`).  The index is filled lazily: every
search (and the daemon after each crawl) first indexes the articles whose content hash
changed since they were indexed, so no write path (crawl, update in place) has to know
about search, and nothing is indexed twice.
"""

from __future__ import annotations

import logging
import sqlite3

import sqlite_utils

from filters.search_query import Clause, fts_expression, index_text
from raqib.errors import QueryError
from storage.tx import now_iso, transaction

log = logging.getLogger(__name__)

_BATCH = 500
_FLAGGED = "EXISTS (SELECT 1 FROM flags f WHERE f.article_id = a.id AND f.flagged = 1)"


def sync_index(db: sqlite_utils.Database) -> int:
    """Index articles that are new or changed since last indexed; returns how many."""
    stale = "SELECT a.id FROM articles a LEFT JOIN search_docs d ON d.article_id = a.id" \
            " WHERE d.article_id IS NULL OR d.content_hash IS NOT a.content_hash"
    done = 0
    while True:
        ids = [r[0] for r in db.execute(stale + " LIMIT ?", [_BATCH])]
        if not ids:
            break
        marks = ",".join("?" * len(ids))
        rows = db.execute(f"SELECT id, title, body, content_hash FROM articles WHERE id IN ({marks})", ids).fetchall()
        docs = [(aid, index_text(title), index_text(body), h) for aid, title, body, h in rows]
        now = now_iso()
        with transaction(db):
            for aid, title, body, h in docs:
                db.execute("DELETE FROM search_fts WHERE rowid = ?", [aid])
                db.execute("INSERT INTO search_fts (rowid, title, body) VALUES (?,?,?)", [aid, title, body])
                db.execute("INSERT OR REPLACE INTO search_docs (article_id, content_hash, indexed_at)"
                           " VALUES (?,?,?)", [aid, h, now])
        done += len(docs)
    if done:
        log.info("search index: %d articles indexed", done)
    return done


def _where(unflagged: bool, status: str | None, missed: bool) -> tuple[list[str], list]:
    where, params = [], []
    if unflagged:
        where.append(f"NOT {_FLAGGED}")
    if status == "new":
        where.append("r.status IS NULL")
    elif status:
        where.append("r.status = ?")
        params.append(status)
    if missed:
        where.append("m.article_id IS NOT NULL")
    return where, params


_COLUMNS = ("a.id, a.source, a.title, a.url, a.published, a.fetched_at, a.body,"
            f" {_FLAGGED} AS flagged,"
            " (SELECT max(f.score) FROM flags f WHERE f.article_id = a.id) AS score,"
            " r.status AS review_status, m.article_id IS NOT NULL AS miss")


def search(db: sqlite_utils.Database, clauses: list[Clause] | None, *, unflagged: bool = False,
           status: str | None = None, missed: bool = False, limit: int = 50,
           offset: int = 0) -> tuple[list[dict], int]:
    """Stored articles matching ``clauses`` (best match first; all articles newest first
    when ``clauses`` is empty), with flag state and review status; and the total count.

    Args:
        unflagged: only articles no watchlist flagged.
        status: new|relevant|irrelevant|later review status.
        missed: only recorded misses (see ``storage.misses``).
    Raises:
        QueryError: SQLite could not run the expression (it names the query).
    """
    sync_index(db)
    where, params = _where(unflagged, status, missed)
    joins = " LEFT JOIN reviews r ON r.article_id = a.id LEFT JOIN misses m ON m.article_id = a.id"
    try:
        if clauses:
            expr = fts_expression(clauses)
            cond = " AND ".join(["search_fts MATCH ?"] + where)
            base = f"FROM search_fts JOIN articles a ON a.id = search_fts.rowid{joins} WHERE {cond}"
            total = db.execute(f"SELECT count(*) {base}", [expr] + params).fetchone()[0]
            rows = list(db.query(f"SELECT {_COLUMNS}, bm25(search_fts, 3.0, 1.0) AS rank {base}"
                                 " ORDER BY rank, a.id DESC LIMIT ? OFFSET ?", [expr] + params + [limit, offset]))
        else:
            cond = " AND ".join(where) or "1"
            base = f"FROM articles a{joins} WHERE {cond}"
            total = db.execute(f"SELECT count(*) {base}", params).fetchone()[0]
            rows = list(db.query(f"SELECT {_COLUMNS} {base} ORDER BY"
                                 " coalesce(nullif(a.published, ''), a.fetched_at) DESC, a.id DESC"
                                 " LIMIT ? OFFSET ?", params + [limit, offset]))
    except sqlite3.OperationalError as exc:
        raise QueryError(f"search failed for {' '.join(c.text for c in clauses or [])!r}: {exc}") from None
    for r in rows:
        r["flagged"], r["miss"] = bool(r["flagged"]), bool(r["miss"])
    return rows, total
