"""Bench 5: database size and full-text query time at N stored articles (default 100,000).

Articles are generated from the seed texts' vocabulary (random word sequences with
realistic lengths), written through the real storage API (``save_article``, one
transaction per article, FTS triggers on), then FTS queries are timed.

    .venv/bin/python bench/bench_store.py [--articles 100000]
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from pipelines.extract import content_hash  # noqa: E402
from raqib.items import Article  # noqa: E402
from storage.articles import save_article  # noqa: E402
from storage.db import open_db  # noqa: E402
from storage.tx import transaction  # noqa: E402

SEEDS = Path(__file__).resolve().parent.parent / "fixturesite" / "content" / "seeds"
QUERIES = ["حموشي", "التعاون الأمني", "إسبانيا", "مكافحة الإرهاب", "الإنتربول", "تبادل المعلومات"]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--articles", type=int, default=100_000)
    ap.add_argument("--db", help="database path (default: a temporary file)")
    args = ap.parse_args()
    words = " ".join(p.read_text(encoding="utf-8") for p in SEEDS.glob("*.txt")).split()
    rng = random.Random(42)
    path = Path(args.db) if args.db else Path(tempfile.mkdtemp()) / "bench.db"
    db = open_db(path)
    t0 = time.perf_counter()
    batch = 1000
    for start in range(0, args.articles, batch):
        with transaction(db):  # batches keep the run short; each save is still its own upsert
            for i in range(start, min(start + batch, args.articles)):
                paras = ["".join(" ".join(rng.choices(words, k=rng.randint(25, 60)))) for _ in range(rng.randint(4, 9))]
                body = "\n".join(paras)
                title = " ".join(rng.choices(words, k=10))
                save_article(db, Article(url=f"https://bench.example/{i}", source=f"s{i % 20}", title=title,
                                         body=body, content_hash=content_hash(title, body),
                                         published="2026-01-01"))
        if (start // batch) % 10 == 0:
            print(f"  {start + batch:>7} articles stored ({time.perf_counter() - t0:.0f} s)", file=sys.stderr)
    write_s = time.perf_counter() - t0
    db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    size = sum(p.stat().st_size for p in path.parent.glob(path.name + "*"))
    timings = {}
    for q in QUERIES:
        runs = []
        for _ in range(5):
            t = time.perf_counter()
            rows = db.execute("SELECT a.id, a.title FROM articles_fts JOIN articles a ON a.id = articles_fts.rowid"
                              " WHERE articles_fts MATCH ? ORDER BY rank LIMIT 50", [f'"{q}"']).fetchall()
            runs.append(time.perf_counter() - t)
        timings[q] = (statistics.median(runs), len(rows))
    print(f"articles stored            : {args.articles}")
    print(f"write time                 : {write_s:.1f} s ({args.articles / write_s:.0f} articles/s)")
    print(f"database size (incl. WAL)  : {size / 1e6:.1f} MB ({size / args.articles / 1024:.1f} KiB/article)")
    for q, (t, n) in timings.items():
        print(f"FTS query {q!r:<22}: {t * 1000:.1f} ms median (top {n})")
    print(f"FTS median over queries    : {statistics.median(t for t, _ in timings.values()) * 1000:.1f} ms")


if __name__ == "__main__":
    main()
