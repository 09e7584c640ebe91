"""Back-test: what a candidate watchlist would flag, compared with the live one.

Every stored article is scored with both texts in one pass (one automaton holds both
watchlists, so a back-test costs about one re-score).  Nothing is written: flags,
reviews and versions stay as they are until the analyst deploys the file and runs
``raqib rescore`` (or the next crawl picks it up).

"Live" is the version the store says was applied last (``watchlist_live``), because
that is what produced the flags the analysts are looking at; the file on disk may
already be the edited candidate.  With no stored version, the configured file of the
same name is used; with neither, every flag is new.
"""

from __future__ import annotations

import logging
from collections import Counter
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Callable

import sqlite_utils

from filters.gazetteer import Gazetteer, load_gazetteer
from filters.loading import watchlist_files
from filters.matcher import Matcher
from filters.watchlist import Watchlist, load_watchlist, parse_watchlist
from raqib.errors import WatchlistError
from storage.articles import count, iter_articles
from storage.misses import miss_ids
from storage.watchlists import labels as load_labels, live_version
from tuning.metrics import Confusion, confusion

log = logging.getLogger(__name__)

TOP_TERMS = 10


@dataclass
class Change:
    """One article whose verdict differs between live and candidate."""

    id: int
    title: str
    source: str
    published: str
    url: str
    live_score: float | None
    candidate_score: float
    label: bool | None          # True relevant, False irrelevant, None unreviewed

    @property
    def label_name(self) -> str | None:
        """The review status behind ``label`` ("relevant"/"irrelevant"), None if unreviewed."""
        return {True: "relevant", False: "irrelevant"}.get(self.label)


@dataclass
class Backtest:
    name: str
    candidate_version: str
    candidate_path: str
    live_version: str | None
    live_origin: str            # "store", "file" or "none"
    articles: int = 0
    labelled: int = 0
    newly_flagged: list[Change] = field(default_factory=list)
    no_longer_flagged: list[Change] = field(default_factory=list)
    live: Confusion = field(default_factory=Confusion)
    candidate: Confusion = field(default_factory=Confusion)
    # {"live"|"candidate": {"tp"|"fp": [(group, term, articles), ...]}}
    terms: dict[str, dict[str, list[tuple[str, str, int]]]] = field(default_factory=dict)
    # recorded misses (unflagged stories marked relevant, storage.misses) among the
    # labels, and how many of them each side flags; the rest are in that side's fn
    misses: int = 0
    misses_caught: dict[str, int] = field(default_factory=dict)

    def to_dict(self) -> dict:
        def change(c: Change) -> dict:
            return {**c.__dict__, "label": c.label_name}
        return {
            "watchlist": self.name, "candidate_version": self.candidate_version,
            "candidate_path": self.candidate_path, "live_version": self.live_version,
            "live_origin": self.live_origin, "articles": self.articles, "labelled": self.labelled,
            "newly_flagged": [change(c) for c in self.newly_flagged],
            "no_longer_flagged": [change(c) for c in self.no_longer_flagged],
            "metrics": {"live": self.live.to_dict(), "candidate": self.candidate.to_dict()},
            "misses": self.misses, "misses_caught": dict(self.misses_caught),
            "terms": {side: {k: [{"group": g, "term": t, "articles": n} for g, t, n in rows]
                             for k, rows in by.items()} for side, by in self.terms.items()},
        }


def stored_watchlist(stored: dict, roles: set[str]) -> Watchlist:
    """A watchlist version kept in the store (a ``watchlist_versions`` row), parsed.

    Raises:
        WatchlistError: the stored text no longer validates (e.g. the gazetteer lost a role).
    """
    wl, problems = parse_watchlist(stored["content"], stored["path"] or stored["name"], roles)
    if wl is None:
        raise WatchlistError(f"stored version {stored['version']} of {stored['name']}",
                             [tuple(p) for p in problems])
    wl.version = stored["version"]    # the hash of the file's bytes, as recorded
    return wl


def resolve_live(db: sqlite_utils.Database, candidate: Watchlist, gazetteer: Gazetteer,
                 watchlists_dir: str | Path | None) -> tuple[Watchlist | None, str]:
    """The live text of the candidate's watchlist and where it came from (see module doc)."""
    stored = live_version(db, candidate.name)
    if stored is not None:
        return stored_watchlist(stored, gazetteer.roles), "store"
    if watchlists_dir is not None and Path(watchlists_dir).is_dir():
        for path in watchlist_files(watchlists_dir):
            try:
                wl = load_watchlist(path, roles=gazetteer.roles)
            except WatchlistError:
                continue
            if wl.name == candidate.name:
                return wl, "file"
    return None, "none"


def _contributing_terms(flag) -> set[tuple[str, str]]:
    """(group, term) pairs in the evidence of the rules that added to the score."""
    out = set()
    for rule in flag.rules:
        if rule.get("satisfied") and rule.get("contribution", 0) > 0:
            for ev in rule.get("evidence", ()):
                out.add((ev["group"], ev["term"]))
    return out


def backtest_file(db: sqlite_utils.Database, path: str | Path, gazetteer_path: str | Path,
                  watchlists_dir: str | Path | None, *, live_file: str | Path | None = None,
                  since: str | None = None, progress: Callable[[int, int], None] | None = None,
                  progress_every: int = 500) -> Backtest:
    """Back-test the watchlist file at ``path`` against the live one (or ``live_file``):
    what ``raqib watchlist test`` and the review page's tune view both run.

    Raises:
        WatchlistError: the candidate, the live file or the stored live version is invalid.
    """
    gaz = load_gazetteer(gazetteer_path)
    candidate = load_watchlist(path, roles=gaz.roles)
    if live_file:
        live, origin = load_watchlist(live_file, roles=gaz.roles), "file"
    else:
        live, origin = resolve_live(db, candidate, gaz, watchlists_dir)
    return backtest(db, candidate, gaz, live=live, live_origin=origin, since=since, progress=progress,
                    progress_every=progress_every)


def backtest(db: sqlite_utils.Database, candidate: Watchlist, gazetteer: Gazetteer, *,
             live: Watchlist | None = None, live_origin: str = "none", since: str | None = None,
             progress: Callable[[int, int], None] | None = None, progress_every: int = 500) -> Backtest:
    """Score every stored article (published/fetched on or after ``since``) with both texts.

    Args:
        live: the live watchlist (see :func:`resolve_live`); None means nothing is live.
        progress: called with ``(done, total)`` every ``progress_every`` articles.
    """
    cand = replace(candidate, name=f"{candidate.name}\x00candidate")
    matcher = Matcher([cand] + ([live] if live is not None else []), gazetteer)
    labels = load_labels(db)
    total = count(db, since=since)
    result = Backtest(candidate.name, candidate.version, str(candidate.path or ""),
                      live.version if live else None, live_origin if live else "none")
    flagged: dict[str, dict[int, bool]] = {"live": {}, "candidate": {}}
    counters = {side: {"tp": Counter(), "fp": Counter()} for side in flagged}
    for row in iter_articles(db, since=since):
        scored = {f.watchlist: f for f in matcher.score(row["title"] or "", row["body"] or "")}
        by_side = {"candidate": scored[cand.name], "live": scored.get(live.name) if live else None}
        label = labels.get(row["id"])
        for side, flag in by_side.items():
            hit = bool(flag and flag.flagged)
            flagged[side][row["id"]] = hit
            if hit and label is not None:
                counters[side]["tp" if label else "fp"].update(_contributing_terms(flag))
        was, now = flagged["live"][row["id"]], flagged["candidate"][row["id"]]
        if was != now:
            live_flag = by_side["live"]
            change = Change(row["id"], row["title"] or "", row["source"], row["published"] or "",
                            row["url"] or "", live_flag.score if live_flag else None,
                            by_side["candidate"].score, label)
            (result.newly_flagged if now else result.no_longer_flagged).append(change)
        result.articles += 1
        if progress and result.articles % progress_every == 0:
            progress(result.articles, total)
    scope = {aid: lab for aid, lab in labels.items() if aid in flagged["candidate"]}
    result.labelled = len(scope)
    result.live = confusion(flagged["live"], scope)
    result.candidate = confusion(flagged["candidate"], scope)
    missed = [aid for aid in miss_ids(db) if scope.get(aid)]
    result.misses = len(missed)
    result.misses_caught = {side: sum(1 for aid in missed if flagged[side].get(aid)) for side in flagged}
    result.terms = {side: {k: [(g, t, n) for (g, t), n in c.most_common(TOP_TERMS)] for k, c in by.items()}
                    for side, by in counters.items()}
    log.info("back-test of %s: %d articles, %d newly flagged, %d no longer flagged", candidate.name,
             result.articles, len(result.newly_flagged), len(result.no_longer_flagged))
    return result
