"""`raqib run` (the scheduler daemon) and `raqib status` (its health, per source)."""

from __future__ import annotations

import sys

import click

from cli.format import echo_json
from cli.main import cli


@cli.command("run")
@click.option("--config", "config_path", type=click.Path(dir_okay=False),
              help="Sources TOML file (default: setting sources_path, the bundled outlets).")
@click.option("--db", "db_path", type=click.Path(dir_okay=False), help="SQLite database file (default: raqib.db).")
@click.option("--verbose", is_flag=True, help="Debug logging (same as `raqib -v run`).")
@click.option("--log-file", type=click.Path(dir_okay=False), help="Also write the log to this rotating file.")
@click.pass_obj
def run_command(obj, config_path, db_path, verbose, log_file):
    """Run the scheduler daemon: crawl each enabled source every interval_minutes.

    Each crawl is a separate process with a hard timeout (crawl_timeout); at most
    max_concurrent_crawls run at once.  The schedule is kept in the database, so a
    restart continues it and crawls again what a crash interrupted.  SIGTERM or
    Ctrl-C stop it (exit 0); SIGHUP reloads settings, sources and watchlists.

    \b
    Example:
      raqib run --db /var/lib/raqib/raqib.db --config sources.toml
      kill -HUP $(pidof -s raqib)      # after editing sources.toml
    """
    from scheduler import run_daemon

    if verbose:
        obj.verbose = max(obj.verbose, 1)
    overrides = {"db_path": db_path, "sources_path": config_path, "log_file": log_file}
    cfg = obj.settings(**overrides)
    sys.exit(run_daemon(cfg, settings_path=obj.settings_path, overrides=overrides))


def _when(iso: str | None) -> str:
    return (iso or "")[:19].replace("T", " ")


def status_table(rows: list[dict]) -> str:
    lines = [f"{'source':<16} {'last run (UTC)':<19} {'status':<11} {'secs':>6} {'pages':>5} {'new':>4}"
             f" {'flag':>4} {'err':>4} {'fails':>5}  next run (UTC)"]
    for r in rows:
        last = r["last_run"] or {}
        secs = f"{last['seconds']:.1f}" if last.get("seconds") is not None else "-"
        lines.append(f"{r['source']:<16} {_when(last.get('started_at')) or 'never':<19} {last.get('status', '-'):<11}"
                     f" {secs:>6} {last.get('pages', 0):>5} {last.get('new_articles', 0):>4}"
                     f" {last.get('flagged', 0):>4} {last.get('error_count', 0):>4} {r['consecutive_failures']:>5}"
                     f"  {_when(r['next_run']) or ('not scheduled' if not r['scheduled'] else 'paused')}")
    return "\n".join(lines)


@cli.command()
@click.option("--json", "as_json", is_flag=True, help="One JSON object per source.")
@click.option("--db", "db_path", type=click.Path(dir_okay=False), help="SQLite database file (default: raqib.db).")
@click.option("--config", "config_path", type=click.Path(dir_okay=False),
              help="Sources TOML file, to list configured sources that never ran.")
@click.option("--max-failures", type=click.IntRange(min=1), metavar="N",
              help="Exit 2 when a source failed N runs in a row (default: setting failure_threshold).")
@click.pass_obj
def status(obj, as_json, db_path, config_path, max_failures):
    """Show each source's last run, failures in a row and next scheduled run.

    Exit code 2 when any source has failed N runs in a row, so it can back a health
    check (systemd, cron, a container probe).

    \b
    Example:
      raqib status --db /var/lib/raqib/raqib.db --max-failures 3 || alert-someone
    """
    from scheduler import status_report

    cfg = obj.settings(db_path=db_path, sources_path=config_path, failure_threshold=max_failures)
    rows = status_report(cfg, config_given=config_path is not None)
    if as_json:
        for row in rows:
            echo_json(row)
    else:
        click.echo(status_table(rows))
    failing = [r for r in rows if r["failing"]]
    for r in failing:
        click.secho(f"{r['source']}: failed {r['consecutive_failures']} runs in a row"
                    f" (threshold {cfg['failure_threshold']}): {r['last_run']['last_error'][:300]}",
                    fg="red", err=True)
    if failing:
        sys.exit(2)
