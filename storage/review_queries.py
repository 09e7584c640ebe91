"""Read queries behind the review CLI, web page, Atom feed and exports.

Everything here reads stored evidence (flags' JSON columns, reviews) and never
recomputes a score: the review side shows what the filter saw.
"""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass

import sqlite_utils

from storage.articles import get_article, story_copies

REVIEW_STATES = ("new", "relevant", "irrelevant", "later")


@dataclass
class InboxFilter:
    """What the inbox shows; every field optional.  ``status`` is new|relevant|irrelevant|later."""

    status: str | None = None
    source: str | None = None
    watchlist: str | None = None
    date_from: str | None = None      # ISO date, compared with published (else fetched_at)
    date_to: str | None = None        # inclusive day
    min_score: float | None = None
    q: str | None = None              # full-text search over title + body (articles_fts)
    sort: str | None = None           # "model": most probably relevant first (relevance model), else newest


def _where(db: sqlite_utils.Database, flt: InboxFilter, *, with_status: bool = True) -> tuple[str, list]:
    where = ["f.flagged = 1"]
    params: list = []
    if with_status and flt.status:
        if flt.status == "new":
            where.append("r.status IS NULL")
        else:
            where.append("r.status = ?")
            params.append(flt.status)
    if flt.source:
        where.append("a.source = ?")
        params.append(flt.source)
    if flt.watchlist:
        where.append("f.watchlist = ?")
        params.append(flt.watchlist)
    day = "substr(coalesce(nullif(a.published, ''), a.fetched_at), 1, 10)"
    if flt.date_from:
        where.append(f"{day} >= ?")
        params.append(flt.date_from[:10])
    if flt.date_to:
        where.append(f"{day} <= ?")
        params.append(flt.date_to[:10])
    if flt.min_score is not None:
        where.append("f.score >= ?")
        params.append(float(flt.min_score))
    if flt.q and flt.q.strip():
        where.append("a.id IN (SELECT rowid FROM articles_fts WHERE articles_fts MATCH ?)")
        params.append(fts_query(flt.q))
    return " AND ".join(where), params


def fts_query(text: str) -> str:
    """Arbitrary user text as a safe FTS5 query: each whitespace-separated word becomes
    a quoted string (inner ``"`` doubled), so ``NOT``, ``(`` or a lone ``"`` are just
    text.  (sqlite-utils' ``quote_fts`` turns ``"`` into an empty query, which FTS5
    rejects as a syntax error.)"""
    return " ".join('"' + word.replace('"', '""') + '"' for word in text.split())


_NEWEST = "coalesce(nullif(a.published, ''), a.fetched_at) DESC, a.id DESC"
# the relevance model's cached probability (relevance/train.py keeps relevance_scores fresh
# after each crawl and training); unscored articles last, newest first among equals
_BY_MODEL = ("(SELECT s.probability FROM relevance_scores s WHERE s.article_id = a.id) DESC NULLS LAST, "
             + _NEWEST)


def _order(flt: InboxFilter) -> str:
    return _BY_MODEL if flt.sort == "model" else _NEWEST


def _top_terms(matches_json: list[str], n: int = 5) -> list[tuple[str, int]]:
    counts: Counter[str] = Counter()
    for blob in matches_json:
        for m in json.loads(blob or "[]"):
            counts[m.get("term", "")] += 1
    counts.pop("", None)
    return counts.most_common(n)


def inbox(db: sqlite_utils.Database, flt: InboxFilter | None = None, *, limit: int = 50,
          offset: int = 0) -> list[dict]:
    """Flagged articles matching ``flt``, newest first, with best score, watchlists,
    top matched terms (from the stored matches) and review status."""
    flt = flt or InboxFilter()
    where, params = _where(db, flt)
    sql = ("SELECT a.id, a.source, a.title, a.url, a.published, a.fetched_at, max(f.score) AS score,"
           " group_concat(f.watchlist, ',') AS watchlists, json_group_array(f.matches) AS matches_json,"
           " r.status AS review_status, r.note AS review_note"
           " FROM articles a JOIN flags f ON f.article_id = a.id LEFT JOIN reviews r ON r.article_id = a.id"
           f" WHERE {where} GROUP BY a.id ORDER BY {_order(flt)} LIMIT ? OFFSET ?")
    rows = list(db.query(sql, params + [limit, offset]))
    for r in rows:
        r["terms"] = _top_terms(json.loads(r.pop("matches_json") or "[]"))
        r["watchlists"] = sorted(set((r["watchlists"] or "").split(","))) if r["watchlists"] else []
    return rows


def inbox_total(db: sqlite_utils.Database, flt: InboxFilter | None = None) -> int:
    flt = flt or InboxFilter()
    where, params = _where(db, flt)
    return db.execute("SELECT count(DISTINCT a.id) FROM articles a JOIN flags f ON f.article_id = a.id"
                      f" LEFT JOIN reviews r ON r.article_id = a.id WHERE {where}", params).fetchone()[0]


def status_counts(db: sqlite_utils.Database, flt: InboxFilter | None = None) -> dict[str, int]:
    """Flagged articles per review state (new/relevant/irrelevant/later), under every
    filter except the status one, so the tabs say what clicking them would show."""
    where, params = _where(db, flt or InboxFilter(), with_status=False)
    counts = {s: 0 for s in REVIEW_STATES}
    for status, n in db.execute(
            "SELECT coalesce(r.status, 'new'), count(DISTINCT a.id) FROM articles a"
            " JOIN flags f ON f.article_id = a.id LEFT JOIN reviews r ON r.article_id = a.id"
            f" WHERE {where} GROUP BY 1", params):
        counts[status] = n
    return counts


def facet_values(db: sqlite_utils.Database) -> dict[str, list[str]]:
    """Sources and watchlists that have flagged articles (for the filter drop-downs)."""
    sources = [r[0] for r in db.execute("SELECT DISTINCT a.source FROM articles a JOIN flags f"
                                        " ON f.article_id = a.id WHERE f.flagged = 1 ORDER BY 1")]
    watchlists = [r[0] for r in db.execute("SELECT DISTINCT watchlist FROM flags WHERE flagged = 1 ORDER BY 1")]
    return {"sources": sources, "watchlists": watchlists}


def neighbours(db: sqlite_utils.Database, article_id: int, flt: InboxFilter | None = None) -> tuple[int | None, int | None]:
    """(previous, next) article ids in inbox order, for moving through stories one by one."""
    where, params = _where(db, flt or InboxFilter())
    ids = [r[0] for r in db.execute(
        "SELECT a.id FROM articles a JOIN flags f ON f.article_id = a.id LEFT JOIN reviews r"
        f" ON r.article_id = a.id WHERE {where} GROUP BY a.id ORDER BY {_order(flt or InboxFilter())}", params)]
    if article_id not in ids:
        return None, None
    i = ids.index(article_id)
    return (ids[i - 1] if i > 0 else None, ids[i + 1] if i + 1 < len(ids) else None)


def article_detail(db: sqlite_utils.Database, article_id: int) -> dict | None:
    """One article with its flags (JSON evidence decoded), review, review log and other
    outlets' copies of the same story; None if there is no such article."""
    article = get_article(db, article_id)
    if article is None:
        return None
    article.pop("minhash", None)
    flags = list(db.query("SELECT * FROM flags WHERE article_id = ? ORDER BY flagged DESC, score DESC,"
                          " watchlist", [article_id]))
    for f in flags:
        for key in ("matches", "entities", "rules"):
            f[key] = json.loads(f[key] or "[]")
    review = list(db.query("SELECT * FROM reviews WHERE article_id = ?", [article_id]))
    log = list(db.query("SELECT status, note, at FROM review_log WHERE article_id = ? ORDER BY id",
                        [article_id]))
    return {"article": article, "flags": flags, "review": review[0] if review else None,
            "review_log": log, "copies": story_copies(db, article)}


def export_rows(db: sqlite_utils.Database, *, status: str | None = None, since: str | None = None) -> list[dict]:
    """Flagged articles for export: one flat row per article, newest first.

    ``status`` is new|relevant|irrelevant|later (None: all); ``since`` an ISO date
    compared with published (else fetched_at).
    """
    flt = InboxFilter(status=status, date_from=since)
    where, params = _where(db, flt)
    sql = ("SELECT a.id, a.source, a.url, a.title, a.author, a.published, a.fetched_at,"
           " max(f.score) AS score, group_concat(f.watchlist, ',') AS watchlists,"
           " json_group_array(f.matches) AS matches_json, coalesce(r.status, 'new') AS review_status,"
           " coalesce(r.note, '') AS review_note, r.updated_at AS reviewed_at, a.story_id, a.body"
           " FROM articles a JOIN flags f ON f.article_id = a.id LEFT JOIN reviews r ON r.article_id = a.id"
           f" WHERE {where} GROUP BY a.id"
           " ORDER BY coalesce(nullif(a.published, ''), a.fetched_at) DESC, a.id DESC")
    rows = list(db.query(sql, params))
    for r in rows:
        r["terms"] = [t for t, _ in _top_terms(json.loads(r.pop("matches_json") or "[]"), n=20)]
        r["watchlists"] = sorted(set(r["watchlists"].split(","))) if r["watchlists"] else []
    return rows


def feed_rows(db: sqlite_utils.Database, *, limit: int = 100) -> list[dict]:
    """The newest flagged stories (by when they were first flagged) for the Atom feed,
    one entry per story, with flag times so feed readers see a stable ``updated``."""
    sql = ("SELECT a.id, a.source, a.url, a.title, a.published, a.fetched_at, substr(a.body, 1, 600) AS excerpt,"
           " max(f.score) AS score, group_concat(f.watchlist, ',') AS watchlists,"
           " json_group_array(f.matches) AS matches_json, min(f.created_at) AS flagged_at,"
           " max(f.updated_at) AS flag_updated_at"
           " FROM articles a JOIN flags f ON f.article_id = a.id WHERE f.flagged = 1"
           # one entry per story: its first flagged article (a later outlet's copy joins silently)
           " AND NOT EXISTS (SELECT 1 FROM flags g JOIN articles b ON b.id = g.article_id WHERE g.flagged = 1"
           " AND coalesce(b.story_id, b.id) = coalesce(a.story_id, a.id)"
           " AND (g.created_at < f.created_at OR (g.created_at = f.created_at AND g.article_id < a.id)))"
           " GROUP BY a.id ORDER BY min(f.created_at) DESC, a.id DESC LIMIT ?")
    rows = list(db.query(sql, [limit]))
    for r in rows:
        r["terms"] = [t for t, _ in _top_terms(json.loads(r.pop("matches_json") or "[]"))]
        r["watchlists"] = sorted(set(r["watchlists"].split(","))) if r["watchlists"] else []
    return rows
