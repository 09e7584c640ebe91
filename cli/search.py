"""`raqib search` and `raqib review misses`: reach the stories the watchlists did not flag."""

from __future__ import annotations

import click

from cli.format import echo_json, inert, rtl
from cli.main import cli
from cli.review import _open, db_option, review


@cli.command()
@click.argument("query", nargs=-1, required=True)
@click.option("--unflagged", is_flag=True, help="Only articles no watchlist flagged.")
@click.option("--status", type=click.Choice(["new", "relevant", "irrelevant", "later"]), default=None,
              help="Only articles with this review status.")
@click.option("--limit", type=int, default=50, show_default=True, help="At most this many rows.")
@click.option("--json", "as_json", is_flag=True, help="One JSON object per article (with the hits' offsets).")
@db_option
@click.pass_obj
def search(obj, query, unflagged, status, limit, as_json, db_path):
    """Full-text search over every stored article, flagged or not, best match first.

    The query is normalised like the watchlists' terms (diacritics, hamza forms,
    ta marbuta) and each word also finds its clitic and suffixed spellings
    (المغرب → بالمغرب، للمغرب، المغربية).  Words are ANDed; "..." is a phrase.
    Mark a hit with `raqib review mark ID --status relevant`: an unflagged one is
    then recorded as a miss, which the back-test counts as a false negative.

    \b
    Examples:
      raqib search حموشي اسبانيا
      raqib search '"تبادل المعلومات"' --unflagged --json
    """
    from filters.search_query import find_spans, parse_query
    from storage.search import search as run

    text = " ".join(query)
    clauses = parse_query(text)
    db, _ = _open(obj, db_path)
    rows, total = run(db, clauses, unflagged=unflagged, status=status, limit=limit)
    if as_json:
        for r in rows:
            body = r.pop("body") or ""
            r["hits"] = [{"field": f, "start": s, "end": e, "clause": c}
                         for f, t in (("title", r["title"] or ""), ("body", body))
                         for s, e, c in find_spans(t, clauses)]
            echo_json(r)
        return
    if not rows:
        click.echo("No stored article matches.")
        return
    click.echo(f"{'id':>5}  {'flag':<5} {'source':<12} {'date':<10} {'status':<10} title")
    for r in rows:
        flag = f"F{r['score']:.1f}" if r["flagged"] else "-"
        st = (r["review_status"] or "new") + (" MISS" if r["miss"] else "")
        click.echo(f"{r['id']:>5}  {flag:<5} {r['source'][:12]:<12} {(r['published'] or r['fetched_at'] or '')[:10]:<10}"
                   f" {st:<10} {rtl(inert(r['title'] or r['url']))}")
    click.echo(f"\n{len(rows)} of {total} shown.  raqib review show ID · raqib review mark ID --status relevant")


@review.command("misses")
@click.option("--limit", type=int, default=25, show_default=True, help="At most this many rows.")
@click.option("--json", "as_json", is_flag=True, help="One JSON object per article.")
@db_option
@click.pass_obj
def review_misses(obj, limit, as_json, db_path):
    """The near-miss queue: unflagged, unreviewed stories most likely to be misses.

    Ranked by how close the watchlist rules came (score against threshold; which rule
    nearly fired and what it lacked) combined with the relevance model's probability
    (setting near_miss_model_weight; `raqib model train` first).

    \b
    Example:
      raqib review misses --limit 10
    """
    from relevance.near_miss import queue

    db, cfg = _open(obj, db_path)
    rows, total = queue(db, limit=limit, model_weight=cfg["near_miss_model_weight"])
    if as_json:
        for r in rows:
            echo_json(r.to_dict())
        return
    if not rows:
        click.echo("No unflagged story is waiting for review.")
        return
    click.echo(f"{'#':>3} {'id':>5}  {'rank':>5} {'rules':>5} {'model':>5}  title  [nearest rule]")
    for i, r in enumerate(rows, 1):
        prob = "—" if r.probability is None else f"{r.probability:.2f}"
        near = f"  [{r.nearest.describe()}]" if r.nearest else ""
        click.echo(f"{i:>3} {r.id:>5}  {r.rank_score:>5.2f} {r.closeness:>5.2f} {prob:>5}  "
                   f"{rtl(inert(r.title or r.url))}" + click.style(near, fg="yellow"))
    click.echo(f"\n{len(rows)} of {total} unflagged unreviewed stories.  "
               "raqib review mark ID --status relevant records a miss.")
