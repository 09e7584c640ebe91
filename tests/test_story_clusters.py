"""Story clusters on the fixture corpus with known wire copies (fixturesite/copies.py).

A real crawl of the four fixture outlets carrying 56 edited copies of 37 stories;
the stored MinHash story ids are scored against the truth.  Floors are pinned here
and lowered only on purpose: no two different stories merged, ≥ 95 % of copies joined.
"""

from __future__ import annotations

import json
import warnings
from collections import Counter, defaultdict

import pytest

from conftest import crawl_site
from fixturesite.content import load_stories
from fixturesite.copies import KINDS, with_copies
from fixturesite.server import FixtureSite
from raqib.items import Flag, Match
from raqib.urls import url_key
from review.alerts import dispatch_pending
from storage.articles import save_article, set_story
from storage.db import open_db
from storage.flags import save_flags
from storage.review_queries import InboxFilter
from storage.stories import story_page, story_total
from test_review_alerts import Receiver

with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    from starlette.testclient import TestClient

JOINED_FLOOR = 0.95     # share of copies stored in their original's story
MERGED_CEILING = 0      # stored stories holding two different true stories


@pytest.fixture(scope="module")
def crawled(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("stories")
    stories = with_copies(load_stories())
    with FixtureSite(stories=stories) as site:
        db_path, _ = crawl_site(tmp, site.sources_toml(), timeout=300)
        expected = site.expected_articles()
    by_id = {s.id: s for s in stories}
    truth = {url_key(e["canonical_url"]): by_id[e["id"]] for e in expected}
    return db_path, truth


def measure(db, truth) -> dict:
    """Score stored story ids against the fixture truth."""
    stored = {r[0]: r[1] for r in db.execute("SELECT canonical_url, coalesce(story_id, id) FROM articles")}
    assert set(stored) == set(truth), "every fixture article (originals and copies) is stored once"
    groups: dict[int, set[int]] = defaultdict(set)
    for key, sid in stored.items():
        groups[sid].add(truth[key].copy_of or truth[key].id)
    story_of_original = {truth[k].id: sid for k, sid in stored.items() if not truth[k].copy_of}
    joined, total = Counter(), Counter()
    for key, sid in stored.items():
        s = truth[key]
        if s.copy_of:
            total[s.copy_kind] += 1
            joined[s.copy_kind] += story_of_original[s.copy_of] == sid
    return {"articles": len(stored), "copies": sum(total.values()), "joined": sum(joined.values()),
            "merged": [sorted(g) for g in groups.values() if len(g) > 1],
            "by_kind": {k: f"{joined[k]}/{total[k]}" for k in KINDS}, "stories": len(groups)}


def test_clustering_quality_on_known_copies(crawled):
    path, truth = crawled
    m = measure(open_db(path), truth)
    print("\nstory clusters:", json.dumps(m, ensure_ascii=False))
    assert m["copies"] == 56 and all(not k.endswith("/0") for k in m["by_kind"].values())
    assert len(m["merged"]) <= MERGED_CEILING, f"different stories merged: {m['merged']}"
    assert m["joined"] / m["copies"] >= JOINED_FLOOR, m["by_kind"]


def test_inbox_counts_outlets_per_story(crawled):
    from review.app import create_app

    path, truth = crawled
    db = open_db(path)
    rows = story_page(db, InboxFilter(), limit=1000)
    assert len(rows) == story_total(db, InboxFilter())
    for r in rows:
        true_story = {truth_key_story(truth, db, m["id"]) for m in r["members"]}
        assert len(true_story) == 1
        outlets = {truth[k].outlet for k in truth if (truth[k].copy_of or truth[k].id) in true_story}
        assert r["n_sources"] == len(outlets) and set(r["sources"]) == outlets
        dates = [m["published"] for m in r["members"]]
        assert dates == sorted(dates)                             # earliest article first
    multi = [r for r in rows if r["n_sources"] > 1]
    assert multi, "the fixture copies of flagged stories must show as multi-outlet stories"
    html = TestClient(create_app(path), base_url="http://127.0.0.1:8765").get("/?status=all").text
    assert html.count('<tr class="item"') == len(rows)
    assert f'{multi[0]["n_sources"]} مصادر' in html


def truth_key_story(truth, db, article_id: int) -> int:
    key = db.execute("SELECT canonical_url FROM articles WHERE id = ?", [article_id]).fetchone()[0]
    return truth[key].copy_of or truth[key].id


def test_alerts_and_feed_send_each_story_once(crawled, tmp_path):
    import shutil

    import feedparser
    from review.app import create_app

    path, truth = crawled
    copy = tmp_path / "copy.db"
    shutil.copy(path, copy)           # alerts write the outbox: keep the module's database clean
    db = open_db(copy)
    receiver = Receiver()
    receiver.thread.start()
    try:
        dispatch_pending(db, {"webhook_url": receiver.url})
    finally:
        receiver.server.shutdown()
        receiver.server.server_close()
    posted = [truth_key_story(truth, db, p["json"]["article_id"]) for p in receiver.posts]
    flagged_stories = {truth_key_story(truth, db, r[0]) for r in db.execute(
        "SELECT DISTINCT article_id FROM flags WHERE flagged = 1")}
    assert sorted(posted) == sorted(flagged_stories)              # every flagged story, once
    assert all(p["json"]["evidence"] for p in receiver.posts)     # each with its evidence sentence
    entries = feedparser.parse(TestClient(create_app(copy), base_url="http://127.0.0.1:8765").get("/feed.atom").content).entries
    fed = [truth_key_story(truth, db, int(e.id.rsplit("/", 1)[1])) for e in entries]
    assert sorted(fed) == sorted(flagged_stories)


def test_later_outlet_joins_silently_and_reviews_apply_per_story(tmp_path):
    import review_data
    from review.app import create_app

    path = tmp_path / "r.db"
    ids = review_data.build(path)
    db = open_db(path)
    receiver = Receiver()
    receiver.thread.start()
    try:
        dispatch_pending(db, {"webhook_url": receiver.url})
        sent = len(receiver.posts)
        client = TestClient(create_app(path), base_url="http://127.0.0.1:8765", follow_redirects=False)
        html = client.get("/").text
        token = html.split('name="csrf_token" value="', 1)[1].split('"', 1)[0]
        # review the whole story from its inbox row: both of its articles are marked
        r = client.post("/review", data={"csrf_token": token, "stories": str(ids["story"]),
                                         "status": "relevant"})
        assert r.status_code == 303
        st = dict(db.execute("SELECT article_id, status FROM reviews").fetchall())
        assert st == {ids["story"]: "relevant", ids["copy"]: "relevant"}
        # one article of a story on its own
        client.post("/review", data={"csrf_token": token, "ids": str(ids["copy"]), "status": "later"})
        assert dict(db.execute("SELECT article_id, status FROM reviews").fetchall())[ids["copy"]] == "later"
        row = story_page(db, InboxFilter())[0]
        assert row["story_id"] == ids["story"] and row["review_status"] == "mixed" and row["grew"] == 0
        # and the whole story again from an article page
        client.post(f"/article/{ids['copy']}/review", data={"csrf_token": token, "status": "relevant",
                                                             "whole_story": "1"})
        assert set(dict(db.execute("SELECT article_id, status FROM reviews").fetchall()).values()) == {"relevant"}

        # a third outlet carries the story later: it joins without an alert, a feed entry or a "new" row
        late, _ = save_article(db, review_data.article("https://bawaba.example.ma/late", "bawaba",
                                                       "المغرب وإسبانيا: تعاون أمني", "التعاون الأمني مستمر.",
                                                       "2024-06-04T08:00:00+01:00"))
        set_story(db, late, ids["story"])
        save_flags(db, late, [Flag("ma_security", "v1abc", 2.0, True,
                                   [Match("التعاون الأمني", "cooperation", 0, 14)], [], [])])
        assert dispatch_pending(db, {"webhook_url": receiver.url}).enqueued == 0
        assert len(receiver.posts) == sent
    finally:
        receiver.server.shutdown()
        receiver.server.server_close()
    html = client.get("/").text
    assert f'data-id="{ids["story"]}"' not in html and f'data-id="{late}"' not in html
    # the story's row says it grew since it was reviewed ("story grew" notice), nothing more
    reviewed = client.get("/?status=relevant").text
    assert '<span class="grew" data-grew="1">+1 بعد المراجعة</span>' in reviewed
    story = story_page(db, InboxFilter(status="relevant"))[0]
    assert [m["id"] for m in story["members"]] == [ids["story"], ids["copy"], late]
    assert story["n_sources"] == 3 and story["review_status"] == "relevant" and story["grew"] == 1
    feed = client.get("/feed.atom").text
    assert f"article/{late}<" not in feed and f"article/{ids['story']}<" in feed
