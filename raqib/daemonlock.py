"""One daemon per database: an exclusive ``flock`` on a lock file next to the database.

Two daemons on one database would crawl every source twice at once.  ``flock`` is the
right tool because the kernel drops the lock when its holder dies, even by ``kill -9``
or a power cut, so a stale lock can never block a restart and no pid has to be probed.
The holder writes its pid into the file only so that a second daemon can name it.

(Written over ``fcntl`` rather than the ``filelock`` package: that is not one of our
dependencies, and its Unix lock truncates the file on open, so it cannot carry the
holder's pid.)
"""

from __future__ import annotations

import fcntl
import logging
import os
import time
from pathlib import Path

from raqib.errors import DaemonRunning

log = logging.getLogger("scheduler")

PID_READ_WAIT = 2.0     # seconds a refused daemon waits for the holder to write its pid


def lock_path(db_path: str | os.PathLike) -> Path:
    """The lock file of a database: ``raqib.db`` → ``raqib.db.lock`` in the same folder."""
    return Path(str(Path(db_path).resolve()) + ".lock")


class DaemonLock:
    """Held for the daemon's whole life: ``with DaemonLock(db_path): ...``.

    Raises :class:`~raqib.errors.DaemonRunning` naming the holder's pid when another
    live process holds it.  The file is left in place on release (removing it would let
    a third process lock a fresh inode while a second still waits on the old one).
    """

    def __init__(self, db_path: str | os.PathLike):
        self.db_path = Path(db_path).resolve()
        self.path = lock_path(db_path)
        self._fd: int | None = None

    def acquire(self) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)   # close-on-exec: crawls do not inherit it
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = _read_pid(fd)
            os.close(fd)
            who = f"pid {holder}" if holder else "pid unknown"
            raise DaemonRunning(f"{self.db_path}: another raqib daemon ({who}) is already running on this"
                                f" database (lock file {self.path}); stop it first or use another --db") from None
        except BaseException:
            os.close(fd)
            raise
        os.ftruncate(fd, 0)
        os.pwrite(fd, f"{os.getpid()}\n".encode(), 0)
        self._fd = fd

    def release(self) -> None:
        if self._fd is None:
            return
        try:
            os.ftruncate(self._fd, 0)
        finally:
            os.close(self._fd)     # closing the descriptor drops the flock
            self._fd = None

    def __enter__(self) -> "DaemonLock":
        self.acquire()
        return self

    def __exit__(self, *exc) -> None:
        self.release()


def _read_pid(fd: int) -> int | None:
    """The holder's pid; it may not be written yet if the holder has just locked."""
    deadline = time.monotonic() + PID_READ_WAIT
    while True:
        text = os.pread(fd, 32, 0).decode("ascii", "replace").strip()
        if text.isdigit():
            return int(text)
        if time.monotonic() > deadline:
            return None
        time.sleep(0.05)
