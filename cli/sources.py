"""`raqib sources check`: the daily "does extraction still work on this site" check."""

from __future__ import annotations

import sys

import click

from cli.format import echo_json
from cli.main import cli
from config.sources import load_sources, select


@cli.group()
def sources():
    """Commands about the configured sources.

    \b
    Example:
      raqib sources check --sample 5
    """


@sources.command("check")
@click.option("--source", "source_name", metavar="NAME", help="Check only this source (even if disabled).")
@click.option("--sample", default=10, show_default=True, type=click.IntRange(1, 200),
              help="Newest articles to fetch per source.")
@click.option("--config", "config_path", type=click.Path(dir_okay=False),
              help="Sources TOML file (default: the bundled list of Arabic outlets).")
@click.option("--json", "as_json", is_flag=True, help="One JSON object per source, one per line.")
@click.pass_obj
def check_sources_cmd(obj, source_name, sample, config_path, as_json):
    """Fetch each source's newest articles and report how well extraction works.

    Per source: pages fetched, share with a body, median body words, share with a
    title and a date, and the extraction paths used (trafilatura, text_block,
    jsonld, app_state …).  Nothing is stored.  Exit code 1 when a source's body
    share falls under `sources_check_min_body_share` (or nothing could be fetched):
    its template probably changed.

    \b
    Example:
      raqib sources check --source hespress --sample 5 --json
    """
    from pipelines.sources_check import check_sources

    cfg = obj.settings(sources_path=config_path)
    chosen = select(load_sources(cfg["sources_path"]), source_name)
    reports = check_sources(chosen, cfg, sample)
    for r in reports:
        d = r.as_dict()
        if as_json:
            echo_json(d)
            continue
        mark = click.style("ok", fg="green") if r.ok else click.style("UNDER FLOOR", fg="red", bold=True)
        paths = ", ".join(f"{k} {v}" for k, v in sorted(d["extractors"].items())) or "-"
        click.echo(f"{r.source}: {d['pages']} pages, body {d['body_share']:.0%} (floor {r.floor:.0%}), "
                   f"median {d['median_body_words']:.0f} words, title {d['title_share']:.0%}, "
                   f"date {d['date_share']:.0%}; extractors: {paths}  {mark}")
        for p in d["problems"][:5]:
            click.echo(f"    ! {p}")
        if d["skipped"]:
            click.echo("    skipped: " + ", ".join(f"{k} {v}" for k, v in d["skipped"].items()))
    if any(not r.ok for r in reports):
        sys.exit(1)
