"""Load the configured watchlists and gazetteer and compile them into one Matcher.

The only place in ``filters/`` that touches the file system besides the two loaders,
so pipelines and the CLI share one way of finding watchlist files.
"""

from __future__ import annotations

import logging
from pathlib import Path

from filters.gazetteer import load_gazetteer
from filters.matcher import Matcher
from filters.watchlist import Watchlist, load_watchlist
from raqib.errors import WatchlistError

log = logging.getLogger(__name__)

__all__ = ["load_matcher", "watchlist_files"]

SUFFIXES = (".yaml", ".yml")


def watchlist_files(watchlists_dir: str | Path) -> list[Path]:
    """The watchlist files of a folder, sorted by name (hidden files ignored)."""
    folder = Path(watchlists_dir)
    if not folder.is_dir():
        raise WatchlistError(str(folder), [(None, "", "watchlists folder not found; "
                                                       "set watchlists_dir to a folder of .yaml files")])
    return sorted(p for p in folder.iterdir() if p.suffix in SUFFIXES and not p.name.startswith("."))


def load_matcher(watchlists_dir: str | Path, gazetteer_path: str | Path,
                 files: list[str | Path] | None = None) -> tuple[Matcher, list[Watchlist]]:
    """Load every watchlist (or only ``files``) plus the gazetteer into one Matcher.

    Raises:
        WatchlistError: a file is invalid (every problem listed) or two watchlists share
            a name.
    """
    gazetteer = load_gazetteer(gazetteer_path)
    paths = [Path(f) for f in files] if files else watchlist_files(watchlists_dir)
    watchlists: list[Watchlist] = []
    names: dict[str, Path] = {}
    for path in paths:
        wl = load_watchlist(path, roles=gazetteer.roles)
        if wl.name in names:
            raise WatchlistError(str(path), [(None, "name", f"watchlist name {wl.name!r} is also used by "
                                                            f"{names[wl.name]}; names must be unique")])
        names[wl.name] = path
        watchlists.append(wl)
    matcher = Matcher(watchlists, gazetteer)
    log.info("matcher: %d watchlists, %d automaton keys", len(watchlists), matcher.keys)
    return matcher, watchlists
