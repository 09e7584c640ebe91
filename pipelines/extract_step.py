"""Pipeline step 1: extract the article from the page, or drop it with a reason."""

from __future__ import annotations

import logging
from urllib.parse import urljoin, urlsplit

from itemadapter import ItemAdapter
from scrapy.exceptions import DropItem

from filters.titles import repeated_affix
from pipelines.common import count_skip, raqib_settings
from pipelines.extract import NotAnArticle, extract
from raqib.urls import is_alternate_form, url_key
from raqib.claims import FormNotAnArticle
from raqib.stats import record_error
from storage.articles import record_skip
from storage.db import open_db

log = logging.getLogger(__name__)

#: Reasons an AMP or mobile copy can fail where the canonical page would not (a stub,
#: a cut-down copy).  A skip is keyed on the article, so these are not recorded for a
#: copy: the spider tries the canonical form instead (see raqib.claims).
COPY_MAY_DIFFER = frozenset({"empty", "no_body", "too_short"})


def _amp_copy(url: str, exc: NotAnArticle) -> str:
    """The page's rel=amphtml copy when it is the same article on the same host, else ''."""
    if not exc.amp:
        return ""
    amp = urljoin(url, exc.amp)
    if amp == url or urlsplit(amp).hostname != urlsplit(url).hostname or url_key(amp) != url_key(url):
        return ""
    return amp


class SiteAffixes:
    """Per source, the <title> part that repeats across its pages: its site name, even
    when no og:site_name says so and it is too long to look like one."""

    WINDOW = 30

    def __init__(self):
        self.titles: dict[str, list[str]] = {}

    def add(self, source: str, page_title: str) -> None:
        if page_title:
            seen = self.titles.setdefault(source, [])
            seen.append(page_title)
            del seen[:-self.WINDOW]

    def affix(self, source: str) -> str:
        return repeated_affix(self.titles.get(source, []))


class ExtractPipeline:
    def __init__(self, cfg: dict, stats):
        self.cfg = cfg
        self.stats = stats
        self.db = open_db(cfg["db_path"])
        self.affixes = SiteAffixes()

    @classmethod
    def from_crawler(cls, crawler):
        return cls(raqib_settings(crawler), crawler.stats)

    def process_item(self, item, spider=None):
        a = ItemAdapter(item)
        try:
            ex = extract(a["html"], a["url"], content_type=a["content_type"] or None,
                         forced_encoding=a["encoding"], min_body_chars=self.cfg["min_body_chars"],
                         min_arabic_ratio=self.cfg["min_arabic_ratio"], date_hint=a["published"],
                         site_names=tuple(filter(None, [self.affixes.affix(a["source"])])))
        except NotAnArticle as exc:
            count_skip(self.stats, exc.reason)
            if is_alternate_form(a["url"]) and exc.reason in COPY_MAY_DIFFER:
                log.info("%s: %s is not an article (%s); trying another form", a["source"], a["url"], exc)
                raise FormNotAnArticle(a["url"], exc.reason, exc.canonical) from None
            if (amp := _amp_copy(a["url"], exc)) and exc.reason in COPY_MAY_DIFFER:
                # a script-rendered shell: the last fallback is its AMP copy (same article key)
                log.info("%s: %s has no body (%s); trying its AMP copy %s", a["source"], a["url"], exc, amp)
                raise FormNotAnArticle(a["url"], exc.reason, amp) from None
            record_skip(self.db, a["url"], a["source"], exc.reason, exc.detail)
            log.info("%s: skipped %s (%s)", a["source"], a["url"], exc)
            raise DropItem(f"not an article: {exc}") from None
        except Exception as exc:  # noqa: BLE001 — a bug met on one page must not go unrecorded
            # not remembered as skipped: the next crawl tries the page again
            message = f"extraction failed ({type(exc).__name__}: {exc})"
            log.exception("%s: %s: %s", a["source"], a["url"], message)
            record_error(self.stats, a["url"], message)
            raise DropItem(message) from None
        canonical = ex.canonical_url
        # Trust rel=canonical only on the same site: some pages point at an aggregator.
        if canonical and urlsplit(canonical).hostname != urlsplit(a["url"]).hostname:
            canonical = ""
        a["canonical_url"] = url_key(canonical or a["url"])
        a["aliases"] = [u for u in (a["url"], a["requested_url"], canonical) if u]
        self.affixes.add(a["source"], ex.page_title)
        a["title"], a["body"], a["author"] = ex.title, ex.body, ex.author
        a["published"], a["sitename"], a["language"] = ex.published, ex.sitename, ex.language
        a["encoding"] = ex.encoding
        # an AMP/mobile copy read in place of its page: say so with the path
        a["extractor"] = f"amp_copy+{ex.extractor}" if is_alternate_form(a["url"]) else ex.extractor
        a["date_source"] = ex.date_source
        a["html"] = b""  # not needed downstream; frees memory early
        return item
