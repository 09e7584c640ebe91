"""The raqib daemon: crawl every enabled source on its own interval until stopped.

APScheduler 3.x runs one interval job per source.  The jobs and their next run times
live in the raqib SQLite database itself (``apscheduler_jobs``, SQLAlchemyJobStore),
so a restart keeps the schedule, and a run missed while the daemon was down is made
up once (coalesced) right after start.  A job never crawls in the daemon: Twisted's
reactor cannot be restarted, and a crawl that hangs or crashes must not take the
daemon with it.  Each source run goes to a long-lived crawl worker
(``spiders/worker.py``, kept by ``raqib.workerpool``) that crawls many sources at
once, so a poll does not pay for starting Scrapy and compiling the watchlists; with
``crawl_workers = 0`` each run is a ``python -m cli crawl`` process instead.  Either
way a run has a hard timeout, and crawl processes die with the daemon
(PR_SET_PDEATHSIG).

Signals: SIGTERM/SIGINT stop (children get SIGTERM, then SIGKILL after
``crawl_stop_grace``; their runs are marked "interrupted"), SIGHUP reloads settings,
sources and watchlists (an invalid config is refused and the old one keeps running).

    python scheduler.py --db raqib.db        # same as: raqib run --db raqib.db
"""

from __future__ import annotations

import logging
import os
import select as io_select
import signal
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

from apscheduler.events import EVENT_JOB_ERROR, EVENT_JOB_MAX_INSTANCES, EVENT_JOB_MISSED
from apscheduler.executors.pool import ThreadPoolExecutor
from apscheduler.jobstores.sqlalchemy import SQLAlchemyJobStore
from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.triggers.interval import IntervalTrigger

from config.settings import load_settings
from config.sources import Source, load_sources, select
from raqib.childproc import die_with_parent, exit_text, pid_alive, tail, terminate
from raqib.daemonlock import DaemonLock
from raqib.errors import ConfigError, RaqibError, StorageError
from storage.db import open_db
from storage.runs import close_runs, last_run_clean, start_run
from storage.status import (job_id, last_started, max_run_id, process_runs, running_runs, scheduled_jobs,
                            source_status, sources_last_interrupted)

log = logging.getLogger("scheduler")  # not __name__: it is "__main__" under `python scheduler.py`

JOB_FUNC = "scheduler:crawl_source"     # how the job store refers to the job function
# Overlap and missed runs are explicit (house rule 13).  misfire_grace_time=None: a run
# missed while the daemon was down is made up once after start however late it is,
# because a monitor that skips a day of news after an outage is worse than a late crawl.
JOB_OPTIONS: dict[str, Any] = {"coalesce": True, "max_instances": 1, "misfire_grace_time": None}
RUN_SOON_SECONDS = 1.0                  # interrupted sources are crawled again this soon after start
STOP_SIGNALS = (signal.SIGTERM, signal.SIGINT)

_daemon: "Daemon | None" = None         # the running daemon, reached by the module-level job function


def crawl_source(name: str) -> None:
    """The scheduled job: one crawl of source ``name`` in a child process.

    Module-level so the job store can name it as text; the daemon it works for is the
    one running in this process.
    """
    daemon = _daemon
    if daemon is None:
        log.warning("%s: job fired with no daemon running; ignored", name)
        return
    daemon.crawl(name)


def _utc(iso: str) -> datetime:
    at = datetime.fromisoformat(iso)
    return at if at.tzinfo else at.replace(tzinfo=timezone.utc)


def missed_run(next_run: datetime | None, last_start: datetime | None, interval: timedelta,
               now: datetime) -> datetime | None:
    """The run a source missed while the daemon was down or busy, to be made up at start;
    None when the stored schedule already has it right.

    APScheduler moves a job's stored next run time on when it hands the run to the
    executor, not when the crawl starts: a run that was waiting for a free crawl slot
    when the daemon was killed is lost, and the job store says "next interval" (issue
    16: up to 30 min without news).  The runs table knows better: a source is due one
    interval after its last crawl started, and at once if it never crawled.  The time
    returned is that due time moved on to the latest point of its interval grid not
    after ``now``: exactly the one run APScheduler's coalescing would keep.  Setting it
    as the job's next run time lets the scheduler's own misfire handling (``coalesce``,
    ``misfire_grace_time``) make the run up once, right after start.
    """
    if next_run is None or next_run <= now:   # paused; or past due, which APScheduler makes up itself
        return None
    due = now if last_start is None else last_start + interval
    if due > now or due >= next_run:
        return None
    return due + ((now - due) // interval) * interval


def validate_watchlists(cfg: dict) -> str | None:
    """Compile the watchlists the crawls will load, so a broken file is caught at start or
    reload instead of in every crawl; returns the problem as one line, or None."""
    from filters.loading import load_matcher

    try:
        load_matcher(cfg["watchlists_dir"], cfg["gazetteer_path"])
    except Exception as exc:  # any failure here would fail every crawl
        return " | ".join(str(exc).splitlines()) if isinstance(exc, RaqibError) else repr(exc)
    return None


# -- the daemon --------------------------------------------------------------------
class Daemon:
    """One scheduler, its crawl processes, and the signal-driven main loop."""

    def __init__(self, cfg: dict, *, settings_path: str | None = None,
                 overrides: dict[str, Any] | None = None):
        self.cfg = cfg
        self.settings_path = str(Path(settings_path).resolve()) if settings_path else None
        self.overrides = {k: v for k, v in (overrides or {}).items() if v is not None}
        self.db_path = str(Path(cfg["db_path"]).resolve())
        self.sources: dict[str, Source] = {}
        self.scheduler: BackgroundScheduler | None = None
        self._lock = threading.Lock()
        self._recall_lock = threading.Lock()
        self._children: dict[str, subprocess.Popen] = {}
        self._stopped_pids: set[int] = set()
        self._stopping = False
        self._watchlist_problem: str | None = None
        self.pool = None                    # raqib.workerpool.WorkerPool, when crawl_workers > 0
        self._alerts_stop: Any = None       # review.alerts.StopRequest shared by the alert dispatches

    # -- lifecycle -----------------------------------------------------------------
    def start(self) -> None:
        """Load the config, recover from a killed predecessor, start scheduling."""
        global _daemon
        sources = select(load_sources(self.cfg["sources_path"]))
        self._watchlist_problem = validate_watchlists(self.cfg)
        if self._watchlist_problem:  # crawls record it too; the schedule still runs
            log.error("watchlists invalid; fix them, then SIGHUP: %s",
                      self._watchlist_problem)
        self.sources = {s.name: s for s in sources}
        db = open_db(self.db_path)
        try:
            soon = self._recover(db)
            started = {name: _utc(at) for name, at in last_started(db).items()}
            if self.cfg["crawl_workers"] > 0:
                from raqib.workerpool import WorkerPool
                from storage.sources import upsert_sources

                upsert_sources(db, sources)   # a `raqib crawl` process does this itself
                self.pool = WorkerPool(self.cfg, verbosity=0 if log.isEnabledFor(logging.DEBUG) else -1)
        finally:
            db.conn.close()
        quiet = logging.getLogger().getEffectiveLevel() > logging.DEBUG
        for name in ("apscheduler.scheduler", "apscheduler.executors", "apscheduler.jobstores"):
            # job errors, misses and overlaps are logged from events below instead
            logging.getLogger(name).setLevel(logging.CRITICAL if quiet else logging.INFO)
        store = SQLAlchemyJobStore(url=f"sqlite:///{self.db_path}",
                                   engine_options={"connect_args": {"timeout": 60}})
        self.scheduler = BackgroundScheduler(
            jobstores={"default": store},
            executors={"default": ThreadPoolExecutor(max(1, self.cfg["max_concurrent_crawls"]))},
            job_defaults=JOB_OPTIONS, timezone=timezone.utc)
        self.scheduler.add_listener(self._on_event, EVENT_JOB_ERROR | EVENT_JOB_MISSED | EVENT_JOB_MAX_INSTANCES)
        _daemon = self
        self.scheduler.start(paused=True)
        self._sync_jobs(run_soon=soon, last_start=started, announce=True)
        if self.pool is not None:
            self.pool.prestart()
        self.scheduler.resume()
        log.info("daemon started (pid %d): %d sources, db %s, at most %d crawls at once, crawl timeout %ds",
                 os.getpid(), len(self.sources), self.db_path, self.cfg["max_concurrent_crawls"],
                 self.cfg["crawl_timeout"])

    def run_forever(self) -> int:
        """Start, then serve SIGTERM/SIGINT (stop) and SIGHUP (reload) until stopped.

        Signals arrive through a wakeup pipe and are handled here in the main loop, not
        in a Python signal handler, which could interrupt the loop while it holds a lock.
        """
        wake_r, wake_w = os.pipe()
        os.set_blocking(wake_w, False)
        signal.set_wakeup_fd(wake_w, warn_on_full_buffer=False)
        for sig in STOP_SIGNALS + (signal.SIGHUP,):
            signal.signal(sig, lambda *_: None)  # the wakeup pipe carries the signal number
        self.start()
        while True:
            io_select.select([wake_r], [], [])
            for signum in os.read(wake_r, 64):
                if signum in STOP_SIGNALS:
                    self.stop()
                    return 0
                if signum == signal.SIGHUP:
                    try:
                        self.reload()
                    except Exception:  # e.g. the job store locked: keep running, say so
                        log.exception("reload failed; the schedule may be partly updated")

    def stop(self) -> None:
        """Stop scheduling, stop running crawls (marked interrupted) and shut down."""
        global _daemon
        with self._lock:
            self._stopping = True
            if self._alerts_stop is not None:   # no new alert after a stop; unsent ones stay queued
                self._alerts_stop.signal = "daemon stop"
            procs = list(self._children.values())
            self._stopped_pids.update(p.pid for p in procs)
            if self.pool is not None:
                procs += self.pool.processes()
        log.info("stopping: %d crawl process(es) running", len(procs))
        if self.scheduler is not None:
            self.scheduler.pause()
            terminate(procs, self.cfg["crawl_stop_grace"])
            self.scheduler.shutdown(wait=True)  # job threads record their runs as interrupted
        _daemon = None
        log.info("daemon stopped")

    def reload(self) -> None:
        """Re-read settings, sources and watchlists; refuse (and keep the old) if invalid."""
        try:
            cfg = load_settings(self.settings_path, self.overrides)
            sources = select(load_sources(cfg["sources_path"]))
        except Exception as exc:  # a bad file must never stop the daemon
            text = " | ".join(str(exc).splitlines()) if isinstance(exc, RaqibError) else repr(exc)
            log.error("reload refused, keeping the running config: %s", text)
            return
        problem = validate_watchlists(cfg)
        if problem and not self._watchlist_problem:
            log.error("reload refused, keeping the running config: %s", problem)
            return
        if problem:  # was already broken: refusing would only keep the old sources too
            log.error("watchlists still invalid: %s", problem)
        self._watchlist_problem = problem
        for key in ("db_path", "max_concurrent_crawls", "crawl_workers"):
            if cfg[key] != self.cfg[key]:
                log.warning("setting %s changed; it takes effect after a restart", key)
                cfg[key] = self.cfg[key]
        self.cfg = cfg
        self.sources = {s.name: s for s in sources}
        if self.pool is not None:   # running runs finish in the old workers; new ones get the new settings
            from storage.sources import upsert_sources

            db = open_db(self.db_path, migrate=False)
            try:
                upsert_sources(db, sources)
            finally:
                db.conn.close()
            self.pool.cfg = cfg
            self.pool.retire_all("settings reloaded")
        changes = self._sync_jobs()
        log.info("reloaded %s: %d sources; %s", cfg["sources_path"], len(self.sources),
                 ", ".join(f"{k} {', '.join(v) or '-'}" for k, v in changes.items()))

    # -- jobs ----------------------------------------------------------------------
    def _recover(self, db) -> set[str]:
        """Close runs a killed daemon left "running"; returns sources to crawl again soon."""
        stale = running_runs(db)
        dead = [r for r in stale if not self._still_running(r["pid"])]
        for r in stale:
            if r not in dead:
                log.warning("%s: run %d is still running in live process %d; left alone",
                            r["source"], r["id"], r["pid"])
        closed = close_runs(db, [r["id"] for r in dead], status="interrupted",
                            error="crawl process gone (daemon stopped or killed); crawled again after restart")
        if closed:
            log.info("closed %d interrupted run(s) left by a previous daemon: %s", len(dead), ", ".join(closed))
        soon = set(closed) | set(sources_last_interrupted(db))
        return {s for s in soon if s in self.sources}

    @staticmethod
    def _still_running(pid: int | None, wait: float = 3.0) -> bool:
        """True if ``pid`` still runs a crawl after ``wait`` s (a killed daemon's child
        gets SIGKILL at once, but may need a moment to be gone)."""
        deadline = time.monotonic() + wait
        while pid_alive(pid):
            if time.monotonic() > deadline:
                return True
            time.sleep(0.1)
        return False

    def _trigger(self, source: Source) -> IntervalTrigger:
        return IntervalTrigger(seconds=source.interval_minutes * 60, jitter=source.jitter_seconds or None,
                               timezone=timezone.utc)

    def _sync_jobs(self, run_soon: set[str] = frozenset(), last_start: dict[str, datetime] | None = None,
                   announce: bool = False) -> dict[str, list[str]]:
        """Make the job store match the enabled sources, keeping stored next run times
        of unchanged jobs (``add_job(replace_existing=True)`` would reset them).

        At start (``last_start`` given: when each source's last crawl began) a run the
        previous daemon missed is made up once (see :func:`missed_run`).
        """
        sched = self.scheduler
        now = datetime.now(timezone.utc)
        changes: dict[str, list[str]] = {"added": [], "removed": [], "rescheduled": []}
        wanted = {job_id(name): src for name, src in self.sources.items()}
        for job in sched.get_jobs():
            if job.id.startswith("crawl:") and job.id not in wanted:
                sched.remove_job(job.id)
                changes["removed"].append(job.id[6:])
                log.info("%s: removed from the schedule", job.id[6:])
        for jid, src in wanted.items():
            trigger = self._trigger(src)
            job = sched.get_job(jid)
            if job is None:
                sched.add_job(JOB_FUNC, trigger, args=[src.name], id=jid, name=f"crawl {src.name}",
                              next_run_time=now, **JOB_OPTIONS)
                changes["added"].append(src.name)
                log.info("%s: scheduled every %gs (jitter %ds), first crawl now", src.name,
                         trigger.interval_length, src.jitter_seconds)
                continue
            if (job.trigger.interval, job.trigger.jitter) != (trigger.interval, trigger.jitter):
                job = sched.reschedule_job(jid, trigger=trigger)
                changes["rescheduled"].append(src.name)
                log.info("%s: rescheduled every %gs (jitter %ds), next run %s", src.name,
                         trigger.interval_length, src.jitter_seconds, job.next_run_time.isoformat(timespec="seconds"))
            fixes = {k: v for k, v in JOB_OPTIONS.items() if getattr(job, k) != v}
            if job.func_ref != JOB_FUNC or list(job.args) != [src.name]:
                fixes.update(func=JOB_FUNC, args=[src.name])
            if fixes:
                job = sched.modify_job(jid, **fixes)
            soon = now + timedelta(seconds=RUN_SOON_SECONDS)
            if src.name in run_soon and (job.next_run_time is None or job.next_run_time > soon):
                job = sched.modify_job(jid, next_run_time=soon)
                log.info("%s: was interrupted; crawling again in %gs", src.name, RUN_SOON_SECONDS)
            elif last_start is not None and (missed := missed_run(job.next_run_time, last_start.get(src.name),
                                                                  trigger.interval, now)):
                job = sched.modify_job(jid, next_run_time=missed)
                log.info("%s: due since %s (missed while the daemon was down or busy); crawling it once now",
                         src.name, missed.isoformat(timespec="seconds"))
            elif announce:
                log.info("%s: next run %s", src.name,
                         job.next_run_time.isoformat(timespec="seconds") if job.next_run_time else "paused")
        return changes

    def _on_event(self, event) -> None:
        if event.code == EVENT_JOB_ERROR:
            exc = event.exception
            log.error("job %s failed: %r", event.job_id, exc, exc_info=(type(exc), exc, exc.__traceback__))
        elif event.code == EVENT_JOB_MISSED:
            log.warning("job %s missed its run at %s", event.job_id, event.scheduled_run_time)
        elif event.code == EVENT_JOB_MAX_INSTANCES:
            log.info("%s: previous crawl still running (or waiting for a free slot); run skipped",
                     event.job_id[6:])

    # -- one crawl -----------------------------------------------------------------
    def _command(self, name: str) -> list[str]:
        cmd = [sys.executable, "-m", "cli"]
        if self.settings_path:
            cmd += ["--settings", self.settings_path]
        return cmd + ["crawl", "--source", name, "--config", str(Path(self.cfg["sources_path"]).resolve()),
                      "--db", self.db_path, "--trigger", "schedule"]

    def crawl(self, name: str) -> None:
        """Run one crawl of ``name`` (in a crawl worker, or its own process), enforce the
        timeout, record the outcome."""
        if self.pool is not None:
            return self._crawl_in_worker(name)
        db = open_db(self.db_path, migrate=False)
        stderr = tempfile.TemporaryFile()
        try:
            with self._lock:
                if self._stopping:
                    return
                if name not in self.sources:
                    log.info("%s: no longer in the sources config; skipped", name)
                    return
                before = max_run_id(db)
                env = {**os.environ, "RAQIB_LOG_FILE": ""}  # the daemon owns the log file
                proc = subprocess.Popen(self._command(name), stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                                        stderr=stderr, env=env, start_new_session=True,
                                        preexec_fn=die_with_parent(os.getpid()))
                self._children[name] = proc
            timeout = self.cfg["crawl_timeout"]
            log.debug("%s: crawl started (pid %d)", name, proc.pid)
            verdict = None
            try:
                proc.wait(timeout=timeout if timeout > 0 else None)
            except subprocess.TimeoutExpired:
                verdict = "timeout"
                log.warning("%s: crawl still running after %ds; stopping it (pid %d)", name, timeout, proc.pid)
                terminate([proc], self.cfg["crawl_stop_grace"])
            finally:
                with self._lock:
                    self._children.pop(name, None)
                    if proc.pid in self._stopped_pids:
                        self._stopped_pids.discard(proc.pid)
                        verdict = verdict or "interrupted"
            self._record(db, name, proc, before, verdict, tail(stderr))
            self._send_alerts(db, name)
            self._recall(db, name)
        finally:
            stderr.close()
            db.conn.close()

    def _crawl_in_worker(self, name: str) -> None:
        """One source run in a crawl worker.  A run whose worker died under it (crash,
        OOM killer, killed as stuck) is recorded failed and crawled once more at once
        in another worker: the other sources of a dead worker must not wait a whole
        interval for a fault that was not theirs."""
        db = open_db(self.db_path, migrate=False)
        try:
            for attempt in (1, 2):
                with self._lock:
                    if self._stopping:
                        return
                    source = self.sources.get(name)
                if source is None:
                    log.info("%s: no longer in the sources config; skipped", name)
                    return
                skip_unchanged = last_run_clean(db, name)
                worker = self.pool.acquire()
                run_id = start_run(db, "worker-" + uuid.uuid4().hex[:8], name, pid=worker.pid, trigger="schedule")
                outcome = self.pool.run(worker, run_id, source.as_dict(), skip_unchanged)
                retry = self._record_outcome(db, name, run_id, outcome) and attempt == 1
                self._send_alerts(db, name)
                self._recall(db, name)
                if not retry:
                    return
                log.warning("%s: crawling it again in a new worker", name)
        finally:
            db.conn.close()

    def _record_outcome(self, db, name: str, run_id: int, outcome) -> bool:
        """Give the run the daemon's verdict; True when it failed for the worker's sake."""
        failed_by_worker = False
        if outcome.verdict == "timeout":
            close_runs(db, [run_id], status="timeout", include_finished=True,
                       error=f"crawl timed out after {self.cfg['crawl_timeout']}s; "
                             f"stopped in crawl worker {outcome.worker_pid}")
        elif outcome.verdict == "died" and self._stopping:
            close_runs(db, [run_id], status="interrupted", include_finished=True,
                       error="daemon stopped during the crawl; crawled again after restart")
        elif outcome.verdict == "died":
            failed_by_worker = bool(close_runs(db, [run_id], status="failed", error=outcome.detail))
        else:
            close_runs(db, [run_id], status="failed", error="the crawl worker ended the run without recording it")
        for r in db.query("SELECT * FROM runs WHERE id = ?", [run_id]):
            level = logging.INFO if r["status"] in ("ok", "partial") else logging.WARNING
            log.log(level, "crawl %s: %s in %.1fs — %d pages, %d new, %d flagged, %d errors", name, r["status"],
                    r["seconds"] or 0.0, r["pages"] or 0, r["new_articles"] or 0, r["flagged"] or 0,
                    r["error_count"] or 0)
        return failed_by_worker

    def _send_alerts(self, db, name: str) -> None:
        """Send alerts for new flags right after a crawl, so analysts hear within a cycle.

        The outbox (``storage.alerts``) makes this safe with crawls finishing in
        parallel and across restarts: each flag is claimed once and never sent twice.
        A failing channel is logged and retried after the next crawl; it never stops
        the schedule.
        """
        from review.alerts import StopRequest, dispatch_pending

        try:
            with self._lock:
                if self._alerts_stop is None:
                    self._alerts_stop = StopRequest()
                if self._stopping:
                    return
            stats = dispatch_pending(db, self.cfg, stop=self._alerts_stop)
        except Exception as exc:  # noqa: BLE001 - alerts must never kill a crawl job
            log.error("alerts after crawl %s failed: %s", name, exc)
            return
        if stats.enqueued or stats.sent or stats.retried or stats.failed:
            level = logging.WARNING if stats.retried or stats.failed else logging.INFO
            log.log(level, "alerts after crawl %s: %d new, sent %s, to retry %s, given up %s%s", name,
                    stats.enqueued, stats.sent or 0, stats.retried or 0, stats.failed or 0,
                    f" ({'; '.join(stats.errors[:3])})" if stats.errors else "")

    def _recall(self, db, name: str) -> None:
        """After a crawl: index new articles for search, retrain the relevance model when
        model_retrain_after verdicts arrived, score new articles (and flag with the model
        when model_flag_probability is set).  Serialised by a lock: crawls end in parallel.
        Without a model and with no retraining due, scikit-learn is not even imported."""
        from storage.relevance import latest_model, reviews_since
        from storage.search import sync_index

        try:
            with self._recall_lock:
                if self._stopping:
                    return
                sync_index(db)
                info = latest_model(db, with_blob=False)
                every = self.cfg["model_retrain_after"]
                due = every > 0 and reviews_since(db, info["review_log_id"] if info else 0) >= every
                if (info is None and not due) or self._stopping:
                    return
                from relevance.train import apply_flags, ensure_scores, retrain_if_due

                # retrain_if_due decides: verdicts due, or a model of an older feature set
                trained = retrain_if_due(db, self.cfg)
                if trained:
                    log.info("relevance model %d retrained after crawl %s (%s)", trained["id"], name,
                             trained["sizes"])
                ensure_scores(db)
                apply_flags(db, self.cfg["model_flag_probability"])
        except Exception as exc:  # noqa: BLE001 - recall upkeep must never kill a crawl job
            log.error("search index / relevance model after crawl %s failed: %s", name, exc)

    def _record(self, db, name: str, proc: subprocess.Popen, before: int, verdict: str | None,
                tail: str) -> None:
        rows = process_runs(db, name, proc.pid, before)
        ids = [r["id"] for r in rows]

        def ensure_row() -> list[int]:
            # the process died before it wrote a run: record one so `raqib status` sees it
            return ids or [start_run(db, "daemon-" + uuid.uuid4().hex[:8], name, pid=proc.pid, trigger="schedule")]

        if verdict == "timeout":
            close_runs(db, ensure_row(), status="timeout", include_finished=True,
                       error=f"crawl timed out after {self.cfg['crawl_timeout']}s; process killed")
        elif verdict == "interrupted":
            close_runs(db, ids, status="interrupted", include_finished=True,
                       error="daemon stopped during the crawl; crawled again after restart")
        elif proc.returncode != 0 and (not rows or any(r["status"] == "running" for r in rows)):
            close_runs(db, ensure_row(), status="failed",
                       error=f"crawl process {exit_text(proc.returncode)}: {tail or '(no output)'}")
        if tail and log.isEnabledFor(logging.DEBUG):
            log.debug("%s: crawl process output (tail):\n%s", name, tail)
        for r in process_runs(db, name, proc.pid, before):
            level = logging.INFO if r["status"] in ("ok", "partial") else logging.WARNING
            log.log(level, "crawl %s: %s in %.1fs — %d pages, %d new, %d flagged, %d errors", name, r["status"],
                    r["seconds"] or 0.0, r["pages"] or 0, r["new_articles"] or 0, r["flagged"] or 0,
                    r["error_count"] or 0)


def run_daemon(cfg: dict, *, settings_path: str | None = None, overrides: dict | None = None) -> int:
    """Run the daemon in this process until SIGTERM/SIGINT; returns the exit code.

    The database's lock is taken first, before anything is read or written, so a second
    daemon on the same database stops at once with :class:`~raqib.errors.DaemonRunning`
    naming the first one's pid, instead of crawling every source a second time.
    """
    with DaemonLock(cfg["db_path"]):
        return Daemon(cfg, settings_path=settings_path, overrides=overrides).run_forever()


def status_report(cfg: dict, *, config_given: bool = False) -> list[dict]:
    """Per source: last run, failures in a row, next run (see ``storage.status.source_status``).

    Sources come from the job store and the runs table, plus the config when it is
    given (it must then load) or when nothing was ever scheduled in this database.
    """
    db_path = Path(cfg["db_path"])
    if not db_path.exists():
        raise StorageError(f"{db_path}: no database here (set --db or db_path)")
    db = open_db(db_path)
    try:
        names: list[str] = []
        # Without --config, a database the daemon has scheduled is described by its own
        # job store; the default config is only a guess for a database never scheduled.
        if config_given or not scheduled_jobs(db):
            try:
                names = [s.name for s in select(load_sources(cfg["sources_path"]))]
            except ConfigError:
                if config_given:
                    raise
        return source_status(db, names, threshold=cfg["failure_threshold"])
    finally:
        db.conn.close()


if __name__ == "__main__":
    # Re-enter through the importable module so jobs are stored as 'scheduler:crawl_source'
    # and find the daemon there, and the options are exactly those of `raqib run`.
    from cli.main import main as _main

    sys.argv[1:1] = ["run"]
    _main()
