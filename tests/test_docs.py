"""The README and --help stay true: every command is documented, the settings table
is the one generated from config/settings.py, and every command's help has an example."""

from __future__ import annotations

import re
from pathlib import Path

import click
import pytest
from click.testing import CliRunner

from cli.main import _register, cli
from config.settings import SETTINGS, settings_markdown

README = (Path(__file__).resolve().parent.parent / "README.md").read_text(encoding="utf-8")
_register()


def _commands(group: click.Group, prefix: str = "raqib") -> list[tuple[str, click.Command]]:
    out = []
    for name, cmd in sorted(group.commands.items()):
        full = f"{prefix} {name}"
        out.append((full, cmd))
        if isinstance(cmd, click.Group):
            out += _commands(cmd, full)
    return out


COMMANDS = _commands(cli)


def test_settings_table_matches_the_code():
    block = re.search(r"<!-- settings-table:.*?-->\n(.*?)\n<!-- /settings-table -->", README, re.S)
    assert block, "README lost its settings table"
    assert block.group(1).strip() == settings_markdown(), "regenerate with `raqib settings --markdown`"
    assert {s.name for s in SETTINGS} <= set(re.findall(r"\| `([a-z_]+)` \| `RAQIB_", block.group(1)))


@pytest.mark.parametrize("full,cmd", COMMANDS, ids=[c[0] for c in COMMANDS])
def test_every_command_in_readme_and_help_has_an_example(full, cmd):
    # the README commands table names each top-level command and each group's subcommands
    parts = full.split()
    if len(parts) == 2 or isinstance(cmd, click.Group):
        assert f"`{full}" in README, f"{full} is missing from the README's Commands table"
    else:
        parent = " ".join(parts[:-1])
        assert re.search(rf"`{re.escape(parent)}[^`]*\b{re.escape(parts[-1])}\b", README), \
            f"{full} is missing from the README"
    result = CliRunner().invoke(cli, [*parts[1:], "--help"])
    assert result.exit_code == 0, result.output
    assert len(cmd.help or "") > 20, f"{full} --help does not explain the command"
    if not isinstance(cmd, click.Group):
        assert "Example" in result.output, f"{full} --help has no example"
