"""`raqib stats`: flags over time, the reviewed-relevant share and the top entities."""

from __future__ import annotations

import json

import click

from cli.format import inert, rtl
from cli.main import cli


@cli.command()
@click.option("--db", "db_path", type=click.Path(dir_okay=False),
              help="SQLite database file (default: setting db_path, raqib.db).")
@click.option("--by", type=click.Choice(["day", "week"]), default="week", show_default=True,
              help="Count per day or per ISO week (named by its Monday).")
@click.option("--watchlist", metavar="W", help="Only this watchlist's flags.")
@click.option("--source", metavar="NAME", help="Only this source's flags.")
@click.option("--from", "date_from", metavar="DATE", help="Only articles published on/after DATE (YYYY-MM-DD).")
@click.option("--to", "date_to", metavar="DATE", help="Only articles published on/before DATE.")
@click.option("--top", type=int, default=6, show_default=True, help="Entities followed per kind.")
@click.option("--json", "as_json", is_flag=True, help="Every series as one JSON object.")
@click.option("--csv", "as_csv", is_flag=True, help="Long CSV: period,metric,key,value (what /trends.csv gives).")
@click.pass_obj
def stats(obj, db_path, by, watchlist, source, date_from, date_to, top, as_json, as_csv):
    """Flags per day or week (per watchlist and source), reviewed-relevant share, and
    the top partner countries, agencies and people over time.

    The same figures as the review page's trends view ("اتجاهات", /trends), from
    the flags and reviews stored; periods with nothing flagged are listed as zeros
    in --json/--csv and left out of the table.

    \b
    Examples:
      raqib stats --db raqib-demo.db --by week
      raqib stats --by day --watchlist morocco-security-cooperation --csv > trends.csv
    """
    from storage.db import open_db
    from storage.review_queries import InboxFilter
    from storage.stats import trends

    if as_json and as_csv:
        raise click.UsageError("choose one of --json and --csv")
    cfg = obj.settings(db_path=db_path)
    flt = InboxFilter(source=source, watchlist=watchlist, date_from=date_from, date_to=date_to)
    result = trends(open_db(cfg["db_path"]), flt, by=by, top=top)
    if as_json:
        click.echo(json.dumps(result.as_dict(), ensure_ascii=False, indent=2))
        return
    if as_csv:
        click.echo(result.to_csv(), nl=False)
        return
    totals = result.totals()
    share = "—" if totals["relevant_share"] is None else f"{totals['relevant_share']:.0%}"
    click.echo(f"{totals['flags']} flags in {totals['stories']} stories over {len(result.periods)} {by}s"
               f" ({result.periods[0] if result.periods else '—'} … {result.periods[-1] if result.periods else '—'});"
               f" reviewed {totals['reviewed']}, relevant {share}")
    if not result.periods:
        return
    sources = list(result.by_source)
    click.echo("\n" + f"{by:<11} {'flags':>5} {'stories':>7} {'relevant':>9}  " + "  ".join(sources))
    for i, p in enumerate(result.periods):
        if not result.flags[i]:
            continue
        s = result.relevant_share[i]
        rel = "" if s is None else f"{result.relevant[i]}/{result.reviewed[i]}"
        click.echo(f"{p:<11} {result.flags[i]:>5} {result.stories[i]:>7} {rel:>9}  "
                   + "  ".join(f"{result.by_source[k][i]:>{len(k)}}" for k in sources))
    names = {"partner_countries": "partner countries", "agencies": "agencies", "people": "people"}
    for kind, rows in result.entities.items():
        if rows:
            click.echo(f"\ntop {names[kind]}: " + ", ".join(f"{rtl(inert(n))} {sum(v)}" for n, v in rows.items()))
