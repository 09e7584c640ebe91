"""Crawl runs: one row per source per crawl, with its figures and errors.

A run is written as "running" when it starts so a crash or ``kill -9`` leaves a
trace; ``mark_interrupted`` turns such rows into "interrupted" at the next start,
which is how the daemon knows to crawl that source again soon.
"""

from __future__ import annotations

import json
from datetime import datetime

import sqlite_utils

from storage.tx import now_iso, transaction

FINAL_OK = ("ok",)
# The error a crawl worker records on a run it stopped at the daemon's crawl timeout;
# the daemon's own verdict (``close_runs``) replaces it.
WORKER_TIMEOUT_NOTE = "stopped by the daemon: crawl timeout"
FAILED = ("failed", "timeout", "interrupted")


def start_run(db: sqlite_utils.Database, crawl_id: str, source: str, *, pid: int = 0,
              trigger: str = "manual") -> int:
    with transaction(db):
        cur = db.execute("INSERT INTO runs (crawl_id, source, status, started_at, pid, trigger)"
                         " VALUES (?,?,?,?,?,?)", [crawl_id, source, "running", now_iso(), pid, trigger])
        return cur.lastrowid


def finish_run(db: sqlite_utils.Database, run_id: int, *, status: str, pages: int = 0, bytes_: int = 0,
               new_articles: int = 0, updated_articles: int = 0, flagged: int = 0,
               skipped: dict | None = None, errors: list | None = None) -> None:
    errors = errors or []
    with transaction(db):
        started = db.execute("SELECT started_at FROM runs WHERE id = ?", [run_id]).fetchone()
        finished = now_iso()
        seconds = None
        if started:
            seconds = (datetime.fromisoformat(finished) - datetime.fromisoformat(started[0])).total_seconds()
        db.execute("UPDATE runs SET status=?, finished_at=?, seconds=?, pages=?, bytes=?, new_articles=?,"
                   " updated_articles=?, flagged=?, skipped=?, errors=?, error_count=? WHERE id=?",
                   [status, finished, seconds, pages, bytes_, new_articles, updated_articles, flagged,
                    json.dumps(skipped or {}, ensure_ascii=False), json.dumps(errors, ensure_ascii=False),
                    len(errors), run_id])


def fail_running(db: sqlite_utils.Database, *, source: str | None = None, crawl_id: str | None = None,
                 status: str = "interrupted", error: str = "") -> list[str]:
    """Close runs left "running" (crash, kill, timeout); returns the sources affected."""
    where, params = ["status = 'running'"], []
    if source:
        where.append("source = ?")
        params.append(source)
    if crawl_id:
        where.append("crawl_id = ?")
        params.append(crawl_id)
    with transaction(db):
        rows = db.execute(f"SELECT id, source, errors FROM runs WHERE {' AND '.join(where)}", params).fetchall()
        for run_id, src, errs in rows:
            errors = json.loads(errs or "[]") + ([{"error": error}] if error else [])
            db.execute("UPDATE runs SET status=?, finished_at=?, errors=?, error_count=? WHERE id=?",
                       [status, now_iso(), json.dumps(errors, ensure_ascii=False), len(errors), run_id])
    return sorted({r[1] for r in rows})


def last_runs(db: sqlite_utils.Database) -> dict[str, dict]:
    """The most recent finished-or-running run of each source."""
    rows = db.query("SELECT r.* FROM runs r JOIN (SELECT source, max(id) AS id FROM runs GROUP BY source) m"
                    " ON m.id = r.id")
    return {r["source"]: r for r in rows}


def consecutive_failures(db: sqlite_utils.Database, source: str, limit: int = 100) -> int:
    n = 0
    for (status,) in db.execute("SELECT status FROM runs WHERE source = ? AND status != 'running'"
                                " ORDER BY id DESC LIMIT ?", [source, limit]):
        if status in FAILED:
            n += 1
        else:
            break
    return n


def runs_for_crawl(db: sqlite_utils.Database, crawl_id: str) -> list[dict]:
    return list(db.query("SELECT * FROM runs WHERE crawl_id = ? ORDER BY id", [crawl_id]))


def close_runs(db: sqlite_utils.Database, run_ids: list[int], *, status: str, error: str = "",
               include_finished: bool = False) -> list[str]:
    """Give the daemon's verdict (timeout, crashed, interrupted) to runs of one crawl process.

    Unlike ``fail_running`` this touches only the given rows, so a manual ``raqib crawl``
    of the same source running next to the daemon is left alone.  ``include_finished``
    also relabels rows the process closed itself while being stopped (Scrapy finishes
    gracefully on SIGTERM), because their figures describe a crawl that was cut short.
    """
    if not run_ids:
        return []
    marks = ",".join("?" * len(run_ids))
    where = f"id IN ({marks})" + ("" if include_finished else " AND status = 'running'")
    with transaction(db):
        rows = db.execute(f"SELECT id, source, errors, finished_at FROM runs WHERE {where}",
                          list(run_ids)).fetchall()
        for run_id, src, errs, finished in rows:
            errors = json.loads(errs or "[]")
            if error:   # the daemon's verdict stands in for the worker's own timeout note
                errors = [e for e in errors if e.get("error") != WORKER_TIMEOUT_NOTE] + [{"error": error}]
            db.execute("UPDATE runs SET status=?, finished_at=?, errors=?, error_count=? WHERE id=?",
                       [status, finished or now_iso(), json.dumps(errors, ensure_ascii=False), len(errors),
                        run_id])
            if not finished:
                db.execute("UPDATE runs SET seconds = (julianday(finished_at) - julianday(started_at))"
                           " * 86400.0 WHERE id = ?", [run_id])
    return sorted({r[1] for r in rows})


def last_run_clean(db: sqlite_utils.Database, source: str) -> bool:
    """Did the source's latest finished run end "ok" with no error?  Only then may its
    next run skip entry points that did not change (spiders.base.entry_unchanged):
    after any error the failed articles must be found again."""
    row = db.execute("SELECT status, error_count FROM runs WHERE source = ? AND status != 'running'"
                     " ORDER BY id DESC LIMIT 1", [source]).fetchone()
    return bool(row) and row[0] == "ok" and not row[1]
