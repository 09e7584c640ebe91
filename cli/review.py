"""`raqib review`, `raqib serve`, `raqib export`, `raqib alerts`: triage flagged stories."""

from __future__ import annotations

import json
import sys

import click

from cli.format import echo_json, inert, rtl
from cli.main import cli
from raqib.errors import NotFound

STATUS_CHOICE = click.Choice(["relevant", "irrelevant", "later"])
db_option = click.option("--db", "db_path", type=click.Path(dir_okay=False),
                         help="SQLite database file (default: setting db_path, raqib.db).")


def _open(obj, db_path):
    from storage.db import open_db

    ctx = click.get_current_context()
    db_path = db_path or ctx.meta.get("raqib.review_db")
    cfg = obj.settings(db_path=db_path)
    return open_db(cfg["db_path"]), cfg


@cli.group(invoke_without_command=True)
@db_option
@click.option("--status", type=click.Choice(["new", "relevant", "irrelevant", "later", "all"]), default="new",
              show_default=True, help="Which stories to list.")
@click.option("--limit", type=int, default=50, show_default=True, help="At most this many rows.")
@click.option("--json", "as_json", is_flag=True, help="One JSON object per story.")
@click.option("--sort", type=click.Choice(["date", "model"]), default="date", show_default=True,
              help="Newest first, or most probably relevant first (relevance model; `raqib model train`).")
@click.pass_context
def review(ctx, db_path, status, limit, as_json, sort):
    """Triage flagged stories: list new ones, show one, mark them.

    Without a subcommand, lists the flagged stories nobody has reviewed yet,
    newest first: id, source, date, score, title and the top matched terms.

    \b
    Examples:
      raqib review --db raqib-demo.db
      raqib review show 12
      raqib review mark 12 15 --status relevant --note "joint operation with Spain"
    """
    ctx.meta["raqib.review_db"] = db_path
    if ctx.invoked_subcommand is not None:
        return
    from storage.review_queries import InboxFilter, inbox

    db, _ = _open(ctx.obj, db_path)
    rows = inbox(db, InboxFilter(status=None if status == "all" else status, sort=sort), limit=limit)
    if as_json:
        for r in rows:
            echo_json(r)
        return
    if not rows:
        click.echo(f"No {'' if status == 'all' else status + ' '}flagged stories.")
        return
    click.echo(f"{'id':>5}  {'source':<12} {'date':<10} {'score':>5}  title  [terms]")
    for r in rows:
        terms = inert("، ".join(t for t, _ in r["terms"][:4]))
        mark = "" if status == "new" or not r["review_status"] else f" ({r['review_status']})"
        click.echo(f"{r['id']:>5}  {r['source'][:12]:<12} {(r['published'] or r['fetched_at'] or '')[:10]:<10}"
                   f" {r['score'] or 0:>5.1f}  {rtl(inert(r['title'] or r['url']))}"
                   + (click.style(f"  [{rtl(terms)}]", fg="yellow") if terms else "") + mark)
    click.echo(f"\n{len(rows)} shown.  raqib review show ID · raqib review mark ID... --status relevant")


@review.command("show")
@click.argument("article_id", type=int)
@db_option
@click.option("--json", "as_json", is_flag=True, help="The article, its flags and review as JSON.")
@click.pass_obj
def review_show(obj, article_id, db_path, as_json):
    """Show one stored story (flagged or not) with its matched terms highlighted and why it was (not) flagged.

    \b
    Example:
      raqib review show 12 --db raqib-demo.db
    """
    from review.highlight import highlight_terminal, spans_for
    from storage.review_queries import article_detail

    db, _ = _open(obj, db_path)
    detail = article_detail(db, article_id)
    if detail is None:
        raise NotFound(f"article {article_id}: no such article (see `raqib review` for ids)")
    if as_json:
        echo_json(detail)
        return
    a, flags = detail["article"], detail["flags"]

    def style(seg, kind):
        return click.style(seg, fg="yellow" if kind == "term" else "cyan", bold=True, underline=True)

    click.echo(click.style(rtl(highlight_terminal(inert(a["title"]), spans_for(flags, "title"), style)), bold=True))
    click.echo(f"#{a['id']} · {a['source']} · {a['published'] or a['fetched_at']} · {inert(a['url'])}")
    review_row = detail["review"]
    click.echo("review: " + (f"{review_row['status']} ({review_row['updated_at']})"
                             + (f" — {inert(review_row['note'])}" if review_row["note"] else "") if review_row else "new"))
    click.echo("")
    for para in highlight_terminal(inert(a["body"]), spans_for(flags, "body"), style).split("\n"):
        if para.strip():
            click.echo(rtl(para) + "\n")
    click.echo(click.style("Why flagged", bold=True) + f" ({click.style('term', fg='yellow')}, "
               f"{click.style('entity', fg='cyan')}):")
    for f in flags:
        click.echo(f"  {f['watchlist']} (version {f['version'][:12]}): score {f['score']:.2f}"
                   f" {'FLAGGED' if f['flagged'] else 'not flagged'}")
        terms = sorted({m['term'] for m in f["matches"]})
        if terms:
            click.echo("    terms: " + rtl(inert("، ".join(terms))))
        ents = sorted({e['name'] for e in f["entities"]})
        if ents:
            click.echo("    entities: " + rtl(inert("، ".join(ents))))
        click.echo("    rules: " + json.dumps(f["rules"], ensure_ascii=False, indent=2).replace("\n", "\n    "))
    for c in detail["copies"]:
        click.echo(f"  also: #{c['id']} {c['source']} {rtl(inert(c['title']))} {inert(c['url'])}")


@review.command("mark")
@click.argument("article_ids", type=int, nargs=-1, required=True)
@click.option("--status", type=STATUS_CHOICE, required=True, help="The verdict.")
@click.option("--note", default=None, help="A note kept with the verdict (default: keep the existing one).")
@db_option
@click.pass_obj
def review_mark(obj, article_ids, status, note, db_path):
    """Mark one or more stories relevant, irrelevant or later (with an optional note).

    Any stored article can be marked, flagged or not (find unflagged ones with
    `raqib search` or `raqib review misses`): an unflagged article marked relevant
    is recorded as a miss, and the back-test counts it as a false negative.

    \b
    Example:
      raqib review mark 12 15 17 --status irrelevant --note "sports"
    """
    from storage.reviews import mark

    db, _ = _open(obj, db_path)
    ids = mark(db, article_ids, status, note)
    click.echo(f"Marked {len(ids)} stor{'y' if len(ids) == 1 else 'ies'} {status}: {' '.join(map(str, ids))}")


@cli.command()
@db_option
@click.option("--host", default=None, help="Address to bind (default: setting serve_host, 127.0.0.1).")
@click.option("--port", type=int, default=None, help="Port (default: setting serve_port, 8765).")
@click.pass_obj
def serve(obj, db_path, host, port):
    """Serve the review web page: inbox, article view with highlights, Atom feed,
    and /tune, the watchlist back-test (candidate files in setting tuning_dir).

    Binds to 127.0.0.1 by default.  A non-loopback --host needs access_token (at
    least 16 characters) set in the settings (open the page once as /?token=TOKEN;
    give feed readers their own token: raqib feed-token create).  Other host names
    than the bound address (a reverse proxy's) go in setting serve_public_name.
    Ctrl-C stops it.

    \b
    Example:
      raqib serve --db raqib-demo.db --port 8765
    """
    from review.app import serve as run

    cfg = obj.settings(db_path=db_path, serve_host=host, serve_port=port)
    from review.security import check_bind

    check_bind(cfg["serve_host"], cfg["access_token"])
    click.echo(f"Review page: http://{cfg['serve_host']}:{cfg['serve_port']}/   (database {cfg['db_path']})",
               err=True)
    run(cfg["db_path"], cfg["serve_host"], cfg["serve_port"], access_token=cfg["access_token"],
        public_names=[n for n in cfg["serve_public_name"].split(",") if n.strip()],
        watchlists_dir=cfg["watchlists_dir"], gazetteer_path=cfg["gazetteer_path"], candidates_dir=cfg["tuning_dir"],
        near_miss_model_weight=cfg["near_miss_model_weight"], chart_digits=cfg["chart_digits"])


@cli.command()
@click.option("--format", "fmt", type=click.Choice(["csv", "json", "jsonl"]), default="csv", show_default=True)
@click.option("--status", type=click.Choice(["new", "relevant", "irrelevant", "later"]), default=None,
              help="Only stories with this review status (default: every flagged story).")
@click.option("--since", metavar="DATE", default=None, help="Only stories published (or fetched) on/after DATE (YYYY-MM-DD).")
@click.option("--body", "with_body", is_flag=True, help="Include the article text.")
@click.option("-o", "--output", type=click.Path(dir_okay=False, writable=True), default="-",
              help="Write here instead of standard output.")
@db_option
@click.pass_obj
def export(obj, fmt, status, since, with_body, output, db_path):
    """Export flagged stories and their review verdicts as CSV, JSON or JSON Lines.

    \b
    Example:
      raqib export --format csv --status relevant --since 2024-06-01 -o relevant.csv
    """
    from review.export import export as run

    db, _ = _open(obj, db_path)
    with click.open_file(output, "w", encoding="utf-8") as fh:
        n = run(db, fh, fmt, status=status, since=since, with_body=with_body)
    click.echo(f"Exported {n} stories ({fmt}).", err=True)


@cli.group()
def alerts():
    """Webhook / e-mail alerts for new flags (the daemon sends them after each crawl).

    \b
    Examples:
      raqib alerts send
      raqib alerts status
    """


@alerts.command("send")
@db_option
@click.pass_obj
def alerts_send(obj, db_path):
    """Enqueue alerts for new flags and send the pending ones (webhook_url, smtp_*).

    A flag is alerted at most once per channel, however often this runs.  An alert
    whose sender was killed while sending is retried once its lease (derived from
    alert_timeout) has run out; SIGTERM or Ctrl-C stop at once and requeue it.

    \b
    Example:
      RAQIB_WEBHOOK_URL=http://127.0.0.1:9000/hook raqib alerts send
    """
    from review.alerts import StopRequest, channels, dispatch_pending

    db, cfg = _open(obj, db_path)
    if not channels(cfg):
        click.echo("No alert channel configured: set webhook_url and/or smtp_host + smtp_to.", err=True)
        sys.exit(1)
    stop = StopRequest()
    with stop.installed():      # SIGTERM / Ctrl-C: stop without losing or repeating an alert
        stats = dispatch_pending(db, cfg, stop=stop)
    echo_json(stats.as_dict())
    if stats.interrupted:
        click.echo(f"Stopped by {stats.interrupted}: alerts not sent yet stay queued for the next run.", err=True)
    if stats.failed or stats.retried or stats.interrupted:
        sys.exit(1)


@alerts.command("status")
@db_option
@click.option("--requeue-failed", is_flag=True, help="Put failed alerts back in the queue (after fixing the receiver).")
@click.pass_obj
def alerts_status(obj, db_path, requeue_failed):
    """Show the alert outbox per channel and status (pending / sending / sent / failed).

    \b
    Example:
      raqib alerts status --requeue-failed
    """
    from storage.alerts import outbox_counts, requeue_failed as requeue

    db, _ = _open(obj, db_path)
    if requeue_failed:
        click.echo(f"Requeued {requeue(db)} failed alerts.", err=True)
    echo_json(outbox_counts(db))
