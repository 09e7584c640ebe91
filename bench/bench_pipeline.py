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

The fixture pages are light (8.6 KiB on average) where current outlets serve 100–400
KiB, mostly boilerplate, and extraction time grows with the page while raqib's own
work per article does not: so the bench also runs on the same pages made heavy
(``--weight heavy|both``): each padded to 100–300 KiB with what news pages carry —
inline styles and scripts (a JSON config, analytics and ad code), a mega-menu, "most
read" and related-story lists, a comment thread, a link-heavy footer — in the page's
own encoding, and reports the ratio on both.

    .venv/bin/python bench/bench_pipeline.py [--rounds 5] [--weight both] [--profile]
"""

from __future__ import annotations

import argparse
import cProfile
import io
import pstats
import random
import re
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


_MENU = ("أخبار وطنية", "سياسة", "اقتصاد", "رياضة", "ثقافة", "دولي", "مجتمع", "تكنولوجيا", "صحة", "رأي",
         "فيديو", "صور", "جهات", "حوادث", "فن", "منوعات", "تعليم", "عقارات", "سيارات", "طقس")
_COMMENTS = ("شكرا على هذا المقال المفيد، نتمنى المزيد من التغطية لهذا الموضوع المهم",
             "الله يحفظ بلادنا من كل سوء، تحية لكل من يسهر على أمن المواطنين",
             "أين هي الحلول الحقيقية لمشاكل الشباب؟ الكلام كثير والعمل قليل",
             "مقال جيد لكن ينقصه بعض التفاصيل حول الأرقام والإحصائيات الرسمية")


def _encoding(body: bytes) -> str:
    head = body[:4096].lower()
    return "cp1256" if b"windows-1256" in head or b"cp1256" in head else "utf-8"


def heavy_page(body: bytes, titles: list[str], rng: random.Random, target_kib: int) -> bytes:
    """``body`` padded to about ``target_kib`` KiB with a news site's usual boilerplate,
    inserted where sites put it (styles and scripts in <head>, menus after <body>,
    lists, comments and footer before </body>), encoded like the page."""
    enc = _encoding(body)

    def css(n: int) -> str:
        return "".join(f".c{i}-{rng.randrange(10**6)}{{margin:{i % 9}px {i % 7}px;padding:{i % 5}px;color:#"
                       f"{rng.randrange(16**6):06x};font:{12 + i % 6}px/1.{i % 9} Tahoma,Arial;display:flex}}\n"
                       for i in range(n))

    def js(n: int) -> str:
        cfg = ",".join(f'"k{i}":{{"id":{rng.randrange(10**8)},"slot":"div-gpt-ad-{rng.randrange(10**9)}",'
                       f'"sizes":[[300,250],[728,90]],"targeting":{{"section":"s{i % 12}"}}}}' for i in range(n))
        return (f"window.__CONFIG__={{{cfg}}};\n(function(w,d){{var s=d.createElement('script');s.async=1;"
                f"s.src='/static/analytics.js?v={rng.randrange(10**6)}';d.head.appendChild(s);"
                f"w.dataLayer=w.dataLayer||[];w.dataLayer.push({{'event':'pageview'}});}})(window,document);\n")

    def links(n: int, cls: str) -> str:
        return "".join(f'<li class="{cls}"><a href="/news/{rng.randrange(10**6)}.html">{rng.choice(titles)}</a>'
                       f'<span class="date">{rng.randrange(1, 28)}/{rng.randrange(1, 12)}/2026</span></li>'
                       for _ in range(n))

    head = f"<style>{css(120)}</style><script>{js(60)}</script>"
    menu = ('<header class="site-header"><nav class="mega-menu"><ul>'
            + "".join(f'<li><a href="/section/{i}">{m}</a><ul class="sub">'
                      + "".join(f'<li><a href="/section/{i}/{j}">{m} {j}</a></li>' for j in range(12)) + "</ul></li>"
                      for i, m in enumerate(_MENU)) + "</ul></nav></header>")
    tail = ['<aside class="sidebar"><h3>الأكثر قراءة</h3><ol>', links(40, "most-read"), "</ol>",
            "<h3>مقالات ذات صلة</h3><ul>", links(40, "related"), "</ul></aside>",
            '<section id="comments" class="comments"><h3>تعليقات الزوار</h3>']
    k = 0
    while len("".join(tail).encode(enc, "replace")) + len(body) + len(head) * 2 + len(menu) * 2 < target_kib * 1024:
        tail.append(f'<div class="comment" id="c{k}"><span class="author">زائر {k}</span>'
                    f'<p>{rng.choice(_COMMENTS)}</p><a class="reply" href="#c{k}">رد</a></div>')
        tail.append(f"<script>{js(8)}</script>" if k % 10 == 0 else "")
        k += 1
    tail.append('</section><footer class="site-footer"><ul>' + links(60, "footer") + "</ul></footer>")

    def insert(page: bytes, pattern: bytes, text: str, after: bool) -> bytes:
        m = re.search(pattern, page, re.I)
        if not m:
            return page + text.encode(enc, "replace") if not after else text.encode(enc, "replace") + page
        at = m.end() if after else m.start()
        return page[:at] + text.encode(enc, "replace") + page[at:]

    body = insert(body, rb"</head>", head, after=False)
    body = insert(body, rb"<body[^>]*>", menu, after=True)
    return insert(body, rb"</body>", "".join(tail), after=False)


def heavy_pages(pages: list[dict], seed: int = 15) -> list[dict]:
    rng = random.Random(seed)
    titles = [t.decode("utf-8", "replace") for p in pages
              for t in re.findall(rb"<title>(.*?)</title>", p["body"], re.S) if _encoding(p["body"]) == "utf-8"]
    titles = [re.sub(r"\s+", " ", t).strip()[:90] for t in titles] or ["خبر"]
    return [{**p, "body": heavy_page(p["body"], titles, rng, rng.randint(100, 300))} for p in pages]


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
    ap.add_argument("--weight", choices=("light", "heavy", "both"), default="both",
                    help="fixture pages as they are (light), padded to 100-300 KiB (heavy), or both")
    args = ap.parse_args(argv)

    light = fixture_pages(tuple(args.outlets.split(",")) if args.outlets else None)
    if args.limit:
        light = light[:args.limit]
    tmp = Path(tempfile.mkdtemp(prefix="raqib-bench-pipeline-"))
    cfg = load_settings(environ={})
    cfg["db_path"] = str(tmp / "warmup.db")
    t0 = time.perf_counter()
    filter_step = FilterPipeline(cfg)    # watchlists compiled once per crawl process, as in a crawl
    print(f"matcher built in {time.perf_counter() - t0:.2f} s (not counted)")
    sets = [("light", light)] if args.weight in ("light", "both") else []
    if args.weight in ("heavy", "both"):
        sets.append(("heavy", heavy_pages(light)))
    ratios = {}
    for label, pages in sets:
        print(f"\n== {label} pages: {len(pages)} article pages from {len({p['outlet'] for p in pages})} fixture "
              f"outlets, {sum(len(p['body']) for p in pages) / len(pages) / 1024:.1f} KiB average "
              f"({min(len(p['body']) for p in pages) / 1024:.0f}–{max(len(p['body']) for p in pages) / 1024:.0f} KiB)")
        ratios[label] = measure(pages, args, cfg, filter_step, tmp / label)
    if len(ratios) > 1:
        print("\nratio full / extract alone by page weight: "
              + ", ".join(f"{k} {v:.3f}" for k, v in ratios.items()) + "  (target <= 1.15)")


def measure(pages: list[dict], args, cfg: dict, filter_step, tmp: Path) -> float:
    """Time (a) and (b) over ``pages``; print the figures; return the ratio."""
    tmp.mkdir(parents=True, exist_ok=True)

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
    return med["full"] / med["alone"]


if __name__ == "__main__":
    main()
