"""Bench: does the near-miss queue surface the blind positives the rules miss?

Builds a fresh database with

* the fixture corpus (fixturesite/content: seeds + articles, labelled in its manifests),
  stored and *reviewed* with those labels — the only labels the model learns from;
* the evaluation set, by default the blind set (tests/fixtures/blind: positives.toml +
  negatives.toml, texts/*.txt), stored unreviewed — never trained or tuned on; with
  ``--set PATH`` another set of the same format (the development set
  tests/fixtures/dev, which *is* for tuning);
* negatives up to ``--negatives`` (default 500) besides the blind ones' own: the fixture
  corpus negatives, the real negatives of ../shared/realnews/articles.jsonl (label 0,
  read at run time, never copied), and — only if still short — paragraph halves of
  those real negatives (a half of a story that is not about Moroccan security
  cooperation is not about it either), tagged ``realnews-half``;

scores everything with the default watchlists (``pipelines.rescore``), trains the
relevance model on the reviews only (weak labels off), and reports, of the blind
positives the rules do not flag, how many are in the first 10 and first 25 rows of
the near-miss queue, plus the model's status.  Only aggregate figures are printed
(the blind set's README forbids tuning to individual texts).

    .venv/bin/python bench/near_miss.py [--set tests/fixtures/dev [--simulate]] [--negatives 500] [--keep DB]
    .venv/bin/python bench/near_miss.py --all-blind     # every blind set, one database each, and a total
"""

from __future__ import annotations

import argparse
import hashlib
import json
import re
import subprocess
import sys
import tempfile
import time
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from filters.loading import load_matcher  # noqa: E402
from pipelines.rescore import rescore  # noqa: E402
from raqib.items import Article  # noqa: E402
from relevance.near_miss import queue  # noqa: E402
from filters.search_query import parse_query  # noqa: E402
from relevance.model import document as model_doc, probabilities  # noqa: E402
from relevance.train import load, train  # noqa: E402
from storage.search import search, sync_index  # noqa: E402
from storage.articles import save_article  # noqa: E402
from storage.db import open_db  # noqa: E402
from storage.relevance import rule_flags  # noqa: E402
from storage.reviews import mark  # noqa: E402

CONTENT = ROOT / "fixturesite" / "content"
BLIND = ROOT / "tests" / "fixtures" / "blind"
# ../shared beside the main checkout (a worktree under /work/wt/NAME has it two levels up)
REALNEWS_CANDIDATES = [ROOT.parent / "shared" / "realnews" / "articles.jsonl",
                       ROOT.parent.parent / "shared" / "realnews" / "articles.jsonl"]
WL_DIR = ROOT / "config" / "default" / "watchlists"
GAZ = ROOT / "config" / "default" / "gazetteer.yaml"


def _text_file(path: Path) -> tuple[str, str]:
    lines = [ln.strip() for ln in path.read_text(encoding="utf-8").splitlines()]
    lines = [ln for ln in lines if ln]
    return (lines[0] if lines else ""), "\n".join(lines[1:])


def _store(db, kind: str, key: str, title: str, body: str) -> int:
    h = hashlib.sha1(f"{title}\n{body}".encode()).hexdigest()
    art = Article(url=f"https://{kind}.bench.invalid/{key}", source=kind, title=title, body=body,
                  language="ar", content_hash=h, published="2025-01-01T00:00:00+00:00")
    return save_article(db, art)[0]


def fixture_corpus() -> list[tuple[str, str, str, bool]]:
    """(key, title, body, relevant) for the fixture corpus' seeds and articles."""
    out = []
    for a in tomllib.loads((CONTENT / "seeds.toml").read_text(encoding="utf-8"))["article"]:
        text = (CONTENT / a["file"]).read_text(encoding="utf-8")
        title = a.get("title") or text.splitlines()[0]
        out.append((a["file"], title, text, a["label"] == "positive"))
    for manifest in ("positives.toml", "negatives.toml"):
        for a in tomllib.loads((CONTENT / "articles" / manifest).read_text(encoding="utf-8"))["article"]:
            title, body = _text_file(CONTENT / a["file"])
            out.append((a["file"], title, body, a["label"] == "positive"))
    return out


def eval_set(root: Path = BLIND) -> list[dict]:
    """The texts of a set laid out like tests/fixtures/blind (manifests beside the texts'
    folder; each manifest row's ``file`` is relative to the set's root)."""
    out = []
    for manifest in ("positives.toml", "negatives.toml"):
        for a in tomllib.loads((root / manifest).read_text(encoding="utf-8"))["article"]:
            title, body = _text_file(root / a["file"])
            out.append({"key": a["file"], "title": title, "body": body, "positive": a["label"] == "positive",
                        "borderline": bool(a.get("borderline"))})
    return out


def real_articles(path: Path | None, label: int) -> list[tuple[str, str, str]]:
    if path is None or not path.exists():
        print("realnews: not found (../shared/realnews/articles.jsonl); going on without it")
        return []
    out = []
    for line in path.read_text(encoding="utf-8").splitlines():
        r = json.loads(line)
        if r.get("label") == label:
            out.append((r["id"], r.get("title") or "", r.get("body") or ""))
    return out


def halves(items: list[tuple[str, str, str]]) -> list[tuple[str, str, str]]:
    out = []
    for key, title, body in items:
        paras = [p for p in body.split("\n") if p.strip()]
        if len(paras) >= 4:
            mid = len(paras) // 2
            out.append((key + "-a", "", "\n".join(paras[:mid])))
            out.append((key + "-b", "", "\n".join(paras[mid:])))
    return out


#: Groups whose words a simulated miss loses (the default watchlist's names).
SIMULATED_GROUPS = ("cooperation", "partner", "moroccan_actor")


def simulate_misses(db, matcher, items: list[dict]) -> set[int]:
    """Store, for each flagged non-borderline positive, the variants with one group's
    matched words deleted that the rules no longer flag; returns their article ids.

    Why: a development set the rules were tuned on has few real misses left; a story
    stripped of its cooperation words (or of the partner's name) is the kind of story
    the rules miss, told in the set's own language."""
    out: set[int] = set()
    for item in items:
        if not item["positive"] or item["borderline"]:
            continue
        flags = matcher.score(item["title"], item["body"])
        if not any(f.flagged for f in flags):
            continue
        for group in SIMULATED_GROUPS:
            spans = {"title": [], "body": []}
            for f in flags:
                for m in f.matches:
                    if m.group == group:
                        spans[m.field].append((m.start, m.end))
            if not spans["title"] and not spans["body"]:
                continue
            title, body = _cut(item["title"], spans["title"]), _cut(item["body"], spans["body"])
            if any(f.flagged for f in matcher.score(title, body)):
                continue
            out.add(_store(db, "simulated", f"{item['key']}-{group}", title, body))
    return out


def _cut(text: str, spans: list[tuple[int, int]]) -> str:
    for start, end in sorted(set(spans), reverse=True):
        text = text[:start] + text[end:]
    return text


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--negatives", type=int, default=500, help="Unlabelled negatives besides the blind set's (min).")
    ap.add_argument("--realnews", type=Path, default=next((p for p in REALNEWS_CANDIDATES if p.exists()), None),
                    help="The real-news development set (default: ../shared/realnews/articles.jsonl).")
    ap.add_argument("--dev", action="store_true",
                    help="Development run: the realnews positives take the blind set's place (tune on this, "
                         "never on the blind set).")
    ap.add_argument("--set", dest="eval_set", type=Path, default=BLIND,
                    help="The evaluation set (manifests positives.toml + negatives.toml; default tests/fixtures/blind).")
    ap.add_argument("--simulate", action="store_true",
                    help="Also simulate misses: each flagged positive of the set with one group's matched words "
                         "(cooperation, partner or moroccan_actor) deleted, kept when the rules then miss it; each is "
                         "ranked against the queue's other articles (not against the other simulated ones). "
                         "For the development set: its real misses are few.")
    ap.add_argument("--reviews", type=Path, metavar="SET",
                    help="Also store this labelled set (same layout, e.g. tests/fixtures/dev) as reviewed with its labels,"
                         " standing in for an analyst's review history; the model then learns from it too.")
    ap.add_argument("--weak-below", type=int, default=0, metavar="N",
                    help="Train with the watchlists' flags as weak labels while there are fewer than N reviews"
                         " (the daemon's model_weak_labels_below); default 0: the reviews' labels only.")
    ap.add_argument("--keep", metavar="DB", help="Build the database here (kept) instead of a temp file.")
    ap.add_argument("--all-blind", action="store_true",
                    help="Run the measurement on every blind set (bench/quality.py's BLIND_DIRS), one fresh database"
                         " each, and print each set's ranks and a total (same other options).")
    args = ap.parse_args()
    if args.all_blind:
        return all_blind(args)

    tmp = tempfile.TemporaryDirectory()
    path = Path(args.keep) if args.keep else Path(tmp.name) / "near-miss.db"
    if path.exists():
        path.unlink()
    db = open_db(path)
    t0 = time.monotonic()

    fixture = fixture_corpus()
    ids_fixture = [(_store(db, "fixture", k, t, b), rel) for k, t, b, rel in fixture]
    if args.dev:
        blind = [{"key": k, "title": t, "body": b, "positive": True, "borderline": False}
                 for k, t, b in real_articles(args.realnews, 1)]
        print(f"DEV RUN: {len(blind)} realnews positives instead of the blind set")
    else:
        blind = eval_set(args.eval_set)
        print(f"evaluation set: {args.eval_set} ({len(blind)} texts)")
    for item in blind:
        item["id"] = _store(db, "eval", item["key"], item["title"], item["body"])
    reviewed = []
    if args.reviews:
        reviewed = [(_store(db, "reviewed", b["key"], b["title"], b["body"]), b["positive"]) for b in eval_set(args.reviews)]
        print(f"review history: {len(reviewed)} texts of {args.reviews} stored and reviewed with their labels")
    negatives = [("fixture-neg", k) for k, _, _, rel in fixture if not rel]   # already stored, reviewed
    real = real_articles(args.realnews, 0)
    for key, title, body in real:
        _store(db, "realnews", key, title, body)
    unlabelled_neg = len(real) + sum(1 for b in blind if not b["positive"])
    extra = 0
    if unlabelled_neg + len(negatives) < args.negatives:
        for key, title, body in halves(real):
            if unlabelled_neg + len(negatives) + extra >= args.negatives:
                break
            _store(db, "realnews-half", key, title, body)
            extra += 1
    total_neg = len(negatives) + unlabelled_neg + extra
    print(f"store: {len(fixture)} fixture-corpus articles (reviewed with their labels), {len(blind)} of the evaluation set,"
          f" {len(real)} real negatives, {extra} real-negative halves")
    print(f"negatives in the store: {total_neg} ({len(negatives)} fixture, {len(real)} realnews,"
          f" {extra} realnews halves, {sum(1 for b in blind if not b['positive'])} of the evaluation set)")

    matcher, watchlists = load_matcher(WL_DIR, GAZ)
    simulated = simulate_misses(db, matcher, blind) if args.simulate else set()
    if args.simulate:
        print(f"simulated misses: {len(simulated)} (one group's words deleted from a flagged positive; unflagged then)")
    res = rescore(db, matcher, watchlists)
    print(f"rescored {res.articles} articles with the default watchlists: {res.flagged} flagged"
          f" ({time.monotonic() - t0:.1f}s so far)")

    for aid, rel in ids_fixture + reviewed:
        mark(db, [aid], "relevant" if rel else "irrelevant", reviewer="bench")
    st = train(db, weak_below=args.weak_below)
    basis = "fixture labels only" if not (args.reviews or args.weak_below) else (
        "fixture labels" + (f" + the review history of {args.reviews}" if args.reviews else "")
        + (f" + the watchlists' flags as weak labels (below {args.weak_below} reviews)" if args.weak_below else ""))
    print(f"model trained on {basis}: {st['sizes']}; CV {st['metrics']}")

    flagged = {r[0] for r in db.execute("SELECT DISTINCT article_id FROM flags WHERE flagged = 1")}
    model, _ = load(db)
    arts = list(db.execute("SELECT id, title, body FROM articles"))
    evidence = rule_flags(db, [a[0] for a in arts])
    t1 = time.perf_counter()
    docs = [model_doc(t, b, evidence.get(i)) for i, t, b in arts]
    prep = (time.perf_counter() - t1) / len(docs)
    t1 = time.perf_counter()
    probabilities(model, docs)
    per = (time.perf_counter() - t1) / len(docs)
    t1 = time.perf_counter()
    rows, total = queue(db, limit=100_000)
    t_queue = time.perf_counter() - t1
    if simulated:
        sim_ranks, seen = [], 0
        for r in rows:                   # rank of each simulated miss among the real rows
            if r.id in simulated:
                sim_ranks.append(seen + 1)
            else:
                seen += 1
        rows = [r for r in rows if r.id not in simulated]
        total = len(rows)
    sync_index(db)                       # the daemon does this after each crawl
    t1 = time.perf_counter()
    hits = search(db, parse_query("التعاون الأمني"))[1]
    t_search = time.perf_counter() - t1
    print(f"timings: model scoring {per * 1000:.3f} ms/article (batch of {len(docs)}) + text prep"
          f" {prep * 1000:.3f} ms/article (bench/bench_model.py has the details);"
          f" near-miss queue over the store {t_queue * 1000:.0f} ms; search 'التعاون الأمني' {t_search * 1000:.0f} ms"
          f" ({hits} hits)")
    rank = {r.id: i + 1 for i, r in enumerate(rows)}
    print(f"near-miss queue: {total} unflagged unreviewed articles")
    what = "dev targets (realnews positives)" if args.dev else f"positives of {args.eval_set.name}"
    for label, pick in (("(not borderline)", lambda b: b["positive"] and not b["borderline"]),
                        ("(borderline)", lambda b: b["positive"] and b["borderline"])):
        group = [b for b in blind if pick(b)]
        missed = [b for b in group if b["id"] not in flagged]
        ranks = sorted(rank[b["id"]] for b in missed)
        top10 = sum(1 for r in ranks if r <= 10)
        top25 = sum(1 for r in ranks if r <= 25)
        if not group:
            continue
        print(f"{what} {label}: {len(group)}, flagged by the rules {len(group) - len(missed)},"
              f" not flagged {len(missed)}: in the first 10 rows {top10}, in the first 25 rows {top25};"
              f" queue ranks {ranks}")
    neg_blind = [b for b in blind if not b["positive"]]
    fp_top25 = sum(1 for b in neg_blind if rank.get(b["id"], 10**9) <= 25)
    print(f"negatives of the set in the first 25 rows: {fp_top25}; first 25 rows by source: "
          + json.dumps(_sources(db, [r.id for r in rows[:25]]), ensure_ascii=False))
    for w in (0.0, 1.0):
        rows_w = [r for r in queue(db, limit=100_000, model_weight=w)[0] if r.id not in simulated]
        rank_w = {r.id: i + 1 for i, r in enumerate(rows_w)}
        missed = [b for b in blind if b["positive"] and not b["borderline"] and b["id"] not in flagged]
        print(f"  ablation near_miss_model_weight={w}: first 10 {sum(1 for b in missed if rank_w[b['id']] <= 10)},"
              f" first 25 {sum(1 for b in missed if rank_w[b['id']] <= 25)} of {len(missed)}")
    if simulated:
        sim_ranks.sort()
        print(f"simulated misses: {len(sim_ranks)}: in the first 10 rows {sum(1 for r in sim_ranks if r <= 10)},"
              f" in the first 25 rows {sum(1 for r in sim_ranks if r <= 25)}; median rank"
              f" {sim_ranks[len(sim_ranks) // 2] if sim_ranks else '-'}")
    print(f"done in {time.monotonic() - t0:.1f}s; database {path if args.keep else '(temporary)'}")
    db.conn.close()
    return 0


def all_blind(args) -> int:
    """One run per blind set (a fresh database each, as the issue's measure asks), summed.

    Why a subprocess per set: each run builds its own store and model, and the figures of
    one set must not depend on what another run left in memory (caches, the model)."""
    sys.path.insert(0, str(ROOT / "bench"))
    from quality import BLIND_DIRS
    extra = [f"--negatives={args.negatives}", f"--weak-below={args.weak_below}"]
    if args.realnews:
        extra.append(f"--realnews={args.realnews}")
    if args.reviews:
        extra.append(f"--reviews={args.reviews}")
    totals = {"(not borderline)": [0, 0, 0], "(borderline)": [0, 0, 0]}    # missed, first 10, first 25
    for name, folder in BLIND_DIRS.items():
        proc = subprocess.run([sys.executable, str(Path(__file__).resolve()), "--set", str(folder), *extra],
                              capture_output=True, text=True, cwd=ROOT)
        if proc.returncode != 0:
            print(f"{name}: failed ({proc.returncode}): {proc.stderr.strip().splitlines()[-1:]}")
            return proc.returncode
        for line in proc.stdout.splitlines():
            m = _SUMMARY.search(line)
            if m is None:
                continue
            kind, missed, top10, top25, ranks = m.group(1), int(m.group(2)), int(m.group(3)), int(m.group(4)), m.group(5)
            totals[kind][0] += missed
            totals[kind][1] += top10
            totals[kind][2] += top25
            print(f"{name:8} {kind:17} not flagged {missed}: first 10 {top10}, first 25 {top25}; ranks {ranks}")
    for kind, (missed, top10, top25) in totals.items():
        print(f"all blind sets {kind}: not flagged {missed}: in the first 10 rows {top10}, in the first 25 rows {top25}")
    return 0


_SUMMARY = re.compile(r"^positives of \S+ (\(not borderline\)|\(borderline\)): \d+, flagged by the rules \d+, "
                      r"not flagged (\d+): in the first 10 rows (\d+), in the first 25 rows (\d+); queue ranks (\[.*\])")


def _sources(db, ids: list[int]) -> dict[str, int]:
    out: dict[str, int] = {}
    for i in ids:
        src = db.execute("SELECT source FROM articles WHERE id = ?", [i]).fetchone()[0]
        out[src] = out.get(src, 0) + 1
    return out


if __name__ == "__main__":
    raise SystemExit(main())
