"""`raqib watchlist validate|test|suggest|history`: tune watchlists before they go live."""

from __future__ import annotations

import sys

import click

from cli.format import echo_json, inert, rtl
from cli.main import cli
from raqib.errors import NotFound

db_option = click.option("--db", "db_path", type=click.Path(dir_okay=False),
                         help="SQLite database file (default: setting db_path, raqib.db).")
json_option = click.option("--json", "as_json", is_flag=True, help="One JSON object instead of text.")


def _open_db(cfg):
    from storage.db import open_db

    return open_db(cfg["db_path"])


@cli.group()
def watchlist():
    """Tune watchlists: validate a file, back-test it, get term suggestions, see versions.

    \b
    The loop:
      1. copy the live file (setting watchlists_dir) and edit the copy;
      2. raqib watchlist validate copy.yaml
      3. raqib watchlist test copy.yaml        what would change, precision/recall
      4. replace the live file with the copy; the next crawl (or `raqib rescore`)
         applies it, and `raqib watchlist history NAME` records when it went live.
    `raqib watchlist suggest` lists terms that separate stories marked relevant
    from those marked irrelevant.
    """


@watchlist.command()
@click.argument("files", nargs=-1, required=True, type=click.Path(dir_okay=False))
@click.pass_obj
def validate(obj, files):
    """Check watchlist FILES; list every problem as file:line: field: message.

    Exits 1 when any file has a problem.  Entity roles are checked against the
    configured gazetteer (setting gazetteer_path).

    \b
    Example:
      raqib watchlist validate my-watchlist.yaml
    """
    from filters.gazetteer import load_gazetteer
    from tuning.validate import validate_files

    cfg = obj.settings()
    roles = load_gazetteer(cfg["gazetteer_path"]).roles
    results = validate_files(list(files), roles)
    bad = 0
    for path, problems in results.items():
        if problems:
            bad += 1
            for p in problems:
                click.echo(p.format(path))
        else:
            click.echo(f"{path}: OK")
    if bad:
        click.secho(f"{bad} of {len(results)} file(s) have problems.", fg="red", err=True)
        sys.exit(1)


def _changes(title: str, rows, limit: int) -> None:
    click.echo(f"\n{title}: {len(rows)}")
    for c in rows[:limit]:
        label = c.label_name or "unreviewed"
        live = "—" if c.live_score is None else f"{c.live_score:.1f}"
        click.echo(f"  #{c.id:<5} {c.source[:12]:<12} {(c.published or '')[:10]:<10} "
                   f"score {live} → {c.candidate_score:.1f}  [{label}]  {rtl(inert(c.title))}")
    if len(rows) > limit:
        click.echo(f"  … and {len(rows) - limit} more (--limit, or --json for all)")


def print_backtest(result, limit: int = 30) -> None:
    from tuning.metrics import fmt

    live = f"version {result.live_version} (from the {result.live_origin})" if result.live_version else "none"
    click.echo(f"Back-test of {result.candidate_path} (version {result.candidate_version}) "
               f"against live {live} on {result.articles} stored articles, {result.labelled} labelled.")
    _changes("Newly flagged", result.newly_flagged, limit)
    _changes("No longer flagged", result.no_longer_flagged, limit)
    click.echo("\nAgainst reviewer labels (relevant / irrelevant):")
    click.echo(f"  {'':<10} {'tp':>4} {'fp':>4} {'fn':>4} {'tn':>4}  {'precision':>9} {'recall':>7} {'F1':>6}")
    for side in ("live", "candidate"):
        m = getattr(result, side)
        click.echo(f"  {side:<10} {m.tp:>4} {m.fp:>4} {m.fn:>4} {m.tn:>4}  {fmt(m.precision):>9}"
                   f" {fmt(m.recall):>7} {fmt(m.f1):>6}")
    if result.misses:
        caught = result.misses_caught
        click.echo(f"  misses (unflagged stories marked relevant): {result.misses}; flagged by live"
                   f" {caught.get('live', 0)}, by candidate {caught.get('candidate', 0)} (the others count as fn)")
    for key, what in (("fp", "false positives"), ("tp", "true positives")):
        rows = result.terms.get("candidate", {}).get(key, [])
        if rows:
            click.echo(f"\nTerms behind the candidate's {what} (articles):")
            click.echo("  " + "، ".join(f"{t} ({g}) {n}" for g, t, n in rows))


@watchlist.command("test")
@click.argument("file", type=click.Path(exists=True, dir_okay=False))
@db_option
@click.option("--live", "live_file", type=click.Path(exists=True, dir_okay=False),
              help="Compare with this file instead of the live version recorded in the store.")
@click.option("--since", metavar="DATE", help="Only articles published (or fetched) on or after this ISO date.")
@click.option("--limit", type=int, default=30, show_default=True, help="Articles listed per change list.")
@json_option
@click.pass_obj
def test_cmd(obj, file, db_path, live_file, since, limit, as_json):
    """Back-test watchlist FILE against every stored article; nothing is written.

    Scores each stored article with FILE and with the live version of the same
    watchlist (the one the store recorded last; else the configured file), then
    lists the articles newly flagged and no longer flagged, and precision, recall
    and F1 of both against the stories analysts marked relevant or irrelevant.

    \b
    Example:
      raqib watchlist test candidate.yaml --db raqib.db
    """
    from tuning.backtest import backtest_file

    cfg = obj.settings(db_path=db_path)

    def progress(done, total):
        if not as_json:
            click.echo(f"  scored {done}/{total} articles…", err=True)

    result = backtest_file(_open_db(cfg), file, cfg["gazetteer_path"], cfg["watchlists_dir"],
                           live_file=live_file, since=since, progress=progress, progress_every=2000)
    if as_json:
        echo_json(result.to_dict())
    else:
        print_backtest(result, limit)


@watchlist.command()
@db_option
@click.option("--top", type=int, default=20, show_default=True, help="Suggestions per list.")
@click.option("--min-docs", type=int, default=2, show_default=True,
              help="A phrase must occur in at least this many labelled stories of its class.")
@click.option("--words", type=click.IntRange(1, 4), default=2, show_default=True, help="Longest phrase, in words.")
@json_option
@click.pass_obj
def suggest(obj, db_path, top, min_docs, words, as_json):
    """Terms frequent in stories marked relevant and rare in those marked irrelevant.

    Two lists: candidates to add (over-represented in relevant stories) and
    candidates to exclude (over-represented in irrelevant ones), each with the
    number of relevant and irrelevant stories containing it.  Phrases already
    matched by a configured watchlist are marked with their group.

    \b
    Example:
      raqib watchlist suggest --db raqib.db --top 30
    """
    from filters.loading import load_matcher
    from storage.watchlists import labelled_texts
    from tuning.suggest import known_terms, suggest as run

    cfg = obj.settings(db_path=db_path)
    rel, irr = labelled_texts(_open_db(cfg))
    if not rel or not irr:
        raise NotFound(f"{cfg['db_path']}: need stories marked both relevant and irrelevant "
                       f"(have {len(rel)} relevant, {len(irr)} irrelevant); mark some with `raqib review mark`")
    _, watchlists = load_matcher(cfg["watchlists_dir"], cfg["gazetteer_path"])
    add, exclude, totals = run(rel, irr, known=known_terms(watchlists), min_docs=min_docs, top=top,
                               max_words=words)
    if as_json:
        echo_json({"relevant_stories": totals[0], "irrelevant_stories": totals[1],
                   "add": [s.to_dict(totals) for s in add], "exclude": [s.to_dict(totals) for s in exclude]})
        return
    click.echo(f"From {totals[0]} stories marked relevant and {totals[1]} marked irrelevant.")
    for title, rows in (("Candidates to add (frequent in relevant, rare in irrelevant)", add),
                        ("Candidates to exclude (frequent in irrelevant, rare in relevant)", exclude)):
        click.echo(f"\n{title}:")
        click.echo(f"  {'relevant':>8} {'irrelevant':>10}  phrase")
        for s in rows:
            known = f"   (already in {s.in_watchlist})" if s.in_watchlist else ""
            click.echo(f"  {s.relevant:>4}/{totals[0]:<3} {s.irrelevant:>6}/{totals[1]:<3}  {rtl(inert(s.phrase))}{known}")
        if not rows:
            click.echo("  (none)")


def print_diff(d) -> None:
    click.echo(f"Changes from {d.old_version} to {d.new_version}:")
    if d.empty:
        click.echo("  no term or rule changes")
    for key, (a, b) in d.settings.items():
        click.echo(f"  {key}: {a} → {b}")
    for g in d.groups_added:
        click.echo(f"  + group {g}")
    for g in d.groups_removed:
        click.echo(f"  - group {g}")
    for g, terms in d.terms_added.items():
        click.echo(f"  + {g}: " + "، ".join(terms))
    for g, terms in d.terms_removed.items():
        click.echo(f"  - {g}: " + "، ".join(terms))
    for r in d.rules_added:
        click.echo(f"  + rule {r}")
    for r in d.rules_removed:
        click.echo(f"  - rule {r}")
    for r, fields in d.rules_changed.items():
        click.echo(f"  ~ rule {r}: " + "; ".join(f"{f} {a} → {b}" for f, (a, b) in fields.items()))


@watchlist.command()
@click.argument("name")
@click.argument("versions", nargs=-1)
@click.option("--diff", "show_diff", is_flag=True,
              help="Show term and rule changes between two versions (default: the last two live).")
@db_option
@json_option
@click.pass_obj
def history(obj, name, versions, show_diff, db_path, as_json):
    """Every version of watchlist NAME that went live, oldest first.

    Each line: version (content hash), when it went live, the file it came from,
    and how many stored flags cite it.  With --diff [OLD NEW], the terms and
    rules added, removed or changed (versions may be given by a 4+ character prefix).

    \b
    Examples:
      raqib watchlist history morocco-security-cooperation
      raqib watchlist history morocco-security-cooperation --diff
      raqib watchlist history morocco-security-cooperation --diff 3fa1 9bc2
    """
    from storage.watchlists import history as load_history, watchlist_names

    cfg = obj.settings(db_path=db_path)
    db = _open_db(cfg)
    rows = load_history(db, name)
    if not rows:
        raise NotFound(f"{cfg['db_path']}: no stored versions of watchlist {name!r}; "
                       f"known: {', '.join(watchlist_names(db)) or '(none)'}")
    if versions and not show_diff:
        raise click.UsageError("version arguments are only used with --diff")
    if show_diff:
        diff = _diff(db, cfg, name, rows, versions)
        if as_json:
            echo_json(diff.to_dict())
        else:
            print_diff(diff)
        return
    if as_json:
        echo_json({"watchlist": name, "versions": rows})
        return
    click.echo(f"{'version':<13} {'went live':<26} {'flags':>6} {'flagged':>8}  file")
    for r in rows:
        click.echo(f"{r['version']:<13} {r['went_live_at']:<26} {r['flags']:>6} {r['flagged']:>8}  {r['path']}")


def _diff(db, cfg, name, rows, versions):
    from filters.gazetteer import load_gazetteer
    from storage.watchlists import get_version
    from tuning.backtest import stored_watchlist
    from tuning.diff import diff_watchlists

    if len(versions) not in (0, 2):
        raise click.UsageError("--diff takes no versions (the last two live) or exactly two: OLD NEW")
    if not versions:
        if len(rows) < 2:
            raise NotFound(f"watchlist {name!r} has only one live version ({rows[0]['version']}); nothing to diff")
        versions = (rows[-2]["version"], rows[-1]["version"])
    roles = load_gazetteer(cfg["gazetteer_path"]).roles
    return diff_watchlists(*(stored_watchlist(get_version(db, name, v), roles) for v in versions))
