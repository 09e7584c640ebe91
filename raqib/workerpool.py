"""The daemon's side of the long-lived crawl workers (``spiders/worker.py``).

The pool keeps up to ``crawl_workers`` worker processes, hands each source run to the
least busy one, and waits for its outcome in the scheduler's job thread, so the daemon
keeps one job thread per running crawl exactly as it did with a process per crawl.

What can go wrong, and what the pool does about it:
- a run outlives ``crawl_timeout``: the worker is told to stop that run's crawlers (the
  other runs go on); the worker is then retired (it takes no new run and exits once its
  runs end), so nothing a hung download left behind lingers in it;
- the worker does not answer that stop within ``crawl_stop_grace`` (its reactor is
  stuck): it is killed, and every run it had ends with the verdict "died";
- the worker dies (crash, OOM killer, ``kill``): its runs end with "died", and the
  daemon records them failed and crawls those sources again soon;
- a worker that fetched ``worker_max_pages`` pages or grew past ``worker_max_rss_mb``
  is recycled: retired, and replaced on the next dispatch.
Workers die with the daemon (PR_SET_PDEATHSIG), like the crawl processes before them.
"""

from __future__ import annotations

import json
import logging
import os
import re
import subprocess
import sys
import threading
from collections import deque
from dataclasses import dataclass, field
from typing import Any

from raqib.childproc import die_with_parent, exit_text, terminate

log = logging.getLogger("scheduler")

COMMAND = [sys.executable, "-m", "spiders.worker"]
_LEVEL = re.compile(r"^\S+ \S+ (DEBUG|INFO|WARNING|ERROR|CRITICAL)\s")


@dataclass
class Outcome:
    """How one source run in a worker ended, as far as the daemon can tell."""

    verdict: str                 # "done" | "timeout" | "died"
    worker_pid: int
    detail: str = ""             # for "died": how the worker ended and its last output
    event: dict = field(default_factory=dict)


class _Waiter:
    def __init__(self) -> None:
        self.ready = threading.Event()
        self.outcome: Outcome | None = None

    def finish(self, outcome: Outcome) -> None:
        if self.outcome is None:
            self.outcome = outcome
        self.ready.set()


class Worker:
    """One worker process: its pipes, its runs in hand, and the threads reading it."""

    def __init__(self, cfg: dict[str, Any], command: list[str], verbosity: int, pool: "WorkerPool"):
        self.pool = pool
        self.proc = subprocess.Popen(command, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                     stderr=subprocess.PIPE, start_new_session=True,
                                     env={**os.environ, "RAQIB_LOG_FILE": ""},
                                     preexec_fn=die_with_parent(os.getpid()))
        self.pid = self.proc.pid
        self.runs: dict[int, _Waiter] = {}
        self.retiring = False
        self.alive = True
        self.pages = 0
        self.rss_mb = 0.0
        self.ready = threading.Event()     # the worker has built its matcher and takes runs
        self._write_lock = threading.Lock()
        self._tail: deque[str] = deque(maxlen=20)
        self.send({"op": "config", "cfg": {**cfg, "_verbosity": verbosity}})
        threading.Thread(target=self._read_events, name=f"worker-{self.pid}-out", daemon=True).start()
        threading.Thread(target=self._read_log, name=f"worker-{self.pid}-err", daemon=True).start()

    def send(self, msg: dict) -> bool:
        with self._write_lock:
            try:
                self.proc.stdin.write((json.dumps(msg, ensure_ascii=False) + "\n").encode("utf-8"))
                self.proc.stdin.flush()
                return True
            except (BrokenPipeError, OSError, ValueError):
                return False

    def _read_events(self) -> None:
        for raw in self.proc.stdout:
            try:
                event = json.loads(raw)
            except ValueError:
                continue
            if event.get("event") == "done":
                self.pool._done(self, event)
            elif event.get("event") == "ready":
                self.ready.set()
        self.proc.wait()
        self.ready.set()
        self.pool._gone(self)

    def _read_log(self) -> None:
        """Relay the worker's log lines into the daemon's log, keeping the last few for
        the error of a run the worker took down with it."""
        level = logging.WARNING
        for raw in self.proc.stderr:
            line = raw.decode("utf-8", "replace").rstrip()
            if not line:
                continue
            self._tail.append(line)
            m = _LEVEL.match(line)
            if m:     # a line without the prefix continues the previous record
                level = getattr(logging, m.group(1))
            log.log(level, "worker %d| %s", self.pid, line[m.end():] if m else line)

    def tail(self) -> str:
        return " | ".join(self._tail)[-1500:]


class WorkerPool:
    def __init__(self, cfg: dict[str, Any], command: list[str] | None = None, verbosity: int = -1):
        self.cfg = cfg
        self.command = command or COMMAND
        self.verbosity = verbosity
        self.workers: list[Worker] = []
        self._lock = threading.Lock()

    # -- dispatch ------------------------------------------------------------------
    def acquire(self) -> Worker:
        """The worker the next run goes to: the least busy one, or a new one while
        fewer than ``crawl_workers`` are taking runs."""
        with self._lock:
            taking = [w for w in self.workers if w.alive and not w.retiring]
            idle_enough = min(taking, key=lambda w: len(w.runs), default=None)
            if idle_enough is None or (len(taking) < self.cfg["crawl_workers"] and idle_enough.runs):
                worker = Worker(self.cfg, self.command, self.verbosity, self)
                self.workers.append(worker)
                log.info("crawl worker %d started (%d running)", worker.pid, len(taking) + 1)
                return worker
            return idle_enough

    def prestart(self, timeout: float = 120) -> None:
        """Start every worker and wait until they take runs, so the first runs of the
        schedule do not wait for Scrapy's imports and the watchlist automaton."""
        with self._lock:
            while len([w for w in self.workers if w.alive]) < self.cfg["crawl_workers"]:
                worker = Worker(self.cfg, self.command, self.verbosity, self)
                self.workers.append(worker)
                log.info("crawl worker %d started", worker.pid)
            workers = list(self.workers)
        for worker in workers:
            if not worker.ready.wait(timeout):
                log.warning("crawl worker %d not ready after %ds", worker.pid, timeout)

    def run(self, worker: Worker, run_id: int, source: dict, skip_unchanged: bool) -> Outcome:
        """Hand one source run to ``worker`` and wait for its outcome (in the job thread)."""
        waiter = _Waiter()
        # A run's timeout counts from when the worker takes runs, not from its start-up
        # (imports, the watchlist automaton); a worker that never gets ready is stuck.
        if not worker.ready.wait(max(60, self.cfg["crawl_timeout"])):
            log.warning("crawl worker %d not ready after %ds; killing it", worker.pid,
                        max(60, self.cfg["crawl_timeout"]))
            terminate([worker.proc], 0)
        with self._lock:
            if not worker.alive:
                return Outcome("died", worker.pid, f"crawl worker {worker.pid} was gone before the run started")
            worker.runs[run_id] = waiter
        if not worker.send({"op": "run", "run_id": run_id, "source": source, "skip_unchanged": skip_unchanged}):
            waiter.ready.wait()       # the pipe broke: the worker is dying; _gone finishes the waiter
            return waiter.outcome
        timeout = self.cfg["crawl_timeout"]
        if waiter.ready.wait(timeout if timeout > 0 else None):
            return waiter.outcome
        log.warning("run %d still running after %ds; stopping it in crawl worker %d", run_id, timeout, worker.pid)
        self.retire(worker, "a run in it timed out")
        worker.send({"op": "stop", "run_id": run_id})
        if not waiter.ready.wait(self.cfg["crawl_stop_grace"]):
            log.warning("crawl worker %d did not stop run %d within %ds; killing it", worker.pid, run_id,
                        self.cfg["crawl_stop_grace"])
            terminate([worker.proc], 0)
            waiter.ready.wait()
        outcome = waiter.outcome
        return Outcome("timeout", worker.pid, outcome.detail, outcome.event)

    def retire(self, worker: Worker, why: str) -> None:
        with self._lock:
            if worker.retiring or not worker.alive:
                return
            worker.retiring = True
        log.info("crawl worker %d retired (%s); a new one takes the next runs", worker.pid, why)
        worker.send({"op": "retire"})

    def retire_all(self, why: str) -> None:
        for worker in list(self.workers):
            self.retire(worker, why)

    def processes(self) -> list[subprocess.Popen]:
        with self._lock:
            return [w.proc for w in self.workers if w.alive]

    def stop(self, grace: float) -> None:
        """SIGTERM every worker (each stops its runs gracefully), SIGKILL after ``grace``."""
        terminate(self.processes(), grace)

    # -- events from the reader threads -------------------------------------------
    def _done(self, worker: Worker, event: dict) -> None:
        with self._lock:
            waiter = worker.runs.pop(int(event["run_id"]), None)
            worker.pages = int(event.get("worker_pages", worker.pages))
            worker.rss_mb = float(event.get("rss_mb", worker.rss_mb))
        if waiter is not None:
            waiter.finish(Outcome("done", worker.pid, event=event))
        max_pages, max_rss = self.cfg["worker_max_pages"], self.cfg["worker_max_rss_mb"]
        if max_pages and worker.pages >= max_pages:
            self.retire(worker, f"{worker.pages} pages fetched, setting worker_max_pages {max_pages}")
        elif max_rss and worker.rss_mb >= max_rss:
            self.retire(worker, f"{worker.rss_mb:.0f} MB resident, setting worker_max_rss_mb {max_rss}")

    def _gone(self, worker: Worker) -> None:
        with self._lock:
            worker.alive = False
            waiters = list(worker.runs.items())
            worker.runs.clear()
            self.workers = [w for w in self.workers if w is not worker]
        code = worker.proc.returncode
        detail = f"crawl worker {worker.pid} {exit_text(code)}: {worker.tail() or '(no output)'}"
        if waiters:
            log.warning("crawl worker %d %s with %d run(s) in hand", worker.pid, exit_text(code), len(waiters))
        else:
            log.info("crawl worker %d %s", worker.pid, exit_text(code))
        for _, waiter in waiters:
            waiter.finish(Outcome("died", worker.pid, detail))
