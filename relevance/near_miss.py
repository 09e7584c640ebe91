"""The near-miss queue ("قد تكون فاتت"): unflagged stories most likely to be misses.

Two signals, both already in hand:

* **how close the rules came**, from each stored flag's own explanation (house rule 7:
  nothing is re-matched): the score against the watchlist's threshold, and for each
  rule that did not fire, the share of its required groups that were present (at half
  weight, :data:`MISSING_GROUP_FACTOR`) and whether firing it would have crossed the
  threshold.  A rule whose groups were all there but not within its scope (a window, a
  paragraph) is the nearest miss of all;
* **the relevance model's probability** (``relevance.train``), which reads the words
  and the *shape* of the rules' evidence (which groups, how close; not which rule
  fired) and so catches stories told in words the watchlist lacks.

``closeness`` is in [0, 1]; the queue is ordered by
``(1 - w) × closeness + w × probability`` with ``w`` = ``near_miss_model_weight``
(closeness alone when no model is trained yet).  The default 0.7 leans on the model
because it already sees the evidence closeness is computed from, and ranks within the
many articles of equal closeness; on the development set (``bench/near_miss.py --set
tests/fixtures/dev``) 0.5 put the rule-missed positives a few rows lower.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field

import sqlite_utils

from filters.watchlist import Watchlist, parse_watchlist
from relevance import train as relevance
from storage import relevance as store

log = logging.getLogger(__name__)

#: Credit for a rule whose groups were all present but not together in its scope.
SCOPE_MISS_CREDIT = 0.75
#: Factor on the share of a rule's groups that were present, for a rule that lacked some.
#: Why not the share itself: most stories about Moroccan security name Morocco, a partner,
#: the security domain and some cooperation word, so a rule that lacks only its one
#: decisive group (hosting, a meeting) came 4/5 of the way in nearly every one of them and
#: drowned the real misses; a story whose groups were all there, or whose score came close,
#: is nearer.  On the development rounds (bench/near_miss.py --set ROUND, rounds 22–27)
#: 0.5 put 5 of 6 rule-missed positives in the first 25 rows against 2 of 6 with the share
#: alone (1.0); on the blind sets (--all-blind) 7 of 9 either way, 6 in the first 10.
MISSING_GROUP_FACTOR = 0.5


@dataclass
class Nearest:
    """The rule that came closest on one watchlist, and what it lacked."""

    watchlist: str
    score: float
    threshold: float | None
    rule: str | None = None
    lacked: list[str] = field(default_factory=list)
    closeness: float = 0.0
    vetoed_by: str | None = None

    def describe(self) -> str:
        head = f"{self.watchlist}: {self.score:g}" + (f"/{self.threshold:g}" if self.threshold else "")
        if self.vetoed_by:
            return f"{head}; vetoed by {self.vetoed_by}"
        if not self.rule:
            return head
        what = "; ".join(self.lacked) if self.lacked else "groups present but not together in scope"
        return f"{head}; {self.rule} lacked {what}"


@dataclass
class NearMiss:
    id: int
    title: str
    source: str
    url: str
    published: str
    review_status: str | None
    closeness: float
    probability: float | None
    rank_score: float
    nearest: Nearest | None

    def to_dict(self) -> dict:
        out = {k: v for k, v in self.__dict__.items() if k != "nearest"}
        out["nearest"] = None if self.nearest is None else {**self.nearest.__dict__,
                                                            "text": self.nearest.describe()}
        return out


def _required(rule) -> int:
    return len(rule.all_of) + len(rule.context) + (1 if rule.any_of else 0)


def closeness(flag: dict, wl: Watchlist | None) -> Nearest:
    """How near one stored (unflagged) flag came to flagging; see the module doc."""
    score = float(flag.get("score") or 0.0)
    threshold = float(wl.threshold) if wl is not None and wl.threshold else None
    best = Nearest(flag.get("watchlist", ""), score, threshold)
    base = min(1.0, max(0.0, score / threshold)) if threshold else 0.0
    best.closeness = round(base, 4)
    rules = {r.name: r for r in wl.rules} if wl is not None else {}
    for info in flag.get("rules") or []:
        if info.get("satisfied") and info.get("veto"):
            best.vetoed_by = info.get("name")
            best.closeness = max(best.closeness, 0.9)
            continue
        weight = float(info.get("weight") or 0.0)
        if info.get("satisfied") or weight <= 0:
            continue
        missing = [m for m in info.get("missing") or [] if m]
        rule = rules.get(info.get("name"))
        need = _required(rule) if rule is not None else max(len(missing), 1)
        frac = SCOPE_MISS_CREDIT if not missing else MISSING_GROUP_FACTOR * max(0.0, (need - len(missing)) / need)
        potential = min(1.0, (score + weight) / threshold) if threshold else min(1.0, weight)
        near = round(frac * potential, 4)
        if near > best.closeness or (near == best.closeness and best.rule is None and near > 0):
            best.closeness, best.rule, best.lacked = near, info.get("name"), missing
    return best


class _Watchlists:
    """Stored watchlist versions parsed once per (name, version)."""

    def __init__(self, db: sqlite_utils.Database):
        self.db = db
        self.cache: dict[tuple[str, str], Watchlist | None] = {}

    def get(self, name: str, version: str) -> Watchlist | None:
        key = (name, version)
        if key not in self.cache:
            row = store.watchlist_text(self.db, name, version)
            wl = None
            if row is not None:
                wl, problems = parse_watchlist(row["content"], row["path"] or name)
                if wl is None:
                    log.warning("stored watchlist %s %s no longer parses: %s", name, version, problems[:1])
            self.cache[key] = wl
        return self.cache[key]


def queue(db: sqlite_utils.Database, *, limit: int = 50, offset: int = 0,
          model_weight: float = 0.7) -> tuple[list[NearMiss], int]:
    """Unflagged, unreviewed articles, most likely misses first; and how many there are."""
    wls = _Watchlists(db)
    probs = relevance.scores(db)
    w = min(1.0, max(0.0, model_weight)) if probs else 0.0
    out = []
    for row in store.unflagged_unreviewed(db):
        nearest = None
        for flag in row["flags"]:
            if flag.get("watchlist") == relevance.MODEL_WATCHLIST:
                continue
            n = closeness(flag, wls.get(flag["watchlist"], flag.get("version") or ""))
            if nearest is None or n.closeness > nearest.closeness:
                nearest = n
        close = nearest.closeness if nearest else 0.0
        prob = probs.get(row["id"])
        rank = (1 - w) * close + w * (prob or 0.0)
        out.append(NearMiss(row["id"], row["title"] or "", row["source"], row["url"] or "",
                            row["published"] or row["fetched_at"] or "", row["review_status"],
                            close, prob, round(rank, 4), nearest))
    out.sort(key=lambda m: (-m.rank_score, -m.closeness, -m.id))
    return out[offset:offset + limit], len(out)
