"""Child crawl processes of the daemon: start them tied to the daemon, stop them, read
how they ended.

Separate from ``scheduler`` because none of it is about scheduling: it is the POSIX
plumbing (process groups, PR_SET_PDEATHSIG, SIGTERM then SIGKILL) that keeps a hung or
orphaned crawl from outliving the daemon that started it.
"""

from __future__ import annotations

import ctypes
import logging
import os
import signal
import subprocess
import sys
import time

log = logging.getLogger("scheduler")

STDERR_TAIL = 1500                      # bytes of a crashed crawl's stderr kept in its run's error

_PR_SET_PDEATHSIG = 1
try:
    _libc = ctypes.CDLL(None, use_errno=True) if sys.platform.startswith("linux") else None
except OSError:  # pragma: no cover - exotic libc
    _libc = None


def die_with_parent(parent_pid: int):
    """preexec_fn: the child gets SIGKILL when the daemon dies, even by ``kill -9``.

    Without it an orphan crawl could keep writing after a restarted daemon has already
    marked its run interrupted.  (The signal follows the forking thread; the job thread
    waits for its child, so it cannot exit first.)
    """
    sigkill = int(signal.SIGKILL)

    def setup() -> None:
        if _libc is not None:
            _libc.prctl(_PR_SET_PDEATHSIG, sigkill, 0, 0, 0)
        if os.getppid() != parent_pid:  # the daemon died between fork and prctl
            os._exit(1)
    return setup


def _signal_group(proc: subprocess.Popen, sig: int) -> None:
    try:
        os.killpg(proc.pid, sig)
    except (ProcessLookupError, PermissionError):
        pass


def terminate(procs: list[subprocess.Popen], grace: float) -> None:
    """SIGTERM each child's process group, then SIGKILL what is left after ``grace`` seconds."""
    for proc in procs:
        _signal_group(proc, signal.SIGTERM)
    deadline = time.monotonic() + grace
    for proc in procs:
        try:
            proc.wait(timeout=max(0.0, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            log.warning("crawl process %d ignored SIGTERM for %.0fs; killing it", proc.pid, grace)
            _signal_group(proc, signal.SIGKILL)
            proc.wait()


def tail(stream) -> str:
    stream.seek(0, os.SEEK_END)
    size = stream.tell()
    stream.seek(max(0, size - STDERR_TAIL))
    return stream.read().decode("utf-8", "replace").strip()


def exit_text(returncode: int) -> str:
    if returncode < 0:
        try:
            return f"was killed by {signal.Signals(-returncode).name}"
        except ValueError:
            return f"was killed by signal {-returncode}"
    return f"exited with code {returncode}"


def pid_alive(pid: int | None) -> bool:
    """Is ``pid`` a live crawl process or crawl worker (not a zombie, not some unrelated
    reused pid)?"""
    import psutil

    if not pid or pid == os.getpid():
        return False
    try:
        proc = psutil.Process(pid)
        if proc.status() == psutil.STATUS_ZOMBIE:
            return False
        cmdline = proc.cmdline()
        return "crawl" in cmdline or "spiders.worker" in cmdline
    except (psutil.NoSuchProcess, psutil.AccessDenied):
        return False
