"""The `raqib` command: a click group whose commands are thin wrappers.

Each command parses arguments, calls one importable function and formats its
result.  Domain errors (raqib.errors) are shown as one line with exit code 1;
``--debug`` shows the traceback instead.
"""

from __future__ import annotations

import sys

import click

from cli import logs
from config.settings import load_settings
from raqib import __version__
from raqib.errors import RaqibError


class Context:
    def __init__(self, settings_path: str | None, verbose: int, quiet: bool, debug: bool):
        self.settings_path = settings_path
        self.verbose = -1 if quiet else verbose
        self.debug = debug

    def settings(self, **overrides) -> dict:
        cfg = load_settings(self.settings_path, overrides)
        logs.configure(self.verbose, cfg.get("log_file", ""))
        return cfg


class RaqibGroup(click.Group):
    def invoke(self, ctx):
        try:
            return super().invoke(ctx)
        except RaqibError as exc:
            obj = ctx.obj
            if obj is not None and getattr(obj, "debug", False):
                raise
            click.secho(f"Error: {exc}", fg="red", err=True)
            sys.exit(1)


@click.group(cls=RaqibGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="raqib")
@click.option("--settings", "settings_path", type=click.Path(dir_okay=False), envvar="RAQIB_SETTINGS",
              help="Settings TOML file (see README: Configuration). Default: built-in settings.")
@click.option("-v", "--verbose", count=True, help="More log output (-v info, -vv debug incl. Scrapy).")
@click.option("-q", "--quiet", is_flag=True, help="Only warnings and errors in the log.")
@click.option("--debug", is_flag=True, help="Show tracebacks instead of one-line errors.")
@click.pass_context
def cli(ctx, settings_path, verbose, quiet, debug):
    """raqib (رقيب) — watch Arabic news for stories about Moroccan security cooperation.

    \b
    Typical use:
      raqib demo                 offline tour on bundled fixture sites
      raqib crawl                one crawl of every enabled source
      raqib run                  the scheduler daemon
      raqib review               triage newly flagged stories
      raqib check article.html   run extraction + filters on a file or URL
    """
    ctx.obj = Context(settings_path, verbose, quiet, debug)


def _register() -> None:
    from cli import crawl as _crawl  # noqa: F401  (commands register themselves)
    for name in ("check", "daemon", "review", "watchlist", "settings", "feedtokens", "search", "model", "sources",
                 "stats", "scaleout"):
        try:
            __import__(f"cli.{name}")
        except ModuleNotFoundError as exc:
            if exc.name != f"cli.{name}":
                raise


def main() -> None:
    _register()
    cli(prog_name="raqib")


if __name__ == "__main__":
    main()
