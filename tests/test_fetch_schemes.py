"""Issue 16 item 1: a discovered link never makes the crawler read anything but http(s).

A hostile feed, sitemap, listing or redirect points at ``file:`` (with and without
``localhost``), ``data:``, ``ftp:`` and ``s3:`` URLs.  Each is refused before any
download handler sees it and recorded against its source with the URL and the
reason; the source's legitimate articles are still stored and the run goes on.
Everything is served from 127.0.0.1 (the ftp: link names a closed loopback port,
the s3: link is refused before any handler could look it up).
"""

from __future__ import annotations

import json
from urllib.parse import unquote, urlsplit

import pytest

from storage.db import open_db
from tests.conftest import crawl_site
from tests.pages import Page, PageServer, atom_feed, redirect, seed_article, sitemap

MARKER = "LOCALFILEMARKER"


def same_target(recorded: str, linked: str) -> bool:
    """Scrapy writes ``file:/x`` as ``file:///x`` and percent-encodes data: URLs."""
    a, b = urlsplit(unquote(recorded)), urlsplit(unquote(linked))
    return (a.scheme, a.path, a.query) == (b.scheme, b.path, b.query)


@pytest.fixture(scope="module")
def crawled(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("schemes")
    local = tmp / "local.html"                       # a local file that would pass as an article
    local.write_bytes(seed_article(3, MARKER))
    data_url = "data:text/html;charset=utf-8,<p>" + MARKER + "</p>"   # short: long URLs are dropped anyway
    bad = {
        "file_localhost": f"file://localhost{local}",
        "file_no_slashes": f"file:{local}",
        "file_triple": f"file://{local}?via=sitemap",
        "file_listing": f"file://{local}#listing",
        "data": data_url,
        "ftp": "ftp://127.0.0.1:9/story.html",
        "s3": "s3://raqib-test-bucket/story.html",
    }
    with PageServer() as site:
        good = {"feed": site.url("/news/1"), "sitemap": site.url("/news/2"), "listing": site.url("/news/3")}
        site.routes.update({
            "/news/1": Page(seed_article(0), headers={"Content-Type": "text/html; charset=utf-8"}),
            "/news/2": Page(seed_article(1), headers={"Content-Type": "text/html; charset=utf-8"}),
            "/news/3": Page(seed_article(2), headers={"Content-Type": "text/html; charset=utf-8"}),
            "/go-file": redirect(f"file://{local}"),
            "/feed.xml": Page(atom_feed([good["feed"], bad["file_localhost"], bad["file_no_slashes"],
                                         bad["data"], bad["ftp"], bad["s3"], site.url("/go-file")]),
                              headers={"Content-Type": "application/atom+xml"}),
            "/sitemap.xml": Page(sitemap([good["sitemap"], bad["file_triple"]]),
                                 headers={"Content-Type": "application/xml"}),
            "/list.html": Page(f'<html><body><a href="{good["listing"]}">1</a>'
                               f'<a href="{bad["file_listing"]}">2</a></body></html>'.encode(),
                               headers={"Content-Type": "text/html; charset=utf-8"}),
        })
        db_path, proc = crawl_site(
            tmp,
            '[[source]]\nname = "hostile"\n'
            f'homepage = "{site.url("/")}"\n'
            f'feeds = ["{site.url("/feed.xml")}"]\n'
            f'sitemaps = ["{site.url("/sitemap.xml")}"]\n'
            f'listings = [{{ url = "{site.url("/list.html")}", article_pattern = "news|local" }}]\n'
            'freshness_days = 3650\n', check=False, timeout=240, env={"RAQIB_RETRY_TIMES": "0"})
    return {"db": open_db(db_path), "proc": proc, "good": good, "bad": bad, "local": local}


def test_no_local_content_is_stored(crawled):
    db = crawled["db"]
    rows = db.execute("SELECT url, body FROM articles").fetchall()
    leaked = [url for url, body in rows if MARKER in body or not url.startswith("http")]
    assert not leaked, f"non-http content stored: {leaked}"


def test_legitimate_articles_stored_and_run_goes_on(crawled):
    assert crawled["proc"].returncode == 0, crawled["proc"].stderr[-3000:]
    urls = {r[0] for r in crawled["db"].execute("SELECT url FROM articles")}
    assert set(crawled["good"].values()) <= urls
    status = crawled["db"].execute("SELECT status FROM runs WHERE source = 'hostile'").fetchone()[0]
    assert status == "ok"


@pytest.mark.parametrize("case", ["file_localhost", "file_no_slashes", "file_triple", "file_listing",
                                  "data", "ftp", "s3"])
def test_each_refusal_recorded_with_url_and_reason(crawled, case):
    errors = json.loads(crawled["db"].execute("SELECT errors FROM runs WHERE source = 'hostile'").fetchone()[0])
    url = crawled["bad"][case]
    mine = [e for e in errors if same_target(e.get("url", ""), url)]
    assert mine, f"{case}: no error recorded for {url[:80]}; errors: {errors}"
    assert "scheme" in mine[0]["error"] and "http" in mine[0]["error"], mine[0]


def test_redirect_to_file_refused(crawled):
    errors = json.loads(crawled["db"].execute("SELECT errors FROM runs WHERE source = 'hostile'").fetchone()[0])
    mine = [e for e in errors if e.get("url", "").endswith("/go-file")]
    assert mine and "redirect to file:" in mine[0]["error"] and "scheme 'file'" in mine[0]["error"], errors
