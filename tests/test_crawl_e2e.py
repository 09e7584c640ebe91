"""End-to-end slice: the fixture sites over HTTP on 127.0.0.1 → a real Scrapy crawl → SQLite.

One module-scoped site and database: crawl once, check what was stored against the
sites' own truth, crawl again (nothing re-downloaded), add an article (fetched).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

from fixturesite.server import FixtureSite
from raqib.urls import url_key
from storage.db import open_db
from tests.conftest import ROOT, crawl_site
from tests.textmetrics import token_f1

CONTENT = Path(__file__).resolve().parent.parent / "fixturesite" / "content"
SEEDS = tomllib.loads((CONTENT / "seeds.toml").read_text(encoding="utf-8"))["article"]


@pytest.fixture(scope="module")
def site():
    with FixtureSite() as s:
        yield s


@pytest.fixture(scope="module")
def crawled(site, tmp_path_factory):
    tmp = tmp_path_factory.mktemp("crawl")
    db_path, proc = crawl_site(tmp, site.sources_toml(), cache="httpcache")
    return {"db": db_path, "folder": tmp, "first": proc}


def article_requests(site):
    """Requests for article pages (anything the site lists as an article, in any URL form)."""
    keys = {url_key(a["url"]) for a in site.expected_articles()}
    keys |= {url_key(a.get("amp_url") or a["url"]) for a in site.expected_articles()}
    return [r for r in site.request_log
            if url_key(f"{site.base_url(r['outlet']).rstrip('/')}{r['path']}") in keys]


def test_every_article_stored_once(site, crawled):
    db = open_db(crawled["db"])
    expected = site.expected_articles()
    stored = {r["canonical_url"]: r for r in db.query("SELECT * FROM articles")}
    missing = [a["url"] for a in expected if url_key(a["canonical_url"]) not in stored]
    assert not missing, f"not stored: {missing}"
    assert len(stored) == len({url_key(a["canonical_url"]) for a in expected}), "duplicates or strays stored"
    # the summary printed by the CLI
    out = crawled["first"].stdout
    assert "TOTAL" in out and "source" in out


@pytest.mark.parametrize("seed", SEEDS, ids=[s["file"].split("/")[-1][:3] for s in SEEDS])
def test_seed_body_title_date(site, crawled, seed):
    db = open_db(crawled["db"])
    page = next(a for a in site.expected_articles() if a["file"] == seed["file"])
    row = db.execute("SELECT title, body, published FROM articles WHERE canonical_url = ?",
                     [url_key(page["canonical_url"])]).fetchone()
    assert row, f"seed page {page['url']} not stored"
    title, body, published = row
    reference = (CONTENT / seed["file"]).read_text(encoding="utf-8")
    f1 = token_f1(body, reference)
    print(f"{seed['file']}: token F1 {f1:.3f}")
    assert f1 >= 0.95, f"body F1 {f1:.3f} < 0.95"
    assert title == seed["title"]
    assert published[:10] == seed["published"][:10]


def test_skipped_pages_recorded_with_reasons(crawled):
    db = open_db(crawled["db"])
    reasons = {r["reason"] for r in db.query("SELECT reason FROM skipped")}
    assert reasons, "non-article pages should be skipped with a reason"
    assert reasons <= {"too_short", "not_arabic", "no_body", "empty", "binary", "unparsable"}


def test_second_crawl_downloads_no_article_and_new_one_is_fetched(site, crawled):
    db = open_db(crawled["db"])
    before = db.execute("SELECT count(*) FROM articles").fetchone()[0]
    site.clear_log()
    crawl_site(crawled["folder"], cache="httpcache")     # the same sources, database and cache
    assert article_requests(site) == [], "an already stored article was downloaded again"
    assert db.execute("SELECT count(*) FROM articles").fetchone()[0] == before
    # feeds/sitemaps were revalidated with conditional GET
    assert any(r["status"] == 304 for r in site.request_log)

    url = site.add_article("akhbar", "تنسيق أمني جديد بين الرباط ومدريد لتأمين مونديال 2030",
                           ["عقد المدير العام للأمن الوطني عبد اللطيف حموشي اجتماعا مع نظيره الإسباني "
                            "لبحث التنسيق الأمني المشترك لتأمين كأس العالم 2030 وتبادل المعلومات. " * 3,
                            "واتفق الجانبان على تعزيز التعاون في مكافحة الإرهاب والجريمة المنظمة "
                            "وتكثيف تبادل الخبرات بين الأجهزة الأمنية في البلدين. " * 2],
                           "2026-11-22T09:00:00+01:00", author="هيئة التحرير")
    site.clear_log()
    crawl_site(crawled["folder"], cache="httpcache")     # the same sources, database and cache
    assert db.execute("SELECT count(*) FROM articles").fetchone()[0] == before + 1
    row = db.execute("SELECT title FROM articles WHERE canonical_url = ?", [url_key(url)]).fetchone()
    assert row and "مدريد" in row[0]
    fetched = article_requests(site)
    assert len(fetched) == 1, fetched


def with_feed_only_source(site) -> str:
    """The fixture sites' sources plus "akhbar-feed-only": akhbar read by its feed alone,
    so a failure of that feed leaves the source with no entry point."""
    base = site.base_url("akhbar").rstrip("/")
    return site.sources_toml() + f"""
[[source]]
name = "akhbar-feed-only"
homepage = "{base}/"
feeds = ["{base}/feed/"]
"""


def test_broken_feed_recorded_others_complete(site, tmp_path):
    sources = with_feed_only_source(site)
    site.set_fault("akhbar", "/feed/*", "status", code=500)
    site.set_fault("qadim", "/rss.asp*", "broken_xml")
    try:
        db_path, _ = crawl_site(tmp_path, sources, env={"RAQIB_RETRY_TIMES": "1"})
    finally:
        site.clear_faults()
    db = open_db(db_path)
    runs = {r["source"]: r for r in db.query("SELECT * FROM runs")}
    assert runs["akhbar-feed-only"]["status"] == "failed"
    assert "HTTP 500" in runs["akhbar-feed-only"]["errors"]
    feed_errors = json.loads(runs["akhbar"]["errors"])
    assert any("HTTP 500" in e["error"] for e in feed_errors), feed_errors
    assert any("feed" in e.get("kind", "") for e in json.loads(runs["qadim"]["errors"]))
    assert runs["qadim"]["status"] in ("failed", "partial")
    for name in ("bawaba", "wakala"):
        assert runs[name]["status"] == "ok", runs[name]
        expected = [a for a in site.expected_articles() if a["outlet"] == name]
        stored = db.execute("SELECT count(*) FROM articles WHERE source = ?", [name]).fetchone()[0]
        assert stored == len({url_key(a["canonical_url"]) for a in expected})


CRASHING_CRAWL = """\
import sys
from raqib.urls import url_key
from spiders.base import SourceSpider
from spiders.feeds import FeedSpider

VICTIM = {victim!r}


def parse_feed(self, response):
    raise RuntimeError("feed parser bug")


real_parse_article = SourceSpider.parse_article


def parse_article(self, response):
    if url_key(response.url) == url_key(VICTIM):
        raise ValueError("article parser bug")
    yield from real_parse_article(self, response)


FeedSpider.parse_feed = parse_feed
SourceSpider.parse_article = parse_article
from cli.main import main
main()
"""


def test_crashing_callback_is_an_error_of_its_run_not_silence(site, tmp_path):
    """A callback that raises must not end its run "ok" with what it was reading
    silently lost: the crash is an entry error (its run partial, or failed when it was
    the only entry point) or an article error, named in the run's errors."""
    sources = with_feed_only_source(site)
    victim = next(a for a in site.expected_articles() if a["outlet"] == "bawaba")
    script = tmp_path / "crashing_crawl.py"
    script.write_text(CRASHING_CRAWL.format(victim=victim["canonical_url"]), encoding="utf-8")
    (tmp_path / "sources.toml").write_text(sources, encoding="utf-8")
    db_path = tmp_path / "raqib.db"
    proc = subprocess.run([sys.executable, str(script), "crawl", "--config", str(tmp_path / "sources.toml"),
                           "--db", str(db_path)], capture_output=True, text=True, timeout=240, cwd=ROOT,
                          env={**os.environ, "PYTHONPATH": str(ROOT),
                               "RAQIB_HTTP_CACHE_DIR": str(tmp_path / "cache")})
    db = open_db(db_path)
    runs = {r["source"]: r for r in db.query("SELECT * FROM runs")}
    assert runs, proc.stderr[-3000:]
    assert runs["akhbar-feed-only"]["status"] == "failed", runs["akhbar-feed-only"]
    assert "callback crashed: RuntimeError: feed parser bug" in runs["akhbar-feed-only"]["errors"]
    bawaba = runs["bawaba"]
    crashed = [e for e in json.loads(bawaba["errors"]) if "article parser bug" in e["error"]]
    assert crashed and all(url_key(e["url"]) == url_key(victim["canonical_url"]) for e in crashed), bawaba
    stored = {r[0] for r in db.execute("SELECT canonical_url FROM articles WHERE source = 'bawaba'")}
    assert url_key(victim["canonical_url"]) not in stored
    assert stored, "the other bawaba articles are still stored"
