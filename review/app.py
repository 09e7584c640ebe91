"""The review web page: a Starlette app over the store.

Pages read through ``storage.review_queries`` and write through ``storage.reviews``
(only ``storage/`` touches the database); each request opens its own connection, so
the page works beside a running daemon (WAL).  Templates are Jinja with autoescape
on; article text reaches them only as escaped Markup built by ``review.highlight``.
"""

from __future__ import annotations

import json
import logging
from contextlib import closing
from pathlib import Path

import jinja2
from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import PlainTextResponse, RedirectResponse, Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles
from starlette.templating import Jinja2Templates

from review.atom import build_feed
from review.api import routes as api_routes
from review.trends import routes as trends_routes
from review.highlight import highlight_inline, highlight_paragraphs, spans_for
from raqib.errors import NotFound, WatchlistError
from review.params import filter_query, inbox_filter, page_number, safe_next, valid_id
from review.sanitize import inert_bidi, safe_url
from review.hosts import HostPolicy
from review.security import Csrf, Login, SecurityMiddleware, check_bind, forbidden, require_csrf, server_secret
from review.recall import article_panel, routes as recall_routes
from storage.db import open_db
from storage.feed_tokens import feed_token_valid
from storage.review_queries import (REVIEW_STATES, article_detail, facet_values, inbox, inbox_total,
                                    neighbours, status_counts)
from storage.reviews import STATUSES, mark, mark_known
from storage.stories import story_article_ids, story_of, story_page, story_status_counts, story_total

log = logging.getLogger(__name__)

HERE = Path(__file__).parent
PAGE_SIZE = 50
def create_app(db_path: str | Path, *, access_token: str = "", secret: str | None = None,
               host: str = "127.0.0.1", public_names: tuple[str, ...] | list[str] = (),
               watchlists_dir: str | Path | None = None, gazetteer_path: str | Path | None = None,
               candidates_dir: str | Path | None = None, near_miss_model_weight: float = 0.7,
               chart_digits: str = "arabic") -> Starlette:
    """The review app over the database at ``db_path`` (created/migrated now).

    ``host`` is the address it is served on and ``public_names`` the other host names
    it may be reached by (setting serve_public_name): requests for any other Host are
    refused (``review.hosts``).  ``secret`` signs the cookies (default: the one kept
    next to the database, ``review.security.server_secret``).
    ``watchlists_dir``, ``gazetteer_path`` and ``candidates_dir`` feed the tune view
    (default: the built-in settings; candidates in ``watchlist-candidates`` beside the
    database).
    """
    db_path = str(db_path)
    tune_cfg = _tune_config(db_path, watchlists_dir, gazetteer_path, candidates_dir)
    with closing(open_db(db_path).conn):
        pass
    secret = secret or server_secret(db_path)
    csrf = Csrf(secret)
    # finalize: every {{ … }} has its bidi controls neutralised (review.sanitize)
    env = jinja2.Environment(loader=jinja2.FileSystemLoader(HERE / "templates"), autoescape=True,
                             undefined=jinja2.StrictUndefined, trim_blocks=True, lstrip_blocks=True,
                             finalize=inert_bidi)
    env.filters["as_json"] = lambda v, indent=None: json.dumps(v, ensure_ascii=False, indent=indent)
    env.filters["safe_url"] = safe_url
    templates = Jinja2Templates(env=env)

    def db():
        return closing(open_db(db_path, migrate=False).conn)

    def page(request: Request, name: str, ctx: dict, status_code: int = 200) -> Response:
        ctx = {"csrf_token": request.state.csrf_token, "statuses": STATUSES, **ctx}
        return templates.TemplateResponse(request, name, ctx, status_code=status_code)

    def error(request: Request, message: str, status_code: int, **ctx) -> Response:
        return page(request, "error.html", {"message": message, "back": "/", "details": [], **ctx},
                    status_code)

    def _db_obj(conn):
        import sqlite_utils
        return sqlite_utils.Database(conn)

    def inbox_page(request: Request) -> Response:
        params = request.query_params
        flt = inbox_filter(params)
        page_no = page_number(params, PAGE_SIZE)
        if page_no is None:
            return error(request, "رقم الصفحة خارج النطاق", 400)
        with db() as conn:
            d = _db_obj(conn)
            rows = story_page(d, flt, limit=PAGE_SIZE, offset=(page_no - 1) * PAGE_SIZE)
            total = story_total(d, flt)
            counts = story_status_counts(d, flt)
            facets = facet_values(d)
        qs = filter_query(params)
        return page(request, "inbox.html", {
            "rows": rows, "total": total, "counts": counts, "facets": facets, "flt": flt,
            "current_status": flt.status or "all", "params": params, "qs": qs, "page": page_no,
            "pages": max(1, -(-total // PAGE_SIZE)), "filter_query": lambda **o: filter_query(params, **o),
            "states": REVIEW_STATES,
        })

    def article_page(request: Request) -> Response:
        aid = request.path_params["id"]
        params = request.query_params
        if not valid_id(aid):
            return error(request, f"لا يوجد مقال رقم {aid}", 404)
        with db() as conn:
            d = _db_obj(conn)
            detail = article_detail(d, aid)
            if detail is None:
                return error(request, f"لا يوجد مقال رقم {aid}", 404)
            prev_id, next_id = neighbours(d, aid, inbox_filter(params))
        a = detail["article"]
        flags = detail["flags"]
        qs = filter_query(params)
        back = "/" + ("?" + qs if qs else "")
        suffix = "?" + qs if qs else ""
        with db() as conn:
            recall_panel = article_panel(_db_obj(conn), a)
        stale = any((f.get("updated_at") or "") < (a.get("updated_at") or "") and (a.get("revision") or 1) > 1
                    for f in flags)
        return page(request, "article.html", {
            "a": a, "flags": flags, "review": detail["review"], "review_log": detail["review_log"],
            "copies": detail["copies"], "stale": stale, "recall": recall_panel,
            "title_html": highlight_inline(a["title"] or "", spans_for(flags, "title")),
            "body_html": highlight_paragraphs(a["body"] or "", spans_for(flags, "body")),
            "back": back, "suffix": suffix,
            "prev_url": f"/article/{prev_id}{suffix}" if prev_id else None,
            "next_url": f"/article/{next_id}{suffix}" if next_id else None,
        })

    async def review_article(request: Request) -> Response:
        form = await require_csrf(request, csrf)
        if form is None:
            return forbidden()
        aid = request.path_params["id"]
        status = str(form.get("status", ""))
        if status not in STATUSES:
            return PlainTextResponse(f"400 — unknown status {status!r}\n", status_code=400)
        note = form.get("note")
        if not valid_id(aid):
            return error(request, f"لا يوجد مقال رقم {aid}", 404)
        try:
            await run_in_threadpool(_mark, [aid], status, None if note is None else str(note),
                                    bool(form.get("whole_story")))
        except NotFound:
            return error(request, f"لا يوجد مقال رقم {aid}", 404)
        return RedirectResponse(safe_next(str(form.get("next") or ""), f"/article/{aid}"), 303)

    async def review_bulk(request: Request) -> Response:
        form = await require_csrf(request, csrf)
        if form is None:
            return forbidden()
        status = str(form.get("status", ""))
        if status not in STATUSES:
            return PlainTextResponse(f"400 — unknown status {status!r}\n", status_code=400)
        try:
            ids = [int(x) for x in form.getlist("ids")]
            stories = [int(x) for x in form.getlist("stories")]   # a story row: all its articles
        except ValueError:
            return PlainTextResponse("400 — bad article id\n", status_code=400)
        marked, unknown = (await run_in_threadpool(_mark_known, ids, status, stories)
                           if ids or stories else ([], []))
        back = safe_next(str(form.get("next") or ""), "/")
        if unknown:
            # the others are kept: say which ids were not found (deleted since the page loaded?)
            return error(request, "لا توجد مقالات بهذه الأرقام: " + "، ".join(map(str, unknown)), 404,
                         back=back, details=[f"سُجّلت المراجعة ({status}) للمقالات: "
                                             + ("، ".join(map(str, marked)) or "لا شيء")])
        return RedirectResponse(back, 303)

    def _mark(ids, status, note, whole_story=False, stories=()):
        with db() as conn:
            d = _db_obj(conn)
            stories = list(stories) + ([story_of(d, i) for i in ids] if whole_story else [])
            ids = sorted(set(ids) | set(story_article_ids(d, [s for s in stories if s])))
            mark(d, ids, status, note)

    def _mark_known(ids, status, stories=()):
        with db() as conn:
            d = _db_obj(conn)
            ids = sorted(set(ids) | set(story_article_ids(d, list(stories))))   # a story row: all its articles
            return mark_known(d, ids, status, None)

    def feed(request: Request) -> Response:
        with db() as conn:
            xml = build_feed(_db_obj(conn), str(request.base_url))
        return Response(xml, media_type="application/atom+xml; charset=utf-8")

    def tune_page(request: Request) -> Response:
        from tuning.backtest import backtest_file
        from tuning.files import listing, pick

        files = listing(tune_cfg["watchlists_dir"], tune_cfg["candidates_dir"])
        key = request.query_params.get("file")
        since = (request.query_params.get("since") or "").strip() or None
        chosen = pick(files, key)
        ctx = {"files": files, "chosen": chosen, "key": key or "", "since": since or "", "result": None,
               "problems": [], "candidates_dir": str(tune_cfg["candidates_dir"])}
        if key and chosen is None:
            return page(request, "tune.html", {**ctx, "problems": [f"لا يوجد ملف بهذا الاسم: {key}"]}, 404)
        if chosen is not None:
            try:
                with db() as conn:
                    ctx["result"] = backtest_file(_db_obj(conn), chosen.path, tune_cfg["gazetteer_path"],
                                                  tune_cfg["watchlists_dir"], since=since)
            except WatchlistError as exc:
                ctx["problems"] = str(exc).splitlines()
        return page(request, "tune.html", ctx)

    def healthz(request: Request) -> Response:
        return PlainTextResponse("ok\n")

    routes = [
        Route("/", inbox_page, name="inbox"),
        Route("/article/{id:int}", article_page, name="article"),
        Route("/article/{id:int}/review", review_article, methods=["POST"], name="review_article"),
        Route("/review", review_bulk, methods=["POST"], name="review_bulk"),
        Route("/feed.atom", feed, name="feed"),
        Route("/tune", tune_page, name="tune"),
        *recall_routes(page, db_path, model_weight=near_miss_model_weight),
        *trends_routes(db, page, chart_digits),
        *api_routes(db),
        Route("/healthz", healthz),
        Mount("/static", StaticFiles(directory=HERE / "static"), name="static"),
    ]
    async def feed_token_ok(token: str) -> bool:
        def check():
            with db() as conn:
                return feed_token_valid(_db_obj(conn), token)
        return await run_in_threadpool(check)

    middleware = [Middleware(SecurityMiddleware, access_token=access_token, csrf=csrf,
                             login=Login(secret, access_token), hosts=HostPolicy(host, public_names),
                             feed_token_ok=feed_token_ok)]
    app = Starlette(routes=routes, middleware=middleware)
    app.state.db_path = db_path
    return app


def _tune_config(db_path: str, watchlists_dir, gazetteer_path, candidates_dir) -> dict:
    from config.settings import SETTINGS

    defaults = {s.name: s.default for s in SETTINGS}
    cand = Path(candidates_dir or defaults["tuning_dir"])
    if not cand.is_absolute():
        cand = Path(db_path).resolve().parent / cand
    return {"watchlists_dir": watchlists_dir or defaults["watchlists_dir"],
            "gazetteer_path": gazetteer_path or defaults["gazetteer_path"], "candidates_dir": cand}


def serve(db_path: str | Path, host: str = "127.0.0.1", port: int = 8765, *, access_token: str = "",
          public_names: tuple[str, ...] | list[str] = (), log_level: str = "info", **tune) -> None:
    """Run the review page with uvicorn until interrupted (refuses an unsafe bind first).

    uvicorn's own log handlers get the redaction filter (``raqib.redact``): its access
    log would otherwise record every ``?token=`` in full."""
    import uvicorn

    from raqib.redact import uvicorn_log_config

    check_bind(host, access_token)
    app = create_app(db_path, access_token=access_token, host=host, public_names=public_names, **tune)
    log.info("review page on http://%s:%d/ (database %s)", host, port, db_path)
    uvicorn.run(app, host=host, port=port, log_level=log_level, server_header=False,
                log_config=uvicorn_log_config())
