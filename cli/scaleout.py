"""`raqib scaleout worker|writer|seed`: one crawl shared by several workers through Redis."""

from __future__ import annotations

import signal
import threading

import click

from cli.main import cli
from config.sources import load_sources, select

REDIS_OPTION = click.option("--redis", "redis_url", default="redis://127.0.0.1:6379/0", show_default=True,
                            help="Redis URL shared by the seed, the workers and the writer.")
CONFIG_OPTION = click.option("--config", "config_path", type=click.Path(dir_okay=False),
                             help="Sources TOML file (default: setting sources_path).")


@cli.group()
def scaleout():
    """Scale out past one machine: crawl workers share the request queue and the
    seen-URL filter through Redis (scrapy-redis); one writer stores into SQLite."""


@scaleout.command("worker")
@REDIS_OPTION
@CONFIG_OPTION
@click.option("--id", "worker_id", help="This worker's name in Redis (default: host-pid-random).")
@click.pass_obj
def worker(obj, redis_url, config_path, worker_id):
    """Crawl what the shared queues hold until stopped (SIGTERM/Ctrl-C).

    Start as many as you like, on any machine that reaches Redis and the sites;
    a killed worker's requests are finished by the others.

    \b
    Example:
      raqib scaleout worker --redis redis://10.0.0.5:6379/0 --config sources.toml
    """
    from scaleout.run import run_worker

    cfg = obj.settings(sources_path=config_path)
    run_worker(cfg, redis_url, select(load_sources(cfg["sources_path"])), worker_id)


@scaleout.command("writer")
@REDIS_OPTION
@click.option("--db", "db_path", type=click.Path(dir_okay=False), help="SQLite database file (default: raqib.db).")
@click.pass_obj
def writer(obj, redis_url, db_path):
    """Store the workers' articles into the SQLite database (run exactly one).

    \b
    Example:
      raqib scaleout writer --redis redis://127.0.0.1:6379/0 --db raqib.db
    """
    from scaleout.writer import run_writer

    cfg = obj.settings(db_path=db_path)
    stop = threading.Event()
    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, lambda *_: stop.set())
    stats = run_writer(cfg, redis_url, stop)
    click.echo(stats.summary(), err=True)


@scaleout.command("seed")
@REDIS_OPTION
@CONFIG_OPTION
@click.option("--source", "source_name", metavar="NAME", help="Seed only this source.")
@click.pass_obj
def seed_command(obj, redis_url, config_path, source_name):
    """Start one crawl cycle: push every enabled source's entry points for the workers.

    Run it every interval (cron, a systemd timer).

    \b
    Example:
      raqib scaleout seed --redis redis://127.0.0.1:6379/0 --config sources.toml
    """
    from scaleout.run import seed

    cfg = obj.settings(sources_path=config_path)
    n = seed(redis_url, select(load_sources(cfg["sources_path"]), source_name))
    click.echo(f"seeded {n} entry point(s)")
