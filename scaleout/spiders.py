"""The source spiders of scale-out workers: the usual feed, sitemap and listing spiders,
fed with entry points from Redis (scrapy-redis' ``RedisMixin``) and never closing
when idle, so a worker serves every crawl cycle the seed starts."""

from __future__ import annotations

import logging

from scrapy import Request, signals
from scrapy_redis.spiders import RedisMixin

from scaleout import keys
from spiders.feeds import FeedSpider
from spiders.listings import ListingSpider
from spiders.sitemaps import SitemapSpider

log = logging.getLogger(__name__)


def _done(spider, request) -> None:
    done = getattr(spider, "inflight_done", None)
    if done is not None and request is not None:
        done(request.meta.get("raqib_inflight"))


class _FromRedis(RedisMixin):
    redis_key = keys.START_URLS

    @classmethod
    def from_crawler(cls, crawler, *args, **kwargs):
        spider = super().from_crawler(crawler, *args, **kwargs)
        spider.setup_redis(crawler)
        crawler.signals.connect(spider._item_done, signal=signals.item_scraped)
        crawler.signals.connect(spider._item_done, signal=signals.item_dropped)
        crawler.signals.connect(spider._item_done, signal=signals.item_error)
        return spider

    def make_request_from_data(self, data):
        url = data.decode("utf-8") if isinstance(data, bytes) else str(data)
        return self.first_request(url.strip())

    def first_request(self, url: str):
        raise NotImplementedError

    def _item_done(self, item=None, response=None, spider=None, **kwargs) -> None:
        if spider is self and response is not None:
            _done(self, response.request)

    # Failures are handled in the errbacks: the request is finished once they ran.
    def entry_failed(self, failure):
        try:
            return super().entry_failed(failure)
        finally:
            _done(self, failure.request)

    def article_failed(self, failure):
        try:
            from spiders.middlewares import SkipArticle

            if not failure.check(SkipArticle) and getattr(self, "inflight_forget", None):
                self.inflight_forget(failure.request)
            yield from super().article_failed(failure) or ()
        finally:
            _done(self, failure.request)


class RedisFeedSpider(_FromRedis, FeedSpider):
    def first_request(self, url):
        return self.entry_request(url, self.parse_feed)


class RedisSitemapSpider(_FromRedis, SitemapSpider):
    def first_request(self, url):
        return self.sitemap_request(url, 0, raqib_root=url)


class RedisListingSpider(_FromRedis, ListingSpider):
    def first_request(self, url):
        pattern = next((l.article_pattern for l in self.source.listings if l.url == url), "")
        return self.entry_request(url, self.parse_listing, raqib_pattern=pattern, raqib_page=1)


KINDS = ((RedisFeedSpider, "feeds"), (RedisSitemapSpider, "sitemaps"), (RedisListingSpider, "listings"))


class InflightDoneMiddleware:
    """Spider middleware: a response's request is finished once the callback's whole
    output went on (items to the pipelines, which push them to Redis synchronously;
    requests to the shared queue).  Article pages are finished by the item signals
    instead, since their one item is still in the pipelines when the output ends."""

    async def process_spider_output(self, response, result, spider=None):
        items = 0
        async for out in result:
            items += not isinstance(out, Request)
            yield out
        if response.request is not None and (response.meta.get("raqib_kind") != "article" or not items):
            _done(spider, response.request)
