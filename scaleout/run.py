"""Start a scale-out worker, seed a crawl cycle (the writer is in writer.py)."""

from __future__ import annotations

import logging
import os
import socket
import uuid

import redis

from config.sources import Source
from scaleout import keys
from scaleout.spiders import KINDS
from spiders.scrapy_settings import scrapy_settings

log = logging.getLogger(__name__)


def worker_settings(cfg: dict, redis_url: str, worker_id: str) -> dict:
    """raqib's Scrapy settings with scrapy-redis' scheduler and seen-URL filter, the
    in-flight bookkeeping, and extraction pushing to Redis instead of the SQLite steps."""
    settings = scrapy_settings(cfg)
    middlewares = dict(settings["DOWNLOADER_MIDDLEWARES"])
    middlewares["spiders.middlewares.KnownURLMiddleware"] = None    # no database here: shared claims instead
    middlewares["scaleout.middlewares.SharedClaimMiddleware"] = 50
    settings.update({
        "REDIS_URL": redis_url,
        "SCHEDULER": "scaleout.inflight.InflightScheduler",
        "SCHEDULER_QUEUE_KEY": keys.QUEUE,
        "SCHEDULER_QUEUE_CLASS": "scrapy_redis.queue.FifoQueue",
        "SCHEDULER_PERSIST": True,
        "DUPEFILTER_CLASS": "scrapy_redis.dupefilter.RFPDupeFilter",
        "SCHEDULER_DUPEFILTER_KEY": keys.SEEN,
        "RAQIB_WORKER_ID": worker_id,
        "HTTPCACHE_ENABLED": False,          # a worker's cache is its own; revalidation needs a shared one
        "DOWNLOADER_MIDDLEWARES": middlewares,
        "SPIDER_MIDDLEWARES": {"scaleout.spiders.InflightDoneMiddleware": 10},
        "ITEM_PIPELINES": {"scaleout.pipelines.ExtractToRedisPipeline": 100},
        "DEFAULT_REQUEST_HEADERS": {"Accept": "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8",
                                    "Accept-Language": "ar", "X-Raqib-Worker": worker_id},
        "MAX_IDLE_TIME_BEFORE_CLOSE": 0,     # never close: the next cycle's seed comes later
        "REDIS_START_URLS_BATCH_SIZE": 16,
    })
    return settings


def run_worker(cfg: dict, redis_url: str, sources: list[Source], worker_id: str | None = None) -> None:
    """Crawl whatever the shared queues hold, for ``sources``, until SIGTERM/SIGINT."""
    from scrapy.crawler import CrawlerProcess

    worker_id = worker_id or f"{socket.gethostname()}-{os.getpid()}-{uuid.uuid4().hex[:6]}"
    levels = {n: logging.getLogger(n).level for n in ("scrapy", "twisted", "py.warnings")}
    process = CrawlerProcess(worker_settings(cfg, redis_url, worker_id))
    for name, level in levels.items():
        logging.getLogger(name).setLevel(level)
    for source in sources:
        for spider_cls, attr in KINDS:
            if getattr(source, attr):
                process.crawl(process.create_crawler(spider_cls), source=source)
    log.info("scale-out worker %s: %d sources, queue at %s", worker_id, len(sources), redis_url)
    process.start(stop_after_crawl=True)


def seed(redis_url: str, sources: list[Source]) -> int:
    """Push every entry point of ``sources`` for the workers: one crawl cycle."""
    server = redis.Redis.from_url(redis_url)
    n = 0
    for source in sources:
        for spider_cls, attr in KINDS:
            urls = [l.url for l in source.listings] if attr == "listings" else list(getattr(source, attr))
            if urls:
                server.lpush(keys.start_urls_key(f"{source.name}:{spider_cls.kind}"), *urls)
                n += len(urls)
    return n
