"""`raqib feed-token`: per-reader tokens for the Atom feed (create, list, revoke)."""

from __future__ import annotations

import click

from cli.format import echo_json, inert
from cli.main import cli
from cli.review import db_option


def _db(obj, db_path):
    from storage.db import open_db

    return open_db(obj.settings(db_path=db_path)["db_path"])


@cli.group("feed-token")
def feed_token():
    """Tokens that open only /feed.atom, one per feed reader, each revocable.

    With access_token set, give a feed reader its own token instead of the review
    page's: it cannot open anything but the feed, and revoking it touches no one else.

    \b
    Examples:
      raqib feed-token create "newsroom reader"
      raqib feed-token list
      raqib feed-token revoke 2
    """


@feed_token.command("create")
@click.argument("label")
@db_option
@click.pass_obj
def create(obj, label, db_path):
    """Create a feed token for the reader LABEL and print it (shown only this once).

    \b
    Example:
      raqib feed-token create "Thunderbird on the desk PC"
    """
    from storage.feed_tokens import create_feed_token

    token_id, token = create_feed_token(_db(obj, db_path), label)
    click.echo(token)
    click.echo(f"Feed token {token_id} for {inert(label)!r}: subscribe to /feed.atom?token={token}"
               f"  (revoke: raqib feed-token revoke {token_id})", err=True)


@feed_token.command("list")
@db_option
@click.option("--json", "as_json", is_flag=True, help="One JSON object per token.")
@click.pass_obj
def list_(obj, db_path, as_json):
    """List feed tokens (id, label, created, revoked); the tokens themselves are not kept.

    \b
    Example:
      raqib feed-token list
    """
    from storage.feed_tokens import list_feed_tokens

    rows = list_feed_tokens(_db(obj, db_path))
    if as_json:
        for r in rows:
            echo_json(r)
        return
    if not rows:
        click.echo("No feed tokens.  raqib feed-token create LABEL")
        return
    click.echo(f"{'id':>4}  {'created (UTC)':<25} {'revoked (UTC)':<25} label")
    for r in rows:
        click.echo(f"{r['id']:>4}  {r['created_at']:<25} {r['revoked_at'] or '-':<25} {inert(r['label'])}")


@feed_token.command("revoke")
@click.argument("token_id", type=int)
@db_option
@click.pass_obj
def revoke(obj, token_id, db_path):
    """Revoke feed token TOKEN_ID: its reader gets 401 from now on.

    \b
    Example:
      raqib feed-token revoke 2
    """
    from storage.feed_tokens import revoke_feed_token

    row = revoke_feed_token(_db(obj, db_path), token_id)
    click.echo(f"Revoked feed token {row['id']} ({inert(row['label'])}) at {row['revoked_at']}.")
