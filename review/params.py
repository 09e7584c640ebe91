"""Reading the review page's query strings and forms: lenient where a typo should
still show a page, strict where a value reaches the database.

Every number that becomes an SQL parameter is checked against SQLite's integer
range first: Python's ints are unbounded, SQLite's are 64-bit, and an
``OverflowError`` from the driver would otherwise be a 500.
"""

from __future__ import annotations

from urllib.parse import urlencode

from storage.review_queries import REVIEW_STATES, InboxFilter

FILTER_KEYS = ("status", "source", "watchlist", "from", "to", "min_score", "q", "sort")
MAX_SQL_INT = 2 ** 63 - 1


def inbox_filter(params) -> InboxFilter:
    """The inbox filter from a query string; unknown or malformed values are ignored."""
    def get(k):
        v = (params.get(k) or "").strip()
        return v or None
    try:
        min_score = float(get("min_score")) if get("min_score") else None
    except ValueError:
        min_score = None
    status = get("status")
    if status not in REVIEW_STATES and status != "all":
        status = "new" if status is None else None
    return InboxFilter(status=None if status == "all" else status, source=get("source"),
                       watchlist=get("watchlist"), date_from=get("from"), date_to=get("to"),
                       min_score=min_score, q=get("q"), sort="model" if get("sort") == "model" else None)


def filter_query(params, **override) -> str:
    """The filter part of a query string, with ``override`` applied ('' drops a key)."""
    items = {k: params.get(k) for k in FILTER_KEYS if params.get(k)}
    items.update({k: v for k, v in override.items() if v is not None})
    items = {k: v for k, v in items.items() if v != ""}
    return urlencode(items)


def safe_next(value: str | None, default: str) -> str:
    """Only same-site paths: a form must not become an open redirect."""
    if value and value.startswith("/") and not value.startswith("//") and "\\" not in value:
        return value
    return default


def page_number(params, page_size: int) -> int | None:
    """The 1-based ``page`` (junk → 1); None when it is so large that its offset does
    not fit an SQLite integer (the caller answers 400)."""
    try:
        page = max(1, int(params.get("page", "1")))
    except ValueError:
        return 1
    return page if (page - 1) * page_size <= MAX_SQL_INT else None


def valid_id(value: int) -> bool:
    """Whether ``value`` can be a row id at all (positive, within SQLite's range)."""
    return 0 < value <= MAX_SQL_INT
