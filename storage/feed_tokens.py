"""Per-reader tokens for the Atom feed: each feed reader gets its own, revocable.

A feed reader keeps its URL (``/feed.atom?token=…``) in plain text, in its own
config and often in some cloud sync; handing it the review page's access token would
give it the whole page, and changing that token would log every analyst out.  A feed
token opens ``/feed.atom`` only, and one reader's token can be revoked alone.

Only a SHA-256 of each token is stored (tokens are 32 random bytes, so a plain hash
is enough): a copy of the database does not hand out working tokens.
"""

from __future__ import annotations

import hashlib
import secrets

import sqlite_utils

from raqib.errors import NotFound
from storage.tx import now_iso, transaction

PREFIX = "rqf_"


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8", "surrogatepass")).hexdigest()


def create_feed_token(db: sqlite_utils.Database, label: str) -> tuple[int, str]:
    """A new token for the reader called ``label``: ``(id, token)``.  The token is
    returned only now; the database keeps its hash."""
    token = PREFIX + secrets.token_urlsafe(32)
    with transaction(db):
        cur = db.execute("INSERT INTO feed_tokens (label, token_hash, created_at) VALUES (?, ?, ?)",
                         [label, _hash(token), now_iso()])
    return cur.lastrowid, token


def list_feed_tokens(db: sqlite_utils.Database) -> list[dict]:
    """Every feed token (revoked ones too), oldest first, without its hash."""
    return list(db.query("SELECT id, label, created_at, revoked_at FROM feed_tokens ORDER BY id"))


def revoke_feed_token(db: sqlite_utils.Database, token_id: int) -> dict:
    """Revoke one token by id (revoking twice keeps the first time); returns its row."""
    with transaction(db):
        db.execute("UPDATE feed_tokens SET revoked_at = coalesce(revoked_at, ?) WHERE id = ?",
                   [now_iso(), token_id])
        rows = list(db.query("SELECT id, label, created_at, revoked_at FROM feed_tokens WHERE id = ?",
                             [token_id]))
    if not rows:
        raise NotFound(f"feed token {token_id}: no such token (see `raqib feed-token list`)")
    return rows[0]


def feed_token_valid(db: sqlite_utils.Database, token: str) -> bool:
    """Whether ``token`` is a feed token that has not been revoked."""
    if not token.startswith(PREFIX):
        return False
    return db.execute("SELECT 1 FROM feed_tokens WHERE token_hash = ? AND revoked_at IS NULL",
                      [_hash(token)]).fetchone() is not None
