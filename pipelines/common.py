"""Small helpers the pipeline steps share: settings access and per-source stats."""

from __future__ import annotations

from typing import Any

from raqib.stats import append_stat


def raqib_settings(crawler) -> dict[str, Any]:
    return crawler.settings.getdict("RAQIB")


def count_skip(stats, reason: str) -> None:
    stats.inc_value(f"raqib/skipped/{reason}")


def record_error(stats, url: str, message: str) -> None:
    """Add one failure to the run's error list (``raqib/errors``), which
    spiders/crawl.py reports with the failed fetches; nothing without a stats collector
    (a step built outside a crawl)."""
    append_stat(stats, "raqib/errors", {"url": url, "error": message})
