"""Bench 1: raqib's full per-page path against trafilatura.extract alone, same pages, one run.

The pages are the fixture sites' article pages (four outlets, four markups, one of them
windows-1256 with the charset only in a <meta>), rendered in-process as the server
would send them (bytes + Content-Type), so no HTTP is involved.  For every page:

  (a) ``trafilatura.extract(bytes, url, ...)`` with the options raqib uses (metadata,
      precision, extensive date search, no comments/tables); ``--defaults`` also times
      it with trafilatura's default options, for reference;
  (b) the four Scrapy item pipelines, called directly without Scrapy: decode +
      extraction (``ExtractPipeline``), content hash + MinHash + near-duplicate lookup
      (``DedupePipeline``), normalisation + watchlist matching (``FilterPipeline``),
      and the SQLite upserts of the article and its flags (``StorePipeline``).

Each round stores into a fresh database (so every round inserts, as a first crawl does);
(a) and (b) alternate page by page, the order flipping every round.  The figure is the
ratio (b) / (a); the target is <= 1.15.  ``--profile`` prints where (b)'s time goes.

    .venv/bin/python bench/bench_pipeline.py [--rounds 5] [--profile]
"""

from __future__ import annotations

import argparse
import cProfile
import io
import pstats
import statistics
import sys
import tempfile
import time
from datetime import datetime, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import trafilatura  # noqa: E402

from config.settings import load_settings  # noqa: E402
from fixturesite.server import FixtureSite  # noqa: E402
from pipelines.dedupe import DedupePipeline  # noqa: E402
from pipelines.extract_step import ExtractPipeline  # noqa: E402
from pipelines.filter import FilterPipeline  # noqa: E402
from pipelines.store import StorePipeline  # noqa: E402
from raqib.items import Article  # noqa: E402
from raqib.urls import url_key  # noqa: E402

# The options pipelines/extract.py passes to trafilatura.bare_extraction.
RAQIB_OPTIONS = dict(include_comments=False, include_tables=False, include_images=False, deduplicate=False,
                     with_metadata=True, favor_precision=True,
                     date_extraction_params={"extensive_search": True, "original_date": True})
STAGES = ("extract", "dedupe", "filter", "store")


class Stats:
    """The part of Scrapy's StatsCollector the pipelines use."""

    def __init__(self) -> None:
        self.values: dict[str, int] = {}

    def inc_value(self, key: str, count: int = 1, start: int = 0) -> None:
        self.values[key] = self.values.get(key, start) + count


def fixture_pages(outlets: tuple[str, ...] | None = None) -> list[dict]:
    """Every article page of the fixture sites as the server would send it (not started:
    each outlet answers in-process under a made-up 127.0.0.1 address)."""
    site = FixtureSite(**({"outlets": outlets} if outlets else {}))
    pages = []
    for i, (name, outlet) in enumerate(site.outlets.items()):
        outlet.base_url = f"http://127.0.0.1:{18000 + i}"
        for story in outlet.stories():
            path, _, query = outlet.article_path(story).partition("?")
            res = outlet.handle(path, query)
            assert res is not None and res.status == 200, (name, path)
            pages.append({"outlet": name, "url": outlet.url(outlet.article_path(story)),
                          "body": res.body, "content_type": res.content_type})
    return pages


class FullPath:
    """raqib's four pipelines over one fresh database."""

    def __init__(self, cfg: dict, filter_step: FilterPipeline):
        self.stats = Stats()
        self.steps = [ExtractPipeline(cfg, self.stats), DedupePipeline(cfg["db_path"], self.stats),
                      filter_step, StorePipeline(cfg["db_path"], self.stats)]
        self.seconds = dict.fromkeys(STAGES, 0.0)

    def run(self, page: dict) -> None:
        item = Article(url=page["url"], source=page["outlet"], requested_url=page["url"], html=page["body"],
                       content_type=page["content_type"],
                       fetched_at=datetime.now(timezone.utc).isoformat(timespec="seconds"))
        for name, step in zip(STAGES, self.steps):
            t = time.perf_counter()
            step.process_item(item)
            self.seconds[name] += time.perf_counter() - t


def extract_alone(page: dict, options: dict) -> None:
    trafilatura.extract(page["body"], url=page["url"], **options)


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rounds", type=int, default=5, help="measured passes over all pages (after one warm-up)")
    ap.add_argument("--outlets", help="comma-separated fixture outlets (default: all four)")
    ap.add_argument("--limit", type=int, default=0, help="use only the first N pages (0: all)")
    ap.add_argument("--defaults", action="store_true",
                    help="also time trafilatura.extract with its default options (for reference)")
    ap.add_argument("--per-page", action="store_true", help="print each page's median times")
    ap.add_argument("--profile", action="store_true", help="cProfile the full path; print the top functions")
    ap.add_argument("--top", type=int, default=30, help="functions shown by --profile")
    args = ap.parse_args(argv)

    pages = fixture_pages(tuple(args.outlets.split(",")) if args.outlets else None)
    if args.limit:
        pages = pages[:args.limit]
    tmp = Path(tempfile.mkdtemp(prefix="raqib-bench-pipeline-"))
    cfg = load_settings(environ={})
    cfg["db_path"] = str(tmp / "warmup.db")
    t0 = time.perf_counter()
    filter_step = FilterPipeline(cfg)    # watchlists compiled once per crawl process, as in a crawl
    print(f"pages: {len(pages)} article pages from {len({p['outlet'] for p in pages})} fixture outlets, "
          f"{sum(len(p['body']) for p in pages) / len(pages) / 1024:.1f} KiB average; "
          f"matcher built in {time.perf_counter() - t0:.2f} s (not counted)")

    variants = [("alone", RAQIB_OPTIONS)] + ([("defaults", {})] if args.defaults else [])
    per_page = {v: [[] for _ in pages] for v, _ in variants}
    per_page["full"] = [[] for _ in pages]
    round_totals: dict[str, list[float]] = {k: [] for k in per_page}
    stage_totals = dict.fromkeys(STAGES, 0.0)
    profiler = cProfile.Profile() if args.profile else None

    for rnd in range(args.rounds + 1):          # round 0 warms caches and imports, not counted
        cfg["db_path"] = str(tmp / f"round{rnd}.db")
        url_key.cache_clear()    # every round meets its URLs for the first time, as a crawl does
        full = FullPath(cfg, filter_step)
        totals = dict.fromkeys(per_page, 0.0)
        for i, page in enumerate(pages):
            order = ["full"] + [v for v, _ in variants]
            if rnd % 2:
                order.reverse()
            for what in order:
                t = time.perf_counter()
                if what == "full":
                    if profiler and rnd:
                        profiler.enable()
                    full.run(page)
                    if profiler and rnd:
                        profiler.disable()
                else:
                    extract_alone(page, dict(variants)[what])
                dt = time.perf_counter() - t
                if rnd:
                    per_page[what][i].append(dt)
                    totals[what] += dt
        if rnd:
            for k, v in totals.items():
                round_totals[k].append(v)
            for k, v in full.seconds.items():
                stage_totals[k] += v
            print(f"  round {rnd}: alone {totals['alone']:.2f} s, full {totals['full']:.2f} s, "
                  f"ratio {totals['full'] / totals['alone']:.3f}", file=sys.stderr)
        stored = full.stats.values.get("raqib/articles_new", 0)
        if stored != len(pages):
            sys.exit(f"round {rnd}: {stored} of {len(pages)} pages stored ({full.stats.values}); "
                     "the full path must store every fixture article")

    n = len(pages)
    med = {k: statistics.median(v) for k, v in round_totals.items()}
    if args.per_page:
        print(f"{'page':<52} {'alone ms':>9} {'full ms':>9} {'ratio':>6}")
        for page, a, f in zip(pages, per_page["alone"], per_page["full"]):
            a, f = statistics.median(a), statistics.median(f)
            print(f"{page['url'][-52:]:<52} {a * 1000:9.1f} {f * 1000:9.1f} {f / a:6.2f}")
    print(f"rounds: {args.rounds} measured (+1 warm-up), a fresh database per round; medians over rounds")
    if args.defaults:
        print(f"trafilatura.extract, default options  : {med['defaults'] / n * 1000:7.2f} ms/page")
    print(f"(a) trafilatura.extract, raqib options : {med['alone'] / n * 1000:7.2f} ms/page")
    print(f"(b) raqib full per-page path           : {med['full'] / n * 1000:7.2f} ms/page")
    total_stage = sum(stage_totals.values())
    for name in STAGES:
        print(f"      {name:<8} {stage_totals[name] / args.rounds / n * 1000:7.2f} ms/page "
              f"({stage_totals[name] / total_stage:5.1%})")
    rest = sum(stage_totals[k] for k in STAGES if k != "extract") / args.rounds / n
    print(f"raqib's work beyond extraction (dedupe + filter + store): {rest * 1000:.2f} ms/page; the ratio "
          f"reaches 1.15 only where trafilatura takes >= {rest / 0.15 * 1000:.0f} ms/page")
    print(f"ratio full / extract alone: {med['full'] / med['alone']:.3f}  (target <= 1.15)")
    if profiler:
        out = io.StringIO()
        pstats.Stats(profiler, stream=out).sort_stats("cumulative").print_stats(args.top)
        print(f"\ncProfile of the full path ({args.rounds} rounds x {n} pages), top {args.top} by cumulative time:")
        print(out.getvalue())


if __name__ == "__main__":
    main()
