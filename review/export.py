"""Export flagged stories (with their review verdicts) as CSV, JSON or JSON Lines.

For analysts who continue in a spreadsheet or a notebook.  CSV is written with a
UTF-8 BOM so Excel shows the Arabic correctly; lists (watchlists, terms) become
``; ``-joined cells there and real arrays in JSON.

Scraped text is hostile: a title such as ``=HYPERLINK("http://…")`` or ``+cmd|…``
would run as a formula when the CSV is opened in a spreadsheet, so text cells that
begin with ``= + - @``, a tab or a carriage return get a leading ``'`` (OWASP's
advice for CSV injection).  JSON keeps the text as it is: it is data, not a sheet.
"""

from __future__ import annotations

import csv
import json
from typing import IO

import sqlite_utils

from storage.review_queries import export_rows

FORMATS = ("csv", "json", "jsonl")
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
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
            writer.writerow({k: csv_cell(v) for k, v in r.items()})
    elif fmt == "json":
        json.dump(rows, out, ensure_ascii=False, indent=2)
        out.write("\n")
    else:
        for r in rows:
            out.write(json.dumps(r, ensure_ascii=False) + "\n")
    return len(rows)


def csv_cell(value) -> object:
    """One CSV cell: lists joined with ``; ``, None empty, and text that a spreadsheet
    would read as a formula prefixed with ``'`` (numbers are left as numbers)."""
    if value is None:
        return ""
    if isinstance(value, list):
        value = "; ".join(str(v) for v in value)
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value
