"""Stories: the articles of several outlets that carry the same news, read as one.

The dedupe step stores a MinHash story id on every article (``articles.story_id``:
the id of the first stored copy; NULL on rows older than that column, which are
their own story).  The inbox, the Atom feed, the alerts and the API show one row per
story instead of one per copy.

A story's review status: an article's own review, else the latest review of any
article of its story, else "new".  So a story reviewed once stays reviewed when a
later outlet's copy joins it — the copy joins silently instead of bringing the story
back to the "new" tab.
"""

from __future__ import annotations

import json
from collections import Counter

import sqlite_utils

from storage.review_queries import InboxFilter, _where

SID = "coalesce(a.story_id, a.id)"
DAY = "coalesce(nullif(a.published, ''), a.fetched_at)"
# latest review per story (window function: SQLite ≥ 3.25)
STORY_REVIEW = ("(SELECT sid, status, updated_at FROM (SELECT coalesce(b.story_id, b.id) AS sid, rv.status,"
                " rv.updated_at,"
                " row_number() OVER (PARTITION BY coalesce(b.story_id, b.id) ORDER BY rv.updated_at DESC,"
                " rv.article_id DESC) AS rn FROM reviews rv JOIN articles b ON b.id = rv.article_id) WHERE rn = 1)")
EFFECTIVE = "coalesce(r.status, sr.status, 'new')"
# sort=model: a story ranks by its most probably relevant matching article (relevance model)
BEST_PROBABILITY = "max((SELECT s.probability FROM relevance_scores s WHERE s.article_id = a.id))"
FROM = (f"FROM articles a JOIN flags f ON f.article_id = a.id LEFT JOIN reviews r ON r.article_id = a.id"
        f" LEFT JOIN {STORY_REVIEW} sr ON sr.sid = {SID}")


def _story_where(db: sqlite_utils.Database, flt: InboxFilter, *, with_status: bool = True) -> tuple[str, list]:
    where, params = _where(db, flt, with_status=False)
    if with_status and flt.status:
        where += f" AND {EFFECTIVE} = ?"
        params.append(flt.status)
    return where, params


def story_page(db: sqlite_utils.Database, flt: InboxFilter | None = None, *, limit: int = 50,
               offset: int = 0) -> list[dict]:
    """One row per story with a flagged article matching ``flt``, newest story first
    (``flt.sort == "model"``: the story with the most probably relevant article first).

    Each row: ``story_id``; ``id``/``title``/``url``/``source``/``published`` of the
    story's earliest matching article; ``score`` (best flag), ``watchlists``,
    ``terms`` (top matched terms over its flagged articles), ``review_status`` (the
    common status of its flagged articles, or "mixed"), ``sources`` (outlets in the
    order they carried it), ``n_sources`` and ``members`` (every article of the story,
    earliest first, each with ``flagged``, ``score``, ``review_status`` and
    ``matched`` — whether it matches ``flt`` itself — and ``joined_later`` — fetched
    after the story's latest review and not reviewed itself), and ``grew`` (how many
    flagged articles joined later).
    """
    flt = flt or InboxFilter()
    where, params = _story_where(db, flt)
    rows = list(db.query(
        f"SELECT {SID} AS story_id, min({DAY}) AS first_seen, json_group_array(DISTINCT a.id) AS hit_ids,"
        f" {BEST_PROBABILITY} AS probability {FROM} WHERE {where} GROUP BY 1"
        f" ORDER BY {'probability DESC NULLS LAST, ' if flt.sort == 'model' else ''}first_seen DESC, story_id DESC"
        " LIMIT ? OFFSET ?",
        params + [limit, offset]))
    members = _members(db, [r["story_id"] for r in rows])
    out = []
    for r in rows:
        hits = set(json.loads(r["hit_ids"]))
        ms = members.get(r["story_id"], [])
        for m in ms:
            m["matched"] = m["id"] in hits
        out.append(_story_row(r["story_id"], ms))
    return out


def _members(db: sqlite_utils.Database, story_ids: list[int]) -> dict[int, list[dict]]:
    if not story_ids:
        return {}
    marks = ",".join("?" * len(story_ids))
    out: dict[int, list[dict]] = {}
    for m in db.query(
            f"SELECT {SID} AS story_id, a.id, a.source, a.title, a.url, a.published, a.fetched_at,"
            " max(CASE WHEN f.flagged = 1 THEN f.score END) AS score, max(coalesce(f.flagged, 0)) AS flagged,"
            " group_concat(CASE WHEN f.flagged = 1 THEN f.watchlist END, ',') AS watchlists,"
            " json_group_array(CASE WHEN f.flagged = 1 THEN f.matches END) AS matches_json,"
            f" r.status AS own_status, {EFFECTIVE} AS review_status,"
            # fetched since the story was reviewed, without a review of its own: it joined
            # silently, and the inbox says the story grew ("+N بعد المراجعة")
            " (r.status IS NULL AND sr.updated_at IS NOT NULL AND a.fetched_at >= sr.updated_at) AS joined_later"
            f" FROM articles a LEFT JOIN flags f ON f.article_id = a.id LEFT JOIN reviews r ON r.article_id = a.id"
            f" LEFT JOIN {STORY_REVIEW} sr ON sr.sid = {SID}"
            f" WHERE {SID} IN ({marks}) GROUP BY a.id ORDER BY {DAY}, a.id", story_ids):
        m["watchlists"] = sorted(set(m["watchlists"].split(","))) if m["watchlists"] else []
        out.setdefault(m["story_id"], []).append(m)
    return out


def _story_row(story_id: int, members: list[dict]) -> dict:
    flagged = [m for m in members if m["flagged"]]
    rep = next((m for m in members if m.get("matched")), flagged[0] if flagged else members[0])
    terms: Counter[str] = Counter()
    for m in flagged:
        for blob in json.loads(m.pop("matches_json") or "[]"):
            for t in json.loads(blob or "[]"):
                if t.get("term"):
                    terms[t["term"]] += 1
    for m in members:
        m.pop("matches_json", None)
    statuses = {m["review_status"] for m in flagged}
    sources = list(dict.fromkeys(m["source"] for m in members))
    return {"story_id": story_id, "id": rep["id"], "title": rep["title"], "url": rep["url"],
            "source": rep["source"], "published": rep["published"], "fetched_at": rep["fetched_at"],
            "score": max((m["score"] or 0 for m in flagged), default=0.0),
            "watchlists": sorted({w for m in flagged for w in m["watchlists"]}),
            "terms": terms.most_common(5),
            "review_status": statuses.pop() if len(statuses) == 1 else "mixed",
            "sources": sources, "n_sources": len(sources), "members": members,
            "grew": sum(1 for m in flagged if m["joined_later"])}


def story_total(db: sqlite_utils.Database, flt: InboxFilter | None = None) -> int:
    where, params = _story_where(db, flt or InboxFilter())
    return db.execute(f"SELECT count(DISTINCT {SID}) {FROM} WHERE {where}", params).fetchone()[0]


def story_status_counts(db: sqlite_utils.Database, flt: InboxFilter | None = None) -> dict[str, int]:
    """Stories per review state under every filter but the status one (a story with
    articles in two states counts in both tabs: each tab shows it)."""
    where, params = _story_where(db, flt or InboxFilter(), with_status=False)
    counts = {s: 0 for s in ("new", "relevant", "irrelevant", "later")}
    for status, n in db.execute(f"SELECT {EFFECTIVE}, count(DISTINCT {SID}) {FROM} WHERE {where} GROUP BY 1",
                                params):
        counts[status] = n
    return counts


def story_of(db: sqlite_utils.Database, article_id: int) -> int | None:
    row = db.execute("SELECT coalesce(story_id, id) FROM articles WHERE id = ?", [article_id]).fetchone()
    return row[0] if row else None


def story_article_ids(db: sqlite_utils.Database, story_ids: list[int]) -> list[int]:
    """Every article of the given stories (a review of a story applies to all of them)."""
    if not story_ids:
        return []
    marks = ",".join("?" * len(story_ids))
    return [r[0] for r in db.execute(
        f"SELECT id FROM articles WHERE coalesce(story_id, id) IN ({marks}) ORDER BY id", list(story_ids))]


def story_detail(db: sqlite_utils.Database, story_id: int) -> dict | None:
    """One story as :func:`story_page` shows it, whatever the filters; None if unknown."""
    members = _members(db, [story_id]).get(story_id)
    if not members:
        return None
    for m in members:
        m["matched"] = bool(m["flagged"])
    return _story_row(story_id, members)
