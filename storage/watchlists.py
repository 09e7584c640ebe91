"""Read queries behind watchlist tuning: versions and labels.

Tuning needs three things from the store: which watchlist text is live (and every
text that ever was), what the analysts said about stories (their labels), and the
stored articles to re-score (``storage.articles.iter_articles``).  Only ``storage/``
touches the database, so they live here.
"""

from __future__ import annotations

import sqlite_utils

from raqib.errors import NotFound

#: Review statuses that count as labels; "later" is not a verdict.
LABELS = {"relevant": True, "irrelevant": False}


def labels(db: sqlite_utils.Database) -> dict[int, bool]:
    """``{article_id: is_relevant}`` for every article an analyst marked relevant or irrelevant."""
    return {r[0]: LABELS[r[1]] for r in db.execute(
        "SELECT article_id, status FROM reviews WHERE status IN ('relevant', 'irrelevant')")}


def live_version(db: sqlite_utils.Database, name: str) -> dict | None:
    """The version of watchlist ``name`` applied most recently (with its text), or None."""
    rows = list(db.query(
        "SELECT l.name, l.version, l.went_live_at, v.content, v.path FROM watchlist_live l"
        " JOIN watchlist_versions v ON v.name = l.name AND v.version = l.version"
        " WHERE l.name = ? ORDER BY l.id DESC LIMIT 1", [name]))
    return rows[0] if rows else None


def history(db: sqlite_utils.Database, name: str) -> list[dict]:
    """Every time a version of ``name`` went live, oldest first, with how many flags cite it now."""
    return list(db.query(
        "SELECT l.version, l.went_live_at, v.path,"
        " (SELECT COUNT(*) FROM flags f WHERE f.watchlist = l.name AND f.version = l.version) AS flags,"
        " (SELECT COUNT(*) FROM flags f WHERE f.watchlist = l.name AND f.version = l.version"
        "  AND f.flagged = 1) AS flagged"
        " FROM watchlist_live l JOIN watchlist_versions v ON v.name = l.name AND v.version = l.version"
        " WHERE l.name = ? ORDER BY l.id", [name]))


def watchlist_names(db: sqlite_utils.Database) -> list[str]:
    return [r[0] for r in db.execute("SELECT DISTINCT name FROM watchlist_versions ORDER BY name")]


def get_version(db: sqlite_utils.Database, name: str, version: str) -> dict:
    """One stored version of ``name`` by its hash or any unique prefix of it (4+ characters).

    Raises:
        NotFound: no such version, or the prefix is ambiguous.
    """
    rows = list(db.query("SELECT name, version, content, path, first_used_at FROM watchlist_versions"
                         " WHERE name = ? AND version LIKE ? ORDER BY first_used_at",
                         [name, version.strip().lower() + "%"]))
    if len(version.strip()) < 4 or not rows:
        known = ", ".join(r["version"] for r in history(db, name)) or "(none stored)"
        raise NotFound(f"watchlist {name!r} has no stored version {version!r}; known versions: {known}")
    if len(rows) > 1:
        raise NotFound(f"version prefix {version!r} of {name!r} is ambiguous: "
                       + ", ".join(r["version"] for r in rows))
    return rows[0]


def labelled_texts(db: sqlite_utils.Database) -> tuple[list[str], list[str]]:
    """Title + body of the stories marked relevant, and of those marked irrelevant."""
    rel, irr = [], []
    for status, title, body in db.execute(
            "SELECT r.status, a.title, a.body FROM reviews r JOIN articles a ON a.id = r.article_id"
            " WHERE r.status IN ('relevant', 'irrelevant') ORDER BY a.id"):
        (rel if LABELS[status] else irr).append(f"{title or ''}\n{body or ''}")
    return rel, irr
