"""Read-only JSON API for other tools: ``/api/stories``, ``/api/articles/{id}``, ``/api/stats``.

The same filters as the pages (``status`` — default ``new``, ``all`` for every
state — ``source``, ``watchlist``, ``from``, ``to``, ``min_score``, ``q``; ``by`` for
stats), the same access-token rules (the app's middleware: ``Authorization: Bearer``
or the login cookie), and only GET.  Lists are paginated with ``page`` and
``per_page`` (at most ``MAX_PER_PAGE``) and say where the next page is.  Scraped text
is returned as data; nothing here renders it.
"""

from __future__ import annotations

from typing import Callable
from urllib.parse import urlencode

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from review.params import FILTER_KEYS, inbox_filter as _filter
from storage.stats import BY, trends
from storage.stories import story_detail, story_of, story_page, story_total

DEFAULT_PER_PAGE = 50
MAX_PER_PAGE = 200


def _int(value: str | None, default: int, lo: int, hi: int) -> int:
    try:
        return min(hi, max(lo, int(value))) if value not in (None, "") else default
    except ValueError:
        return default


def _error(status: int, message: str) -> Response:
    return JSONResponse({"error": message}, status_code=status)


def routes(db: Callable) -> list[Route]:
    """``db()`` gives a closing sqlite3 connection (the app's)."""
    import sqlite_utils

    def filters_of(request: Request) -> dict:
        flt = _filter(request.query_params)
        return {"status": flt.status or "all", "source": flt.source, "watchlist": flt.watchlist,
                "from": flt.date_from, "to": flt.date_to, "min_score": flt.min_score, "q": flt.q}

    def stories(request: Request) -> Response:
        params = request.query_params
        flt = _filter(params)
        page = _int(params.get("page"), 1, 1, 10**6)
        per_page = _int(params.get("per_page"), DEFAULT_PER_PAGE, 1, MAX_PER_PAGE)
        with db() as conn:
            d = sqlite_utils.Database(conn)
            rows = story_page(d, flt, limit=per_page, offset=(page - 1) * per_page)
            total = story_total(d, flt)
        pages = max(1, -(-total // per_page))
        keep = {k: params[k] for k in (*FILTER_KEYS, "per_page") if params.get(k)}
        nxt = f"/api/stories?{urlencode({**keep, 'page': page + 1})}" if page < pages else None
        return JSONResponse({"filters": filters_of(request), "page": page, "per_page": per_page,
                             "total": total, "pages": pages, "next": nxt, "stories": rows})

    def article(request: Request) -> Response:
        from review.evidence import evidence_for
        from storage.review_queries import article_detail

        aid = request.path_params["id"]
        with db() as conn:
            d = sqlite_utils.Database(conn)
            detail = article_detail(d, aid)
            if detail is None:
                return _error(404, f"no article {aid}")
            detail.pop("copies", None)
            sid = story_of(d, aid)
            detail["story"] = story_detail(d, sid) if sid else None
            detail["evidence"] = evidence_for(d, aid)
        return JSONResponse(detail)

    def stats(request: Request) -> Response:
        by = request.query_params.get("by") or "week"
        if by not in BY:
            return _error(400, f"by must be one of {', '.join(BY)}, not {by!r}")
        with db() as conn:
            result = trends(sqlite_utils.Database(conn), _filter(request.query_params), by=by).as_dict()
        return JSONResponse({"filters": {k: v for k, v in filters_of(request).items() if k != "status"},
                             **result})

    return [Route("/api/stories", stories, name="api_stories"),
            Route("/api/articles/{id:int}", article, name="api_article"),
            Route("/api/stats", stats, name="api_stats")]
