"""Worker side of the item flow: extract the article here (the CPU-heavy step, spread
over the workers) and push it to the Redis list the store writer reads."""

from __future__ import annotations

import json
import logging
from urllib.parse import urlsplit

from itemadapter import ItemAdapter
from scrapy.exceptions import DropItem
from scrapy_redis import connection

from pipelines.common import count_skip
from pipelines.extract import NotAnArticle, extract
from raqib.urls import url_key
from scaleout import keys

log = logging.getLogger(__name__)

#: Article fields that travel to the writer (html stays behind; minhash, flags and the
#: story are the writer's work).
FIELDS = ("url", "source", "canonical_url", "requested_url", "content_type", "encoding", "title", "body",
          "author", "published", "sitename", "language", "fetched_at", "modified", "aliases")


class ExtractToRedisPipeline:
    def __init__(self, cfg: dict, stats, server):
        self.cfg, self.stats, self.server = cfg, stats, server

    @classmethod
    def from_crawler(cls, crawler):
        return cls(crawler.settings.getdict("RAQIB"), crawler.stats, connection.from_settings(crawler.settings))

    def process_item(self, item, spider=None):
        a = ItemAdapter(item)
        try:
            ex = extract(a["html"], a["url"], content_type=a["content_type"] or None,
                         forced_encoding=a["encoding"], min_body_chars=self.cfg["min_body_chars"],
                         min_arabic_ratio=self.cfg["min_arabic_ratio"], date_hint=a["published"])
        except NotAnArticle as exc:
            count_skip(self.stats, exc.reason)
            self.server.lpush(keys.ITEMS, json.dumps({"skip": {"url": a["url"], "source": a["source"],
                                                               "reason": exc.reason, "detail": exc.detail}}))
            raise DropItem(f"not an article: {exc}") from None
        canonical = ex.canonical_url
        if canonical and urlsplit(canonical).hostname != urlsplit(a["url"]).hostname:
            canonical = ""      # rel=canonical trusted on the same site only, as in the crawl
        a["canonical_url"] = url_key(canonical or a["url"])
        a["aliases"] = [u for u in (a["url"], a["requested_url"], canonical) if u]
        a["title"], a["body"], a["author"] = ex.title, ex.body, ex.author
        a["published"], a["sitename"], a["language"], a["encoding"] = ex.published, ex.sitename, ex.language, \
            ex.encoding
        a["html"] = b""
        self.server.lpush(keys.ITEMS, json.dumps({"article": {k: a[k] for k in FIELDS}}, ensure_ascii=False))
        self.stats.inc_value("raqib/pushed")
        return item
