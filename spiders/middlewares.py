"""Downloader middlewares: skip known articles before the request; retry with backoff."""

from __future__ import annotations

import asyncio
import logging

from scrapy.downloadermiddlewares.retry import get_retry_request
from scrapy.exceptions import IgnoreRequest, NotConfigured
from twisted.internet import error as net_error

from raqib.urls import url_key
from storage.articles import is_known
from storage.db import open_db

log = logging.getLogger(__name__)

# One claim set per database for the whole crawl process: a source's feed, sitemap
# and listing crawlers run side by side and must not fetch the same article twice.
_CLAIMED: dict[str, set[str]] = {}


class KnownURLMiddleware:
    """An article URL already stored (by any of its URL forms) or already requested in
    this crawl is dropped here, before any byte is downloaded."""

    def __init__(self, db_path: str, stats):
        self.db = open_db(db_path)
        self.stats = stats
        self.claimed = _CLAIMED.setdefault(str(db_path), set())

    @classmethod
    def from_crawler(cls, crawler):
        cfg = crawler.settings.getdict("RAQIB")
        if not cfg.get("db_path"):
            raise NotConfigured("no database configured")
        return cls(cfg["db_path"], crawler.stats)

    def process_request(self, request, spider=None):
        if request.meta.get("raqib_kind") != "article":
            return None
        key = url_key(request.url)
        # A retry or redirect of a request this crawl already claimed is the same fetch.
        follow_up = request.meta.get("retry_times") or request.meta.get("redirect_times")
        if (key in self.claimed and not follow_up) or is_known(self.db, request.url):
            self.stats.inc_value("raqib/skipped_known")
            raise IgnoreRequest(f"known article {request.url}")
        self.claimed.add(key)
        return None


class BackoffRetryMiddleware:
    """Retry timeouts, connection errors and 5xx/429 with exponential backoff,
    honouring Retry-After (capped), instead of Scrapy's immediate retries."""

    EXCEPTIONS = (net_error.TimeoutError, net_error.ConnectionRefusedError, net_error.ConnectionDone,
                  net_error.ConnectError, net_error.ConnectionLost, net_error.TCPTimedOutError,
                  net_error.DNSLookupError)

    def __init__(self, settings):
        self.max_retries = settings.getint("RAQIB_RETRY_TIMES", 2)
        self.codes = set(settings.getlist("RAQIB_RETRY_HTTP_CODES"))
        self.base = settings.getfloat("RAQIB_RETRY_BASE_DELAY", 0.5)
        self.cap = settings.getfloat("RAQIB_RETRY_MAX_DELAY", 30.0)

    @classmethod
    def from_crawler(cls, crawler):
        o = cls(crawler.settings)
        o.crawler = crawler
        return o

    def _delay(self, request, retry_after: str | None) -> float:
        attempt = request.meta.get("retry_times", 0)
        delay = self.base * (2 ** attempt)
        if retry_after and retry_after.strip().isdigit():
            delay = max(delay, float(retry_after.strip()))
        return min(delay, self.cap)

    async def _retry(self, request, reason, retry_after=None):
        new = get_retry_request(request, spider=self.crawler.spider, reason=reason,
                                max_retry_times=self.max_retries)
        if new is None:
            return None
        delay = self._delay(request, retry_after)
        log.debug("retrying %s in %.1fs (%s)", request.url, delay, reason)
        await asyncio.sleep(delay)
        return new

    async def process_response(self, request, response, spider=None):
        if response.status in self.codes and not request.meta.get("dont_retry"):
            retry_after = response.headers.get(b"Retry-After", b"").decode("latin-1") or None
            new = await self._retry(request, f"HTTP {response.status}", retry_after)
            if new is not None:
                return new
        return response

    async def process_exception(self, request, exception, spider=None):
        if isinstance(exception, self.EXCEPTIONS) and not request.meta.get("dont_retry"):
            return await self._retry(request, type(exception).__name__)
        return None
