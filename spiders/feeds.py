"""RSS/Atom feeds → article URLs.  feedparser copes with the many broken feeds news
sites publish; a feed it cannot read at all is reported as a failed entry point."""

from __future__ import annotations

import time
from datetime import datetime, timezone

import feedparser

from spiders.base import SourceSpider


def feed_entries(body: bytes) -> tuple[list[tuple[str, str]], str]:
    """(link, ISO date) of each entry, and a problem description ('' if fine)."""
    parsed = feedparser.parse(body)
    entries = []
    for e in parsed.entries:
        link = e.get("link") or ""
        if not link:
            continue
        stamp = e.get("published_parsed") or e.get("updated_parsed")
        date = datetime.fromtimestamp(time.mktime(stamp) - time.timezone, timezone.utc).isoformat() if stamp else ""
        entries.append((link.strip(), date))
    problem = ""
    if parsed.get("bozo") and not entries:
        problem = f"unreadable feed: {parsed.get('bozo_exception')}"
    elif not entries and not parsed.get("feed"):
        problem = "not a feed (no entries)"
    return entries, problem


class FeedSpider(SourceSpider):
    kind = "feed"

    def start_requests(self):
        for url in self.source.feeds:
            yield self.entry_request(url, self.parse_feed)

    def parse_feed(self, response):
        entries, problem = feed_entries(response.body)
        if problem:
            self._count_page(response)
            self.entry_error(response.url, problem)
            return
        self.entry_ok(response)
        for link, date in entries:
            yield self.article_request(response.urljoin(link), date_hint=date, via=response.url)
