"""Pipeline step 4: write the article and its flags; count what happened per source."""

from __future__ import annotations

import logging

from itemadapter import ItemAdapter

from pipelines.common import raqib_settings
from pipelines.dedupe import story_index
from pipelines.fingerprint import from_bytes
from raqib.claims import DISTRUST_AFTER, trust_for
from storage.articles import save_article, set_story
from storage.db import open_db
from storage.flags import save_flags
from storage.tx import transaction

log = logging.getLogger(__name__)


class StorePipeline:
    def __init__(self, db_path: str, stats, scope: str = ""):
        self.db_path = db_path
        self.scope = scope
        self.db = open_db(db_path, durable=False)   # see open_db: a lost article is refetched
        self.stats = stats

    @classmethod
    def from_crawler(cls, crawler):
        cfg = raqib_settings(crawler)
        return cls(cfg["db_path"], crawler.stats, cfg.get("crawl_scope", ""))

    def process_item(self, item, spider=None):
        a = ItemAdapter(item)
        newly: list[str] = []
        # One transaction (one commit) per article instead of one per write: the article,
        # its story and its flags land together or not at all, and the two extra commits
        # were about a third of this step's time (bench/bench_pipeline.py).
        with transaction(self.db):
            article_id, status = save_article(self.db, item)
            story = a["story_id"] or article_id
            if status == "new":
                set_story(self.db, article_id, story)
            if a["flags"] and status != "unchanged":
                newly = save_flags(self.db, article_id, a["flags"])
        a["article_id"] = article_id
        self.stats.inc_value(f"raqib/articles_{status}")
        if status != "new" and trust_for(self.db_path, self.scope).record(a["source"], changed=status == "updated"):
            log.warning("%s: %d articles fetched again because the site dated them as changed were all "
                        "unchanged; ignoring its modification dates for the rest of this crawl",
                        a["source"], DISTRUST_AFTER)
        if status == "new":
            story_index(self.db_path).add(article_id, story, from_bytes(a["minhash"]))
        if newly:
            self.stats.inc_value("raqib/flagged", len(newly))
            log.info("%s: FLAGGED %s — %s", a["source"], a["title"][:80], ", ".join(newly))
        log.debug("%s: %s article %s", a["source"], status, a["url"])
        return item
