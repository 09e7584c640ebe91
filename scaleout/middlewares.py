"""Shared article claims: one fetch per article across every worker.

The seen-URL filter compares request fingerprints, so ``/news/1.html`` and
``/news/1.html?utm_source=rss`` (or the AMP copy) would both be fetched.  This is the
scale-out form of ``spiders.middlewares.KnownURLMiddleware``: the first request for an
article's URL key (``raqib.urls.url_key``) claims it in a Redis set kept across cycles,
(a hash: URL key → the URL that claimed it), which also makes an article stored in
an earlier cycle "known"; a fetch that fails for
good gives the claim back (``forget``) so a later cycle tries again.
"""

from __future__ import annotations

from scrapy_redis import connection

from raqib.urls import url_key
from spiders.middlewares import SkipArticle

CLAIMED = "raqib:claimed"


class SharedClaimMiddleware:
    def __init__(self, server, stats):
        self.server, self.stats = server, stats

    @classmethod
    def from_crawler(cls, crawler):
        return cls(connection.from_settings(crawler.settings), crawler.stats)

    def process_request(self, request, spider=None):
        meta = request.meta
        if meta.get("raqib_kind") != "article":
            return None
        if meta.get("retry_times") or meta.get("redirect_times") or meta.get("raqib_claim"):
            return None        # holds the claim already
        key = url_key(request.url)
        # the claim names the URL that holds it: the same request put back on the queue
        # after its worker died (scaleout.inflight) still holds it
        if not self.server.hsetnx(CLAIMED, key, request.url) and self.server.hget(CLAIMED, key) != \
                request.url.encode("utf-8"):
            self.stats.inc_value("raqib/skipped_known")
            raise SkipArticle(f"article {request.url} is claimed by another request or worker")
        return None


def forget(server, url: str) -> None:
    server.hdel(CLAIMED, url_key(url))
