"""RSS/Atom feeds → article URLs.  feedparser copes with the many broken feeds news
sites publish; a feed it cannot read at all is reported as a failed entry point."""

from __future__ import annotations

import calendar
from datetime import datetime, timezone

import feedparser

from spiders.base import SourceSpider


def _iso(stamp) -> str:
    return datetime.fromtimestamp(calendar.timegm(stamp), timezone.utc).isoformat() if stamp else ""


def feed_entries(body: bytes) -> tuple[list[tuple[str, str, str]], str]:
    """(link, published, updated) of each entry — ISO dates in UTC, "" when absent — and a
    problem description ('' if fine).  ``updated`` is only an explicit <updated>
    (Atom): feedparser's fallback from updated to published is not a modification."""
    parsed = feedparser.parse(body)
    entries = []
    for e in parsed.entries:
        link = e.get("link") or ""
        if not link:
            continue
        updated = dict.get(e, "updated_parsed")   # dict.get: no fallback to published
        published = _iso(dict.get(e, "published_parsed") or updated)
        entries.append((link.strip(), published, _iso(updated)))
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
        if self.entry_unchanged(response):
            return
        entries, problem = feed_entries(response.body)
        if problem:
            self._count_page(response)
            self.entry_error(response.url, problem)
            return
        self.entry_ok(response)
        for link, date, updated in entries:
            yield self.article_request(response.urljoin(link), date_hint=date, via=response.url,
                                       modified=updated)
