"""Extraction quality per page family: body token-F1, title right, date right.

    .venv/bin/python bench/extraction_quality.py            # table
    .venv/bin/python bench/extraction_quality.py --json     # machine-readable
    .venv/bin/python bench/extraction_quality.py --pages    # one line per page too
    .venv/bin/python bench/extraction_quality.py --timing   # also ms per page (best of 3 rounds)

Pages and expected JSON: tests/fixtures/families/ (regenerate with
`python -m fixturesite.families tests/fixtures/families`).  When the shared real
pages (../shared/realnews/pages/cnn-arabic-2013.*) are present, the CNN page is
scored too; they are read in place, never copied into the project.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from fixturesite.extraction_eval import evaluate, realnews_dir, summary, token_f1  # noqa: E402

CNN_URL = "http://arabic.cnn.com/2013/middle_east/8/3/egypt.mohamed.morsi/index.html"


def cnn_check() -> dict | None:
    from pipelines.extract import NotAnArticle, extract

    folder = realnews_dir(ROOT)
    if folder is None or not (folder / "pages" / "cnn-arabic-2013.html").exists():
        return None
    page = folder / "pages" / "cnn-arabic-2013.html"
    want = (folder / "pages" / "cnn-arabic-2013.txt").read_text(encoding="utf-8")
    try:
        ex = extract(page.read_bytes(), CNN_URL)
    except NotAnArticle as exc:
        return {"body_f1": 0.0, "date": None, "error": str(exc)}
    return {"body_f1": round(token_f1(ex.body, want), 4), "date": ex.published[:10] or None,
            "extractor": getattr(ex, "extractor", ""), "date_source": getattr(ex, "date_source", "")}


def time_extraction(folder: Path, rounds: int = 3) -> float:
    import time

    from fixturesite.extraction_eval import load_pages
    from pipelines.extract import NotAnArticle, extract

    pages = load_pages(folder)
    best = float("inf")
    for _ in range(rounds):
        start = time.perf_counter()
        for want, data in pages:
            try:
                extract(data, want["url"])
            except NotAnArticle:
                pass
        best = min(best, (time.perf_counter() - start) / max(1, len(pages)) * 1000)
    return best


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--fixtures", type=Path, default=ROOT / "tests" / "fixtures" / "families")
    ap.add_argument("--json", action="store_true")
    ap.add_argument("--pages", action="store_true", help="also print every page's scores")
    ap.add_argument("--timing", action="store_true", help="also time extract() per page (best of 3 rounds)")
    args = ap.parse_args(argv)
    families = evaluate(args.fixtures)
    result = summary(families)
    result["cnn_arabic_2013"] = cnn_check()
    if args.timing:
        result["ms_per_page"] = round(time_extraction(args.fixtures), 1)
    if args.json:
        print(json.dumps(result, ensure_ascii=False, indent=1))
        return 0
    print(f"{'family':<11} {'pages':>5} {'body F1':>8} {'title':>6} {'date':>6} {'invented':>8}  extractors")
    for name, f in result["families"].items():
        print(f"{name:<11} {f['pages']:>5} {f['body_f1']:>8.3f} {f['title_right']:>6.0%} {f['date_right']:>6.0%} "
              f"{f['invented_dates']:>8}  {', '.join(f'{k}:{v}' for k, v in sorted(f['extractors'].items()))}")
        if args.pages:
            for p in families[name].pages:
                print(f"    {p.page:>5} f1={p.f1:.3f} title={'ok' if p.title_ok else repr(p.got_title)[:60]} "
                      f"date={p.got_date} want={p.want_date} {p.extractor} {p.error}")
    avg = result["average"]
    print(f"{'average':<11} {avg['pages']:>5} {avg['body_f1']:>8.3f} {avg['title_right']:>6.0%} "
          f"{avg['date_right']:>6.0%} {avg['invented_dates']:>8}   (body F1: mean of family means)")
    if args.timing:
        print(f"extract(): {result['ms_per_page']} ms per page (best of 3 rounds over the fixture pages)")
    cnn = result["cnn_arabic_2013"]
    print("CNN Arabic 2013 (real page): " + ("not present, skipped" if cnn is None else
                                            json.dumps(cnn, ensure_ascii=False)))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
