"""Re-apply the current watchlists to stored articles (after a watchlist change).

Flags are replaced per (article, watchlist); reviews live in their own table and are
never touched, so re-scoring cannot lose an analyst's work.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

import sqlite_utils

from storage.articles import iter_articles
from storage.flags import record_watchlist_version, save_flags

log = logging.getLogger(__name__)


@dataclass
class RescoreResult:
    articles: int = 0
    flagged: int = 0
    newly_flagged: int = 0


def rescore(db: sqlite_utils.Database, matcher, watchlists, *, only: str | None = None,
            progress_every: int = 1000) -> RescoreResult:
    for wl in watchlists:
        record_watchlist_version(db, wl.name, wl.version, wl.source_text, str(wl.path))
    result = RescoreResult()
    for row in iter_articles(db):
        flags = [f for f in matcher.score(row["title"], row["body"]) if only is None or f.watchlist == only]
        result.newly_flagged += len(save_flags(db, row["id"], flags))
        result.flagged += any(f.flagged for f in flags)
        result.articles += 1
        if result.articles % progress_every == 0:
            log.info("rescored %d articles (%d flagged)", result.articles, result.flagged)
    return result
