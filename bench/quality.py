"""Bench: precision, recall and F1 of the default watchlist on its labelled sets.

One line per set, with the same loading code (``filters.loading.load_matcher``) and the
same scoring (``Matcher.score(title, body)``) as the crawl pipeline:

* ``fixture``  — fixturesite/content (the five seeds plus the written articles), the set
  tests/test_filter_quality.py gates on;
* ``realnews`` — ``../shared/realnews/articles.jsonl`` (real outlets; ``label`` null is
  left out); skipped when the folder is absent;
* ``dev``      — tests/fixtures/dev/ (written independently of the watchlist, like the
  blind sets, but open: the set rules are developed against, by class of language);
* ``blind``    — tests/fixtures/blind/ (written by people who never saw the watchlist);
* ``blind2``   — tests/fixtures/blind2/ (a second blind set, written and frozen later by
  other writers, before the rules were tuned on the dev set);
* ``blind3``   — tests/fixtures/blind3/ (a third, written and frozen on 2026-12-01 after
  that day's rules were developed, measured once on arrival);
* ``blind4``   — tests/fixtures/blind4/ (a fourth, written and frozen later on 2026-12-01
  after the next rules were developed, measured on arrival);
* ``blind5``   — tests/fixtures/blind5/ (a fifth, written and frozen in the fourth session
  of 2026-12-01 after that session's rules were developed, measured on arrival);
* ``blind6``   — tests/fixtures/blind6/ (a sixth, written and frozen in the evening session
  of 2026-12-01 while that session's rules were redone, measured on arrival);
* ``blind7``   — tests/fixtures/blind7/ (a seventh, frozen later in that session, stories
  told from the foreign side, measured on arrival);
* ``blind8``   — tests/fixtures/blind8/ (an eighth, frozen at the end of that session, the
  whole brief evenly, measured on arrival);
* ``blind9``   — tests/fixtures/blind9/ (a ninth, frozen in the session of 2026-12-02 before
  its rule changes, the whole brief evenly, measured on arrival);
* ``blind10``  — tests/fixtures/blind10/ (a tenth, frozen later that session, stories told
  from the foreign side or with Morocco not the subject, measured on arrival);
* ``blind11``  — tests/fixtures/blind11/ (an eleventh, frozen later that session, the whole
  brief evenly, measured on arrival);
* ``blind12``  — tests/fixtures/blind12/ (a twelfth, frozen in the second session of
  2026-12-02 before its rule changes, the whole brief with as much variety as possible,
  measured on arrival);
* ``blind13``  — tests/fixtures/blind13/ (a thirteenth, frozen later that session after its
  first rule changes, the whole brief, measured on arrival);
* ``blind14``  — tests/fixtures/blind14/ (a fourteenth, frozen at the start of the third
  session of 2026-12-02 before its changes, the whole brief, measured on arrival);
* ``blind15``  — tests/fixtures/blind15/ (a fifteenth, frozen at the end of that session
  after its changes, the whole brief, measured on arrival);
* ``blind16``  — tests/fixtures/blind16/ (a sixteenth, frozen at the start of the fourth
  session of 2026-12-02 before its changes, the whole brief, measured on arrival);
* ``blind17``  — tests/fixtures/blind17/ (a seventeenth, frozen later that session after
  most of its changes, the whole brief, measured on arrival);
* ``blind18``  — tests/fixtures/blind18/ (an eighteenth, frozen at the end of that session
  after all of its rule changes, the whole brief with hard negatives, measured on arrival);
* ``blind19``  — tests/fixtures/blind19/ (a nineteenth, frozen at the start of the fifth
  session of 2026-12-02 from a rewritten brief, the whole brief with hard negatives);
* ``blind20``  — tests/fixtures/blind20/ (a twentieth, frozen during that session's rule
  changes from the same brief, measured at its start and its end);
* ``blind21``  — tests/fixtures/blind21/ (a twenty-first, frozen at the start of the sixth
  session of 2026-12-02 before any rule change, the whole brief);
* ``blind22``  — tests/fixtures/blind22/ (a twenty-second, frozen with it: a month of four
  desks whose hard negatives each name a security body);
* ``blind23``  — tests/fixtures/blind23/ (a twenty-third, frozen late in that session after
  most of its rule changes, the whole brief);
* ``blind24``  — tests/fixtures/blind24/ (a twenty-fourth, frozen at the start of the seventh
  session of 2026-12-02 before any rule change, the whole brief);
* ``blind25``  — tests/fixtures/blind25/ (a twenty-fifth, frozen late in that session after
  most of its rule changes, the whole brief);
* ``blind26``  — tests/fixtures/blind26/ (a twenty-sixth, frozen in the eighth session, on
  2026-12-03, after that session's first rule change, two writers, the whole brief);
* ``blind27``  — tests/fixtures/blind27/ (a twenty-seventh, frozen later in that session after
  most of its rule changes, two writers, the whole brief).
  Only aggregate figures are printed for the blind sets, never a title, a text or a file
  name: a set stays useful only as long as nobody tunes to its individual articles.

    .venv/bin/python bench/quality.py [--misses fixture,realnews,dev] [--by-kind] [--sets NAMES] [--list]

``--misses`` lists the misses and false flags of the named sets (never of a blind set).
A bench, not a test: the floors live in tests/eval_baseline.json.
"""

from __future__ import annotations

import argparse
import json
import sys
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from filters.loading import load_matcher  # noqa: E402
from filters.matcher import explain  # noqa: E402

CONTENT = ROOT / "fixturesite" / "content"
BLIND = ROOT / "tests" / "fixtures" / "blind"
#: the blind sets by name, in the order they were frozen; their floors in
#: tests/eval_baseline.json are "<name>_floors"
BLIND_DIRS = {"blind": BLIND, **{f"blind{i}": ROOT / "tests" / "fixtures" / f"blind{i}" for i in range(2, 28)}}
DEV = ROOT / "tests" / "fixtures" / "dev"
#: sets whose individual results are never printed
BLIND_SETS = frozenset(BLIND_DIRS)


def _find_realnews() -> Path:
    """``../shared/realnews/articles.jsonl`` seen from the project or from any parent
    (a worktree under /work/wt/<name> shares /work/shared with /work/main)."""
    for base in ROOT.parents:
        path = base / "shared" / "realnews" / "articles.jsonl"
        if path.exists():
            return path
    return ROOT.parent / "shared" / "realnews" / "articles.jsonl"


REALNEWS = _find_realnews()
WATCHLIST = "morocco-security-cooperation"
MIN_KIND = 5


@dataclass
class Item:
    ident: str
    title: str
    body: str
    positive: bool
    kind: str = ""
    borderline: bool = False


@dataclass
class Score:
    tp: int = 0
    fp: int = 0
    fn: int = 0
    tn: int = 0
    kinds: dict = field(default_factory=dict)

    def add(self, flagged: bool, positive: bool, kind: str = "") -> None:
        key = ("tp" if positive else "fp") if flagged else ("fn" if positive else "tn")
        setattr(self, key, getattr(self, key) + 1)
        if kind:
            k = self.kinds.setdefault(kind, {"tp": 0, "fp": 0, "fn": 0, "tn": 0})
            k[key] += 1

    @property
    def precision(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 0.0

    @property
    def recall(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 0.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0

    def line(self, name: str) -> str:
        n = self.tp + self.fp + self.fn + self.tn
        return (f"set={name} n={n} tp={self.tp} fp={self.fp} fn={self.fn} tn={self.tn} "
                f"precision={self.precision:.3f} recall={self.recall:.3f} f1={self.f1:.3f}")


def fixture_set(content: Path = CONTENT) -> list[Item]:
    """The fixture corpus: seeds (title from seeds.toml) and articles (line 1 = title)."""
    items = []
    seeds = content / "seeds.toml"
    if seeds.exists():
        for a in tomllib.loads(seeds.read_text(encoding="utf-8"))["article"]:
            items.append(Item(a["file"], a["title"], (content / a["file"]).read_text(encoding="utf-8"),
                              a["label"] == "positive", a.get("category", "")))
    for index in sorted((content / "articles").glob("*.toml")):
        for a in tomllib.loads(index.read_text(encoding="utf-8")).get("article", []):
            title, _, body = (content / a["file"]).read_text(encoding="utf-8").partition("\n")
            items.append(Item(a["file"], title.strip(), body, a["label"] == "positive", a.get("category", "")))
    return items


def realnews_set(path: Path = REALNEWS) -> list[Item]:
    """Real articles with label 0/1 (label null = borderline, left out); [] when absent."""
    if not path.exists():
        return []
    items = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.strip():
            continue
        a = json.loads(line)
        if a.get("label") is None:
            continue
        items.append(Item(str(a["id"]), a.get("title") or "", a.get("body") or "", a["label"] == 1,
                          a.get("outlet", "")))
    return items


def blind_set(folder: Path = BLIND) -> list[Item]:
    """A manifest set (positives.toml + negatives.toml, as the blind and dev sets are
    laid out); [] when absent."""
    items = []
    for manifest in ("positives.toml", "negatives.toml"):
        path = folder / manifest
        if not path.exists():
            continue
        for a in tomllib.loads(path.read_text(encoding="utf-8")).get("article", []):
            text = (folder / a["file"]).read_text(encoding="utf-8")
            title, _, body = text.partition("\n")
            items.append(Item(a["file"], title.strip(), body, a["label"] == "positive", a.get("kind", ""),
                              bool(a.get("borderline"))))
    return items


def verdicts(matcher, items: list[Item]) -> list[tuple[Item, object]]:
    """Every item with the default watchlist's flag for it."""
    return [(it, next(f for f in matcher.score(it.title, it.body) if f.watchlist == WATCHLIST)) for it in items]


def tally(pairs: list[tuple[Item, object]]) -> tuple[Score, list[tuple[Item, object]]]:
    """The counts of (item, flag) pairs and the pairs it got wrong."""
    score, wrong = Score(), []
    for it, flag in pairs:
        score.add(flag.flagged, it.positive, it.kind)
        if flag.flagged != it.positive:
            wrong.append((it, flag))
    return score, wrong


def evaluate(matcher, items: list[Item]) -> tuple[Score, list[tuple[Item, object]]]:
    """Score every item; returns the counts and the (item, flag) pairs it got wrong."""
    return tally(verdicts(matcher, items))


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--misses", default="", help="comma-separated sets whose errors to list (not the blind sets)")
    ap.add_argument("--by-kind", action="store_true",
                    help=f"blind set: counts per manifest kind (kinds under {MIN_KIND} articles pooled)")
    ap.add_argument("--root", default=str(ROOT), help="project root whose config/ to load")
    ap.add_argument("--blind", default=str(BLIND), help="blind set folder")
    ap.add_argument("--sets", default="", help="comma-separated sets to score (default: all of them)")
    ap.add_argument("--list", action="store_true", help="print the sets' names and folders, score nothing")
    args = ap.parse_args(argv)
    blind_dirs = {**BLIND_DIRS, "blind": Path(args.blind)}
    folders = {"fixture": CONTENT, "realnews": REALNEWS, "dev": DEV, **blind_dirs}
    if args.list:
        for name, folder in folders.items():
            print(f"set={name} {folder}")
        return 0
    wanted = [s for s in args.sets.split(",") if s]
    unknown = sorted(set(wanted) - set(folders))
    if unknown:
        ap.error(f"unknown set(s): {', '.join(unknown)} (known: {', '.join(folders)})")
    root = Path(args.root)
    matcher, _ = load_matcher(root / "config" / "default" / "watchlists",
                              root / "config" / "default" / "gazetteer.yaml")
    show = {s for s in args.misses.split(",") if s} - BLIND_SETS
    # each set is read by its own loader from its folder; the manifest sets all by blind_set
    loaders = {"fixture": fixture_set, "realnews": realnews_set}
    sets = [(name, loaders.get(name, blind_set)(folder)) for name, folder in folders.items()
            if not wanted or name in wanted]
    for name, items in sets:
        if not items:
            print(f"set={name} skipped (not found)")
            continue
        pairs = verdicts(matcher, items)
        score, wrong = tally(pairs)
        print(score.line(name))
        if any(it.borderline for it in items):
            # the same set without the stories its own writers called doubtful
            clear, _ = tally([(it, flag) for it, flag in pairs if not it.borderline])
            print(clear.line(f"{name}-clear"))
        if name in BLIND_SETS and args.by_kind:
            # kinds with fewer than MIN_KIND articles are pooled: a kind of one article
            # would give away that article's result
            pooled = {"tp": 0, "fp": 0, "fn": 0, "tn": 0}
            for kind, c in sorted(score.kinds.items()):
                if sum(c.values()) >= MIN_KIND:
                    print(f"  kind={kind} " + " ".join(f"{k}={v}" for k, v in c.items()))
                else:
                    for k, v in c.items():
                        pooled[k] += v
            print("  kind=(pooled small kinds) " + " ".join(f"{k}={v}" for k, v in pooled.items()))
        if name in show:
            for it, flag in wrong:
                print(f"--- {'FN' if it.positive else 'FP'} {name} {it.ident} {it.title[:80]}")
                print(explain(flag))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
