"""Open the SQLite store, creating and migrating its schema in one place.

One file, WAL mode (the daemon, crawl processes and the review page read and write
at the same time), a generous busy timeout, and ``PRAGMA user_version`` as the
migration counter so an old file is upgraded when any command opens it.  Only code
under ``storage/`` touches the database.
"""

from __future__ import annotations

import logging
import sqlite3
from pathlib import Path
from typing import Callable

import sqlite_utils

from raqib.errors import StorageError

log = logging.getLogger(__name__)


def _v1(db: sqlite_utils.Database) -> None:
    db["sources"].create({
        "name": str, "homepage": str, "language": str, "country": str, "enabled": int,
        "config": str, "updated_at": str,
    }, pk="name", if_not_exists=True)
    db["articles"].create({
        "id": int, "canonical_url": str, "url": str, "source": str, "title": str, "author": str,
        "published": str, "fetched_at": str, "updated_at": str, "body": str, "language": str,
        "sitename": str, "content_hash": str, "minhash": bytes, "story_id": int, "revision": int,
    }, pk="id", not_null={"canonical_url", "source"}, defaults={"revision": 1}, if_not_exists=True)
    db["articles"].create_index(["canonical_url"], unique=True, if_not_exists=True)
    db["articles"].create_index(["source", "fetched_at"], if_not_exists=True)
    db["articles"].create_index(["content_hash"], if_not_exists=True)
    db["articles"].create_index(["story_id"], if_not_exists=True)
    # Every URL (as found, and normalised) that led to a stored article: checked before
    # any request, so a known article is never downloaded again.
    db["url_aliases"].create({"url": str, "article_id": int, "first_seen": str},
                             pk="url", foreign_keys=[("article_id", "articles", "id")], if_not_exists=True)
    # Pages fetched that were not articles, with why: not refetched, and shown in summaries.
    db["skipped"].create({"url": str, "source": str, "reason": str, "detail": str, "at": str},
                         pk="url", if_not_exists=True)
    db["article_changes"].create({
        "id": int, "article_id": int, "changed_at": str, "old_hash": str, "new_hash": str,
        "old_title": str, "old_body": str,
    }, pk="id", foreign_keys=[("article_id", "articles", "id")], if_not_exists=True)
    # One row per source per crawl.
    db["runs"].create({
        "id": int, "crawl_id": str, "source": str, "status": str, "started_at": str,
        "finished_at": str, "seconds": float, "pages": int, "bytes": int, "new_articles": int,
        "updated_articles": int, "flagged": int, "skipped": str, "errors": str, "error_count": int,
        "pid": int, "trigger": str,
    }, pk="id", defaults={"pages": 0, "bytes": 0, "new_articles": 0, "updated_articles": 0,
                          "flagged": 0, "error_count": 0, "skipped": "{}", "errors": "[]"},
        if_not_exists=True)
    db["runs"].create_index(["source", "started_at"], if_not_exists=True)
    db["runs"].create_index(["crawl_id"], if_not_exists=True)
    db["flags"].create({
        "id": int, "article_id": int, "watchlist": str, "version": str, "score": float,
        "flagged": int, "matches": str, "entities": str, "rules": str, "created_at": str,
        "updated_at": str,
    }, pk="id", foreign_keys=[("article_id", "articles", "id")], if_not_exists=True)
    db["flags"].create_index(["article_id", "watchlist"], unique=True, if_not_exists=True)
    db["flags"].create_index(["flagged", "created_at"], if_not_exists=True)
    # Reviews live apart from flags so re-scoring or re-crawling can never erase one.
    db["reviews"].create({
        "article_id": int, "status": str, "note": str, "reviewer": str, "created_at": str,
        "updated_at": str,
    }, pk="article_id", foreign_keys=[("article_id", "articles", "id")], if_not_exists=True)
    db["review_log"].create({
        "id": int, "article_id": int, "status": str, "note": str, "at": str,
    }, pk="id", if_not_exists=True)
    db["watchlist_versions"].create({
        "name": str, "version": str, "content": str, "path": str, "first_used_at": str,
    }, pk=("name", "version"), if_not_exists=True)
    db["alerts"].create({
        "id": int, "flag_key": str, "channel": str, "article_id": int, "watchlist": str,
        "status": str, "attempts": int, "last_error": str, "created_at": str, "sent_at": str,
    }, pk="id", defaults={"attempts": 0}, if_not_exists=True)
    db["alerts"].create_index(["flag_key", "channel"], unique=True, if_not_exists=True)
    if "articles_fts" not in db.table_names():
        db["articles"].enable_fts(["title", "body"], create_triggers=True,
                                  tokenize="unicode61 remove_diacritics 2")


def _v2(db: sqlite_utils.Database) -> None:
    # When each watchlist version went live (a version can go live again after a
    # revert, so this is a log, not a column of watchlist_versions).
    db["watchlist_live"].create({"id": int, "name": str, "version": str, "went_live_at": str},
                                pk="id", if_not_exists=True)
    db["watchlist_live"].create_index(["name", "id"], if_not_exists=True)
    db.execute("INSERT INTO watchlist_live (name, version, went_live_at) SELECT name, version, first_used_at"
               " FROM watchlist_versions ORDER BY first_used_at")


def _v3(db: sqlite_utils.Database) -> None:
    # The publisher's last-change date of a stored article (Atom <updated>, sitemap
    # <lastmod>) as last seen: a later one in a feed or sitemap makes the crawl fetch the
    # article again (updated in place), an equal one does not.
    if "source_modified" not in db["articles"].columns_dict:
        db.execute("ALTER TABLE articles ADD COLUMN source_modified TEXT")


def _v4(db: sqlite_utils.Database) -> None:
    # Per-reader Atom feed tokens (storage/feed_tokens.py): only a hash is kept.
    db["feed_tokens"].create({"id": int, "label": str, "token_hash": str, "created_at": str,
                              "revoked_at": str}, pk="id", if_not_exists=True)
    db["feed_tokens"].create_index(["token_hash"], unique=True, if_not_exists=True)


def _v5(db: sqlite_utils.Database) -> None:
    # Recall (storage/search.py, storage/misses.py, storage/relevance.py): a search index
    # over the *normalised* text (articles_fts indexes the raw text, where hamza forms and
    # clitics defeat a search), synced lazily by content hash; misses (unflagged
    # articles an analyst marked relevant); relevance models and their cached scores.
    db.execute("CREATE VIRTUAL TABLE IF NOT EXISTS search_fts USING fts5(title, body,"
               " tokenize = 'unicode61 remove_diacritics 0')")
    db["search_docs"].create({"article_id": int, "content_hash": str, "indexed_at": str},
                             pk="article_id", if_not_exists=True)
    db["misses"].create({"article_id": int, "marked_at": str, "flags": str},
                        pk="article_id", foreign_keys=[("article_id", "articles", "id")], if_not_exists=True)
    db["relevance_models"].create({
        "id": int, "trained_at": str, "watchlists": str, "sizes": str, "metrics": str, "params": str,
        "review_log_id": int, "blob": bytes,
    }, pk="id", if_not_exists=True)
    db["relevance_scores"].create({"article_id": int, "model_id": int, "content_hash": str,
                                   "probability": float}, pk="article_id", if_not_exists=True)


def _v6_extraction_paths(db: sqlite_utils.Database) -> None:
    # Which path of the extraction fallback chain produced the body (trafilatura,
    # text_block, jsonld, app_state …) and where the date came from (jsonld, meta, time,
    # url, text, feed …): `raqib sources check` and a reviewer see how a story was read.
    cols = db["articles"].columns_dict
    for col in ("extractor", "date_source"):
        if col not in cols:
            db.execute(f"ALTER TABLE articles ADD COLUMN {col} TEXT")


def _v7_alert_leases(db: sqlite_utils.Database) -> None:
    # Alert outbox claims become leases (storage/alerts.py): who claimed a row, when, and
    # until when, so a row whose sender died is retried.  Idempotent (re-running it
    # after a renumbering is harmless).
    have = db["alerts"].columns_dict
    for column in ("claimed_by", "claimed_at", "lease_until"):
        if column not in have:
            db.execute(f"ALTER TABLE alerts ADD COLUMN {column} TEXT")


MIGRATIONS: list[Callable[[sqlite_utils.Database], None]] = [_v1, _v2, _v3, _v4, _v5, _v6_extraction_paths,
                                                             _v7_alert_leases]


def open_db(path: str | Path, *, migrate: bool = True, durable: bool = True) -> sqlite_utils.Database:
    """Open (creating if needed) the database at ``path`` with the current schema.

    ``durable=False`` (the crawl's store step) sets ``synchronous=NORMAL``: in WAL mode
    a commit is then not fsynced until the next checkpoint, so a power cut can lose the
    last few articles stored, never corrupt the file.  Those articles are simply fetched
    again by the next crawl, because the URL claims that skip them are written in the
    same transactions.  Everything else (reviews, runs, the daemon) stays fully durable.
    """
    path = Path(path)
    if str(path) != ":memory:":
        path.parent.mkdir(parents=True, exist_ok=True)
    try:
        conn = sqlite3.connect(str(path), timeout=60, isolation_level=None, check_same_thread=False)
        db = sqlite_utils.Database(conn)
        db.execute("PRAGMA busy_timeout = 60000")
        if str(path) != ":memory:":
            db.enable_wal()
        db.execute("PRAGMA foreign_keys = ON")
        if not durable:
            db.execute("PRAGMA synchronous = NORMAL")
        if migrate:
            _migrate(db)
    except sqlite3.DatabaseError as exc:
        raise StorageError(f"{path}: cannot open database: {exc}") from None
    return db


def _migrate(db: sqlite_utils.Database) -> None:
    current = db.execute("PRAGMA user_version").fetchone()[0]
    if current >= len(MIGRATIONS):
        return
    with db.conn:  # one transaction: a half-migrated file is never left behind
        db.execute("BEGIN IMMEDIATE")
        current = db.execute("PRAGMA user_version").fetchone()[0]
        for version in range(current, len(MIGRATIONS)):
            log.info("migrating database to schema v%d", version + 1)
            MIGRATIONS[version](db)
            db.execute(f"PRAGMA user_version = {version + 1}")
