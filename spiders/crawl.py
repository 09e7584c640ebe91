"""Run one crawl of some sources in this process and record it, source by source.

Each source gets one Scrapy crawler per kind of entry point it has (feeds, sitemaps,
listings); their stats are merged into one ``runs`` row per source.  A source none
of whose entry points could be read (broken feed, 500, timeout) is recorded as failed
with its errors while the others run to the end; one with only some broken entry
points is recorded as partial.  Twisted's reactor cannot be restarted, so call this once per
process (the CLI does; the daemon starts a process per crawl).
"""

from __future__ import annotations

import json
import logging
import os
import time
import uuid
from dataclasses import dataclass, field
from typing import Callable

from scrapy.crawler import CrawlerProcess
from twisted.internet import task

from config.sources import Source
from spiders.feeds import FeedSpider
from spiders.listings import ListingSpider
from spiders.scrapy_settings import scrapy_settings
from spiders.sitemaps import SitemapSpider
from storage.db import open_db
from storage.runs import fail_running, finish_run, start_run
from storage.sources import upsert_sources

log = logging.getLogger(__name__)

KINDS = ((FeedSpider, "feeds"), (SitemapSpider, "sitemaps"), (ListingSpider, "listings"))


@dataclass
class SourceResult:
    source: str
    status: str = "running"
    pages: int = 0
    bytes: int = 0
    new_articles: int = 0
    updated_articles: int = 0
    unchanged: int = 0
    flagged: int = 0
    skipped: dict[str, int] = field(default_factory=dict)
    errors: list[dict] = field(default_factory=list)
    seconds: float = 0.0
    run_id: int = 0


@dataclass
class CrawlSummary:
    crawl_id: str
    sources: list[SourceResult]
    seconds: float

    @property
    def totals(self) -> dict[str, int]:
        return {
            "pages": sum(s.pages for s in self.sources),
            "new_articles": sum(s.new_articles for s in self.sources),
            "updated_articles": sum(s.updated_articles for s in self.sources),
            "flagged": sum(s.flagged for s in self.sources),
            "skipped": sum(sum(s.skipped.values()) for s in self.sources),
            "errors": sum(len(s.errors) for s in self.sources),
            "failed_sources": sum(1 for s in self.sources if s.status == "failed"),
        }


# Stats counted by the spiders and middlewares (not the pipelines' raqib/skipped/*),
# shown as skip reasons in the run and the summary.
_COUNTED_SKIPS = {
    "raqib/skipped_known": "already_stored",
    "raqib/refetch_distrusted": "modified_date_distrusted",
    "raqib/sitemap_undated_capped": "undated_over_limit",
    "raqib/sitemap_stale": "stale_sitemap_entry",
}


def _merge(result: SourceResult, stats: dict) -> int:
    """Add one crawler's figures to its source's; returns its entry points read."""
    result.pages += stats.get("raqib/pages", 0)
    result.bytes += stats.get("raqib/bytes", 0)
    result.new_articles += stats.get("raqib/articles_new", 0)
    result.updated_articles += stats.get("raqib/articles_updated", 0)
    result.unchanged += stats.get("raqib/articles_unchanged", 0)
    result.flagged += stats.get("raqib/flagged", 0)
    for key, value in stats.items():
        if key.startswith("raqib/skipped/"):
            reason = key.rsplit("/", 1)[1]
            result.skipped[reason] = result.skipped.get(reason, 0) + value
    for key, reason in _COUNTED_SKIPS.items():
        if stats.get(key):
            result.skipped[reason] = result.skipped.get(reason, 0) + stats[key]
    result.errors.extend(stats.get("raqib/entry_errors", []))
    result.errors.extend(stats.get("raqib/errors", []))
    return stats.get("raqib/entry_ok", 0)


def run_crawl(sources: list[Source], cfg: dict, *, trigger: str = "manual",
              progress: Callable[[str, dict], None] | None = None, progress_every: float = 5.0,
              crawl_id: str | None = None) -> CrawlSummary:
    """Crawl ``sources`` once into ``cfg['db_path']``; blocks until done."""
    crawl_id = crawl_id or uuid.uuid4().hex[:12]
    db = open_db(cfg["db_path"])
    upsert_sources(db, sources)
    started = time.monotonic()
    # Scrapy resets its loggers to DEBUG when a process starts; keep the app's levels.
    levels = {n: logging.getLogger(n).level for n in ("scrapy", "twisted", "py.warnings")}
    process = CrawlerProcess(scrapy_settings(cfg))
    for name, level in levels.items():
        logging.getLogger(name).setLevel(level)
    plan: dict[str, list] = {}
    results: dict[str, SourceResult] = {}
    for source in sources:
        results[source.name] = SourceResult(source.name, run_id=start_run(db, crawl_id, source.name,
                                                                             pid=os.getpid(), trigger=trigger))
        plan[source.name] = source_crawlers(source, process.create_crawler)
        for crawler in plan[source.name]:
            process.crawl(crawler, source=source)
        log.info("%s: crawling %s", source.name, ", ".join(
            f"{len(getattr(source, a))} {a}" for _, a in KINDS if getattr(source, a)))

    def report():
        for name, crawlers in plan.items():
            merged = {}
            for c in crawlers:
                for k, v in (c.stats.get_stats() if c.stats else {}).items():
                    if isinstance(v, int):
                        merged[k] = merged.get(k, 0) + v
            figures = {"pages": merged.get("raqib/pages", 0), "new": merged.get("raqib/articles_new", 0),
                       "flagged": merged.get("raqib/flagged", 0),
                       "skipped": sum(v for k, v in merged.items() if k.startswith("raqib/skipped"))}
            if progress:
                progress(name, figures)
            else:
                log.info("%s: %d pages, %d new, %d flagged, %d skipped so far", name, figures["pages"],
                         figures["new"], figures["flagged"], figures["skipped"])

    ticker = task.LoopingCall(report)
    try:
        ticker.start(progress_every, now=False)
        process.start(stop_after_crawl=True)
    except BaseException as exc:
        fail_running(db, crawl_id=crawl_id, status="failed", error=f"crawl crashed: {exc!r}")
        raise
    finally:
        if ticker.running:
            ticker.stop()
    for name, crawlers in plan.items():
        finish_source(db, results[name], crawlers)
    return CrawlSummary(crawl_id, list(results.values()), time.monotonic() - started)


def source_crawlers(source: Source, make_crawler: Callable) -> list:
    """One crawler per kind of entry point ``source`` has, made by ``make_crawler(spider_cls)``."""
    return [make_crawler(spider_cls) for spider_cls, attr in KINDS if getattr(source, attr)]


def finish_source(db, result: SourceResult, crawlers: list) -> SourceResult:
    """Merge a source's crawlers' figures into ``result``, decide its status and record
    its run (the CLI crawl and the crawl worker record a run the same way)."""
    entry_ok = sum(_merge(result, crawler.stats.get_stats() if crawler.stats else {})
                   for crawler in crawlers)
    # Failed: no entry point of the source could be read.  A broken feed next to a
    # working sitemap or listing is "partial": its articles were still crawled.
    entry_failed = any(e.get("kind") for e in result.errors)
    result.status = "failed" if entry_failed and not entry_ok else "partial" if entry_failed else "ok"
    finish_run(db, result.run_id, status=result.status, pages=result.pages, bytes_=result.bytes,
               new_articles=result.new_articles, updated_articles=result.updated_articles,
               flagged=result.flagged, skipped=result.skipped, errors=result.errors)
    row = db.execute("SELECT seconds FROM runs WHERE id = ?", [result.run_id]).fetchone()
    result.seconds = (row[0] if row else 0.0) or 0.0
    log.info("%s: %s — %d pages, %d new, %d updated, %d flagged, skipped %s, %d errors",
             result.source, result.status, result.pages, result.new_articles, result.updated_articles,
             result.flagged, json.dumps(result.skipped, ensure_ascii=False), len(result.errors))
    return result
