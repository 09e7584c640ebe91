"""Articles, their URL aliases and what changed: idempotent upserts keyed on the URL key.

Rerunning a crawl must never duplicate an article, and an article updated in place
must keep its id (so its reviews and flags stay attached) while the old text is kept
in ``article_changes``.
"""

from __future__ import annotations

import json
from datetime import datetime, timezone
from typing import Iterable

import sqlite_utils

from raqib.items import Article
from raqib.urls import url_key
from storage.tx import now_iso, transaction


def known_urls(db: sqlite_utils.Database, urls: Iterable[str]) -> set[str]:
    """The subset of ``urls`` (by URL key) already stored or already skipped as non-articles."""
    keys = {url_key(u): u for u in urls}
    if not keys:
        return set()
    found: set[str] = set()
    key_list = list(keys)
    for i in range(0, len(key_list), 500):
        chunk = key_list[i:i + 500]
        marks = ",".join("?" * len(chunk))
        for (k,) in db.execute(f"SELECT url FROM url_aliases WHERE url IN ({marks})", chunk):
            found.add(keys[k])
        for (k,) in db.execute(f"SELECT url FROM skipped WHERE url IN ({marks})", chunk):
            found.add(keys[k])
    return found


def is_known(db: sqlite_utils.Database, url: str) -> bool:
    return bool(known_urls(db, [url]))


def _when(text: str | None) -> datetime | None:
    try:
        dt = datetime.fromisoformat(text) if text else None
    except ValueError:
        return None
    return dt.replace(tzinfo=timezone.utc) if dt and dt.tzinfo is None else dt


def is_outdated(db: sqlite_utils.Database, url: str, modified: str) -> bool:
    """True when ``url`` leads to a stored article that its publisher says changed since:
    ``modified`` (a feed entry's <updated> or a sitemap <lastmod>) is later than the one
    recorded with the article or, when none was recorded, than our first fetch.

    Publisher dates are compared with publisher dates wherever possible, so a site
    whose clock or time zone is off causes at most one extra fetch, not one per crawl.
    """
    new = _when(modified)
    if new is None:
        return False
    row = db.execute("SELECT a.source_modified, a.fetched_at FROM url_aliases u JOIN articles a"
                     " ON a.id = u.article_id WHERE u.url = ?", [url_key(url)]).fetchone()
    if row is None:
        return False     # not stored, or a page skipped as not an article
    seen = _when(row[0]) or _when(row[1])
    return seen is not None and new > seen


def save_article(db: sqlite_utils.Database, article: Article) -> tuple[int, str]:
    """Insert or update one article; returns (id, "new" | "updated" | "unchanged").

    Whatever URL led here, every alias is recorded so the next crawl can skip it
    before requesting it.  The publisher's last-change date (``article.modified``) is
    kept, only ever moving forward, so ``is_outdated`` knows when to fetch it again.
    """
    now = now_iso()
    key = article.canonical_url or url_key(article.url)
    aliases = {url_key(u) for u in (article.url, article.requested_url, *article.aliases) if u}
    aliases.add(key)
    with transaction(db):
        row = db.execute("SELECT id, content_hash, title, body, source_modified FROM articles"
                         " WHERE canonical_url = ?", [key]).fetchone()
        if row is None:
            # Same article under a URL whose key differs (e.g. rel=canonical elsewhere)?
            marks = ",".join("?" * len(aliases))
            hit = db.execute(f"SELECT article_id FROM url_aliases WHERE url IN ({marks})",
                             list(aliases)).fetchone()
            if hit:
                row = db.execute("SELECT id, content_hash, title, body, source_modified FROM articles"
                                 " WHERE id = ?", [hit[0]]).fetchone()
        if row is None:
            cur = db.execute(
                "INSERT INTO articles (canonical_url, url, source, title, author, published, fetched_at,"
                " updated_at, body, language, sitename, content_hash, minhash, story_id, revision,"
                " source_modified, extractor, date_source) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,NULL,1,?,?,?)",
                [key, article.url, article.source, article.title, article.author, article.published,
                 article.fetched_at or now, now, article.body, article.language, article.sitename,
                 article.content_hash, article.minhash or None, article.modified or None,
                 getattr(article, "extractor", "") or None, getattr(article, "date_source", "") or None])
            article_id, status = cur.lastrowid, "new"
        else:
            article_id = row[0]
            if row[1] == article.content_hash:
                status = "unchanged"
            else:
                db.execute("INSERT INTO article_changes (article_id, changed_at, old_hash, new_hash,"
                           " old_title, old_body) VALUES (?,?,?,?,?,?)",
                           [article_id, now, row[1], article.content_hash, row[2], row[3]])
                db.execute("UPDATE articles SET title=?, body=?, author=?, published=COALESCE(NULLIF(?,''),"
                           " published), content_hash=?, minhash=?, updated_at=?, revision=revision+1,"
                           " extractor=COALESCE(NULLIF(?,''), extractor),"
                           " date_source=CASE WHEN ?<>'' THEN COALESCE(NULLIF(?,''), date_source)"
                           " ELSE date_source END WHERE id=?",
                           [article.title, article.body, article.author, article.published,
                            article.content_hash, article.minhash or None, now,
                            getattr(article, "extractor", ""), article.published,
                            getattr(article, "date_source", ""), article_id])
                status = "updated"
            modified, seen = _when(article.modified), _when(row[4])
            if modified and (seen is None or modified > seen):
                db.execute("UPDATE articles SET source_modified = ? WHERE id = ?", [article.modified, article_id])
        for alias in aliases:
            db.execute("INSERT OR IGNORE INTO url_aliases (url, article_id, first_seen) VALUES (?,?,?)",
                       [alias, article_id, now])
    return article_id, status


def record_skip(db: sqlite_utils.Database, url: str, source: str, reason: str, detail: str = "") -> None:
    """Remember a fetched page that is not an article so it is not fetched again."""
    with transaction(db):
        db.execute("INSERT OR REPLACE INTO skipped (url, source, reason, detail, at) VALUES (?,?,?,?,?)",
                   [url_key(url), source, reason, detail[:500], now_iso()])


def set_story(db: sqlite_utils.Database, article_id: int, story_id: int) -> None:
    with transaction(db):
        db.execute("UPDATE articles SET story_id = ? WHERE id = ?", [story_id, article_id])


def recent_signatures(db: sqlite_utils.Database, since: str) -> list[tuple[int, int | None, bytes]]:
    """(id, story_id, minhash) of articles fetched since ``since``, for near-duplicate search."""
    return [tuple(r) for r in db.execute(
        "SELECT id, story_id, minhash FROM articles WHERE minhash IS NOT NULL AND fetched_at >= ?", [since])]


def get_article(db: sqlite_utils.Database, ref: int | str) -> dict | None:
    """An article by id or by any URL that led to it."""
    if isinstance(ref, int) or str(ref).isdigit():
        rows = list(db.query("SELECT * FROM articles WHERE id = ?", [int(ref)]))
    else:
        rows = list(db.query("SELECT a.* FROM articles a JOIN url_aliases u ON u.article_id = a.id"
                             " WHERE u.url = ?", [url_key(str(ref))]))
    return rows[0] if rows else None


def story_copies(db: sqlite_utils.Database, article: dict) -> list[dict]:
    """Other outlets' copies of the same story (same story_id)."""
    if not article.get("story_id"):
        return []
    return list(db.query("SELECT id, source, title, url, published FROM articles WHERE story_id = ?"
                         " AND id != ? ORDER BY published", [article["story_id"], article["id"]]))


def changes(db: sqlite_utils.Database, article_id: int) -> list[dict]:
    return list(db.query("SELECT * FROM article_changes WHERE article_id = ? ORDER BY id", [article_id]))


# "published on or after", falling back to when we fetched it for undated articles
_SINCE = " AND COALESCE(NULLIF(published, ''), fetched_at) >= ?"


def count(db: sqlite_utils.Database, *, since: str | None = None) -> int:
    """Stored articles (published, or else fetched, on or after ``since``, an ISO date)."""
    return db.execute("SELECT count(*) FROM articles WHERE 1" + (_SINCE if since else ""),
                      [since] if since else []).fetchone()[0]


def dumps(value) -> str:
    return json.dumps(value, ensure_ascii=False)


def iter_articles(db: sqlite_utils.Database, *, since: str | None = None, batch: int = 500):
    """Every stored article (id, title, body, source, url, published), in id order,
    without loading all at once; ``since`` as in :func:`count`."""
    last = 0
    cond, extra = (_SINCE, [since]) if since else ("", [])
    while True:
        rows = list(db.query("SELECT id, title, body, source, url, published FROM articles WHERE id > ?"
                             f"{cond} ORDER BY id LIMIT ?", [last, *extra, batch]))
        if not rows:
            return
        yield from rows
        last = rows[-1]["id"]
