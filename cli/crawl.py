"""`raqib crawl` and `raqib demo`."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from cli.format import inert, rtl, summary_table
from cli.main import cli
from config.sources import load_sources, select


@cli.command()
@click.option("--source", "source_name", metavar="NAME", help="Crawl only this source (even if disabled).")
@click.option("--config", "config_path", type=click.Path(dir_okay=False),
              help="Sources TOML file (default: the bundled list of Arabic outlets).")
@click.option("--db", "db_path", type=click.Path(dir_okay=False), help="SQLite database file (default: raqib.db).")
@click.option("--trigger", default="manual", hidden=True)
@click.pass_obj
def crawl(obj, source_name, config_path, db_path, trigger):
    """Crawl every enabled source once (or one source) and store new articles.

    Shows progress per source while it runs and a summary at the end: pages
    fetched, new articles, flagged stories, skipped pages with reasons, errors.
    Exit code 1 when every source failed.

    \b
    Example:
      raqib crawl --source hespress --db news.db
    """
    from spiders.crawl import run_crawl

    cfg = obj.settings(db_path=db_path, sources_path=config_path)
    sources = select(load_sources(cfg["sources_path"]), source_name)
    click.echo(f"Crawling {len(sources)} source(s) into {cfg['db_path']} …", err=True)
    summary = run_crawl(sources, cfg, trigger=trigger)
    click.echo(summary_table(summary))
    if summary.sources and all(s.status == "failed" for s in summary.sources):
        sys.exit(1)


@cli.command()
@click.option("--db", "db_path", type=click.Path(dir_okay=False), default="raqib-demo.db", show_default=True,
              help="Demo database file (recreated on every run).")
@click.option("--keep", is_flag=True, help="Keep the existing demo database instead of starting afresh.")
@click.pass_obj
def demo(obj, db_path, keep):
    """Offline tour: crawl the bundled fixture news sites and show what was flagged.

    Starts four fixture Arabic news sites on free 127.0.0.1 ports (a WordPress
    theme, a JSON-LD portal, an agency with AMP pages, a legacy windows-1256 site),
    crawls them into a demo database, flags the stories about Moroccan security
    cooperation and prints them.  Some stories are carried by several outlets (edited
    wire copies), as in real news, so the inbox shows them as one story.  No internet needed.

    \b
    Example:
      raqib demo && raqib review --db raqib-demo.db
    """
    from fixturesite.server import FixtureSite
    from spiders.crawl import run_crawl
    from config.sources import parse_sources

    if not keep:
        for suffix in ("", "-wal", "-shm"):
            Path(db_path + suffix).unlink(missing_ok=True)
    cfg = obj.settings(db_path=db_path)
    cfg["http_cache"] = False
    from fixturesite.content import load_stories
    from fixturesite.copies import with_copies

    with FixtureSite(stories=with_copies(load_stories())) as site:   # with wire copies across outlets
        sources = parse_sources(site.sources_toml(), "<fixture sites>")
        click.echo("Fixture sites: " + ", ".join(f"{s.name} {s.homepage}" for s in sources), err=True)
        summary = run_crawl(sources, cfg, trigger="demo")
    click.echo(summary_table(summary))
    from storage.db import open_db
    from storage.stories import story_page, story_total

    db = open_db(db_path)
    rows = story_page(db, limit=50)
    click.echo(f"\n{story_total(db)} flagged stories"
               + (f" (the newest {len(rows)})" if story_total(db) > len(rows) else "") + ":")
    for r in rows:
        outlets = f" +{r['n_sources'] - 1}" if r["n_sources"] > 1 else ""
        click.echo(f"  [{r['score']:.1f}] {r['source']:<8}{outlets:<3} {(r['published'] or '')[:10]}"
                   f"  {rtl(inert(r['title']))}")
    click.echo(f"\nLook closer:  raqib review --db {db_path}    raqib serve --db {db_path}"
               f"    datasette {db_path}")
