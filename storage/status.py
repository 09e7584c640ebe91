"""Read-only queries behind the daemon and ``raqib status``.

The daemon needs to find the rows one crawl process wrote (by pid, after a known run
id, because the process picks its own crawl id) and the runs a killed daemon left
behind; ``raqib status`` needs each source's last run, its failure streak and the
next run time that APScheduler keeps in its own table in the same database.  The job
table is read with plain SQL (never unpickled) so a health check cannot execute code
from the job store and works without the scheduler's modules.
"""

from __future__ import annotations

import json
from datetime import datetime, timezone

import sqlite_utils

from raqib.redact import redact_text
from storage.runs import consecutive_failures, last_runs

JOBS_TABLE = "apscheduler_jobs"
JOB_PREFIX = "crawl:"


def max_run_id(db: sqlite_utils.Database) -> int:
    """The highest run id so far: rows a crawl process writes later have larger ids."""
    return db.execute("SELECT coalesce(max(id), 0) FROM runs").fetchone()[0]


def process_runs(db: sqlite_utils.Database, source: str, pid: int, after_id: int) -> list[dict]:
    """The runs one crawl process (``pid``) wrote for ``source`` since ``after_id``."""
    return list(db.query("SELECT * FROM runs WHERE id > ? AND source = ? AND pid = ? ORDER BY id",
                         [after_id, source, pid]))


def running_runs(db: sqlite_utils.Database) -> list[dict]:
    """Runs still marked "running" (their process may be alive or long gone)."""
    return list(db.query("SELECT id, source, pid, crawl_id, started_at FROM runs"
                         " WHERE status = 'running' ORDER BY id"))


def sources_last_interrupted(db: sqlite_utils.Database) -> list[str]:
    """Sources whose most recent run was interrupted (daemon stop or kill): crawl them soon."""
    return sorted(name for name, row in last_runs(db).items() if row["status"] == "interrupted")


def last_started(db: sqlite_utils.Database) -> dict[str, str]:
    """Source -> when its latest crawl started (ISO 8601; any trigger, any outcome): the
    daemon makes up at start a run that is due by this and lost from its schedule."""
    return dict(db.execute("SELECT source, max(started_at) FROM runs GROUP BY source").fetchall())


def job_id(source: str) -> str:
    return JOB_PREFIX + source


def scheduled_jobs(db: sqlite_utils.Database) -> dict[str, str | None]:
    """Source name -> next run time (ISO 8601 UTC; None when paused) from the job store."""
    if JOBS_TABLE not in db.table_names():
        return {}
    out: dict[str, str | None] = {}
    for jid, next_run in db.execute(f"SELECT id, next_run_time FROM {JOBS_TABLE}"):
        if not jid.startswith(JOB_PREFIX):
            continue
        out[jid[len(JOB_PREFIX):]] = (datetime.fromtimestamp(next_run, timezone.utc).isoformat(timespec="seconds")
                                      if next_run is not None else None)
    return out


def source_status(db: sqlite_utils.Database, sources: list[str] = (), *, threshold: int = 3) -> list[dict]:
    """One dict per source (configured, scheduled or ever run): last run, streak, next run.

    ``failing`` is true when the source failed ``threshold`` runs in a row, which is
    what makes ``raqib status`` exit non-zero for a health check.
    """
    last = last_runs(db)
    jobs = scheduled_jobs(db)
    names = sorted(set(sources) | set(last) | set(jobs))
    out = []
    for name in names:
        run = last.get(name)
        failures = consecutive_failures(db, name)
        errors = json.loads(run["errors"] or "[]") if run else []
        out.append({
            "source": name,
            "configured": name in sources,
            "scheduled": name in jobs,
            "next_run": jobs.get(name),
            "last_run": None if run is None else {
                "status": run["status"], "started_at": run["started_at"], "finished_at": run["finished_at"],
                "seconds": run["seconds"], "pages": run["pages"], "new_articles": run["new_articles"],
                "updated_articles": run["updated_articles"], "flagged": run["flagged"],
                "error_count": run["error_count"], "trigger": run["trigger"],
                "last_error": _error_text(errors[-1]) if errors else "",
            },
            "consecutive_failures": failures,
            "failing": threshold > 0 and failures >= threshold,
        })
    return out


def _error_text(err: object) -> str:
    """The error as one line for a person, with URL secrets redacted (raqib.redact)."""
    if isinstance(err, dict):
        return redact_text(str(err.get("error") or err.get("message") or json.dumps(err, ensure_ascii=False)))
    return redact_text(str(err))
