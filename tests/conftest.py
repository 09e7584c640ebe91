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


@pytest.fixture
def cli_env(tmp_path):
    """Environment that keeps the HTTP cache and settings inside the test's folder."""
    return {"RAQIB_HTTP_CACHE_DIR": str(tmp_path / "httpcache")}
