"""Listing/section pages → links matching the source's article pattern, plus a few
pages of pagination (rel=next or /page/N/)."""

from __future__ import annotations

import re

from scrapy.linkextractors import LinkExtractor

from spiders.base import SourceSpider


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
            candidates = [h for h in response.css("a::attr(href)").getall()
                          if re.search(rf"(?:/page/|[?&]page=){page + 1}/?$", h)]
            nxt = candidates[0] if candidates else None
        if nxt:
            yield self.entry_request(response.urljoin(nxt), self.parse_listing, raqib_pattern=pattern,
                                     raqib_page=page + 1)
