"""Sitemaps have their own size limit: a legal 10,000-URL sitemap outweighs any article
page, and max_response_bytes (which guards memory against huge pages) must not drop it."""

from __future__ import annotations

import json
import re
import urllib.request

import pytest

from fixturesite.server import FixtureSite
from storage.db import open_db
from tests.conftest import crawl_site


@pytest.mark.parametrize("sitemap_limit,dropped", [(None, False), ("100000", True)],
                         ids=["default-limit", "limit-below-sitemap"])
def test_big_sitemap_read_despite_small_page_limit(tmp_path, sitemap_limit, dropped):
    with FixtureSite(outlets=("wakala",)) as site:
        site.add_bulk_sitemaps("wakala", total=20_000, per_sitemap=10_000)
        env = {"RAQIB_MAX_RESPONSE_BYTES": "300000"}
        if sitemap_limit:
            env["RAQIB_MAX_SITEMAP_BYTES"] = sitemap_limit
        db_path, _ = crawl_site(tmp_path, site.sources_toml(), env=env, timeout=120)
        with urllib.request.urlopen(site.base_url("wakala").rstrip("/") + "/bulk/sitemap-1.xml") as r:
            size = len(r.read())       # no Accept-Encoding: the size the crawler decompresses to
        expected = len(site.expected_articles("wakala"))
    assert size > 300_000, size      # bigger than any page may be
    db = open_db(db_path)
    run = db.execute("SELECT status, errors, skipped FROM runs WHERE source = 'wakala'").fetchone()
    errors = json.loads(run[1])
    too_big = [e for e in errors if "/bulk/sitemap-" in e.get("url", "") and re.search("max ?size", e.get("error", ""), re.I)]
    assert db.execute("SELECT COUNT(*) FROM articles").fetchone()[0] == expected   # listing + small sitemap
    if dropped:
        assert too_big and run[0] == "partial", errors
    else:
        assert not too_big and run[0] == "ok", errors
        assert json.loads(run[2]).get("stale_sitemap_entry", 0) >= 20_000 - expected


def test_undated_sitemap_entries_are_capped(tmp_path):
    """Undated entries count as fresh (a missed story is worse than a fetch too many),
    but 5,000 undated archive URLs must not become 5,000 requests."""
    with FixtureSite(outlets=("wakala",)) as site:
        site.add_bulk_sitemaps("wakala", total=5_000, per_sitemap=2_500, undated=True)
        db_path, proc = crawl_site(tmp_path, site.sources_toml(), env={"RAQIB_MAX_UNDATED_SITEMAP_ENTRIES": "20"},
                                   timeout=120)
        archive = [r for r in site.request_log if r["path"].startswith("/bulk/archive/")]
        expected = len(site.expected_articles("wakala"))
    assert 0 < len(archive) <= 2 * 20, len(archive)         # at most 20 per sitemap, 2 sitemaps
    assert "undated entries; following the first 20" in proc.stderr
    db = open_db(db_path)
    skipped = json.loads(db.execute("SELECT skipped FROM runs WHERE source = 'wakala'").fetchone()[0])
    assert skipped.get("undated_over_limit", 0) >= 5_000 - expected - 2 * 20
    assert db.execute("SELECT COUNT(*) FROM articles").fetchone()[0] == expected   # real stories are dated
