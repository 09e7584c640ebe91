"""Issue 16 item 1 (second half): a size limit applies wherever a body is read.

HTTP bodies are capped by Scrapy (``max_response_bytes``, ``max_sitemap_bytes``, also
after Content-Encoding decompression: tests/test_faults_crawl.py's gzip bomb).  A
``.xml.gz`` sitemap served as a plain gzip file is decompressed by raqib itself, so
it gets the limit here; ``file:`` and ``data:`` are never read at all
(tests/test_fetch_schemes.py).
"""

from __future__ import annotations

import gzip
import json

import pytest

from spiders.sitemaps import parse_sitemap
from storage.db import open_db
from tests.conftest import crawl_site
from tests.pages import Page, PageServer, seed_article, sitemap


def _gz_sitemap(locs: list[str], padding: int) -> bytes:
    """A gzipped urlset whose decompressed size is about ``padding`` bytes more than its URLs."""
    body = sitemap(locs).replace(b"</urlset>", b"<!--" + b" " * padding + b"--></urlset>")
    return gzip.compress(body, compresslevel=9, mtime=0)


@pytest.mark.parametrize("padding,limit,ok", [
    (1_000, 100_000, True),
    (200_000, 100_000, False),
], ids=["under-limit", "over-limit"])
def test_gzip_sitemap_decompressed_within_limit(padding, limit, ok):
    body = _gz_sitemap(["https://example.ma/a/1"], padding)
    assert len(body) < 2_000     # the compressed file itself is tiny
    if ok:
        assert parse_sitemap(body, limit)[1][0].loc == "https://example.ma/a/1"
    else:
        with pytest.raises(ValueError, match="more than 100000 bytes"):
            parse_sitemap(body, limit)


def test_gzip_sitemap_file_over_limit_is_an_entry_error(tmp_path):
    with PageServer() as site:
        site.routes["/news/1"] = Page(seed_article(0), headers={"Content-Type": "text/html; charset=utf-8"})
        site.routes["/sitemap.xml.gz"] = Page(_gz_sitemap([site.url("/news/1")], 3_000_000),
                                              headers={"Content-Type": "application/gzip"})
        db_path, proc = crawl_site(tmp_path, f'[[source]]\nname = "gz"\nhomepage = "{site.url("/")}"\n'
                                             f'sitemaps = ["{site.url("/sitemap.xml.gz")}"]\nfreshness_days = 3650\n',
                                   check=False, env={"RAQIB_MAX_SITEMAP_BYTES": "1000000"})
        requested = list(site.requests)
    db = open_db(db_path)
    status, errors = db.execute("SELECT status, errors FROM runs WHERE source = 'gz'").fetchone()
    assert status == "failed", proc.stderr[-2000:]
    assert "more than 1000000 bytes" in json.loads(errors)[0]["error"]
    assert "/news/1" not in requested
