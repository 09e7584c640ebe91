"""What every source spider shares: requesting entry points and article pages,
recording failures per source, and handing article pages to the pipelines.

Entry points (feeds, sitemaps, listings) are revalidated on every crawl with a
conditional GET (``Cache-Control: max-age=0`` makes Scrapy's RFC 2616 cache send
If-None-Match / If-Modified-Since); article pages bypass the cache because a stored
article is requested again only when its feed entry or sitemap says it changed.
"""

from __future__ import annotations

import hashlib
import logging
from datetime import datetime, timezone

import scrapy
from scrapy.http import Response
from twisted.internet import error as net_error
from twisted.python.failure import Failure

from config.sources import Source
from raqib.items import Article
from raqib.netpolicy import scheme_refusal
from raqib.stats import append_stat, record_error
from raqib.urls import url_key
from raqib.claims import Form, FormNotAnArticle, claims_for
from spiders.middlewares import SkipArticle

log = logging.getLogger(__name__)

# A download cut by download_timeout (Scrapy >= 2.13 raises its own exception).
_TIMEOUTS = tuple({getattr(scrapy.exceptions, "DownloadTimeoutError", net_error.TimeoutError),
                   net_error.TimeoutError})


def describe_failure(failure: Failure) -> str:
    exc = failure.value
    response = getattr(exc, "response", None)
    if response is not None:
        location = response.headers.get(b"Location")
        if 300 <= response.status < 400 and location:
            # A redirect Scrapy would not follow (to file:, data:, ...): say where it led.
            target = response.urljoin(location.decode("latin-1"))
            why = scheme_refusal(target)
            return f"HTTP {response.status}: redirect to {target[:300]} not followed" + (f": {why}" if why else "")
        return f"HTTP {response.status}"
    name = type(exc).__name__
    text = str(exc).strip()
    return f"{name}: {text[:200]}" if text else name


#: (source, entry URL) -> digest of the body last read there, for the life of the
#: process.  A crawl worker lives for many runs: an entry point whose body is the same
#: as last time (a 304 revalidation returns the cached body; a listing page without
#: validators is hashed) leads to no article that run did not already handle.
_ENTRY_DIGESTS: dict[tuple[str, str], bytes] = {}


def _first_url(request) -> str:
    """The URL a request was made for, before any redirect (the form that holds the claim)."""
    return request.meta.get("redirect_urls", [request.url])[0]


class SourceSpider(scrapy.Spider):
    """Base class: one instance crawls one kind of entry point of one source."""

    kind = "base"

    def __init__(self, source: Source, *args, **kwargs):
        super().__init__(name=f"{source.name}:{self.kind}", *args, **kwargs)
        self.source = source

    @classmethod
    def from_crawler(cls, crawler, *args, **kwargs):
        spider = super().from_crawler(crawler, *args, **kwargs)
        crawler.signals.connect(spider.form_not_an_article, signal=scrapy.signals.item_dropped)
        crawler.signals.connect(spider.callback_crashed, signal=scrapy.signals.spider_error)
        return spider

    def callback_crashed(self, failure: Failure, response: Response, spider) -> None:
        """A callback that raises (a parser bug, a page nobody foresaw): Scrapy logs it
        and goes on, and the run would end "ok" with what that page led to silently
        missing.  Record it as the failure of the page it was reading: an entry point's
        crash makes the run partial or failed, an article's is an error of the run."""
        if spider is not self:
            return
        message = f"callback crashed: {describe_failure(failure)}"
        request = getattr(response, "request", None)
        kind = request.meta.get("raqib_kind") if request is not None else None
        if kind == "entry":
            self.entry_error(response.url, message)
        else:
            log.warning("%s: article %s: %s", self.source.name, response.url, message)
            record_error(self.crawler.stats, response.url, message)

    # -- entry points ----------------------------------------------------------
    def entry_urls(self) -> list[str]:
        raise NotImplementedError

    def entry_request(self, url: str, callback, **meta) -> scrapy.Request:
        return scrapy.Request(url, callback=callback, errback=self.entry_failed,
                              headers={"Cache-Control": "max-age=0"},
                              meta={"raqib_kind": "entry", "raqib_source": self.source.name, **meta},
                              dont_filter=True)

    async def start(self):
        for req in self.start_requests():
            yield req

    def start_requests(self):
        raise NotImplementedError

    def entry_ok(self, response: Response) -> None:
        self._stat_add("raqib/entry_ok")
        self._count_page(response)

    def entry_unchanged(self, response: Response) -> bool:
        """True (counted as read, but not parsed) when this entry point's body is the
        one the last run read and that run of the source ended clean — the daemon says
        so with the per-run setting ``skip_unchanged``; with any error or timeout in the
        last run, every entry point is parsed again so its failed articles are retried.
        Then a 304 costs no parsing and an unchanged listing page no link extraction."""
        key = (self.source.name, response.url)
        digest = hashlib.blake2b(response.body, digest_size=16).digest()
        same = _ENTRY_DIGESTS.get(key) == digest
        _ENTRY_DIGESTS[key] = digest
        if same and self.crawler.settings.getdict("RAQIB").get("skip_unchanged"):
            self.entry_ok(response)
            self._stat_add("raqib/entry_unchanged")
            return True
        return False

    def entry_error(self, url: str, message: str) -> None:
        log.warning("%s: %s %s failed: %s", self.source.name, self.kind, url, message)
        self._stat_append("raqib/entry_errors", {"url": url, "kind": self.kind, "error": message})

    def entry_failed(self, failure: Failure) -> None:
        request = failure.request
        if failure.check(scrapy.exceptions.IgnoreRequest) and "robots" in str(failure.value).lower():
            self.entry_error(request.url, "forbidden by robots.txt")
            return
        self.entry_error(request.url, describe_failure(failure))

    # -- article pages ---------------------------------------------------------
    def article_request(self, url: str, *, date_hint: str = "", via: str = "",
                        modified: str = "", claim: bool = False) -> scrapy.Request:
        """``modified`` is the publisher's own last-change date for the URL (Atom
        <updated>, sitemap <lastmod>; ISO, UTC): a stored article is fetched again
        only when it is later than the one recorded with the article.  ``claim``: this
        URL form was handed the article's claim (see ``raqib.claims``)."""
        return scrapy.Request(url, callback=self.parse_article, errback=self.article_failed,
                              meta={"raqib_kind": "article", "raqib_source": self.source.name,
                                    "raqib_date_hint": date_hint, "raqib_via": via,
                                    "raqib_modified": modified, "raqib_claim": claim, "dont_cache": True},
                              dont_filter=claim)   # a handed-over form may have been seen (and dropped) before

    def parse_article(self, response: Response):
        self._count_page(response)
        if not hasattr(response, "text") and not response.body:
            return
        yield Article(
            url=response.url, source=self.source.name,
            requested_url=_first_url(response.request) if response.request else response.url,
            html=response.body, content_type=response.headers.get(b"Content-Type", b"").decode("latin-1"),
            encoding=self.source.encoding,
            published=response.meta.get("raqib_date_hint", ""),
            modified=response.meta.get("raqib_modified", ""),
            fetched_at=datetime.now(timezone.utc).isoformat(timespec="seconds"),
        )

    def article_failed(self, failure: Failure):
        """Record the failure, then try another URL form of the article if one is waiting."""
        if failure.check(SkipArticle):
            return  # stored already or fetched by another URL: decided before the request
        request = failure.request
        message = describe_failure(failure)      # "HTTP 404", "DownloadTimeoutError: ...", ...
        log.warning("%s: article %s failed: %s", self.source.name, request.url, message)
        record_error(self.crawler.stats, request.url, message)
        first_url = _first_url(request)
        form = self._claims().release(url_key(first_url), first_url, hand_over=not failure.check(*_TIMEOUTS))
        if form is not None:
            log.info("%s: trying %s instead of %s", self.source.name, form.url, first_url)
            yield self._form_request(form)

    def form_not_an_article(self, item, response, exception, spider) -> None:
        """An AMP/mobile copy was not an article (see ``FormNotAnArticle``): fetch the
        article by another form — one waiting for the claim, else the copy's own
        rel=canonical on the same host — so a stub copy never costs the article."""
        if spider is not self or not isinstance(exception, FormNotAnArticle):
            return
        first_url = _first_url(response.request) if response.request else response.url
        claims = self._claims()
        key = url_key(first_url)
        form = claims.release(key, first_url)
        canonical = response.urljoin(exception.canonical) if exception.canonical else ""
        if form is None and canonical and url_key(canonical) == key and canonical != first_url \
                and claims.claim(key, canonical):
            form = Form(canonical, response.meta.get("raqib_date_hint", ""), response.url,
                        response.meta.get("raqib_modified", ""))
        if form is None:
            log.info("%s: no other form of %s to try in this crawl", self.source.name, first_url)
            return
        log.info("%s: %s is not an article; trying %s", self.source.name, first_url, form.url)
        self.crawler.engine.crawl(self._form_request(form))

    def _claims(self):
        cfg = self.crawler.settings.getdict("RAQIB")
        return claims_for(cfg["db_path"], cfg.get("crawl_scope", ""))

    def _form_request(self, form: Form) -> scrapy.Request:
        """The request for a URL form the article's claim was handed to."""
        return self.article_request(form.url, date_hint=form.date_hint, via=form.via, modified=form.modified,
                                    claim=True)

    # -- stats helpers ---------------------------------------------------------
    def _count_page(self, response: Response) -> None:
        self._stat_add("raqib/pages")
        self._stat_add("raqib/bytes", len(response.body))

    def _stat_add(self, key: str, n: int = 1) -> None:
        self.crawler.stats.inc_value(key, n)

    def _stat_append(self, key: str, value) -> None:
        append_stat(self.crawler.stats, key, value)
