"""Bench 4: re-crawl of an unchanged site — requests made and bytes downloaded.

Serves the generated site (``fixturesite.generate``, default 2,000 articles; ``--written``
serves the written fixture content instead) on 127.0.0.1, crawls it once into a temporary
SQLite file with the HTTP cache on (as ``raqib crawl`` and the daemon run), then crawls
the unchanged site again with the same database and cache.  The fixture server's request
log of the second crawl is broken down by kind (robots.txt, feeds, sitemaps, listings,
articles) and status.  Expected: no article page fetched, and every feed, sitemap and
listing revalidated with a conditional GET answered 304 (no body).

Bytes are response bodies as sent (gzip-compressed where the server compressed them),
without HTTP headers.  Politeness is off as in bench 2 (see bench_crawl.py).

    .venv/bin/python bench/bench_recrawl.py [--articles 2000] [--written]
"""

from __future__ import annotations

import argparse
import re
import sys
import tempfile
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_crawl import run_crawl_process, stored_by_source  # noqa: E402
from config.sources import parse_sources  # noqa: E402
from raqib.urls import url_key  # noqa: E402

KINDS = ("robots", "feed", "sitemap", "listing", "article", "other")
_SITEMAP = re.compile(r"sitemap[^/]*\.xml(?:\.gz)?$")


def classifier(site, sources_toml: str):
    """A function (request log record) -> kind, from the sources config and the site's truth."""
    sources = parse_sources(sources_toml, "<bench>")
    feeds = {url_key(u) for s in sources for u in s.feeds}
    sitemaps = {url_key(u) for s in sources for u in s.sitemaps}
    listings = {url_key(l.url) for s in sources for l in s.listings}
    articles = {url_key(a[k]) for a in site.expected_articles() for k in ("url", "canonical_url", "amp_url")
                if a.get(k)}
    articles |= {url_key(u) for u in site.non_article_urls()}    # pages linked as articles, stored as skips

    def kind(rec: dict) -> str:
        path = rec["path"]
        key = url_key(site.base_url(rec["outlet"]) + path)
        if path.split("?")[0] == "/robots.txt":
            return "robots"
        if key in feeds:
            return "feed"
        if key in sitemaps or _SITEMAP.search(path.split("?")[0]):
            return "sitemap"
        if key in articles:
            return "article"
        if key in listings or re.search(r"(?:/page/\d+/?|[?&]page=\d+)$", path):
            return "listing"
        return "other"
    return kind


def breakdown(log: list[dict], kind) -> dict[tuple[str, int], list[int]]:
    """(kind, status) -> [requests, bytes]."""
    table: dict[tuple[str, int], list[int]] = {}
    for rec in log:
        row = table.setdefault((kind(rec), rec["status"]), [0, 0])
        row[0] += 1
        row[1] += rec["bytes"]
    return table


def print_table(title: str, table: dict) -> None:
    print(title)
    print(f"  {'kind':<8} {'status':>6} {'requests':>9} {'bytes':>12}")
    for (k, status), (n, b) in sorted(table.items(), key=lambda kv: (KINDS.index(kv[0][0]), kv[0][1])):
        print(f"  {k:<8} {status:>6} {n:>9} {b:>12,}")
    print(f"  {'total':<8} {'':>6} {sum(n for n, _ in table.values()):>9} "
          f"{sum(b for _, b in table.values()):>12,}")


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--articles", type=int, default=2000, help="generated stories, spread over 4 outlets")
    ap.add_argument("--written", action="store_true", help="serve the written fixture content (74 stories)")
    args = ap.parse_args(argv)

    from fixturesite.generate import generate_stories
    from fixturesite.server import FixtureSite

    tmp = Path(tempfile.mkdtemp(prefix="raqib-bench-recrawl-"))
    stories = None if args.written else generate_stories(args.articles)
    with FixtureSite(stories=stories) as site:
        toml = site.sources_toml()
        config = tmp / "sources.toml"
        config.write_text(toml, encoding="utf-8")
        db = tmp / "bench.db"
        first = run_crawl_process(config, db, tmp)
        first_log = site.request_log
        stored_first = sum(stored_by_source(db).values())
        site.clear_log()
        second = run_crawl_process(config, db, tmp)
        second_log = site.request_log
        kind = classifier(site, toml)
        served = len(site.expected_articles())
    stored_second = sum(stored_by_source(db).values())
    t1, t2 = breakdown(first_log, kind), breakdown(second_log, kind)
    print(f"site: {served} articles on 4 outlets (127.0.0.1); database and HTTP cache in {tmp}")
    print(f"first crawl : {first['seconds']:.1f} s, {stored_first} articles stored, "
          f"{len(first_log)} requests, {sum(r['bytes'] for r in first_log):,} bytes")
    print(f"re-crawl    : {second['seconds']:.1f} s, {second['totals']['new_articles']} new, "
          f"{second['totals']['updated_articles']} updated (stored now: {stored_second}), "
          f"{second['totals']['errors']} errors")
    print_table("first crawl, by kind and status:", t1)
    print_table("re-crawl of the unchanged site, by kind and status:", t2)
    articles = sum(n for (k, _), (n, _) in t2.items() if k == "article")
    entry_total = sum(n for (k, _), (n, _) in t2.items() if k in ("feed", "sitemap", "listing"))
    entry_304 = sum(n for (k, st), (n, _) in t2.items() if k in ("feed", "sitemap", "listing") and st == 304)
    print(f"re-crawl: {sum(n for n, _ in t2.values())} requests, {sum(b for _, b in t2.values()):,} bytes; "
          f"article pages fetched: {articles}; feeds/sitemaps/listings answered 304: {entry_304} of {entry_total}")
    verdict = articles == 0 and entry_total and entry_304 == entry_total
    print("as expected (no article fetched, every entry point revalidated with 304)" if verdict else
          "NOT as expected: see the table above")


if __name__ == "__main__":
    main()
