"""Downloader middlewares: skip known (unchanged) articles before the request; retry with backoff."""

from __future__ import annotations

import asyncio
import logging

from scrapy.downloadermiddlewares.retry import get_retry_request
from scrapy.exceptions import IgnoreRequest, NotConfigured
from scrapy.utils.misc import load_object
from twisted.internet import error as net_error

from raqib.urls import url_key
from raqib.claims import Form, claims_for, trust_for
from storage.articles import is_known, is_outdated
from storage.db import open_db

log = logging.getLogger(__name__)


class SkipArticle(IgnoreRequest):
    """An article request dropped on purpose (stored already, or another URL form of
    it is being fetched): not an error."""


class KnownURLMiddleware:
    """An article URL already stored (by any of its URL forms) or already requested in
    this crawl is dropped here, before any byte is downloaded — unless the feed entry or
    sitemap that led to it says the article changed after it was stored."""

    def __init__(self, db_path: str, stats, scope: str = ""):
        self.db = open_db(db_path)
        self.stats = stats
        # Shared by every crawler of the crawl scope (the process, or one source run in
        # a crawl worker): a source's feed, sitemap and listing crawlers run side by side
        # and must not fetch the same article twice.
        self.claims = claims_for(db_path, scope)
        self.trust = trust_for(db_path, scope)

    @classmethod
    def from_crawler(cls, crawler):
        cfg = crawler.settings.getdict("RAQIB")
        if not cfg.get("db_path"):
            raise NotConfigured("no database configured")
        return cls(cfg["db_path"], crawler.stats, cfg.get("crawl_scope", ""))

    def process_request(self, request, spider=None):
        if request.meta.get("raqib_kind") != "article":
            return None
        key = url_key(request.url)
        meta = request.meta
        # A retry or redirect of a claimed request, or a URL form the claim was handed
        # to (raqib.claims), holds the claim already.
        holds_claim = meta.get("retry_times") or meta.get("redirect_times") or meta.get("raqib_claim")
        if not holds_claim and not self.claims.claim(key, request.url):
            self.claims.wait(key, Form(request.url, meta.get("raqib_date_hint", ""), meta.get("raqib_via", ""),
                                       meta.get("raqib_modified", "")))
            self.stats.inc_value("raqib/skipped_known")
            raise SkipArticle(f"article {request.url} is being fetched by another URL")
        if is_known(self.db, request.url):
            # Stored already: fetch again only if the feed/sitemap says it changed since.
            if not is_outdated(self.db, request.url, meta.get("raqib_modified", "")):
                self.stats.inc_value("raqib/skipped_known")
                raise SkipArticle(f"known article {request.url}")
            if not holds_claim and not self.trust.trusted(meta.get("raqib_source", "")):
                self.stats.inc_value("raqib/refetch_distrusted")
                raise SkipArticle(f"known article {request.url}: the source's modification dates are not trusted")
            if not holds_claim:
                self.stats.inc_value("raqib/refetch_modified")
                log.debug("%s changed since stored (%s): fetching again", request.url, meta["raqib_modified"])
        return None


class BackoffRetryMiddleware:
    """Retry timeouts, connection errors and 5xx/429 with exponential backoff,
    honouring Retry-After (capped), instead of Scrapy's immediate retries."""

    EXCEPTIONS = (net_error.TimeoutError, net_error.ConnectionRefusedError, net_error.ConnectionDone,
                  net_error.ConnectError, net_error.ConnectionLost, net_error.TCPTimedOutError,
                  net_error.DNSLookupError)

    def __init__(self, settings):
        # Scrapy's own list too: since 2.13 downloads fail with Scrapy's exceptions
        # (DownloadTimeoutError, CannotResolveHostError, ...), not Twisted's.
        self.exceptions = self.EXCEPTIONS + tuple(
            load_object(e) if isinstance(e, str) else e for e in settings.getlist("RETRY_EXCEPTIONS"))
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
        if isinstance(exception, self.exceptions) and not request.meta.get("dont_retry"):
            return await self._retry(request, type(exception).__name__)
        return None
