"""Which watchlist files the review page may back-test: chosen on the server, never a path.

The tune view lets an analyst pick a file by key (``live/<file>`` or
``candidates/<file>``) from a listing of two configured folders; a key that is not
in the listing is refused, so a request can never make the server read an
arbitrary path.
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


def listing(watchlists_dir: str | Path | None, candidates_dir: str | Path | None) -> list[WatchlistFile]:
    out = []
    for kind, folder in (("live", watchlists_dir), ("candidates", candidates_dir)):
        if not folder or not Path(folder).is_dir():
            continue
        out += [WatchlistFile(f"{kind}/{p.name}", kind, p) for p in watchlist_files(folder) if p.is_file()]
    return out


def pick(files: list[WatchlistFile], key: str | None) -> WatchlistFile | None:
    return next((f for f in files if f.key == key), None) if key else None
