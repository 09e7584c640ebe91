"""Which watchlist files the review page may back-test: chosen on the server, never a path.

The tune view lets an analyst pick a file by key (``live/<file>`` or
``candidates/<file>``) from a listing of two configured folders; a key that is not
in the listing is refused, so a request can never make the server read an
arbitrary path.  Symlinks, and anything that resolves outside its folder, are left
out of the listing (and checked again when picked): a link such as
``candidates/x.yaml -> /etc/passwd`` would otherwise have its target read and
quoted in the validation errors shown on the page.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from filters.loading import watchlist_files


@dataclass(frozen=True)
class WatchlistFile:
    key: str            # what the page sends back
    kind: str           # "live" or "candidates"
    path: Path


def inside(path: Path, folder: str | Path) -> bool:
    """Whether ``path`` is a regular file, not a symlink, that resolves inside ``folder``."""
    try:
        return (not path.is_symlink() and path.is_file()
                and path.resolve(strict=True).parent == Path(folder).resolve(strict=True))
    except OSError:
        return False


def listing(watchlists_dir: str | Path | None, candidates_dir: str | Path | None) -> list[WatchlistFile]:
    """The watchlist files of both folders that the tune view may read."""
    out = []
    for kind, folder in (("live", watchlists_dir), ("candidates", candidates_dir)):
        if not folder or not Path(folder).is_dir():
            continue
        out += [WatchlistFile(f"{kind}/{p.name}", kind, p) for p in watchlist_files(folder) if inside(p, folder)]
    return out


def pick(files: list[WatchlistFile], key: str | None) -> WatchlistFile | None:
    """The listed file with this key, if it is still a plain file in its folder."""
    chosen = next((f for f in files if f.key == key), None) if key else None
    return chosen if chosen is not None and inside(chosen.path, chosen.path.parent) else None
