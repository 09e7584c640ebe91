"""`raqib model`: the relevance model that learns from reviews (relevance/)."""

from __future__ import annotations

import click

from cli.format import echo_json
from cli.main import cli
from cli.review import _open, db_option


@cli.group()
def model():
    """Train and inspect the relevance model (logistic regression over word n-grams and the rules' evidence).

    It learns from verdicts (relevant, irrelevant, misses) and, while there are fewer
    than model_weak_labels_below of them, from the watchlists' own flags as weak
    labels.  It ranks the near-miss queue; it flags only when
    model_flag_probability is set.  The daemon retrains after model_retrain_after
    new verdicts.

    \b
    Examples:
      raqib model train
      raqib model status --json
    """


def _print_status(st: dict) -> None:
    sizes, m = st["sizes"], st["metrics"]

    def pct(v):
        return "—" if v is None else f"{v:.3f}"

    click.echo(f"model {st['id']} trained {st['trained_at']} in {m.get('train_seconds', 0):.1f}s")
    click.echo(f"  training set: {sizes.get('relevant', 0)} relevant + {sizes.get('misses', 0)} misses,"
               f" {sizes.get('irrelevant', 0)} irrelevant (reviews); weak labels from flags:"
               f" {sizes.get('weak_relevant', 0)} flagged, {sizes.get('weak_irrelevant', 0)} unflagged")
    click.echo(f"  cross-validated ({m.get('folds', 0)} folds on {m.get('n', 0)} {m.get('graded_on', 'reviews')},"
               f" p >= 0.5): precision {pct(m.get('precision'))}, recall {pct(m.get('recall'))}")
    wl = ", ".join(f"{k} {v}" for k, v in st["watchlists"].items()) or "(none recorded)"
    click.echo(f"  watchlists when trained: {wl}")
    if st["watchlists_now"] != st["watchlists"]:
        click.echo("  watchlists live now:     " + (", ".join(f"{k} {v}" for k, v in st["watchlists_now"].items())
                                                    or "(none)"))
    click.echo(f"  verdicts since training: {st['reviews_since']}")
    if st.get("outdated"):
        click.echo("  trained with an older feature set: not used until retrained (`raqib model train`)")


@model.command("train")
@db_option
@click.option("--json", "as_json", is_flag=True, help="The new model's status as JSON.")
@click.pass_obj
def model_train(obj, db_path, as_json):
    """Train the relevance model on the store's labels, then score every article.

    \b
    Example:
      raqib model train --db raqib-demo.db
    """
    from relevance.train import apply_flags, train

    db, cfg = _open(obj, db_path)
    st = train(db, weak_below=cfg["model_weak_labels_below"])
    flagged = apply_flags(db, cfg["model_flag_probability"])
    if as_json:
        echo_json({**st, "newly_flagged": flagged})
        return
    _print_status(st)
    if cfg["model_flag_probability"] > 0:
        click.echo(f"  newly flagged by the model (p >= {cfg['model_flag_probability']}): {flagged}")


@model.command("status")
@db_option
@click.option("--json", "as_json", is_flag=True, help="As JSON.")
@click.pass_obj
def model_status(obj, db_path, as_json):
    """Show the current model: training-set sizes, cross-validated precision/recall,
    when it was trained and on which watchlist versions.

    \b
    Example:
      raqib model status
    """
    from relevance.train import status

    db, _ = _open(obj, db_path)
    st = status(db)
    if as_json:
        echo_json(st)
        return
    if st is None:
        click.echo("No relevance model yet: run `raqib model train`.")
        return
    _print_status(st)
