"""`raqib sources check`: does extraction still work on each source's site?

Fetches the newest N article pages a source announces (feeds, sitemaps, listing
pages — as the crawl finds them) and extracts each without storing anything, then
reports per source: pages fetched, share with a body, median body words, share
with a title and a date, and which extraction and date paths were used.  A site
redesign shows up here as a falling body share or a switch of extractor path
before it silently empties the review queue.
"""

from __future__ import annotations

import logging
import re
import socket
from collections import Counter
from dataclasses import dataclass, field
from statistics import median
from urllib.parse import urljoin, urlsplit

from config.sources import Source
from pipelines.extract import NotAnArticle, extract
from raqib.netpolicy import parse_networks, refusal, scheme_refusal

log = logging.getLogger(__name__)

_HREF = re.compile(r"""href\s*=\s*["']([^"'#]+)["']""", re.I)
MAX_CHILD_SITEMAPS = 3


@dataclass
class SourceReport:
    source: str
    floor: float
    pages: int = 0
    with_body: int = 0
    with_title: int = 0
    with_date: int = 0
    words: list[int] = field(default_factory=list)
    extractors: Counter = field(default_factory=Counter)
    date_sources: Counter = field(default_factory=Counter)
    skipped: Counter = field(default_factory=Counter)    # NotAnArticle reasons
    problems: list[str] = field(default_factory=list)    # entry points or pages that failed

    def share(self, n: int) -> float:
        return n / self.pages if self.pages else 0.0

    @property
    def ok(self) -> bool:
        return self.pages > 0 and self.share(self.with_body) >= self.floor

    def as_dict(self) -> dict:
        return {"source": self.source, "pages": self.pages, "body_share": round(self.share(self.with_body), 3),
                "median_body_words": median(self.words) if self.words else 0,
                "title_share": round(self.share(self.with_title), 3),
                "date_share": round(self.share(self.with_date), 3),
                "extractors": dict(self.extractors), "date_sources": dict(self.date_sources),
                "skipped": dict(self.skipped), "problems": self.problems, "floor": self.floor, "ok": self.ok}


def _addresses(host: str) -> set[str]:
    try:
        return {info[4][0] for info in socket.getaddrinfo(host, None)}
    except (OSError, UnicodeError):
        return set()


class _Fetcher:
    """GETs for the check, under the crawl's rules: http(s) only, the address policy of
    raqib.netpolicy on every redirect hop, and max_response_bytes on the body."""

    MAX_REDIRECTS = 5

    def __init__(self, cfg: dict):
        import httpx

        self.limit = cfg["max_response_bytes"]
        self.networks = parse_networks(cfg.get("allowed_networks", ""))
        self.source_addresses: set[str] = set()
        self.client = httpx.Client(headers={"User-Agent": cfg["user_agent"]}, timeout=cfg["download_timeout"],
                                   follow_redirects=False)

    def for_source(self, source: Source) -> None:
        self.source_addresses = set().union(*(_addresses(h) for h in source.domains)) if source.domains else set()

    def _check(self, url: str) -> None:
        if (why := scheme_refusal(url)):
            raise ValueError(why)
        host = urlsplit(url).hostname or ""
        found = _addresses(host)
        if not found:
            raise ValueError(f"cannot resolve {host!r}")
        for address in found:
            if (why := refusal(address, self.source_addresses, self.networks)):
                raise ValueError(f"refused: {why}")

    def get(self, url: str) -> tuple[bytes, str, str]:
        """(body, content type, final URL); every failure is a ValueError with a reason."""
        import httpx

        for _ in range(self.MAX_REDIRECTS + 1):
            self._check(url)
            try:
                with self.client.stream("GET", url) as resp:
                    if resp.is_redirect and resp.headers.get("location"):
                        url = urljoin(url, resp.headers["location"])
                        continue
                    if resp.status_code >= 400:
                        raise ValueError(f"HTTP {resp.status_code}")
                    chunks, size = [], 0
                    for chunk in resp.iter_bytes():
                        size += len(chunk)
                        if size > self.limit:
                            raise ValueError(f"larger than max_response_bytes ({self.limit})")
                        chunks.append(chunk)
                    return b"".join(chunks), resp.headers.get("content-type", ""), str(resp.url)
            except httpx.HTTPError as exc:
                raise ValueError(f"{type(exc).__name__}: {exc}") from None
        raise ValueError(f"more than {self.MAX_REDIRECTS} redirects")

    def close(self) -> None:
        self.client.close()


def newest_articles(source: Source, fetch, sample: int, problems: list[str]) -> list[tuple[str, str]]:
    """(url, date hint) of the source's newest `sample` articles, newest first."""
    from spiders.feeds import feed_entries
    from spiders.sitemaps import parse_sitemap

    found: dict[str, str] = {}
    for url in source.feeds:
        try:
            body, _, final = fetch(url)
        except ValueError as exc:
            problems.append(f"feed {url}: {exc}")
            continue
        entries, problem = feed_entries(body)
        if problem:
            problems.append(f"feed {url}: {problem}")
        for link, published, _ in entries:
            found.setdefault(urljoin(final, link), published)
    queue = list(source.sitemaps)
    children = 0
    while queue:
        url = queue.pop(0)
        try:
            body, _, _ = fetch(url)
            kind, entries = parse_sitemap(body)
        except ValueError as exc:
            problems.append(f"sitemap {url}: {exc}")
            continue
        if kind == "sitemapindex":
            newest = sorted(entries, key=lambda e: e.date or "", reverse=True)[:MAX_CHILD_SITEMAPS - children]
            children += len(newest)
            queue += [e.loc for e in newest]
        else:
            for e in entries:
                found.setdefault(e.loc, e.date)
    for listing in source.listings:
        try:
            body, ctype, final = fetch(listing.url)
        except ValueError as exc:
            problems.append(f"listing {listing.url}: {exc}")
            continue
        pattern = re.compile(listing.article_pattern)
        for href in _HREF.findall(body.decode("utf-8", errors="replace")):
            link = urljoin(final, href)
            if pattern.search(link):
                found.setdefault(link, "")
    ordered = sorted(found.items(), key=lambda kv: kv[1] or "", reverse=True)   # undated last, in order
    return ordered[:sample]


def check_source(source: Source, cfg: dict, sample: int = 10, fetcher: _Fetcher | None = None) -> SourceReport:
    own = fetcher is None
    fetcher = fetcher or _Fetcher(cfg)
    report = SourceReport(source.name, cfg["sources_check_min_body_share"])
    fetcher.for_source(source)
    from pipelines.extract_step import SiteAffixes

    affixes = SiteAffixes()
    try:
        for url, hint in newest_articles(source, fetcher.get, sample, report.problems):
            try:
                data, ctype, final = fetcher.get(url)
            except ValueError as exc:
                report.problems.append(f"{url}: {exc}")
                continue
            report.pages += 1
            try:
                ex = extract(data, final, content_type=ctype or None, forced_encoding=source.encoding,
                             min_body_chars=cfg["min_body_chars"], min_arabic_ratio=cfg["min_arabic_ratio"],
                             date_hint=hint, site_names=tuple(filter(None, [affixes.affix(source.name)])))
            except NotAnArticle as exc:
                report.skipped[exc.reason] += 1
                report.extractors["none"] += 1
                continue
            affixes.add(source.name, ex.page_title)
            report.with_body += 1
            report.words.append(len(ex.body.split()))
            report.with_title += bool(ex.title)
            report.with_date += bool(ex.published)
            report.extractors[ex.extractor] += 1
            report.date_sources[ex.date_source or "none"] += 1
    finally:
        if own:
            fetcher.close()
    log.info("%s: %d pages, %d with a body", source.name, report.pages, report.with_body)
    return report


def check_sources(sources: list[Source], cfg: dict, sample: int = 10) -> list[SourceReport]:
    fetcher = _Fetcher(cfg)
    try:
        return [check_source(s, cfg, sample, fetcher) for s in sources]
    finally:
        fetcher.close()
