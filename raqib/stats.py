"""Crawl stats shared by the spiders and the pipeline steps.

Scrapy's stats collector holds numbers and values; a list (the run's errors, the entry
points that failed) is read, extended and written back.  One helper, so the spiders'
failed fetches and the pipeline steps' failures land in the same lists the same way.
"""

from __future__ import annotations

from typing import Any


def append_stat(stats, key: str, value: Any) -> None:
    """Append ``value`` to the list stat ``key``; nothing without a stats collector
    (a step built outside a crawl)."""
    if stats is None:
        return
    values = stats.get_value(key) or []
    values.append(value)
    stats.set_value(key, values)


def record_error(stats, url: str, message: str) -> None:
    """Add one failure to the run's error list (``raqib/errors``), which
    spiders/crawl.py reports with the run: failed fetches (the spiders) and failures of
    a pipeline step on one article alike."""
    append_stat(stats, "raqib/errors", {"url": url, "error": message})
