"""`raqib settings`: every setting, its current value and what it does."""

from __future__ import annotations

import click

from cli.main import cli


@cli.command("settings")
@click.option("--markdown", is_flag=True, help="Print the README's settings table instead.")
@click.pass_obj
def settings_cmd(obj, markdown):
    """Every setting: its current value (after file, environment and flags) and what it does.

    \b
    Example:
      RAQIB_DB_PATH=/var/lib/raqib/raqib.db raqib settings
    """
    from config.settings import SETTINGS, settings_markdown
    from raqib.redact import redact_text

    if markdown:
        click.echo(settings_markdown())
        return
    cfg = obj.settings()
    for s in sorted(SETTINGS, key=lambda s: s.name):
        value = cfg[s.name]
        if s.name == "access_token" and value:
            value = "(set)"
        elif isinstance(value, str):
            value = redact_text(value)   # URL credentials and keys (webhook_url…) stay secret
        mark = "" if cfg[s.name] == s.default else "   (changed)"
        click.echo(f"{s.name} = {value!r}{mark}\n    {s.help}")
