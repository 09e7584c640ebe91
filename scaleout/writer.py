"""The one store writer of a scale-out crawl: Redis list → dedupe → filter → SQLite.

SQLite stays the store and has exactly one writer, however many workers crawl.  Each
item is moved to ``raqib:items:writing`` while it is stored and removed after its
transaction, so a writer killed mid-item finds it again at its next start: nothing is
lost, and the store's upserts keyed on the canonical URL make the replay harmless.
"""

from __future__ import annotations

import json
import logging
import threading

import redis
from scrapy.exceptions import DropItem

from pipelines.dedupe import DedupePipeline
from pipelines.filter import FilterPipeline
from pipelines.store import StorePipeline
from raqib.items import Article
from scaleout import keys
from storage.articles import record_skip
from storage.db import open_db

log = logging.getLogger(__name__)


class Counter:
    """The part of Scrapy's stats collector the pipelines use: counts, and the error
    list (``raqib/errors``) that the filter step appends a matcher failure to."""

    def __init__(self) -> None:
        self.values: dict[str, int | list] = {}

    def inc_value(self, key: str, count: int = 1, start: int = 0) -> None:
        self.values[key] = self.values.get(key, start) + count

    def get_value(self, key: str, default=None):
        return self.values.get(key, default)

    def set_value(self, key: str, value) -> None:
        self.values[key] = value

    def summary(self) -> str:
        """One line for the operator: each count, and how many errors (they are in the log)."""
        return ", ".join(f"{k.removeprefix('raqib/')} {len(v) if isinstance(v, list) else v}"
                         for k, v in sorted(self.values.items())) or "nothing stored"


def run_writer(cfg: dict, redis_url: str, stop: threading.Event | None = None) -> Counter:
    """Store items from Redis until ``stop`` is set (or forever); returns the counts."""
    stop = stop or threading.Event()
    server = redis.Redis.from_url(redis_url)
    stats = Counter()
    db = open_db(cfg["db_path"])
    steps = writer_steps(cfg, stats)
    moved = 0
    while server.lmove(keys.WRITING, keys.ITEMS, "RIGHT", "RIGHT"):
        moved += 1
    if moved:
        log.warning("scale-out writer: %d item(s) a previous writer was storing put back", moved)
    log.info("scale-out writer: storing items from %s into %s", keys.ITEMS, cfg["db_path"])
    while not stop.is_set():
        raw = server.blmove(keys.ITEMS, keys.WRITING, 1, "RIGHT", "LEFT")
        if raw is None:
            continue
        try:
            store_one(json.loads(raw), db, steps, stats)
        except Exception:  # noqa: BLE001 - one bad item must not stop the store
            log.exception("scale-out writer: could not store %r", raw[:200])
            stats.inc_value("raqib/writer_errors")
        server.lrem(keys.WRITING, 1, raw)
    return stats


def writer_steps(cfg: dict, stats: Counter) -> list:
    """The crawl's own steps after extraction (dedupe → filter → store), sharing ``stats``."""
    return [DedupePipeline(cfg["db_path"], stats, scope="scaleout-writer"), FilterPipeline(cfg, stats),
            StorePipeline(cfg["db_path"], stats)]


def store_one(data: dict, db, steps: list, stats: Counter) -> None:
    if "skip" in data:
        s = data["skip"]
        record_skip(db, s["url"], s["source"], s["reason"], s["detail"])
        return
    item = Article(**data["article"])
    steps[0].seen.clear()     # "one per URL key per crawl": the writer's crawl never ends
    try:
        for step in steps:
            item = step.process_item(item)
    except DropItem as exc:
        log.info("scale-out writer: dropped %s (%s)", data["article"]["url"], exc)
