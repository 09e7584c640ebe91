"""Shared test fixtures: the fixture news sites on 127.0.0.1 and a real `raqib crawl`.

Crawls run as subprocesses (`python -m cli crawl`) because Twisted's reactor cannot
be restarted inside one pytest process — and because that is how the daemon runs
them too.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def run_cli(*args: str, env: dict | None = None, timeout: float = 180, check: bool = True,
            cwd: Path | None = None) -> subprocess.CompletedProcess:
    full_env = {**os.environ, "PYTHONPATH": str(ROOT), **(env or {})}
    proc = subprocess.run([sys.executable, "-m", "cli", *args], capture_output=True, text=True,
                          timeout=timeout, env=full_env, cwd=cwd or ROOT)
    if check and proc.returncode != 0:
        raise AssertionError(f"raqib {' '.join(args)} exited {proc.returncode}\n"
                             f"--- stdout\n{proc.stdout}\n--- stderr\n{proc.stderr[-4000:]}")
    return proc


def crawl_site(folder: Path, sources: str | None = None, *, env: dict | None = None, cache: str = "cache",
               timeout: float = 180, check: bool = True,
               verbose: bool = False) -> tuple[Path, subprocess.CompletedProcess]:
    """Run a real `raqib crawl` of folder/sources.toml into folder/raqib.db.

    The HTTP cache goes to folder/`cache` (plus `env`), so a test's crawls never share
    one.  `sources` is written to folder/sources.toml first; None crawls again with the
    file already there (a second crawl into the same database).  `verbose` passes -v
    for the info log lines.  Returns (the database path, the finished process).
    """
    config, db_path = folder / "sources.toml", folder / "raqib.db"
    if sources is not None:
        config.write_text(sources, encoding="utf-8")
    proc = run_cli(*(("-v",) if verbose else ()), "crawl", "--config", str(config), "--db", str(db_path),
                   env={"RAQIB_HTTP_CACHE_DIR": str(folder / cache), **(env or {})}, timeout=timeout, check=check)
    return db_path, proc


@pytest.fixture
def cli_env(tmp_path):
    """Environment that keeps the HTTP cache and settings inside the test's folder."""
    return {"RAQIB_HTTP_CACHE_DIR": str(tmp_path / "httpcache")}
