"""Pipeline step 3: score each article against every watchlist (one automaton for all).

The matcher is compiled once per crawl process from the watchlists folder and the
gazetteer named in the settings; every watchlist version used is recorded in the
store so a flag can always be traced to the exact file that produced it.
"""

from __future__ import annotations

import logging

from itemadapter import ItemAdapter

from filters.loading import load_matcher
from pipelines.common import raqib_settings
from storage.db import open_db
from storage.flags import record_watchlist_version

log = logging.getLogger(__name__)


class FilterPipeline:
    def __init__(self, cfg: dict):
        self.matcher, watchlists = load_matcher(cfg["watchlists_dir"], cfg["gazetteer_path"])
        db = open_db(cfg["db_path"])
        for wl in watchlists:
            record_watchlist_version(db, wl.name, wl.version, wl.source_text, str(wl.path))
        log.debug("filtering with %d watchlists", len(watchlists))

    @classmethod
    def from_crawler(cls, crawler):
        return cls(raqib_settings(crawler))

    def process_item(self, item, spider=None):
        a = ItemAdapter(item)
        a["flags"] = self.matcher.score(a["title"], a["body"])
        return item
