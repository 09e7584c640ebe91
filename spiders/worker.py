"""A long-lived crawl worker: one Scrapy process that crawls many source runs at once.

Why: a crawl process per source run pays for importing Scrapy and trafilatura and for
compiling the watchlist automaton (34,386 keys) before it fetches a byte — about 3 s
of CPU for a poll that finds nothing new (issue 15).  A worker pays that once and then
takes source runs from the daemon for as long as it lives.

Per-source isolation and accounting stay as in a crawl process: each source run gets
its own Scrapy crawlers (one per kind of entry point, each with its own downloader
slots), its own per-run settings (``RAQIB['crawl_scope']`` = the run id, so article
claims, refetch trust and the dedupe set are the run's own; ``skip_unchanged``), and
its own ``runs`` row written by the same ``spiders.crawl.finish_source`` as the CLI.
The matcher is compiled once per worker and again only when a watchlist file changes
(``pipelines.filter.cached_matcher``).

Protocol (JSON lines).  stdin, from the daemon (``raqib.workerpool``):
    {"op": "config", "cfg": {...}}          first line: the daemon's settings
    {"op": "run", "run_id": 7, "source": {...Source.as_dict()}, "skip_unchanged": true}
    {"op": "stop", "run_id": 7}             the run timed out: stop its crawlers
    {"op": "retire"}                        finish the runs in hand, then exit
stdout, to the daemon:
    {"event": "ready", "pid": 123}
    {"event": "done", "run_id": 7, "status": "ok", "pages": 3, "worker_pages": 812, "rss_mb": 190.5}
End of stdin (the daemon went away) exits at once, leaving the runs in hand "running":
a run cut short must not be recorded "ok", or the next daemon, which closes "running"
rows as interrupted and crawls those sources again, would never know.  (When the daemon
is killed with SIGKILL the worker can read that end of stdin before its own death
signal arrives.)  SIGTERM stops the runs gracefully (their rows are written) and exits.
"""

from __future__ import annotations

import json
import logging
import os
import sys
import threading
from typing import Any

log = logging.getLogger(__name__)


def source_from_dict(data: dict) -> "Source":
    """The inverse of ``Source.as_dict`` (a source travels to the worker as JSON)."""
    from config.sources import Listing, Source

    return Source(**{**data, "feeds": tuple(data.get("feeds", ())), "sitemaps": tuple(data.get("sitemaps", ())),
                     "listings": tuple(Listing(**item) for item in data.get("listings", ()))})


def rss_mb() -> float:
    import psutil

    return psutil.Process().memory_info().rss / 2**20


class Worker:
    """Runs source runs in one reactor; everything here runs in the reactor thread
    except ``_read_commands`` (stdin), which hands each command over with callFromThread."""

    def __init__(self, cfg: dict[str, Any], out=None):
        from scrapy.crawler import CrawlerProcess

        from spiders.scrapy_settings import scrapy_settings
        from storage.db import open_db

        self.cfg = cfg
        self.out = out or sys.stdout
        self.base = scrapy_settings(cfg)
        levels = {n: logging.getLogger(n).level for n in ("scrapy", "twisted", "py.warnings")}
        self.process = CrawlerProcess(self.base)
        for name, level in levels.items():
            logging.getLogger(name).setLevel(level)
        self.db = open_db(cfg["db_path"])
        self.active: dict[int, tuple] = {}     # run id -> (its SourceResult, its crawlers)
        self.pages = 0                          # pages fetched over the worker's life
        self.retiring = False
        self._out_lock = threading.Lock()

    # -- protocol ------------------------------------------------------------------
    def emit(self, **event: Any) -> None:
        with self._out_lock:
            self.out.write(json.dumps(event, ensure_ascii=False) + "\n")
            self.out.flush()

    def handle(self, msg: dict) -> None:
        op = msg.get("op")
        if op == "run":
            self.start_run(int(msg["run_id"]), source_from_dict(msg["source"]), bool(msg.get("skip_unchanged")))
        elif op == "stop":
            self.stop_run(int(msg["run_id"]))
        elif op == "retire":
            self.retiring = True
            self._maybe_exit()
        else:
            log.error("crawl worker: unknown command %r", msg)

    def _read_commands(self) -> None:
        from twisted.internet import reactor

        for line in sys.stdin:
            line = line.strip()
            if not line:
                continue
            try:
                msg = json.loads(line)
            except ValueError:
                log.error("crawl worker: unreadable command %r", line[:200])
                continue
            reactor.callFromThread(self.handle, msg)
        self.daemon_gone()

    def daemon_gone(self) -> None:
        """No one will read this worker's verdicts: exit now, writing nothing more.

        Called from the stdin thread, so a reactor busy with a long callback cannot delay
        it.  A write in flight is rolled back by SQLite; the runs stay "running" and the
        next daemon closes them as interrupted and crawls those sources again."""
        log.warning("crawl worker %d: the daemon went away; exiting with %d run(s) unrecorded",
                    os.getpid(), len(self.active))
        logging.shutdown()
        os._exit(0)

    # -- runs ----------------------------------------------------------------------
    def start_run(self, run_id: int, source, skip_unchanged: bool) -> None:
        from scrapy.crawler import Crawler
        from scrapy.settings import Settings
        from twisted.internet import defer

        from spiders.crawl import SourceResult, source_crawlers

        settings = Settings(self.base)
        # above the runner's own priority, which it merges into every crawler it starts
        settings.set("RAQIB", {**self.base["RAQIB"], "crawl_scope": f"run-{run_id}",
                               "skip_unchanged": skip_unchanged}, priority="cmdline")
        try:
            crawlers = source_crawlers(source, lambda cls: Crawler(cls, settings))
            deferreds = [self.process.crawl(c, source=source) for c in crawlers]
        except Exception as exc:  # noqa: BLE001 - one source's bad setup must not end the worker
            log.exception("%s: could not start its crawl", source.name)
            self._finish(run_id, SourceResult(source.name, run_id=run_id), [], error=repr(exc))
            return
        result = SourceResult(source.name, run_id=run_id)
        self.active[run_id] = (result, crawlers)
        log.info("%s: crawling (run %d) %s", source.name, run_id,
                 ", ".join(f"{len(getattr(source, a))} {a}" for a in ("feeds", "sitemaps", "listings")
                           if getattr(source, a)))
        done = defer.DeferredList(deferreds, consumeErrors=True)
        done.addCallback(lambda outcomes: self._ended(
            run_id, result, crawlers, error="; ".join(repr(f.value) for ok, f in outcomes if not ok)))

    def stop_run(self, run_id: int) -> None:
        """The daemon's crawl timeout: record the run with what it has now and tell its
        crawlers to stop.  Not waiting for them: Scrapy's engine stops only after its
        downloads in flight end, and a hung server holds them for download_timeout ×
        retries.  The daemon retires this worker, which exits once its other runs end."""
        from scrapy.utils.defer import deferred_from_coro

        from storage.runs import WORKER_TIMEOUT_NOTE

        entry = self.active.get(run_id)
        if entry is None:
            return
        result, crawlers = entry
        for crawler in crawlers:
            if getattr(crawler, "crawling", False):
                deferred_from_coro(crawler.stop_async()).addErrback(lambda f: None)
        # Recorded "timeout" here, not "ok": if the daemon dies before it gives its own
        # verdict, the row must still say the crawl was cut short.
        result.errors.append({"error": WORKER_TIMEOUT_NOTE})
        self._finish(run_id, result, crawlers, error="", scope_open=True, status="timeout")

    def _ended(self, run_id: int, result, crawlers: list, error: str) -> None:
        if run_id in self.active:
            self._finish(run_id, result, crawlers, error)
        else:   # stopped (and recorded) earlier; its crawl state can go now
            from raqib.claims import end_scope

            end_scope(self.cfg["db_path"], f"run-{run_id}")

    def _finish(self, run_id: int, result, crawlers: list, error: str = "", scope_open: bool = False,
                status: str = "") -> None:
        from raqib.claims import end_scope
        from spiders.crawl import finish_source

        self.active.pop(run_id, None)
        try:
            if error:
                result.errors.append({"error": f"crawl crashed: {error}"})
            finish_source(self.db, result, crawlers)
            status = "failed" if error else status
            if status:
                self.db.execute("UPDATE runs SET status = ? WHERE id = ?", [status, run_id])
                result.status = status
        except Exception:  # noqa: BLE001 - the daemon records the run as failed then
            log.exception("run %d: could not record its outcome", run_id)
        if not scope_open:
            end_scope(self.cfg["db_path"], f"run-{run_id}")
        self.pages += result.pages
        self.emit(event="done", run_id=run_id, source=result.source, status=result.status, pages=result.pages,
                  worker_pages=self.pages, rss_mb=round(rss_mb(), 1))
        self._maybe_exit()

    def _maybe_exit(self) -> None:
        """A retired worker with no run in hand exits at once: every run is recorded,
        and stopping the reactor would wait for a stopped run's hung downloads."""
        if self.retiring and not self.active:
            log.info("crawl worker %d: retired, %d pages fetched; exiting", os.getpid(), self.pages)
            logging.shutdown()
            os._exit(0)

    # -- main ----------------------------------------------------------------------
    def serve(self) -> None:
        thread = threading.Thread(target=self._read_commands, name="commands", daemon=True)
        from twisted.internet import reactor

        reactor.callWhenRunning(lambda: (thread.start(), self.emit(event="ready", pid=os.getpid())))
        # Scrapy's signal handlers: SIGTERM stops every crawl gracefully (rows written),
        # a second one stops at once.
        self.process.start(stop_after_crawl=False, install_signal_handlers=True)


def main() -> int:
    """``python -m spiders.worker``: read the config line, then serve commands."""
    first = sys.stdin.readline()
    try:
        cfg = json.loads(first)["cfg"]
    except (ValueError, KeyError, TypeError):
        print(f"crawl worker: expected a config line first, got {first[:200]!r}", file=sys.stderr)
        return 2
    from cli.logs import configure

    configure(int(cfg.pop("_verbosity", -1)))   # stderr only: the daemon relays it to its own log
    from scrapy.utils.reactor import install_reactor
    from spiders.scrapy_settings import scrapy_settings

    install_reactor(scrapy_settings(cfg).get("TWISTED_REACTOR")
                    or "twisted.internet.asyncioreactor.AsyncioSelectorReactor")
    from pipelines.dedupe import story_index
    from pipelines.filter import cached_matcher

    try:   # built before the first run, so no run's timeout pays for it
        cached_matcher(cfg["watchlists_dir"], cfg["gazetteer_path"])
        story_index(cfg["db_path"])
    except Exception as exc:  # noqa: BLE001 - each run then records the problem itself
        log.error("crawl worker: %s", exc)
    worker = Worker(cfg)
    worker.process._initialized_reactor = True   # installed above: crawlers must not install it again
    worker.serve()
    return 0


if __name__ == "__main__":
    sys.exit(main())
