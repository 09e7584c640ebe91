"""Pipeline step 3: score each article against every watchlist (one automaton for all).

The matcher is compiled once per crawl process from the watchlists folder and the
gazetteer named in the settings; every watchlist version used is recorded in the
store so a flag can always be traced to the exact file that produced it.
"""

from __future__ import annotations

import logging
from pathlib import Path

from itemadapter import ItemAdapter

from filters.loading import load_matcher, watchlist_files
from filters.matcher import Matcher
from filters.watchlist import Watchlist
from pipelines.common import raqib_settings
from raqib.errors import WatchlistError
from raqib.stats import record_error
from storage.db import open_db
from storage.flags import record_watchlist_version

log = logging.getLogger(__name__)


# One compiled matcher per process for the same files: a crawl builds one crawler per
# source and kind (9 for the fixture sites), and compiling the automaton for each took
# ~7% of a 2,000-article crawl (bench/bench_crawl.py).  Keyed on the files' paths, sizes
# and mtimes, so an edited watchlist is compiled afresh.
_MATCHERS: dict[tuple, tuple[Matcher, list[Watchlist]]] = {}


def _files_key(watchlists_dir: str, gazetteer_path: str) -> tuple | None:
    try:
        files = [*watchlist_files(watchlists_dir), Path(gazetteer_path)]
        return tuple((str(f.resolve()), f.stat().st_mtime_ns, f.stat().st_size) for f in files)
    except (OSError, WatchlistError):
        return None   # let load_matcher report the problem as usual


#: (database, files key) whose watchlist versions this process has recorded already: a
#: crawl worker builds crawlers for every source run, and recording the same versions
#: again for each was a database write per run for nothing.
_RECORDED: set[tuple] = set()


def cached_matcher(watchlists_dir: str, gazetteer_path: str) -> tuple[Matcher, list[Watchlist]]:
    """``load_matcher`` once per process for unchanged watchlist and gazetteer files."""
    key = _files_key(watchlists_dir, gazetteer_path)
    if key is None:
        return load_matcher(watchlists_dir, gazetteer_path)
    if key not in _MATCHERS:
        _MATCHERS[key] = load_matcher(watchlists_dir, gazetteer_path)
    return _MATCHERS[key]


class FilterPipeline:
    def __init__(self, cfg: dict, stats=None):
        self.stats = stats
        self.matcher, watchlists = cached_matcher(cfg["watchlists_dir"], cfg["gazetteer_path"])
        key = _files_key(cfg["watchlists_dir"], cfg["gazetteer_path"])
        recorded = (str(cfg["db_path"]), key)
        if key is None or recorded not in _RECORDED:
            db = open_db(cfg["db_path"])
            for wl in watchlists:
                record_watchlist_version(db, wl.name, wl.version, wl.source_text, str(wl.path))
            db.conn.close()
            _RECORDED.add(recorded)
        log.debug("filtering with %d watchlists", len(watchlists))

    @classmethod
    def from_crawler(cls, crawler):
        return cls(raqib_settings(crawler), crawler.stats)

    def process_item(self, item, spider=None):
        """Score the article; a failure of the matcher on one text (a bug met on text
        nobody here wrote) stores the article unflagged and records the error for the
        run, instead of dropping the article: `raqib rescore` scores it again once fixed."""
        a = ItemAdapter(item)
        try:
            a["flags"] = self.matcher.score(a["title"], a["body"])
        except Exception as exc:  # noqa: BLE001 — any matcher bug must not cost the article
            message = f"watchlist matching failed ({type(exc).__name__}: {exc}); stored unflagged"
            log.exception("%s: %s: %s", a.get("source"), a.get("url"), message)
            a["flags"] = []
            record_error(self.stats, a.get("url"), message)
        return item
