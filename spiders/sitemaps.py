"""Sitemaps (plain, index, Google News) → article URLs within the freshness window.

Parsed with lxml in streaming mode with entity resolution off, so a 50,000-URL
sitemap or a hostile one does not blow up memory.
"""

from __future__ import annotations

import gzip
import io
import logging
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

from lxml import etree

from spiders.base import SourceSpider

log = logging.getLogger(__name__)


@dataclass
class SitemapEntry:
    loc: str
    date: str = ""     # lastmod or news:publication_date, ISO 8601
    lastmod: str = ""  # <lastmod> only: when the publisher last changed the page


DEFAULT_MAX_BYTES = 50 * 1024 * 1024    # the sitemap protocol's own limit


def parse_sitemap(body: bytes, max_bytes: int = DEFAULT_MAX_BYTES) -> tuple[str, list[SitemapEntry]]:
    """Returns ("urlset" | "sitemapindex", entries); raises ValueError on unreadable XML.

    A ``.xml.gz`` sitemap served as a plain file (no Content-Encoding, so Scrapy's own
    limit saw only the compressed bytes) is decompressed here, to at most ``max_bytes``:
    a larger one is refused rather than read, as a gzip bomb would be."""
    if body[:2] == b"\x1f\x8b":
        try:
            body = gzip.GzipFile(fileobj=io.BytesIO(body)).read(max_bytes + 1)
        except (OSError, EOFError) as exc:
            raise ValueError(f"unreadable gzip sitemap: {exc}") from None
        if len(body) > max_bytes:
            raise ValueError(f"gzip sitemap decompresses to more than {max_bytes} bytes "
                             f"(setting max_sitemap_bytes)")
    kind = ""
    entries: list[SitemapEntry] = []
    loc = date = lastmod = ""
    try:
        for event, el in etree.iterparse(io.BytesIO(body), events=("start", "end"), resolve_entities=False,
                                         no_network=True, huge_tree=True, recover=False):
            tag = etree.QName(el).localname if isinstance(el.tag, str) else ""
            if event == "start":
                if not kind and tag in ("urlset", "sitemapindex"):
                    kind = tag
                continue
            if tag == "loc":
                loc = (el.text or "").strip()
            elif tag in ("lastmod", "publication_date"):
                date = (el.text or "").strip() or date
                if tag == "lastmod":
                    lastmod = (el.text or "").strip()
            elif tag in ("url", "sitemap"):
                if loc:
                    entries.append(SitemapEntry(loc, date, lastmod))
                loc = date = lastmod = ""
                el.clear()
                # Cleared elements stay attached to the root: drop them, or a 50,000-URL
                # sitemap keeps 50,000 empty elements alive until the end.
                while el.getprevious() is not None:
                    del el.getparent()[0]
    except etree.XMLSyntaxError as exc:
        if not entries:
            raise ValueError(f"invalid sitemap XML: {exc}") from None
    if not kind:
        raise ValueError("not a sitemap (no <urlset> or <sitemapindex>)")
    return kind, entries


def _parse_date(text: str) -> datetime | None:
    try:
        dt = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return None
    return dt if dt.tzinfo else dt.replace(tzinfo=timezone.utc)


def utc_iso(date: str) -> str:
    """A sitemap date as ISO 8601 in UTC ("" if unreadable), so dates compare as text."""
    dt = _parse_date(date) if date else None
    return dt.astimezone(timezone.utc).isoformat(timespec="seconds") if dt else ""


def is_fresh(date: str, days: int, now: datetime) -> bool:
    """Undated entries count as fresh: better one fetch too many than a missed story."""
    dt = _parse_date(date) if date else None
    return dt is None or dt >= now - timedelta(days=days)


#: (source, URL) of the sitemap indexes this process has read (see parse_sitemap).
_INDEX_URLS: set[tuple[str, str]] = set()


class SitemapSpider(SourceSpider):
    kind = "sitemap"
    max_depth = 2

    def sitemap_request(self, url: str, depth: int, **meta):
        """Sitemaps get their own size limit: the protocol allows 50 MB, far above what
        an article page may weigh (max_response_bytes guards memory against those)."""
        limit = self.crawler.settings.getdict("RAQIB").get("max_sitemap_bytes") or 0
        if limit:
            meta.update(download_maxsize=limit, download_warnsize=limit // 2)
        return self.entry_request(url, self.parse_sitemap, raqib_depth=depth, **meta)

    def _cap_undated(self, url: str, entries: list) -> list:
        """Undated entries count as fresh, but not without limit: a sitemap of 50,000
        undated archive URLs would otherwise turn one crawl into 50,000 requests.  The
        first ``max_undated_sitemap_entries`` are kept (sites list newest first)."""
        cap = self.crawler.settings.getdict("RAQIB").get("max_undated_sitemap_entries", 0)
        undated = [i for i, e in enumerate(entries) if not _parse_date(e.date or "")]
        if not cap or len(undated) <= cap:
            return entries
        dropped = set(undated[cap:])
        self.crawler.stats.inc_value("raqib/sitemap_undated_capped", len(dropped))
        log.warning("%s: sitemap %s has %d undated entries; following the first %d "
                    "(setting max_undated_sitemap_entries)", self.source.name, url, len(undated), cap)
        return [e for i, e in enumerate(entries) if i not in dropped]

    def start_requests(self):
        for url in self.source.sitemaps:
            yield self.sitemap_request(url, 0, raqib_root=url)

    def parse_sitemap(self, response):
        # An unchanged index is read again all the same: its child sitemaps change
        # under the same index (each child is then skipped itself when unchanged).
        if (self.source.name, response.url) not in _INDEX_URLS and self.entry_unchanged(response):
            return
        try:
            limit = self.crawler.settings.getdict("RAQIB").get("max_sitemap_bytes") or DEFAULT_MAX_BYTES
            kind, entries = parse_sitemap(response.body, limit)
        except ValueError as exc:
            self._count_page(response)
            self.entry_error(response.url, str(exc))
            return
        self.entry_ok(response)
        now = datetime.now(timezone.utc)
        fresh = [e for e in entries if is_fresh(e.date, self.source.freshness_days, now)]
        self.crawler.stats.inc_value("raqib/sitemap_stale", len(entries) - len(fresh))
        fresh = self._cap_undated(response.url, fresh)
        depth = response.meta.get("raqib_depth", 0)
        if kind == "sitemapindex":
            _INDEX_URLS.add((self.source.name, response.url))
            if depth >= self.max_depth:
                self.entry_error(response.url, "sitemap index nested too deep")
                return
            for e in fresh:
                yield self.sitemap_request(response.urljoin(e.loc), depth + 1)
        else:
            for e in fresh:
                yield self.article_request(response.urljoin(e.loc), date_hint=e.date, via=response.url,
                                           modified=utc_iso(e.lastmod))
