"""Listing/section pages → links matching the source's article pattern, plus a few
pages of pagination (rel=next or /page/N/)."""

from __future__ import annotations

import re

from scrapy.linkextractors import LinkExtractor

from spiders.base import SourceSpider


_PAGE_RE = re.compile(r"(?:/page/|[?&]page=)(\d+)/?$")


def page_number(url: str) -> int:
    """The page number a listing URL names (``/page/3/``, ``?page=3``); 1 when none.

    The next page is this number + 1, not the count of pages followed: a configured
    listing may start on page 3 (an archive section), and its next link is page 4.
    """
    m = _PAGE_RE.search(url)
    return int(m.group(1)) if m else 1


class ListingSpider(SourceSpider):
    kind = "listing"

    def start_requests(self):
        for listing in self.source.listings:
            yield self.entry_request(listing.url, self.parse_listing, raqib_pattern=listing.article_pattern,
                                     raqib_page=1)

    def parse_listing(self, response):
        if not hasattr(response, "text"):
            self._count_page(response)
            self.entry_error(response.url, "listing is not an HTML page")
            return
        if self.entry_unchanged(response):
            return   # nor its next pages: they only hold older links
        self.entry_ok(response)
        pattern = response.meta["raqib_pattern"]
        extractor = LinkExtractor(allow=[pattern] if pattern else (), unique=True)
        for link in extractor.extract_links(response):
            yield self.article_request(link.url, via=response.url)
        page = response.meta.get("raqib_page", 1)
        max_pages = self.crawler.settings.getdict("RAQIB").get("max_pages_per_listing", 2)
        if page >= max_pages:
            return
        nxt = response.css('link[rel="next"]::attr(href), a[rel="next"]::attr(href)').get()
        if not nxt:
            want = page_number(response.url) + 1
            candidates = [h for h in response.css("a::attr(href)").getall() if page_number(h) == want]
            nxt = candidates[0] if candidates else None
        if nxt:
            yield self.entry_request(response.urljoin(nxt), self.parse_listing, raqib_pattern=pattern,
                                     raqib_page=page + 1)
