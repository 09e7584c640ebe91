"""Explicit write transactions.

The connection runs in autocommit mode; every multi-row write goes through
``transaction()`` which takes the write lock up front (BEGIN IMMEDIATE) so two
processes never deadlock upgrading a read lock, and a process killed mid-write
leaves nothing half-written (SQLite rolls the journal back on next open).
"""

from __future__ import annotations

from contextlib import contextmanager
from datetime import datetime, timezone
from typing import Iterator

import sqlite_utils


@contextmanager
def transaction(db: sqlite_utils.Database) -> Iterator[sqlite_utils.Database]:
    if db.conn.in_transaction:  # nested: the outer transaction owns commit/rollback
        yield db
        return
    db.conn.execute("BEGIN IMMEDIATE")
    try:
        yield db
    except BaseException:
        db.conn.execute("ROLLBACK")
        raise
    else:
        db.conn.execute("COMMIT")


def now_iso() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")
