"""Pipeline step 1: extract the article from the page, or drop it with a reason."""

from __future__ import annotations

import logging
from urllib.parse import urlsplit

from itemadapter import ItemAdapter
from scrapy.exceptions import DropItem

from pipelines.common import count_skip, raqib_settings
from pipelines.extract import NotAnArticle, extract
from raqib.urls import is_alternate_form, url_key
from raqib.claims import FormNotAnArticle
from storage.articles import record_skip
from storage.db import open_db

log = logging.getLogger(__name__)

#: Reasons an AMP or mobile copy can fail where the canonical page would not (a stub,
#: a cut-down copy).  A skip is keyed on the article, so these are not recorded for a
#: copy: the spider tries the canonical form instead (see raqib.claims).
COPY_MAY_DIFFER = frozenset({"empty", "no_body", "too_short"})


class ExtractPipeline:
    def __init__(self, cfg: dict, stats):
        self.cfg = cfg
        self.stats = stats
        self.db = open_db(cfg["db_path"])

    @classmethod
    def from_crawler(cls, crawler):
        return cls(raqib_settings(crawler), crawler.stats)

    def process_item(self, item, spider=None):
        a = ItemAdapter(item)
        try:
            ex = extract(a["html"], a["url"], content_type=a["content_type"] or None,
                         forced_encoding=a["encoding"], min_body_chars=self.cfg["min_body_chars"],
                         min_arabic_ratio=self.cfg["min_arabic_ratio"], date_hint=a["published"])
        except NotAnArticle as exc:
            count_skip(self.stats, exc.reason)
            if is_alternate_form(a["url"]) and exc.reason in COPY_MAY_DIFFER:
                log.info("%s: %s is not an article (%s); trying another form", a["source"], a["url"], exc)
                raise FormNotAnArticle(a["url"], exc.reason, exc.canonical) from None
            record_skip(self.db, a["url"], a["source"], exc.reason, exc.detail)
            log.info("%s: skipped %s (%s)", a["source"], a["url"], exc)
            raise DropItem(f"not an article: {exc}") from None
        canonical = ex.canonical_url
        # Trust rel=canonical only on the same site: some pages point at an aggregator.
        if canonical and urlsplit(canonical).hostname != urlsplit(a["url"]).hostname:
            canonical = ""
        a["canonical_url"] = url_key(canonical or a["url"])
        a["aliases"] = [u for u in (a["url"], a["requested_url"], canonical) if u]
        a["title"], a["body"], a["author"] = ex.title, ex.body, ex.author
        a["published"], a["sitename"], a["language"] = ex.published, ex.sitename, ex.language
        a["encoding"] = ex.encoding
        a["extractor"], a["date_source"] = ex.extractor, ex.date_source
        a["html"] = b""  # not needed downstream; frees memory early
        return item
