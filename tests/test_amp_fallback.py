"""Last body fallback: a page whose markup, JSON-LD and app state hold no text (a
client-rendered shell) hands its article claim to its rel=amphtml copy, and the
stored article says the body came from the AMP copy."""

from __future__ import annotations

import re
import urllib.request
from urllib.parse import urlsplit

import pytest

from fixturesite.extraction_eval import token_f1
from fixturesite.server import FixtureSite
from storage.db import open_db
from tests.conftest import crawl_site


def _paths(url: str) -> set[str]:
    with urllib.request.urlopen(url, timeout=10) as r:
        text = r.read().decode("utf-8")
    return {urlsplit(u).path for u in re.findall(r"https?://[^\s\"'<>]+", text)} | set(re.findall(r'href="(/[^"]+)"', text))


@pytest.fixture(scope="module")
def crawl(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("ampfallback")
    with FixtureSite(outlets=("wakala",)) as site:
        base = site.base_url("wakala")
        linked = _paths(base + "/sitemap.xml") | _paths(base + "/ar/latest")
        # an article crawled by its canonical URL only: its AMP copy is linked nowhere
        shell = next(a for a in site.expected_articles("wakala")
                     if urlsplit(a["url"]).path in linked and urlsplit(a["amp_url"]).path not in linked)
        site.set_fault("wakala", urlsplit(shell["url"]).path, "stub", amphtml=shell["amp_url"])
        db_path, _ = crawl_site(tmp, site.sources_toml(), timeout=180)
        log = site.request_log
    return {"db": open_db(db_path), "shell": shell, "log": log}


def test_shell_page_is_read_from_its_amp_copy(crawl):
    shell, db = crawl["shell"], crawl["db"]
    paths = [e["path"] for e in crawl["log"]]
    assert urlsplit(shell["url"]).path in paths and urlsplit(shell["amp_url"]).path in paths
    assert paths.index(urlsplit(shell["url"]).path) < paths.index(urlsplit(shell["amp_url"]).path)
    row = db.execute("SELECT title, body, extractor FROM articles WHERE url = ?", [shell["amp_url"]]).fetchone()
    assert row is not None, "the AMP copy was not stored"
    assert row[0] == shell["title"] and token_f1(row[1], shell["body"]) > 0.95
    assert row[2].startswith("amp_copy+")
    skipped = db.execute("SELECT count(*) FROM skipped WHERE url = ?", [shell["url"]]).fetchone()[0]
    assert skipped == 0, "the shell was recorded as not an article, which would block the story"


def test_other_articles_record_their_extraction_path(crawl):
    rows = crawl["db"].execute("SELECT extractor, date_source FROM articles").fetchall()
    assert len(rows) > 5 and all(e for e, _ in rows) and all(d for _, d in rows)
