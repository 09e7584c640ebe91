"""`raqib check`, `raqib explain`, `raqib rescore`: the filters from the command line."""

from __future__ import annotations

import json

import click

from cli.format import echo_json, inert, rtl
from cli.main import cli
from raqib.errors import NotFound


def _matcher(cfg: dict, watchlist_file: str | None):
    from filters.loading import load_matcher

    if watchlist_file:
        return load_matcher(cfg["watchlists_dir"], cfg["gazetteer_path"], files=[watchlist_file])
    return load_matcher(cfg["watchlists_dir"], cfg["gazetteer_path"])


def _highlight(text: str, spans: list[tuple[int, int]]) -> str:
    out, pos = [], 0
    for start, end in sorted(set(spans)):
        if start < pos:
            continue
        out.append(text[pos:start])
        out.append(click.style(text[start:end], fg="yellow", bold=True, underline=True))
        pos = end
    out.append(text[pos:])
    return "".join(out)


@cli.command()
@click.argument("inputs", nargs=-1, required=True, metavar="PATH_OR_URL...")
@click.option("--watchlist", "watchlist_file", type=click.Path(exists=True, dir_okay=False),
              help="Use this watchlist file instead of the configured watchlists folder.")
@click.option("--json", "as_json", is_flag=True, help="One JSON object per input, one per line.")
@click.pass_obj
def check(obj, inputs, watchlist_file, as_json):
    """Run extraction and the filters on files or URLs; store nothing.

    A .html file is read as bytes and its encoding detected (meta charset, BOM or
    detection); a .txt file is already-extracted text whose first line is the title.
    A bad input gives an error object (or line) and the others are still processed.

    \b
    Example:
      raqib check story.html notes.txt https://example.ma/news/1 --json
    """
    from pipelines.check import check_inputs

    cfg = obj.settings()
    matcher, _ = _matcher(cfg, watchlist_file)
    failures = 0
    for result in check_inputs(inputs, matcher, cfg):
        if as_json:
            echo_json(result)
            failures += "error" in result
            continue
        if "error" in result:
            failures += 1
            click.secho(f"✗ {result['input']}: {result['error']}", fg="red")
            continue
        mark = click.style("FLAGGED", fg="green", bold=True) if result["flagged"] else "not flagged"
        how = f"body: {result.get('extractor') or '?'}" + (f", date: {result['date_source']}"
                                                         if result.get("date_source") else "")
        click.echo(f"● {result['input']}\n  {mark}  score {result['score']}  {result['published']}  ({how})")
        click.echo("  " + rtl(_highlight(inert(result["title"]), [(m["start"], m["end"]) for m in result["matches"]
                                                                  if m["field"] == "title"])))
        for wl in result["watchlists"]:
            for rule in wl["rules"]:
                ok = "✓" if rule.get("satisfied") else "·"
                click.echo(f"    {ok} {wl['name']} / {rule.get('name', '?')}: {rule.get('contribution', '')}")
        terms = sorted({m["term"] for m in result["matches"]})
        click.echo("  terms: " + "، ".join(terms[:30]))
        click.echo(_highlight(result["body"], [(m["start"], m["end"]) for m in result["matches"]
                                               if m["field"] == "body"]))
        click.echo()
    if failures and failures == len(inputs):
        raise SystemExit(1)


@cli.command()
@click.argument("ref", metavar="ARTICLE_ID_OR_URL")
@click.option("--db", "db_path", type=click.Path(dir_okay=False), help="SQLite database file.")
@click.option("--json", "as_json", is_flag=True, help="Machine-readable output.")
@click.pass_obj
def explain(obj, ref, db_path, as_json):
    """Why a stored article was or was not flagged, rule by rule (from the stored flag).

    \b
    Example:
      raqib explain 42
      raqib explain https://www.hespress.com/some-story-12345.html
    """
    from storage.articles import get_article
    from storage.db import open_db
    from storage.flags import flags_for

    cfg = obj.settings(db_path=db_path)
    db = open_db(cfg["db_path"])
    article = get_article(db, ref)
    if not article:
        raise NotFound(f"{cfg['db_path']}: no stored article {ref!r} (give an id or any URL that led to it)")
    flags = flags_for(db, article["id"])
    if as_json:
        echo_json({"article": {k: article[k] for k in ("id", "url", "title", "source", "published")},
                   "flags": flags})
        return
    click.echo(f"#{article['id']} {article['source']} {article['published'] or ''}\n{rtl(inert(article['title']))}\n{article['url']}")
    if not flags:
        click.echo("No watchlist has scored this article yet (run `raqib rescore`).")
    for f in flags:
        verdict = click.style("FLAGGED", fg="green", bold=True) if f["flagged"] else "not flagged"
        click.echo(f"\n{f['watchlist']} (version {f['version']}): {verdict}, score {f['score']:.2f}")
        for rule in f["rules"]:
            ok = "✓" if rule.get("satisfied") else "✗"
            detail = json.dumps({k: v for k, v in rule.items() if k not in ("name", "satisfied")}, ensure_ascii=False)
            click.echo(f"  {ok} {rule.get('name', '?')}: {detail}")
        terms = sorted({m["term"] for m in f["matches"]})
        if terms:
            click.echo("  matched terms: " + "، ".join(terms))
        ents = sorted({f"{e['name']} ({e['type']})" for e in f["entities"]})
        if ents:
            click.echo("  entities: " + "، ".join(ents))


@cli.command()
@click.option("--watchlist", "only", metavar="NAME", help="Re-apply only this watchlist.")
@click.option("--db", "db_path", type=click.Path(dir_okay=False), help="SQLite database file.")
@click.pass_obj
def rescore(obj, only, db_path):
    """Re-apply the current watchlists to every stored article (reviews are kept).

    \b
    Example:
      raqib rescore --watchlist morocco-security-cooperation
    """
    from filters.loading import load_matcher
    from pipelines.rescore import rescore as run
    from storage.db import open_db

    cfg = obj.settings(db_path=db_path)
    matcher, watchlists = load_matcher(cfg["watchlists_dir"], cfg["gazetteer_path"])
    if only and only not in {w.name for w in watchlists}:
        raise NotFound(f"no watchlist named {only!r}; known: {', '.join(w.name for w in watchlists)}")
    result = run(open_db(cfg["db_path"]), matcher, watchlists, only=only)
    click.echo(f"Rescored {result.articles} articles: {result.flagged} flagged "
               f"({result.newly_flagged} newly).")

