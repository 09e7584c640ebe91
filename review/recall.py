"""Review pages that reach beyond the flagged: "كل المقالات" (search over every stored
article) and "قد تكون فاتت" (the near-miss queue), plus the article page's recall panel
(miss record, the model's probability and the n-grams that weighed most).

Kept apart from ``review.app`` (which only registers :func:`routes`) so the inbox and
security code stay untouched.  Both lists reuse the inbox's bulk form, status buttons
and keyboard keys (``review.js`` binds them on ``body.page-inbox``).
"""

from __future__ import annotations

from contextlib import contextmanager
from typing import Callable, Iterator
from urllib.parse import urlencode

import sqlite_utils
from markupsafe import Markup
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from filters.search_query import Clause, find_spans, parse_query
from raqib.errors import QueryError
from review.highlight import Span, highlight_inline, segments, _wrap
from review.params import page_number
from storage.db import open_db

PAGE_SIZE = 50
SNIPPET_CHARS = 260
SEARCH_STATES = ("new", "relevant", "irrelevant", "later")


def search_spans(text: str, clauses: list[Clause]) -> list[Span]:
    return [Span(s, e, "search", label) for s, e, label in find_spans(text, clauses)]


def snippet(body: str, spans: list[Span], width: int = SNIPPET_CHARS) -> Markup:
    """About ``width`` characters of ``body`` around its first hit (or its start),
    escaped, hits wrapped in ``<mark>``; cut at spaces."""
    body = body or ""
    first = min((s.start for s in spans), default=0)
    lo = max(0, first - width // 3)
    if lo:
        space = body.find(" ", lo)
        lo = space + 1 if 0 <= space < first else lo
    hi = min(len(body), lo + width)
    if hi < len(body):
        space = body.rfind(" ", lo, hi)
        hi = space if space > first else hi
    inner = Markup("").join(_wrap(seg.replace("\n", " "), cover) for seg, cover in segments(body, spans, lo, hi))
    return (Markup("… ") if lo else Markup("")) + inner + (Markup(" …") if hi < len(body) else Markup(""))


def routes(page: Callable[..., Response], db_path: str, *, model_weight: float = 0.7) -> list[Route]:
    """The recall routes over the database at ``db_path``; ``page(request, template,
    ctx, status)`` renders like the app's other pages (CSRF token, statuses)."""

    @contextmanager
    def store() -> Iterator[sqlite_utils.Database]:
        db = open_db(db_path, migrate=False)
        try:
            yield db
        finally:
            db.conn.close()

    def too_far(request: Request) -> Response:
        return page(request, "error.html", {"message": "رقم الصفحة كبير جدًا", "back": request.url.path,
                                            "details": []}, 400)

    def articles_page(request: Request) -> Response:
        from storage.search import search

        params = request.query_params
        q = (params.get("q") or "").strip()
        unflagged = params.get("unflagged") == "1"
        missed = params.get("missed") == "1"
        status = params.get("status") if params.get("status") in SEARCH_STATES else None
        page_no = page_number(params, PAGE_SIZE)
        if page_no is None:
            return too_far(request)
        keep = {k: v for k, v in (("q", q), ("unflagged", "1" if unflagged else ""), ("missed", "1" if missed else ""),
                                  ("status", status or "")) if v}
        ctx = {"q": q, "unflagged": unflagged, "missed": missed, "status": status or "", "rows": [], "total": 0,
               "problem": None, "page": page_no, "pages": 1, "qs": urlencode(keep),
               "page_query": lambda n: urlencode({**keep, "page": n}), "states": SEARCH_STATES}
        try:
            clauses = parse_query(q) if q else []
            with store() as db:
                rows, total = search(db, clauses, unflagged=unflagged, status=status, missed=missed,
                                     limit=PAGE_SIZE, offset=(page_no - 1) * PAGE_SIZE)
        except QueryError as exc:
            return page(request, "articles.html", {**ctx, "problem": str(exc)}, 400)
        for r in rows:
            body = r.pop("body") or ""
            r["title_html"] = highlight_inline(r["title"] or r["url"] or "", search_spans(r["title"] or "", clauses))
            r["snippet_html"] = snippet(body, search_spans(body, clauses))
        ctx.update(rows=rows, total=total, pages=max(1, -(-total // PAGE_SIZE)))
        return page(request, "articles.html", ctx)

    def misses_page(request: Request) -> Response:
        from relevance.near_miss import queue
        from storage.relevance import latest_model

        page_no = page_number(request.query_params, PAGE_SIZE)
        if page_no is None:
            return too_far(request)
        with store() as db:
            rows, total = queue(db, limit=PAGE_SIZE, offset=(page_no - 1) * PAGE_SIZE, model_weight=model_weight)
            model = latest_model(db, with_blob=False)
        return page(request, "misses.html", {
            "rows": rows, "total": total, "page": page_no, "pages": max(1, -(-total // PAGE_SIZE)),
            "model": model, "offset": (page_no - 1) * PAGE_SIZE})

    return [Route("/articles", articles_page, name="articles"),
            Route("/misses", misses_page, name="misses")]


def article_panel(db: sqlite_utils.Database, article: dict) -> dict:
    """What the article page adds for recall: the miss record and the model's view."""
    from relevance.train import explain_article
    from storage.misses import get_miss

    return {"miss": get_miss(db, article["id"]), "model": explain_article(db, article)}
