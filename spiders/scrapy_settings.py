"""Scrapy settings derived from raqib's settings, so there is one place to configure."""

from __future__ import annotations

from pathlib import Path
from typing import Any


def scrapy_settings(cfg: dict[str, Any]) -> dict[str, Any]:
    db_dir = Path(cfg["db_path"]).resolve().parent
    cache_dir = Path(cfg["http_cache_dir"])
    if not cache_dir.is_absolute():
        cache_dir = db_dir / cache_dir
    return {
        "BOT_NAME": "raqib",
        "USER_AGENT": cfg["user_agent"],
        "ROBOTSTXT_OBEY": cfg["obey_robots"],
        "ROBOTSTXT_USER_AGENT": "raqib",
        "CONCURRENT_REQUESTS": cfg["concurrent_requests"],
        "CONCURRENT_REQUESTS_PER_DOMAIN": cfg["concurrent_requests_per_domain"],
        "DOWNLOAD_DELAY": cfg["download_delay"],
        "DOWNLOAD_TIMEOUT": cfg["download_timeout"],
        "DOWNLOAD_MAXSIZE": cfg["max_response_bytes"],
        "DOWNLOAD_WARNSIZE": max(1, cfg["max_response_bytes"] // 2),
        "AUTOTHROTTLE_ENABLED": cfg["autothrottle"],
        "AUTOTHROTTLE_START_DELAY": max(0.1, cfg["download_delay"]),
        "AUTOTHROTTLE_MAX_DELAY": 30.0,
        "AUTOTHROTTLE_TARGET_CONCURRENCY": float(cfg["concurrent_requests_per_domain"]),
        "RETRY_ENABLED": False,  # replaced by the backoff retry middleware below
        "RAQIB_RETRY_TIMES": cfg["retry_times"],
        "RAQIB_RETRY_HTTP_CODES": [500, 502, 503, 504, 522, 524, 408, 429],
        "RAQIB_RETRY_BASE_DELAY": 0.5,
        "RAQIB_RETRY_MAX_DELAY": 30.0,
        "HTTPCACHE_ENABLED": cfg["http_cache"],
        "HTTPCACHE_POLICY": "scrapy.extensions.httpcache.RFC2616Policy",
        "HTTPCACHE_STORAGE": "scrapy.extensions.httpcache.FilesystemCacheStorage",
        "HTTPCACHE_DIR": str(cache_dir),
        "HTTPCACHE_IGNORE_HTTP_CODES": [500, 502, 503, 504, 404, 403, 429],
        "REDIRECT_MAX_TIMES": 5,
        # Only http(s) is ever fetched (spiders.netguard refuses the rest first); without
        # these handlers a link that slipped past could not read files or other stores.
        "DOWNLOAD_HANDLERS": {"file": None, "data": None, "ftp": None, "s3": None},
        # Connections go only to addresses the network policy checked (spiders.netguard).
        "TWISTED_DNS_RESOLVER": "spiders.netguard.PinnedResolver",
        "COOKIES_ENABLED": False,
        "TELNETCONSOLE_ENABLED": False,
        "LOG_ENABLED": False,  # raqib configures logging itself
        "LOG_INSTALL_ROOT_HANDLER": False,
        "REQUEST_FINGERPRINTER_IMPLEMENTATION": "2.7",
        "DOWNLOADER_MIDDLEWARES": {
            "spiders.middlewares.KnownURLMiddleware": 50,
            "spiders.netguard.NetworkPolicyMiddleware": 60,   # before robots.txt, cache and download
            # robots.txt kept for its own lifetime across the process's crawlers (spiders/robots.py)
            "scrapy.downloadermiddlewares.robotstxt.RobotsTxtMiddleware": None,
            "spiders.robots.CachedRobotsTxtMiddleware": 100,
            "spiders.middlewares.BackoffRetryMiddleware": 550,
        },
        "ITEM_PIPELINES": {
            "pipelines.extract_step.ExtractPipeline": 100,
            "pipelines.dedupe.DedupePipeline": 200,
            "pipelines.filter.FilterPipeline": 300,
            "pipelines.store.StorePipeline": 400,
        },
        "EXTENSIONS": {"scrapy.extensions.logstats.LogStats": None},
        "RAQIB": dict(cfg),
    }
