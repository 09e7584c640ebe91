"""Bench: can one machine poll N sources on their interval?  (issue 15)

Serves N generated news outlets on loopback — one asyncio server answering on N
addresses 127.1.x.y (one port), so each outlet is its own host with its own download
slot, as real outlets are — each with robots.txt, an RSS feed (ETag/Last-Modified,
304 when unchanged) and article pages.  Runs the real daemon (`python -m cli run`)
with every source's interval set to ``--interval`` seconds, and:

1. warm-up: waits until every source has been crawled once (its 3 existing articles);
2. quiet phase (``--quiet-cycles`` intervals): nothing is published; the CPU spent by
   the daemon and its crawl workers divided by the polls done is the CPU cost of an
   unchanged-source poll (target ≤ 50 ms);
3. measured phase (``--cycles`` intervals): each outlet publishes new articles at random
   times (``--rate`` per source per interval on average; a third of them about Moroccan
   security cooperation, so they are flagged); reports polls due vs done per interval,
   late polls (a source's next crawl started more than interval + jitter + 10 % after the
   previous), CPU share of the machine, daemon + workers RSS, p50/p95 latency from
   publication to stored and to flagged;
4. drain: one more interval plus a minute for the last articles, then counts articles
   published in the measured phase but never stored (lost).

Times are in the compressed clock (``--interval`` stands for the real 15 minutes).  The
bench server runs in this process and its CPU is not counted.  Not run by CI.

    .venv/bin/python bench/bench_capacity.py --sources 1000 [--interval 900] [--cycles 2]

Last line: ``sources=N due=… done=… cpu_share=… rss_mb=… p95_flag_latency_s=… lost=…``.
"""

from __future__ import annotations

import argparse
import asyncio
import hashlib
import math
import os
import random
import signal
import socket
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from datetime import datetime, timezone
from email.utils import format_datetime
from html import escape
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import psutil  # noqa: E402

from fixturesite.content import load_stories  # noqa: E402


# -- the outlets ---------------------------------------------------------------------
@dataclass
class Item:
    id: int
    title: str
    paragraphs: list[str]
    published: float            # epoch seconds; inf = not yet scheduled
    positive: bool


@dataclass
class Outlet:
    index: int
    host: str
    items: list[Item] = field(default_factory=list)

    def visible(self, now: float) -> list[Item]:
        return [i for i in self.items if i.published <= now]


def host_for(i: int) -> str:
    return f"127.1.{i // 250}.{i % 250 + 1}"


class Texts:
    """Article texts from the written fixture stories; positives get flagged."""

    def __init__(self, seed: int):
        stories = [s for s in load_stories() if len(" ".join(s.paragraphs)) > 400]
        self.positives = [s for s in stories if s.label == "positive"]
        self.others = [s for s in stories if s.label != "positive"]
        self.rng = random.Random(seed)
        self.next_id = 1

    def item(self, published: float, positive: bool) -> Item:
        story = self.rng.choice(self.positives if positive else self.others)
        self.next_id += 1
        return Item(self.next_id, f"{story.title} ({self.next_id})", story.paragraphs, published, positive)


def page(outlet: Outlet, item: Item) -> bytes:
    paras = "".join(f"<p>{escape(p)}</p>" for p in item.paragraphs)
    nav = "".join(f'<li><a href="/section/{k}">قسم {k}</a></li>' for k in range(8))
    return (f'<!DOCTYPE html><html lang="ar" dir="rtl"><head><meta charset="utf-8"><title>{escape(item.title)}'
            f'</title><link rel="canonical" href="http://{outlet.host}:{{port}}/a/{item.id}.html"></head><body>'
            f'<header><nav><ul>{nav}</ul></nav></header><main><article><h1>{escape(item.title)}</h1>'
            f'<time datetime="{datetime.fromtimestamp(item.published, timezone.utc).isoformat()}"></time>{paras}'
            f'</article></main><footer><p>جميع الحقوق محفوظة</p></footer></body></html>').encode("utf-8")


def feed(outlet: Outlet, items: list[Item], port: int) -> bytes:
    entries = "".join(
        f"<item><title>{escape(i.title)}</title><link>http://{outlet.host}:{port}/a/{i.id}.html</link>"
        f"<guid>http://{outlet.host}:{port}/a/{i.id}.html</guid>"
        f"<pubDate>{format_datetime(datetime.fromtimestamp(i.published, timezone.utc), usegmt=True)}</pubDate></item>"
        for i in sorted(items, key=lambda i: -i.published)[:20])
    return (f'<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>outlet {outlet.index}'
            f'</title><link>http://{outlet.host}:{port}/</link>{entries}</channel></rss>').encode("utf-8")


class Server:
    """One asyncio server, N listening addresses; answers by the address it was reached on."""

    def __init__(self, outlets: dict[str, Outlet], port: int):
        self.outlets = outlets
        self.port = port
        self.loop = asyncio.new_event_loop()
        self.requests = 0
        self.ready = threading.Event()
        self.thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        asyncio.set_event_loop(self.loop)
        self.loop.run_until_complete(self._start())
        self.ready.set()
        self.loop.run_forever()

    async def _start(self) -> None:
        self.servers = [await asyncio.start_server(self._serve, host, self.port, backlog=256)
                        for host in self.outlets]

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        outlet = self.outlets[writer.get_extra_info("sockname")[0]]
        try:
            while True:
                head = await reader.readuntil(b"\r\n\r\n")
                lines = head.decode("latin-1").split("\r\n")
                method, path, _ = lines[0].split(" ", 2)
                headers = {k.strip().lower(): v.strip() for k, v in (l.split(":", 1) for l in lines[1:] if ":" in l)}
                status, body, extra = self._answer(outlet, path, headers)
                self.requests += 1
                out = [f"HTTP/1.1 {status} {'OK' if status == 200 else 'Not Modified' if status == 304 else 'Not Found'}",
                       f"Content-Length: {len(body)}", *extra]
                writer.write(("\r\n".join(out) + "\r\n\r\n").encode("latin-1") + (b"" if method == "HEAD" else body))
                await writer.drain()
                if headers.get("connection", "").lower() == "close":
                    break
        except (asyncio.IncompleteReadError, ConnectionError, ValueError):
            pass
        finally:
            writer.close()

    def _answer(self, outlet: Outlet, path: str, headers: dict) -> tuple[int, bytes, list[str]]:
        now = time.time()
        if path == "/robots.txt":
            return 200, b"User-agent: *\nAllow: /\n", ["Content-Type: text/plain", "Cache-Control: max-age=86400"]
        if path == "/feed.xml":
            items = outlet.visible(now)
            body = feed(outlet, items, self.port)
            etag = '"' + hashlib.md5(body).hexdigest() + '"'
            newest = max((i.published for i in items), default=0.0)
            extra = [f"ETag: {etag}", f"Last-Modified: {format_datetime(datetime.fromtimestamp(newest, timezone.utc), usegmt=True)}",
                     "Content-Type: application/rss+xml; charset=utf-8"]
            if headers.get("if-none-match") == etag:
                return 304, b"", extra
            return 200, body, extra
        if path.startswith("/a/") and path.endswith(".html"):
            try:
                wanted = int(path[3:-5])
            except ValueError:
                wanted = -1
            for item in outlet.visible(now):
                if item.id == wanted:
                    return 200, page(outlet, item).replace(b"{port}", str(self.port).encode()), \
                        ["Content-Type: text/html; charset=utf-8"]
        return 404, b"not found", ["Content-Type: text/plain"]


# -- measuring ------------------------------------------------------------------------
def query(db: Path, sql: str, params=()) -> list[tuple]:
    if not db.exists():
        return []
    conn = sqlite3.connect(db, timeout=60)
    try:
        return conn.execute(sql, params).fetchall()
    except sqlite3.OperationalError:
        return []
    finally:
        conn.close()


def epoch(iso: str) -> float:
    dt = datetime.fromisoformat(iso)
    return (dt if dt.tzinfo else dt.replace(tzinfo=timezone.utc)).timestamp()


class Meter:
    """CPU seconds and resident memory of the daemon and every crawl worker under it
    (workers that exited and were waited for count through the daemon's children times)."""

    def __init__(self, pid: int):
        self.proc = psutil.Process(pid)
        self.peak_rss = 0
        self.rss_samples: list[int] = []
        self._live: dict[int, float] = {}

    def cpu_parts(self) -> tuple[float, float]:
        """(the daemon's own CPU seconds, its crawl workers')."""
        t = self.proc.cpu_times()
        workers = t.children_user + t.children_system
        for child in self.proc.children(recursive=True):
            try:
                c = child.cpu_times()
                workers += c.user + c.system
            except psutil.NoSuchProcess:
                pass
        return t.user + t.system, workers

    def cpu(self) -> float:
        return sum(self.cpu_parts())

    def sample(self) -> None:
        rss = 0
        for p in [self.proc, *self.proc.children(recursive=True)]:
            try:
                rss += p.memory_info().rss
            except psutil.NoSuchProcess:
                pass
        self.rss_samples.append(rss)
        self.peak_rss = max(self.peak_rss, rss)


def percentile(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    values = sorted(values)
    return values[min(len(values) - 1, max(0, math.ceil(q * len(values)) - 1))]


def wait_until(deadline: float, daemon: subprocess.Popen, meter: Meter, log_path: Path) -> None:
    while time.time() < deadline:
        if daemon.poll() is not None:
            sys.exit(f"daemon exited {daemon.returncode}; log: {log_path}")
        meter.sample()
        time.sleep(min(2.0, max(0.05, deadline - time.time())))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sources", type=int, default=1000, help="generated outlets (one host each)")
    ap.add_argument("--interval", type=float, default=900, help="every source's interval, seconds (real: 900)")
    ap.add_argument("--cycles", type=int, default=2, help="measured intervals with publishing")
    ap.add_argument("--quiet-cycles", type=int, default=1, help="intervals with nothing published (unchanged polls)")
    ap.add_argument("--rate", type=float, default=0.5, help="new articles per source per interval, on average")
    ap.add_argument("--jitter", type=float, default=None, help="jitter_seconds of each source (default interval/15)")
    ap.add_argument("--workers", type=int, default=2, help="crawl_workers of the daemon")
    ap.add_argument("--concurrency", type=int, default=32, help="max_concurrent_crawls of the daemon")
    ap.add_argument("--seed", type=int, default=15)
    ap.add_argument("--keep", action="store_true", help="keep the temporary folder (database, log)")
    args = ap.parse_args()
    n, S = args.sources, args.interval
    jitter = int(S / 15 if args.jitter is None else args.jitter)
    cores = psutil.cpu_count() or 1
    rng = random.Random(args.seed)
    texts = Texts(args.seed)
    tmp = Path(tempfile.mkdtemp(prefix="raqib-bench-capacity-"))
    db, config, log_path = tmp / "bench.db", tmp / "sources.toml", tmp / "daemon.log"

    with socket.socket() as s:          # a port free on 127.0.0.1 is almost surely free on 127.1/16
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    outlets = {host_for(i): Outlet(i, host_for(i)) for i in range(n)}
    old = time.time() - 3600
    for o in outlets.values():
        o.items = [texts.item(old - k * 600, positive=(k == 0 and o.index % 3 == 0)) for k in range(3)]
    server = Server(outlets, port)
    server.thread.start()
    server.ready.wait(120)
    lines = [f'[[source]]\nname = "s{o.index:05d}"\nhomepage = "http://{o.host}:{port}/"\n'
             f'feeds = ["http://{o.host}:{port}/feed.xml"]\ninterval_minutes = {S / 60!r}\njitter_seconds = {jitter}\n'
             for o in outlets.values()]
    config.write_text("\n".join(lines), encoding="utf-8")
    env = {**os.environ, "PYTHONPATH": str(ROOT), "RAQIB_HTTP_CACHE_DIR": str(tmp / "httpcache"),
           "RAQIB_CRAWL_WORKERS": str(args.workers), "RAQIB_MAX_CONCURRENT_CRAWLS": str(args.concurrency)}
    print(f"{n} outlets on 127.1.x.y:{port}, interval {S:g}s (jitter {jitter}s), {args.workers} workers, "
          f"{args.concurrency} crawls at once; {cores} cores; folder {tmp}", flush=True)

    with log_path.open("wb") as log:
        daemon = subprocess.Popen([sys.executable, "-m", "cli", "run", "--db", str(db), "--config", str(config)],
                                  cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=log)
        meter = Meter(daemon.pid)
        try:
            t_start = time.time()
            while True:     # 1. warm-up
                if daemon.poll() is not None:
                    sys.exit(f"daemon exited {daemon.returncode}; log: {log_path}")
                meter.sample()
                crawled = query(db, "SELECT count(DISTINCT source) FROM runs WHERE status != 'running'")
                if crawled and crawled[0][0] >= n:
                    break
                time.sleep(2)
            print(f"warm-up: every source crawled once in {time.time() - t_start:.0f}s", flush=True)

            # 2. quiet phase: unchanged polls only
            q0, (d0, w0) = time.time(), meter.cpu_parts()
            wait_until(q0 + args.quiet_cycles * S, daemon, meter, log_path)
            q1, (d1, w1) = time.time(), meter.cpu_parts()
            c0, c1 = d0 + w0, d1 + w1
            quiet_polls = query(db, "SELECT count(*) FROM runs WHERE status != 'running' AND started_at >= ? "
                                    "AND started_at < ?", (iso(q0), iso(q1)))[0][0]
            per_poll_ms = (c1 - c0) / quiet_polls * 1000 if quiet_polls else float("nan")
            print(f"quiet phase: {quiet_polls} unchanged polls in {q1 - q0:.0f}s, {c1 - c0:.1f} CPU-s: "
                  f"{per_poll_ms:.1f} ms CPU per unchanged poll (daemon "
                  f"{(d1 - d0) / max(1, quiet_polls) * 1000:.1f} + workers {(w1 - w0) / max(1, quiet_polls) * 1000:.1f})",
                  flush=True)

            # 3. measured phase: publishing at random times
            t0 = time.time()
            published: list[tuple[str, Item]] = []
            for o in outlets.values():
                for k in range(args.cycles):
                    count = sum(1 for _ in range(4) if rng.random() < args.rate / 4)   # ~rate per interval
                    for _ in range(count):
                        item = texts.item(t0 + (k + rng.random()) * S, positive=rng.random() < 1 / 3)
                        o.items.append(item)
                        published.append((o.host, item))
            meter.rss_samples.clear()
            c_start = meter.cpu()
            t_end = t0 + args.cycles * S
            wait_until(t_end, daemon, meter, log_path)
            cpu_share = (meter.cpu() - c_start) / ((time.time() - t0) * cores)
            rss_mean = sum(meter.rss_samples) / max(1, len(meter.rss_samples))

            # 4. drain, then stop
            wait_until(t_end + S + 60, daemon, meter, log_path)
        finally:
            daemon.send_signal(signal.SIGTERM)
            try:
                rc = daemon.wait(timeout=120)
            except subprocess.TimeoutExpired:
                daemon.kill()
                rc = daemon.wait()

    # -- report ---------------------------------------------------------------------------
    starts: dict[str, list[float]] = {}
    for source, started in query(db, "SELECT source, started_at FROM runs ORDER BY id"):
        starts.setdefault(source, []).append(epoch(started))
    print(f"\npolls per interval (due = one per source):")
    due_total = done_total = 0
    for k in range(args.cycles):
        lo, hi = t0 + k * S, t0 + (k + 1) * S
        done = sum(1 for ts in starts.values() if any(lo <= t < hi for t in ts))
        due_total += n
        done_total += done
        print(f"  interval {k + 1}: due {n}, done {done} (sources with a crawl started in it)")
    limit = S + jitter + 0.1 * S
    late = sum(1 for ts in starts.values() for a, b in zip(ts, ts[1:]) if t0 <= b < t_end and b - a > limit)
    skipped = log_path.read_text(encoding="utf-8", errors="replace").count("run skipped")
    print(f"  late polls (next crawl > {limit:.0f}s after the previous): {late}; runs skipped by the scheduler: {skipped}")

    url_to_item = {(host, f"/a/{item.id}.html"): item for host, item in published}
    stored_at: dict[int, float] = {}
    flagged_at: dict[int, float] = {}
    for url, fetched in query(db, "SELECT url, fetched_at FROM articles"):
        host, path = url.split("://", 1)[1].split("/", 1)
        item = url_to_item.get((host.split(":")[0], "/" + path))
        if item:
            stored_at[item.id] = epoch(fetched)
    for url, created in query(db, "SELECT a.url, min(f.created_at) FROM flags f JOIN articles a ON a.id = f.article_id"
                                  " WHERE f.flagged = 1 GROUP BY a.id"):
        host, path = url.split("://", 1)[1].split("/", 1)
        item = url_to_item.get((host.split(":")[0], "/" + path))
        if item:
            flagged_at[item.id] = epoch(created)
    store_lat = [stored_at[i.id] - i.published for _, i in published if i.id in stored_at]
    flag_lat = [flagged_at[i.id] - i.published for _, i in published if i.id in flagged_at]
    lost = sum(1 for _, i in published if i.id not in stored_at)
    unflagged = sum(1 for _, i in published if i.positive and i.id in stored_at and i.id not in flagged_at)
    print(f"\npublished {len(published)} articles in the measured phase ({sum(i.positive for _, i in published)}"
          f" about security cooperation); stored {len(stored_at)}, lost {lost}; positives not flagged {unflagged}")
    print(f"publish → stored:  p50 {percentile(store_lat, .5):.1f}s  p95 {percentile(store_lat, .95):.1f}s")
    print(f"publish → flagged: p50 {percentile(flag_lat, .5):.1f}s  p95 {percentile(flag_lat, .95):.1f}s"
          f"  (target p95 ≤ interval + 60 = {S + 60:.0f}s)")
    print(f"CPU share of the machine ({cores} cores), daemon + workers: {cpu_share:.1%}; RSS peak "
          f"{meter.peak_rss / 2**20:.0f} MB, mean {rss_mean / 2**20:.0f} MB; unchanged poll {per_poll_ms:.1f} ms CPU;"
          f" server requests {server.requests}; daemon exit code {rc}; log {log_path}")
    if not args.keep:
        for p in (db, config):
            p.unlink(missing_ok=True)
    print(f"sources={n} due={due_total} done={done_total} cpu_share={cpu_share:.2f} rss_mb={meter.peak_rss / 2**20:.0f}"
          f" p95_flag_latency_s={percentile(flag_lat, .95):.1f} lost={lost}")


def iso(t: float) -> str:
    return datetime.fromtimestamp(t, timezone.utc).isoformat(timespec="seconds")


if __name__ == "__main__":
    main()
