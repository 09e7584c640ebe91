"""Bench 2: a real crawl of a generated site of 2,000 articles — articles/s and where the time goes.

The four fixture outlets serve 2,000 generated stories (``fixturesite.generate``: real
Arabic paragraphs of the written content, recombined; feeds, sitemaps and listings as
usual) on 127.0.0.1 from this process.  A child process runs ``spiders.crawl.run_crawl``
(what ``raqib crawl`` calls) into a temporary SQLite file, with each item pipeline's
``process_item`` and ``trafilatura.bare_extraction`` wrapped in a timer, so the share of
the crawl's wall time spent extracting is measured without a profiler's overhead.

Politeness is switched off for a local bench (``--polite`` keeps the defaults):
AutoThrottle off, no download delay, 16 requests per domain instead of 2, set through the
RAQIB_* environment of the crawl process.

    .venv/bin/python bench/bench_crawl.py [--articles 2000] [--polite] [--profile FILE]
"""

from __future__ import annotations

import argparse
import functools
import json
import logging
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

FAST_ENV = {"RAQIB_AUTOTHROTTLE": "false", "RAQIB_DOWNLOAD_DELAY": "0",
            "RAQIB_CONCURRENT_REQUESTS": "16", "RAQIB_CONCURRENT_REQUESTS_PER_DOMAIN": "16"}
STAGES = {"extract": "pipelines.extract_step:ExtractPipeline", "dedupe": "pipelines.dedupe:DedupePipeline",
          "filter": "pipelines.filter:FilterPipeline", "store": "pipelines.store:StorePipeline"}


# -- the crawl process -----------------------------------------------------------------
def _timed(fn, key: str, seconds: dict):
    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        t = time.perf_counter()
        try:
            return fn(*args, **kwargs)
        finally:
            seconds[key] += time.perf_counter() - t
    return wrapper


def child(config: str, db: str, out: str, profile: str | None) -> None:
    """Run one crawl in this process and write its figures to ``out`` (JSON)."""
    logging.basicConfig(level=logging.WARNING, format="crawl: %(levelname)s %(name)s %(message)s")
    logging.getLogger().handlers[0].setLevel(logging.WARNING)   # Scrapy sets its loggers to DEBUG
    logging.getLogger("scrapy").setLevel(logging.ERROR)   # one "Dropped" warning per non-article page
    import importlib

    import trafilatura

    from config.settings import load_settings
    from config.sources import load_sources
    from spiders.crawl import run_crawl

    seconds = dict.fromkeys([*STAGES, "trafilatura"], 0.0)
    for key, ref in STAGES.items():
        module, cls_name = ref.split(":")
        cls = getattr(importlib.import_module(module), cls_name)
        cls.process_item = _timed(cls.process_item, key, seconds)
    trafilatura.bare_extraction = _timed(trafilatura.bare_extraction, "trafilatura", seconds)
    cfg = load_settings(overrides={"db_path": db, "sources_path": config})
    sources = load_sources(cfg["sources_path"])
    usage0 = resource.getrusage(resource.RUSAGE_SELF)
    profiler = None
    if profile:
        import cProfile
        profiler = cProfile.Profile()
        profiler.enable()
    summary = run_crawl(sources, cfg, trigger="bench")
    if profiler:
        profiler.disable()
        profiler.dump_stats(profile)
    usage = resource.getrusage(resource.RUSAGE_SELF)
    Path(out).write_text(json.dumps({
        "seconds": summary.seconds, "cpu": usage.ru_utime + usage.ru_stime - usage0.ru_utime - usage0.ru_stime,
        "totals": summary.totals, "stages": seconds,
        "settings": {k: cfg[k] for k in ("autothrottle", "download_delay", "concurrent_requests",
                                         "concurrent_requests_per_domain", "http_cache")},
        "sources": [{"source": s.source, "status": s.status, "pages": s.pages, "bytes": s.bytes,
                     "new": s.new_articles, "skipped": s.skipped, "errors": s.errors[:5]}
                    for s in summary.sources],
    }, ensure_ascii=False), encoding="utf-8")


# -- the bench ---------------------------------------------------------------------------
def run_crawl_process(config: Path, db: Path, workdir: Path, *, polite: bool = False,
                      profile: Path | None = None, timeout: float = 1800) -> dict:
    """Crawl ``config`` into ``db`` in a child process; returns its figures."""
    out = workdir / f"crawl-{time.monotonic_ns()}.json"
    env = {**os.environ, "PYTHONPATH": str(ROOT), "RAQIB_HTTP_CACHE_DIR": str(workdir / "httpcache"),
           **({} if polite else FAST_ENV)}
    cmd = [sys.executable, str(Path(__file__).resolve()), "--child", str(config), str(db), str(out)]
    if profile:
        cmd += ["--child-profile", str(profile)]
    proc = subprocess.run(cmd, env=env, cwd=ROOT, timeout=timeout, capture_output=True, text=True)
    if proc.returncode != 0 or not out.exists():
        sys.exit(f"crawl process exited {proc.returncode}:\n{proc.stderr[-4000:]}")
    if proc.stderr.strip():
        print(proc.stderr.strip()[-2000:], file=sys.stderr)
    return json.loads(out.read_text(encoding="utf-8"))


def stored_by_source(db: Path) -> dict[str, int]:
    import sqlite3
    conn = sqlite3.connect(db)
    try:
        return dict(conn.execute("SELECT source, count(*) FROM articles GROUP BY source").fetchall())
    finally:
        conn.close()


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--articles", type=int, default=2000, help="generated stories, spread over 4 outlets")
    ap.add_argument("--polite", action="store_true", help="keep the default politeness settings")
    ap.add_argument("--profile", type=Path, help="also cProfile the crawl process into this file (slower)")
    ap.add_argument("--top", type=int, default=25, help="functions shown with --profile")
    ap.add_argument("--child", nargs=3, metavar=("CONFIG", "DB", "OUT"), help=argparse.SUPPRESS)
    ap.add_argument("--child-profile", help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    if args.child:
        return child(*args.child, args.child_profile)

    from fixturesite.generate import generate_stories
    from fixturesite.server import FixtureSite

    tmp = Path(tempfile.mkdtemp(prefix="raqib-bench-crawl-"))
    with FixtureSite(stories=generate_stories(args.articles)) as site:
        config = tmp / "sources.toml"
        config.write_text(site.sources_toml(), encoding="utf-8")
        expected_by = {o: len(site.expected_articles(o)) for o in site.outlets}
        expected = sum(expected_by.values())
        db = tmp / "bench.db"
        t0 = time.perf_counter()
        r = run_crawl_process(config, db, tmp, polite=args.polite, profile=args.profile)
        wall = time.perf_counter() - t0
        requests = site.request_log
    stored_by = stored_by_source(db)
    stored = sum(stored_by.values())
    s = r["settings"]
    secs = r["seconds"]
    print(f"site: {expected} generated articles on 4 outlets (127.0.0.1); database {db}")
    print(f"politeness: {'defaults' if args.polite else 'OFF for this local bench'} — autothrottle="
          f"{s['autothrottle']}, download_delay={s['download_delay']}, concurrent_requests="
          f"{s['concurrent_requests']}, per domain={s['concurrent_requests_per_domain']}")
    print(f"requests served: {len(requests)}; articles stored: {stored} of {expected}; "
          f"skipped: {r['totals']['skipped']}; errors: {r['totals']['errors']}")
    print(f"crawl time: {secs:.1f} s (run_crawl; process incl. start-up {wall:.1f} s); "
          f"crawl process CPU {r['cpu']:.1f} s ({r['cpu'] / secs:.0%} of one core)")
    print(f"throughput: {stored / secs:.1f} articles/s")
    st = r["stages"]
    for key in STAGES:
        print(f"  {key + ' step':<13} {st[key]:6.1f} s  {st[key] / secs:6.1%} of crawl time  "
              f"{st[key] / max(stored, 1) * 1000:6.2f} ms/article")
    pipelines = sum(st[k] for k in STAGES)
    print(f"  {'all pipelines':<13} {pipelines:6.1f} s  {pipelines / secs:6.1%}; the rest (Scrapy, HTTP, "
          f"parsing feeds/sitemaps/listings, start-up) {secs - pipelines:.1f} s")
    print(f"share of crawl time in extraction: {st['extract'] / secs:.1%} (extract step: decode + parse + "
          f"trafilatura + cleaning); in trafilatura.bare_extraction alone: {st['trafilatura'] / secs:.1%}")
    if stored != expected:
        print(f"NOTE: {expected - stored} articles not stored (not found by the crawl); stored/served per outlet: "
              + ", ".join(f"{o} {stored_by.get(o, 0)}/{n}" for o, n in expected_by.items()))
    if args.profile:
        import pstats
        print(f"\ncProfile of the crawl process ({args.profile}), top {args.top} by cumulative time:")
        pstats.Stats(str(args.profile)).sort_stats("cumulative").print_stats(args.top)


if __name__ == "__main__":
    main()
