"""A site that dates every entry "now" must not make each crawl fetch everything again."""

from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone

import pytest

from fixturesite.server import FixtureSite
from raqib.urls import url_key
from raqib.claims import DISTRUST_AFTER, RefetchTrust
from storage.db import open_db
from tests.conftest import crawl_site


@pytest.mark.parametrize("outcomes,trusted,flips_at", [
    ([], True, None),
    ([False] * (DISTRUST_AFTER - 1), True, None),
    ([False] * DISTRUST_AFTER, False, DISTRUST_AFTER - 1),
    ([True] + [False] * 20, True, None),                       # one real change: dates mean something
    ([False] * DISTRUST_AFTER + [True], True, DISTRUST_AFTER - 1),   # ...even found late
])
def test_refetch_trust(outcomes, trusted, flips_at):
    trust = RefetchTrust()
    flips = [i for i, changed in enumerate(outcomes) if trust.record("s", changed=changed)]
    assert trust.trusted("s") is trusted
    assert flips == ([] if flips_at is None else [flips_at])
    assert trust.trusted("other")


def test_always_new_dates_refetch_at_most_a_bounded_few(tmp_path):
    with FixtureSite(outlets=("akhbar",)) as site:
        base = datetime(2026, 11, 1, tzinfo=timezone.utc)
        for i in range(30):
            site.add_article("akhbar", f"خبر محلي رقم {i} عن الطقس في المدن المغربية",
                             [f"تتوقع المديرية العامة للأرصاد الجوية طقسا معتدلا في عدد من المدن، النشرة {i}. " * 6],
                             base + timedelta(hours=i))
        arts = site.expected_articles("akhbar")
        links = [(a["url"], a["published"]) for a in arts]
        site.add_feed("akhbar", "/everything.xml", links)
        env = {"RAQIB_CONCURRENT_REQUESTS": "2", "RAQIB_CONCURRENT_REQUESTS_PER_DOMAIN": "1"}
        db_path, _ = crawl_site(tmp_path, site.sources_toml(), env=env, timeout=120)
        # the CMS now stamps every entry with the time the feed is generated
        site.add_feed("akhbar", "/everything.xml", links, updated=datetime.now(timezone.utc) + timedelta(hours=1))
        site.clear_log()
        # that feed alone this time: with the sitemap and listing crawlers beside it, whichever
        # reaches an article first decides how it is skipped, and on a busy machine they can
        # take every article left after the dates are distrusted (counted as already stored)
        _, proc = crawl_site(tmp_path, site.sources_toml(only_feeds={"akhbar": ["/everything.xml"]}),
                             env=env, timeout=120, verbose=True)
        keys = {url_key(a["url"]) for a in arts}
        refetched = [r for r in site.request_log
                     if url_key(site.base_url("akhbar").rstrip("/") + r["path"]) in keys]
    assert len(arts) >= 40
    # the dates are believed until DISTRUST_AFTER re-fetches found nothing new, plus what
    # was already in flight (2 requests at a time here)
    assert DISTRUST_AFTER <= len(refetched) <= DISTRUST_AFTER + 3, len(refetched)
    assert "ignoring its modification dates for the rest of this crawl" in proc.stderr
    db = open_db(db_path)
    run = db.execute("SELECT skipped FROM runs WHERE source = 'akhbar' ORDER BY id DESC").fetchone()
    assert json.loads(run[0]).get("modified_date_distrusted", 0) > 0     # counted in the run's skips
    assert db.execute("SELECT COUNT(*) FROM articles").fetchone()[0] == len(arts)
