"""The trends page ("اتجاهات", ``/trends``) and its CSV (``/trends.csv``).

Routes are built here and registered by ``review.app`` (one line there); the figures
come from ``storage.stats.trends`` under the inbox's filters, the charts from
``review.charts``.
"""

from __future__ import annotations

from typing import Callable

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from raqib.errors import ConfigError
from review.params import inbox_filter as _filter
from review.charts import DIGITS, bar_chart, heatmap, num, share_chart
from storage.stats import BY, trends

ENTITY_TITLES = {"partner_countries": "الدول الشريكة", "agencies": "الأجهزة والهيئات", "people": "الأشخاص"}


def stats_for(request: Request, db) -> tuple:
    """(Stats, by) for the request's filters (the inbox's, plus ``by``=day|week)."""
    by = request.query_params.get("by") or "week"
    by = by if by in BY else "week"
    return trends(db, _filter(request.query_params), by=by), by


def routes(db: Callable, page: Callable, digits: str = "arabic") -> list[Route]:
    """``db()`` gives a closing connection, ``page(request, template, ctx)`` renders.

    Raises:
        ConfigError: ``digits`` (setting chart_digits) is not arabic or latin.
    """
    import sqlite_utils

    if digits not in DIGITS:
        raise ConfigError("settings", f"unknown value {digits!r}; expected one of {', '.join(DIGITS)}",
                          field="chart_digits")

    def trends_page(request: Request) -> Response:
        from storage.review_queries import facet_values

        with db() as conn:
            d = sqlite_utils.Database(conn)
            stats, by = stats_for(request, d)
            facets = facet_values(d)
        p = stats.periods
        charts = {
            "by_watchlist": bar_chart(p, stats.by_watchlist, label="التنبيهات حسب قائمة المراقبة", digits=digits),
            "by_source": bar_chart(p, stats.by_source, label="التنبيهات حسب المصدر", digits=digits),
            "share": share_chart(p, stats.relevant_share, stats.reviewed,
                                 label="نسبة المقالات ذات الصلة بين المقالات المراجَعة", digits=digits),
            "entities": {k: heatmap(p, rows, label=ENTITY_TITLES[k], digits=digits)
                         for k, rows in stats.entities.items()},
        }
        qs = request.url.query
        return page(request, "trends.html", {
            "stats": stats, "totals": stats.totals(), "by": by, "charts": charts, "facets": facets,
            "params": request.query_params, "entity_titles": ENTITY_TITLES, "digits": digits,
            "num": lambda v: num(v, digits), "csv_url": "/trends.csv" + ("?" + qs if qs else ""),
        })

    def trends_csv(request: Request) -> Response:
        with db() as conn:
            stats, by = stats_for(request, sqlite_utils.Database(conn))
        return Response(stats.to_csv(), media_type="text/csv; charset=utf-8",
                        headers={"Content-Disposition": f'attachment; filename="raqib-trends-{by}.csv"'})

    return [Route("/trends", trends_page, name="trends"), Route("/trends.csv", trends_csv, name="trends_csv")]
