"""Pipeline step 2: one article per URL key per crawl, content hash, near-duplicate story.

The URL-level dedupe (aliases, AMP, tracking parameters) is decided before the
request by ``spiders.middlewares.KnownURLMiddleware``; this step catches what only
the page itself reveals: a rel=canonical pointing at a page already seen in this
crawl, and copies of the same story on other outlets (MinHash LSH).
"""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

from itemadapter import ItemAdapter
from scrapy.exceptions import DropItem

from pipelines.common import count_skip, raqib_settings
from pipelines.extract import content_hash
from pipelines.fingerprint import StoryIndex, from_bytes, signature, to_bytes
from raqib.claims import SEEN_KEYS
from storage.articles import recent_signatures
from storage.db import open_db

_INDEXES: dict[str, StoryIndex] = {}   # one per database, shared by the crawlers of a process
STORY_WINDOW_DAYS = 30


def story_index(db_path: str) -> StoryIndex:
    if db_path not in _INDEXES:
        index = StoryIndex()
        since = (datetime.now(timezone.utc) - timedelta(days=STORY_WINDOW_DAYS)).isoformat()
        for article_id, story_id, blob in recent_signatures(open_db(db_path), since):
            index.add(article_id, story_id, from_bytes(blob))
        _INDEXES[db_path] = index
    return _INDEXES[db_path]


class DedupePipeline:
    def __init__(self, db_path: str, stats, scope: str = ""):
        self.db_path = db_path
        self.stats = stats
        self.seen = SEEN_KEYS.setdefault((db_path, scope), set())

    @classmethod
    def from_crawler(cls, crawler):
        cfg = raqib_settings(crawler)
        return cls(cfg["db_path"], crawler.stats, cfg.get("crawl_scope", ""))

    def process_item(self, item, spider=None):
        a = ItemAdapter(item)
        if a["canonical_url"] in self.seen:
            count_skip(self.stats, "duplicate_url")
            raise DropItem(f"duplicate of {a['canonical_url']} in this crawl")
        self.seen.add(a["canonical_url"])
        a["content_hash"] = content_hash(a["title"], a["body"])
        sig = signature(a["body"])
        a["minhash"] = to_bytes(sig)
        hit = story_index(self.db_path).find(sig)
        if hit:
            a["story_id"] = hit[0]
        return item
