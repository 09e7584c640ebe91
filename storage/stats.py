"""Coverage over time: flags per day or week, reviewed-relevant share, top entities.

Everything is counted from what is stored — flags (and the gazetteer entities each
flag recorded), reviews — under the same filters as the inbox (``InboxFilter``:
source, watchlist, dates, minimum score, full-text query; the review status is a
measured quantity here, not a filter).  A flag's date is the article's publication
day (else the day it was fetched); a week is the ISO week, named by its Monday.
Periods with nothing flagged are kept (as zeros) so charts show the gaps.
"""

from __future__ import annotations

import csv
import io
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta

import sqlite_utils

from storage.review_queries import InboxFilter, _where

BY = ("day", "week")
DAY = "substr(coalesce(nullif(a.published, ''), a.fetched_at), 1, 10)"
# the Monday of the ISO week: 'weekday 0' moves to the next Sunday (or stays), -6 days
WEEK = f"date({DAY}, 'weekday 0', '-6 days')"
# gazetteer entities (flags.entities) → the three kinds of actor the trends page follows
ENTITY_KINDS = {
    "partner_countries": "json_extract(e.value, '$.type') = 'country' AND json_extract(e.value, '$.role') = 'foreign_partner'",
    "agencies": "json_extract(e.value, '$.type') = 'organisation'",
    "people": "json_extract(e.value, '$.type') = 'person'",
}


@dataclass
class Stats:
    """Series aligned on ``periods`` (oldest first); see :func:`trends`."""

    by: str
    periods: list[str]
    flags: list[int]
    by_watchlist: dict[str, list[int]]
    by_source: dict[str, list[int]]
    reviewed: list[int]                 # flagged articles reviewed relevant or irrelevant
    relevant: list[int]
    relevant_share: list[float | None]  # relevant / reviewed; None when nothing was reviewed
    entities: dict[str, dict[str, list[int]]] = field(default_factory=dict)  # kind → name → counts
    stories: list[int] = field(default_factory=list)   # distinct stories flagged

    def totals(self) -> dict:
        rev = sum(self.reviewed)
        return {"flags": sum(self.flags), "stories": sum(self.stories), "reviewed": rev,
                "relevant": sum(self.relevant),
                "relevant_share": round(sum(self.relevant) / rev, 3) if rev else None}

    def as_dict(self) -> dict:
        return {"by": self.by, "periods": self.periods, "totals": self.totals(),
                "flags": {"total": self.flags, "stories": self.stories, "by_watchlist": self.by_watchlist,
                          "by_source": self.by_source},
                "review": {"reviewed": self.reviewed, "relevant": self.relevant,
                           "relevant_share": self.relevant_share},
                "entities": self.entities}

    def rows(self) -> list[dict]:
        """Long format, one row per (period, metric, key): what the CSV holds."""
        out = []
        for i, p in enumerate(self.periods):
            out.append({"period": p, "metric": "flags", "key": "", "value": self.flags[i]})
            out.append({"period": p, "metric": "stories", "key": "", "value": self.stories[i]})
            for w, vals in self.by_watchlist.items():
                out.append({"period": p, "metric": "flags_by_watchlist", "key": w, "value": vals[i]})
            for s, vals in self.by_source.items():
                out.append({"period": p, "metric": "flags_by_source", "key": s, "value": vals[i]})
            out.append({"period": p, "metric": "reviewed", "key": "", "value": self.reviewed[i]})
            out.append({"period": p, "metric": "relevant", "key": "", "value": self.relevant[i]})
            share = self.relevant_share[i]
            out.append({"period": p, "metric": "relevant_share", "key": "",
                        "value": "" if share is None else round(share, 3)})
            for kind, names in self.entities.items():
                for name, vals in names.items():
                    out.append({"period": p, "metric": kind, "key": name, "value": vals[i]})
        return out

    def to_csv(self) -> str:
        buf = io.StringIO()
        w = csv.DictWriter(buf, ["period", "metric", "key", "value"], lineterminator="\n")
        w.writeheader()
        w.writerows(self.rows())
        return buf.getvalue()


def _periods(first: str, last: str, by: str) -> list[str]:
    try:
        a, b = date.fromisoformat(first), date.fromisoformat(last)
    except ValueError:
        return sorted({first, last})
    step = timedelta(days=7 if by == "week" else 1)
    out = []
    while a <= b:
        out.append(a.isoformat())
        a += step
    return out


def trends(db: sqlite_utils.Database, flt: InboxFilter | None = None, *, by: str = "week",
           top: int = 6) -> Stats:
    """Flags per period (in total, per watchlist, per source), the reviewed-relevant
    share, and the ``top`` partner countries, agencies and people per period.

    Raises:
        ValueError: ``by`` is not day or week.
    """
    if by not in BY:
        raise ValueError(f"unknown period {by!r}; expected day or week")
    flt = flt or InboxFilter()
    where, params = _where(db, flt, with_status=False)
    per = WEEK if by == "week" else DAY
    base = (f"FROM articles a JOIN flags f ON f.article_id = a.id LEFT JOIN reviews r ON r.article_id = a.id"
            f" WHERE {where} AND {DAY} GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]'")
    counts: dict[str, Counter] = defaultdict(Counter)
    for period, w, source, n in db.execute(f"SELECT {per}, f.watchlist, a.source, count(*) {base} GROUP BY 1, 2, 3",
                                           params):
        counts["flags"][period] += n
        counts["w:" + w][period] += n
        counts["s:" + source][period] += n
    for period, stories, reviewed, relevant in db.execute(
            f"SELECT {per}, count(DISTINCT coalesce(a.story_id, a.id)),"
            " count(DISTINCT CASE WHEN r.status IN ('relevant', 'irrelevant') THEN a.id END),"
            f" count(DISTINCT CASE WHEN r.status = 'relevant' THEN a.id END) {base} GROUP BY 1", params):
        counts["stories"][period] = stories
        counts["reviewed"][period] = reviewed
        counts["relevant"][period] = relevant
    seen = sorted(counts["flags"])
    periods = _periods(seen[0], seen[-1], by) if seen else []
    series = lambda c: [c.get(p, 0) for p in periods]  # noqa: E731
    stats = Stats(
        by=by, periods=periods, flags=series(counts["flags"]),
        by_watchlist={k[2:]: series(c) for k, c in sorted(counts.items()) if k.startswith("w:")},
        by_source={k[2:]: series(c) for k, c in sorted(counts.items()) if k.startswith("s:")},
        reviewed=series(counts["reviewed"]), relevant=series(counts["relevant"]),
        relevant_share=[(rl / rv if rv else None) for rl, rv in zip(series(counts["relevant"]),
                                                                    series(counts["reviewed"]))],
        stories=series(counts["stories"]))
    for kind, cond in ENTITY_KINDS.items():
        per_name: dict[str, Counter] = defaultdict(Counter)
        # each flagged article counts once per entity, however often the name occurs in it
        for period, name, n in db.execute(
                f"SELECT {per}, json_extract(e.value, '$.name') AS name, count(DISTINCT a.id)"
                f" FROM articles a JOIN flags f ON f.article_id = a.id LEFT JOIN reviews r ON r.article_id = a.id,"
                f" json_each(f.entities) e WHERE {where} AND {cond} AND {DAY} GLOB"
                " '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]' GROUP BY 1, 2", params):
            per_name[name][period] += n
        ranked = sorted(per_name, key=lambda n: (-sum(per_name[n].values()), n))[:top]
        stats.entities[kind] = {n: series(per_name[n]) for n in ranked}
    return stats
