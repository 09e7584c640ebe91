"""Entry points a test adds to an outlet on top of its own: extra Atom feeds (any links,
e.g. the same story under several URL forms) and a bulk sitemap index (tens of
thousands of archive URLs, as big news sites publish).

Both are generated on each request from the outlet's current stories, so an updated
story shows its new <updated>/<lastmod> at once, and both are listed in the outlet's
entry points by `FixtureSite.sources_toml`.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from xml.sax.saxutils import escape, quoteattr

from fixturesite.outlets import SITE_EPOCH, Outlet, Resource

BULK_PREFIX = "/bulk/"
BULK_INDEX = BULK_PREFIX + "sitemap-index.xml"
ARCHIVE_PREFIX = BULK_PREFIX + "archive/"


@dataclass
class FeedEntry:
    url: str
    title: str
    published: datetime
    updated: datetime | None = None


@dataclass
class BulkSitemaps:
    """A sitemap index over `total` URLs in sitemaps of `per_sitemap`: the outlet's real
    stories first (lastmod = last change), then archive URLs (`/bulk/archive/N`, not
    served) dated from `archive_newest` back one minute each, or undated when
    `undated`.  The index carries no <lastmod> (as WordPress core's does not), so a
    crawler has to open every sitemap."""

    total: int
    per_sitemap: int
    archive_newest: datetime
    requests: dict[str, int] = field(default_factory=dict)
    undated: bool = False

    def entries(self, outlet: Outlet) -> list[tuple[str, str]]:
        real = [(outlet.url(outlet.canonical_path(s)), (s.modified or s.published).isoformat())
                for s in outlet.stories()]
        archive = ((outlet.url(f"{ARCHIVE_PREFIX}{i}"),
                    "" if self.undated else (self.archive_newest - timedelta(minutes=i)).isoformat(timespec="seconds"))
                   for i in range(max(0, self.total - len(real))))
        return real + list(archive)

    def count(self) -> int:
        return -(-self.total // self.per_sitemap)

    def index(self, outlet: Outlet) -> bytes:
        maps = "".join(f"<sitemap><loc>{escape(outlet.url(f'{BULK_PREFIX}sitemap-{n}.xml'))}</loc></sitemap>\n"
                       for n in range(1, self.count() + 1))
        return ('<?xml version="1.0" encoding="UTF-8"?>\n<sitemapindex xmlns="http://www.sitemaps.org/schemas/'
                f'sitemap/0.9">\n{maps}</sitemapindex>\n').encode()

    def sitemap(self, outlet: Outlet, n: int) -> bytes | None:
        if not 1 <= n <= self.count():
            return None
        chunk = self.entries(outlet)[(n - 1) * self.per_sitemap: n * self.per_sitemap]
        urls = "".join(f"<url><loc>{escape(loc)}</loc>{f'<lastmod>{lastmod}</lastmod>' if lastmod else ''}</url>\n"
                       for loc, lastmod in chunk)
        return ('<?xml version="1.0" encoding="UTF-8"?>\n<urlset xmlns="http://www.sitemaps.org/schemas/'
                f'sitemap/0.9">\n{urls}</urlset>\n').encode()


class Extras:
    """The extra entry points of every outlet; thread-safe, changes visible at once."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._feeds: dict[tuple[str, str], list[FeedEntry]] = {}
        self._bulk: dict[str, BulkSitemaps] = {}

    def set_feed(self, outlet: str, path: str, entries: list[FeedEntry]) -> None:
        with self._lock:
            self._feeds[(outlet, path)] = list(entries)

    def set_bulk(self, outlet: str, bulk: BulkSitemaps) -> None:
        with self._lock:
            self._bulk[outlet] = bulk

    def feed_paths(self, outlet: str) -> list[str]:
        with self._lock:
            return [p for (o, p) in self._feeds if o == outlet]

    def sitemap_paths(self, outlet: str) -> list[str]:
        with self._lock:
            return [BULK_INDEX] if outlet in self._bulk else []

    def handle(self, outlet: Outlet, path: str) -> Resource | None:
        with self._lock:
            feed = self._feeds.get((outlet.name, path))
            bulk = self._bulk.get(outlet.name)
        if feed is not None:
            return _atom(outlet, path, feed)
        if bulk is None or not path.startswith(BULK_PREFIX):
            return None
        if path == BULK_INDEX:
            body = bulk.index(outlet)
        elif path.startswith(BULK_PREFIX + "sitemap-") and path.endswith(".xml"):
            number = path[len(BULK_PREFIX + "sitemap-"):-len(".xml")]
            body = bulk.sitemap(outlet, int(number)) if number.isdigit() else None
        else:
            return None    # archive pages are listed, never served
        if body is None:
            return None
        return Resource(body, "application/xml; charset=utf-8",
                        last_modified=max((s.modified or s.published for s in outlet.stories()),
                                          default=SITE_EPOCH))


def _atom(outlet: Outlet, path: str, entries: list[FeedEntry]) -> Resource:
    newest = max((e.updated or e.published for e in entries), default=SITE_EPOCH)
    items = "".join(
        f"<entry><title>{escape(e.title)}</title><link href={quoteattr(e.url)}/>"
        f"<id>{escape(e.url)}</id><published>{e.published.isoformat()}</published>"
        f"<updated>{(e.updated or e.published).isoformat()}</updated></entry>\n" for e in entries)
    body = ('<?xml version="1.0" encoding="utf-8"?>\n<feed xmlns="http://www.w3.org/2005/Atom">'
            f"<title>{escape(outlet.display_name)}</title><id>{escape(outlet.url(path))}</id>"
            f"<updated>{newest.astimezone(timezone.utc).isoformat()}</updated>\n{items}</feed>\n")
    return Resource(body.encode("utf-8"), "application/atom+xml; charset=utf-8", last_modified=newest)
