"""Bench: does the daemon's own memory stay flat over many crawl cycles?

Starts the fixture sites on 127.0.0.1 and `python -m cli run` against them with very
short intervals, counts finished scheduled crawls ("cycles") in the runs table, and
prints the daemon's resident memory (psutil RSS of the daemon process only; crawl
children are separate processes and excluded) at cycle 10 and at the last cycle.  A
leak per crawl (threads, file handles, job store sessions, log records) shows as
growth between the two figures.  Not run by CI.

    .venv/bin/python bench/bench_daemon_memory.py [--cycles 200] [--interval 0.01]
"""

from __future__ import annotations

import argparse
import os
import signal
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import psutil  # noqa: E402

from fixturesite.server import FixtureSite  # noqa: E402


def finished_cycles(db: Path) -> int:
    if not db.exists():
        return 0
    conn = sqlite3.connect(db, timeout=30)
    try:
        return conn.execute("SELECT count(*) FROM runs WHERE trigger = 'schedule' AND status != 'running'").fetchone()[0]
    except sqlite3.OperationalError:
        return 0
    finally:
        conn.close()


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--cycles", type=int, default=200, help="finished crawls to wait for")
    ap.add_argument("--first", type=int, default=10, help="cycle at which the baseline is taken")
    ap.add_argument("--interval", type=float, default=0.01, help="interval_minutes of every source")
    ap.add_argument("--outlets", default="akhbar,bawaba", help="fixture outlets to crawl")
    args = ap.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="raqib-bench-daemon-"))
    db, config, log_path = tmp / "bench.db", tmp / "sources.toml", tmp / "daemon.log"
    outlets = tuple(args.outlets.split(","))
    with FixtureSite(outlets=outlets) as site:
        config.write_text(site.sources_toml(list(outlets)).replace(
            "interval_minutes = 30", f"interval_minutes = {args.interval}\njitter_seconds = 0"), encoding="utf-8")
        env = {**os.environ, "PYTHONPATH": str(ROOT), "RAQIB_HTTP_CACHE_DIR": str(tmp / "httpcache")}
        with log_path.open("wb") as log:
            daemon = subprocess.Popen([sys.executable, "-m", "cli", "run", "--db", str(db), "--config", str(config)],
                                      cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=log)
            proc = psutil.Process(daemon.pid)
            started = time.monotonic()
            marks: dict[int, tuple[int, float, int]] = {}
            try:
                while len(marks) < 2:
                    if daemon.poll() is not None:
                        sys.exit(f"daemon exited {daemon.returncode}; log: {log_path}")
                    n = finished_cycles(db)
                    for mark in (args.first, args.cycles):
                        if n >= mark and mark not in marks:
                            marks[mark] = (proc.memory_info().rss, time.monotonic() - started, proc.num_threads())
                            print(f"cycle {n:>4} (target {mark}): daemon RSS {marks[mark][0] / 2**20:.1f} MiB,"
                                  f" {marks[mark][2]} threads, {marks[mark][1]:.0f}s", flush=True)
                    time.sleep(0.5)
            finally:
                daemon.send_signal(signal.SIGTERM)
                rc = daemon.wait(timeout=30)
    (rss1, _, _), (rss2, elapsed, _) = marks[args.first], marks[args.cycles]
    print(f"RSS at cycle {args.first}: {rss1 / 2**20:.1f} MiB; at cycle {args.cycles}: {rss2 / 2**20:.1f} MiB;"
          f" growth {(rss2 - rss1) / 2**20:+.1f} MiB over {args.cycles - args.first} cycles"
          f" ({elapsed:.0f}s); daemon exit code {rc}; log {log_path}")


if __name__ == "__main__":
    main()
