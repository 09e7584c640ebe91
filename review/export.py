"""Export flagged stories (with their review verdicts) as CSV, JSON or JSON Lines.

For analysts who continue in a spreadsheet or a notebook.  CSV is written with a
UTF-8 BOM so Excel shows the Arabic correctly; lists (watchlists, terms) become
``; ``-joined cells there and real arrays in JSON.
"""

from __future__ import annotations

import csv
import json
from typing import IO

import sqlite_utils

from storage.review_queries import export_rows

FORMATS = ("csv", "json", "jsonl")
COLUMNS = ("id", "source", "url", "title", "author", "published", "fetched_at", "score", "watchlists",
           "terms", "review_status", "review_note", "reviewed_at", "story_id")


def export(db: sqlite_utils.Database, out: IO[str], fmt: str = "csv", *, status: str | None = None,
           since: str | None = None, with_body: bool = False) -> int:
    """Write the flagged stories to ``out`` in ``fmt``; returns the number of rows."""
    if fmt not in FORMATS:
        raise ValueError(f"unknown export format {fmt!r}; expected one of {', '.join(FORMATS)}")
    columns = COLUMNS + (("body",) if with_body else ())
    rows = [{k: r.get(k) for k in columns} for r in export_rows(db, status=status, since=since)]
    if fmt == "csv":
        out.write("\ufeff")
        writer = csv.DictWriter(out, fieldnames=list(columns))
        writer.writeheader()
        for r in rows:
            writer.writerow({k: "; ".join(v) if isinstance(v, list) else ("" if v is None else v)
                             for k, v in r.items()})
    elif fmt == "json":
        json.dump(rows, out, ensure_ascii=False, indent=2)
        out.write("\n")
    else:
        for r in rows:
            out.write(json.dumps(r, ensure_ascii=False) + "\n")
    return len(rows)
