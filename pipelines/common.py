"""Small helpers the pipeline steps share: settings access and per-source stats."""

from __future__ import annotations

from typing import Any


def raqib_settings(crawler) -> dict[str, Any]:
    return crawler.settings.getdict("RAQIB")


def count_skip(stats, reason: str) -> None:
    stats.inc_value(f"raqib/skipped/{reason}")
