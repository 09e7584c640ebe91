"""A stub AMP copy (too short to be an article) never costs the article.

The copy shares its article's URL key, so recording it as "not an article" would
block the canonical URL for good.  The crawl must instead fetch the canonical form:
one waiting for the claim (linked from the listing), or the stub's own rel=canonical
when nothing else in this crawl links the article.
"""

from __future__ import annotations

import re
import urllib.request
from urllib.parse import urlsplit

import pytest

from fixturesite.server import FixtureSite
from raqib.urls import url_key
from storage.db import open_db
from tests.conftest import crawl_site


def _get(url: str) -> str:
    with urllib.request.urlopen(url, timeout=10) as r:
        return r.read().decode("utf-8")


def _paths(text: str) -> set[str]:
    return {urlsplit(u).path for u in re.findall(r"https?://[^\s\"'<>]+", text)} | set(re.findall(r'href="(/[^"]+)"', text))


def _path(url: str) -> str:
    return urlsplit(url).path


@pytest.fixture(scope="module")
def crawl(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("copies")
    with FixtureSite(outlets=("wakala",)) as site:
        base = site.base_url("wakala").rstrip("/")
        sitemap, listing = _paths(_get(base + "/sitemap.xml")), _paths(_get(base + "/ar/latest"))
        amp_only = [a for a in site.expected_articles("wakala")
                    if _path(a["amp_url"]) in sitemap and _path(a["url"]) not in sitemap]
        # linked nowhere but by its AMP copy: only the stub's rel=canonical leads to it
        lonely = next(a for a in amp_only if _path(a["url"]) not in listing)
        # its canonical URL is in the listing, served only once the stub was requested: it
        # waits for the claim (or finds it released), never fetched ahead of the stub
        waiting = next(a for a in amp_only if _path(a["url"]) in listing)
        site.set_fault("wakala", _path(lonely["amp_url"]), "stub", canonical=lonely["url"])
        site.set_fault("wakala", _path(waiting["amp_url"]), "stub")
        site.set_fault("wakala", "/ar/latest", "delay", after=_path(waiting["amp_url"]), seconds=60)
        db_path, _ = crawl_site(tmp, site.sources_toml(), timeout=120)
        log = site.request_log
        expected = site.expected_articles("wakala")
    return {"db": open_db(db_path), "lonely": lonely, "waiting": waiting, "log": log, "expected": expected,
            "base": base}


@pytest.mark.parametrize("case", ["lonely", "waiting"])
def test_stub_copy_leads_to_the_canonical_article(crawl, case):
    art, db = crawl[case], crawl["db"]
    key = url_key(art["url"])
    row = db.execute("SELECT id, body FROM articles WHERE canonical_url = ?", [key]).fetchone()
    assert row, f"{case}: the article was lost to its stub AMP copy"
    assert len(row[1]) > 250
    assert not db.execute("SELECT 1 FROM skipped WHERE url = ?", [key]).fetchone(), "the stub blocked the key"
    paths = [r["path"] for r in crawl["log"]]
    assert paths.count(_path(art["amp_url"])) == 1, paths     # the stub, once
    assert paths.count(_path(art["url"])) == 1, paths         # then the canonical, once


def test_every_article_stored_once(crawl):
    keys = [r[0] for r in crawl["db"].execute("SELECT canonical_url FROM articles")]
    assert len(keys) == len(set(keys))
    assert set(keys) == {url_key(a["url"]) for a in crawl["expected"]}
