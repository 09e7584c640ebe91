"""Bench: matching throughput (articles/s) as watchlists grow.

All terms of all watchlists plus the gazetteer live in one Aho–Corasick automaton, so
the time per article should stay roughly flat from the default watchlist to 5,000 terms.
Extra terms are synthetic Arabic phrases generated deterministically (seeded RNG over
letters), in a separate watchlist, so the default watchlist's verdicts are unchanged.

    .venv/bin/python bench/bench_matching.py [--rounds 20]
"""

from __future__ import annotations

import argparse
import random
import sys
import tempfile
import time
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from filters.loading import load_matcher  # noqa: E402

CONTENT = ROOT / "fixturesite" / "content"
WL_DIR = ROOT / "config" / "default" / "watchlists"
GAZ = ROOT / "config" / "default" / "gazetteer.yaml"
LETTERS = "ابتثجحخدذرزسشصضطظعغفقكلمنهوي"


def corpus() -> list[tuple[str, str]]:
    items = []
    for a in tomllib.loads((CONTENT / "seeds.toml").read_text(encoding="utf-8"))["article"]:
        items.append((a["title"], (CONTENT / a["file"]).read_text(encoding="utf-8")))
    for path in sorted((CONTENT / "articles").glob("*.txt")):
        title, _, body = path.read_text(encoding="utf-8").partition("\n")
        items.append((title, body))
    return items


def synthetic_watchlist(n_terms: int, seed: int = 7) -> str:
    """YAML text of a watchlist with ``n_terms`` distinct synthetic terms (1–3 words)."""
    rng = random.Random(seed)
    terms: set[str] = set()
    while len(terms) < n_terms:
        words = ["".join(rng.choice(LETTERS) for _ in range(rng.randint(3, 7))) for _ in range(rng.randint(1, 3))]
        terms.add(" ".join(words))
    groups = {}
    for i, t in enumerate(sorted(terms)):
        groups.setdefault(f"g{i // 100}", []).append(t)
    lines = [f"name: synthetic-{n_terms}", "threshold: 1", "groups:"]
    for g, ts in groups.items():
        lines += [f"  {g}:", "    terms:"] + [f"      - {t}" for t in ts]
    lines += ["rules:", "  - name: any", f"    any_of: [{', '.join(groups)}]", "    weight: 1"]
    return "\n".join(lines) + "\n"


def throughput(matcher, articles, rounds: int) -> float:
    start = time.perf_counter()
    for _ in range(rounds):
        for title, body in articles:
            matcher.score(title, body)
    return rounds * len(articles) / (time.perf_counter() - start)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rounds", type=int, default=20, help="passes over the corpus per configuration")
    args = ap.parse_args()
    articles = corpus()
    default_file = WL_DIR / "morocco-security-cooperation.yaml"
    tmp = Path(tempfile.mkdtemp())
    rows = []
    configs = [("default", None), ("+10 terms", 10), ("+500 terms", 500), ("+5000 terms", 5000)]
    for label, n in configs:
        files = [default_file]
        if n:
            extra = tmp / f"synthetic-{n}.yaml"
            extra.write_text(synthetic_watchlist(n), encoding="utf-8")
            files.append(extra)
        t0 = time.perf_counter()
        matcher, _ = load_matcher(WL_DIR, GAZ, files=files)
        build = time.perf_counter() - t0
        throughput(matcher, articles, 1)                # warm-up pass
        rate = throughput(matcher, articles, args.rounds)
        rows.append((label, matcher.keys, build, rate))
        print(f"{label:>12}: {matcher.keys:>8} automaton keys, built in {build:5.2f}s, "
              f"{rate:8.1f} articles/s")
    print(f"ratio default / +5000 terms: {rows[0][3] / rows[-1][3]:.2f}  "
          f"({len(articles)} articles x {args.rounds} rounds)")


if __name__ == "__main__":
    main()
