"""Scale-out mode: 2 crawl workers and 1 store writer share one crawl through a Redis
server this test starts on 127.0.0.1 (and stops), against the fixture sites on
127.0.0.1.  One worker is killed with SIGKILL while it is fetching articles: nothing is
lost (every article stored, once), no article is fetched twice except those the killed
worker was still receiving, and those were finished by the other worker.
"""

from __future__ import annotations

import os
import pickle
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from fixturesite.server import FixtureSite
from raqib.urls import url_key
from tests.conftest import ROOT
from tests.test_daemon import query, wait_for

pytestmark = [pytest.mark.slow, pytest.mark.timeout(300),
              pytest.mark.skipif(not shutil.which("redis-server"), reason="redis-server not installed")]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def redis_url(tmp_path):
    port = free_port()
    proc = subprocess.Popen(["redis-server", "--bind", "127.0.0.1", "--port", str(port), "--save", "",
                             "--appendonly", "no", "--dir", str(tmp_path)],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    import redis

    client = redis.Redis(host="127.0.0.1", port=port)
    wait_for(lambda: _pings(client), 30, "redis-server to answer")
    yield f"redis://127.0.0.1:{port}/0"
    proc.terminate()
    proc.wait(timeout=30)


def _pings(client) -> bool:
    try:
        return client.ping()
    except Exception:  # noqa: BLE001 - not up yet
        return False


class Proc:
    def __init__(self, tmp: Path, tag: str, *args: str, env: dict | None = None):
        self.log_path = tmp / f"{tag}.log"
        self._log = self.log_path.open("wb")
        self.proc = subprocess.Popen([sys.executable, "-m", "cli", *args], cwd=ROOT, stdout=subprocess.DEVNULL,
                                     stderr=self._log, env={**os.environ, "PYTHONPATH": str(ROOT), **(env or {})})

    @property
    def log(self) -> str:
        return self.log_path.read_text(encoding="utf-8", errors="replace")

    def stop(self, sig=signal.SIGTERM, timeout: float = 60) -> int:
        if self.proc.poll() is None:
            self.proc.send_signal(sig)
            try:
                self.proc.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self._log.close()
        return self.proc.returncode


@pytest.mark.timeout(600)     # both workers must start (Scrapy's import) before either runs dry
def test_two_workers_one_writer_killed_worker_loses_nothing(tmp_path, redis_url):
    db = tmp_path / "raqib.db"
    with FixtureSite(outlets=("akhbar", "bawaba")) as site:
        config = tmp_path / "sources.toml"
        config.write_text(site.sources_toml(), encoding="utf-8")
        expected = {url_key(a["canonical_url"]) for o in ("akhbar", "bawaba") for a in site.expected_articles(o)}
        article_paths = {urlsplit(a["url"]).path for o in ("akhbar", "bawaba") for a in site.expected_articles(o)}
        # articles trickle in, one at a time per worker and source spider, so both workers
        # get a share of the queue and the killed one is surely mid-fetch
        for outlet in ("akhbar", "bawaba"):
            for a in site.expected_articles(outlet):
                site.set_fault(outlet, urlsplit(a["url"]).path, "drip", chunk=512, interval=0.25)
        # and few requests at a time per worker: Scrapy's engine pulls requests from the shared
        # queue while it has free slots (16 by default, whatever the per-domain limit), so the
        # worker that read the feeds first could take every article before the other one polled
        env = {"RAQIB_CONCURRENT_REQUESTS": "2", "RAQIB_CONCURRENT_REQUESTS_PER_DOMAIN": "1",
               "RAQIB_AUTOTHROTTLE": "false"}
        procs = [Proc(tmp_path, "writer", "scaleout", "writer", "--redis", redis_url, "--db", str(db))]
        procs += [Proc(tmp_path, f"worker-{w}", "scaleout", "worker", "--redis", redis_url, "--config", str(config),
                       "--id", w, env=env) for w in ("A", "B")]
        writer = procs[0]
        workers = {"A": procs[1], "B": procs[2]}
        try:
            seed = subprocess.run([sys.executable, "-m", "cli", "scaleout", "seed", "--redis", redis_url,
                                   "--config", str(config)], cwd=ROOT, capture_output=True, text=True, timeout=60,
                                  env={**os.environ, "PYTHONPATH": str(ROOT)})
            assert seed.returncode == 0 and "seeded" in seed.stdout, seed.stderr

            def by(worker: str) -> list[dict]:
                return [r for r in site.request_log if r["headers"].get("X-Raqib-Worker") == worker
                        and urlsplit(r["path"]).path in article_paths]

            def one_mid_fetch():
                """(the worker fetching a slow article, the other), once both have fetched articles."""
                if not (by("A") and by("B")):
                    return None
                for w, other in (("A", "B"), ("B", "A")):
                    if [r for r in by(w) if r["fault"] == "drip"]:
                        return w, other
                return None

            victim, survivor = wait_for(one_mid_fetch, 300, "a worker fetching a slow article, both working")
            # freeze it, note exactly which requests it holds, then kill it
            workers[victim].proc.send_signal(signal.SIGSTOP)
            import redis

            held = redis.Redis.from_url(redis_url).hgetall(f"raqib:inflight:{victim}").values()
            killed = {urlsplit(pickle.loads(v)["url"]).path for v in held} & article_paths
            workers[victim].proc.send_signal(signal.SIGKILL)
            workers[victim].proc.wait(timeout=30)
            site.clear_faults()
            b = workers[survivor]

            stored = lambda: {r[0] for r in query(db, "SELECT canonical_url FROM articles")}
            wait_for(lambda: stored() >= expected, 180,
                     f"every article stored (writer log: {writer.log_path}, worker B log: {b.log_path})")
            time.sleep(0)   # outcomes below are read after the wait, not timed
            rows = [r[0] for r in query(db, "SELECT canonical_url FROM articles")]
            assert len(rows) == len(set(rows)) and set(rows) == expected, "lost or duplicated articles"

            fetched = Counter(urlsplit(r["path"]).path for r in site.request_log
                              if urlsplit(r["path"]).path in article_paths)
            twice = {p for p, n in fetched.items() if n > 1}
            assert twice <= killed, f"fetched twice, and not because the killed worker was fetching it: {twice}"
            survivor_paths = {urlsplit(r["path"]).path for r in by(survivor)}
            assert killed and killed <= survivor_paths, "the killed worker's slow articles were not finished by the other"
            assert Counter(urlsplit(r["path"]).path for r in by(survivor)).most_common(1)[0][1] == 1, \
                "the surviving worker fetched an article twice"
            assert "put back on the queue" in b.log
        finally:
            for p in procs:
                p.stop()
