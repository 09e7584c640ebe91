"""Long-lived crawl workers (spiders/worker.py, raqib/workerpool.py) against the fixture
sites on 127.0.0.1: real worker processes, real Scrapy, real SQLite.

What must hold: one worker crawls source after source with each run recorded on its
own; a poll of an unchanged source parses nothing (its feed answers 304, its listing
pages are the same) and robots.txt is fetched once for many runs; a run after one with
errors parses everything again, so a failed article is retried; a worker killed under a
run is replaced and the source crawled again, nothing lost or stored twice; a worker
past worker_max_pages is replaced.
"""

from __future__ import annotations

import json
import os
import re
import signal
import time
from pathlib import Path
from urllib.parse import urlsplit

import psutil
import pytest

from config.settings import load_settings
from config.sources import parse_sources
from fixturesite.server import FixtureSite
from raqib.urls import url_key
from raqib.workerpool import WorkerPool
from storage.db import open_db
from storage.runs import last_run_clean, start_run
from tests.test_daemon import NEW_ARTICLE, DaemonProc, query, runs, wait_for, write_config

pytestmark = [pytest.mark.slow, pytest.mark.timeout(300)]


@pytest.fixture
def site():
    with FixtureSite(outlets=("akhbar", "bawaba")) as s:
        yield s


class Pool:
    """A WorkerPool as the daemon uses it, with the run rows the daemon writes."""

    def __init__(self, site: FixtureSite, tmp: Path, **settings):
        self.db_path = tmp / "raqib.db"
        self.cfg = load_settings(overrides={"db_path": str(self.db_path), "http_cache_dir": str(tmp / "cache"),
                                            "crawl_timeout": 120, **settings}, environ={})
        self.db = open_db(self.db_path)
        self.sources = {s.name: s for s in parse_sources(site.sources_toml(), "<fixture>")}
        self.pool = WorkerPool(self.cfg)

    def crawl(self, name: str, skip_unchanged: bool | None = None) -> dict:
        if skip_unchanged is None:
            skip_unchanged = last_run_clean(self.db, name)
        worker = self.pool.acquire()
        run_id = start_run(self.db, "t", name, pid=worker.pid, trigger="schedule")
        outcome = self.pool.run(worker, run_id, self.sources[name].as_dict(), skip_unchanged)
        assert outcome.verdict == "done", outcome
        row = next(self.db.query("SELECT * FROM runs WHERE id = ?", [run_id]))
        return {**row, "worker_pid": worker.pid}

    def stored(self, source: str) -> list[str]:
        return [r[0] for r in self.db.execute("SELECT canonical_url FROM articles WHERE source = ?", [source])]


@pytest.fixture
def pool(site, tmp_path):
    p = Pool(site, tmp_path)
    yield p
    p.pool.stop(5)


def article_requests(site: FixtureSite, outlet: str) -> list[dict]:
    paths = {urlsplit(a["url"]).path for a in site.expected_articles(outlet)}
    return [r for r in site.requests_for(outlet) if urlsplit(r["path"]).path in paths]


def test_one_worker_many_runs_unchanged_polls_parse_nothing(site, pool):
    first = pool.crawl("akhbar")
    assert first["status"] == "ok" and first["new_articles"] == len(site.expected_articles("akhbar"))
    other = pool.crawl("bawaba")
    assert other["status"] == "ok" and other["worker_pid"] == first["worker_pid"], "one worker crawls both"
    assert sorted(pool.stored("akhbar")) == sorted({url_key(a["canonical_url"]) for a in site.expected_articles("akhbar")})

    site.clear_log()
    again = pool.crawl("akhbar")
    assert again["status"] == "ok" and again["new_articles"] == 0
    assert json.loads(again["skipped"]) == {}, "nothing parsed, so no known article was even looked up"
    entries = site.requests_for("akhbar")
    assert entries and not article_requests(site, "akhbar")
    assert any(r["status"] == 304 for r in entries), entries       # the feed revalidated: 304
    assert not [r for r in entries if r["path"] == "/robots.txt"], "robots.txt is kept for its lifetime"

    url = site.add_article("akhbar", NEW_ARTICLE[0], NEW_ARTICLE[1], "2026-11-22T09:00:00+01:00")
    site.clear_log()
    changed = pool.crawl("akhbar")
    assert changed["status"] == "ok" and changed["new_articles"] == 1 and changed["flagged"] == 1
    assert url_key(url) in pool.stored("akhbar")
    assert [urlsplit(r["path"]).path for r in article_requests(site, "akhbar")] == [urlsplit(url).path]


def test_after_a_run_with_errors_everything_is_parsed_again(site, pool):
    victim = site.expected_articles("akhbar")[0]
    site.set_fault("akhbar", urlsplit(victim["url"]).path, "status", code=404)
    broken = pool.crawl("akhbar")
    assert broken["error_count"] >= 1 and url_key(victim["canonical_url"]) not in pool.stored("akhbar")
    assert not last_run_clean(pool.db, "akhbar")
    site.clear_faults()
    retried = pool.crawl("akhbar")     # feed and listings unchanged, but the last run had an error
    assert retried["status"] == "ok" and retried["new_articles"] == 1
    assert url_key(victim["canonical_url"]) in pool.stored("akhbar")
    assert last_run_clean(pool.db, "akhbar")


def test_worker_recycled_after_max_pages(site, tmp_path):
    p = Pool(site, tmp_path, worker_max_pages=10)
    try:
        first = p.crawl("akhbar")
        assert first["pages"] > 10
        wait_for(lambda: not psutil.pid_exists(first["worker_pid"])
                 or psutil.Process(first["worker_pid"]).status() == psutil.STATUS_ZOMBIE, 60, "the old worker to exit")
        second = p.crawl("bawaba")
        assert second["status"] == "ok" and second["worker_pid"] != first["worker_pid"]
    finally:
        p.pool.stop(5)


def test_killed_worker_replaced_and_its_source_crawled_again(site, tmp_path):
    """kill -9 of the worker mid-crawl: the run is recorded failed with how the worker
    ended, the source is crawled again at once in a new worker, and every article is
    stored exactly once."""
    db = tmp_path / "raqib.db"
    config = write_config(site, tmp_path / "sources.toml", {"akhbar": 30, "bawaba": 30})
    site.set_fault("bawaba", "/news/1[5-7]*.html", "drip", chunk=64, interval=0.5)
    d = DaemonProc(tmp_path, db, config, env={"RAQIB_CONCURRENT_REQUESTS_PER_DOMAIN": "8"})
    try:
        def mid_crawl():
            running = runs(db, "bawaba", "running")
            stored = query(db, "SELECT count(*) FROM articles WHERE source = 'bawaba'")
            return running if running and stored and stored[0][0] >= 3 else None

        victim = wait_for(mid_crawl, 120, "bawaba mid-crawl with some articles stored", d)[0]
        os.kill(victim["pid"], signal.SIGKILL)
        site.clear_faults()
        again = wait_for(lambda: [r for r in runs(db, "bawaba", "ok") if r["id"] > victim["id"]], 120,
                         "bawaba crawled again", d)[0]
        assert again["pid"] != victim["pid"]
        failed = [r for r in runs(db, "bawaba") if r["id"] == victim["id"]][0]
        assert failed["status"] == "failed"
        assert f"crawl worker {victim['pid']} was killed by SIGKILL" in failed["errors"]
        assert "bawaba: crawling it again in a new worker" in d.log
        urls = [r[0] for r in query(db, "SELECT canonical_url FROM articles WHERE source = 'bawaba'")]
        assert len(urls) == len(set(urls)), "an article was stored twice"
        assert set(urls) == {url_key(a["canonical_url"]) for a in site.expected_articles("bawaba")}
        assert d.stop() == 0, d.log[-3000:]
    finally:
        d.kill_if_running()


def _run_in_thread(p: Pool, name: str):
    """Start a run of ``name`` in the pool from a thread; returns (run id, worker, outcome box)."""
    import threading

    worker = p.pool.acquire()
    run_id = start_run(p.db, "t", name, pid=worker.pid, trigger="schedule")
    box: dict = {}
    thread = threading.Thread(target=lambda: box.update(outcome=p.pool.run(
        worker, run_id, p.sources[name].as_dict(), False)), daemon=True)
    thread.start()
    return run_id, worker, box, thread


def test_daemon_gone_mid_run_leaves_the_run_running_not_ok(site, tmp_path):
    """The daemon killed with SIGKILL: its worker can read the end of its stdin before
    its own death signal.  It must exit leaving the run "running" (the next daemon closes
    it interrupted and crawls the source again), not record the cut-short run "ok"."""
    site.set_fault("bawaba", "/news/1[5-7]*.html", "drip", chunk=64, interval=0.5)
    p = Pool(site, tmp_path, concurrent_requests_per_domain=8)
    try:
        run_id, worker, box, thread = _run_in_thread(p, "bawaba")
        wait_for(lambda: len(p.stored("bawaba")) >= 3, 120, "bawaba mid-crawl with some articles stored")
        worker.proc.stdin.close()              # what the worker sees when the daemon is gone
        worker.proc.wait(60)
        thread.join(60)
        row = next(p.db.query("SELECT * FROM runs WHERE id = ?", [run_id]))
        assert row["status"] == "running", row
        assert box["outcome"].verdict == "died"
        stored = p.stored("bawaba")
        assert 3 <= len(stored) < len(site.expected_articles("bawaba"))
    finally:
        p.pool.stop(5)


def test_run_stopped_at_the_crawl_timeout_is_not_recorded_ok(site, tmp_path):
    """The worker records a run it stops at the crawl timeout as "timeout" itself, so a
    daemon that dies before giving its verdict leaves no cut-short run "ok"; the daemon's
    verdict then stands in for the worker's note (one timeout, one error)."""
    from storage.runs import WORKER_TIMEOUT_NOTE, close_runs

    site.set_fault("bawaba", "/news/1[5-7]*.html", "hang")
    p = Pool(site, tmp_path, crawl_timeout=8, crawl_stop_grace=60)
    try:
        run_id, worker, box, thread = _run_in_thread(p, "bawaba")
        thread.join(180)
        assert box["outcome"].verdict == "timeout", box
        row = next(p.db.query("SELECT * FROM runs WHERE id = ?", [run_id]))
        assert row["status"] == "timeout", row
        assert [e["error"] for e in json.loads(row["errors"])] == [WORKER_TIMEOUT_NOTE]
        close_runs(p.db, [run_id], status="timeout", include_finished=True, error="crawl timed out after 8s")
        row = next(p.db.query("SELECT * FROM runs WHERE id = ?", [run_id]))
        assert row["status"] == "timeout"
        assert [e["error"] for e in json.loads(row["errors"])] == ["crawl timed out after 8s"]
    finally:
        p.pool.stop(5)
