"""The read-only JSON API (review/api.py) on the review test database."""

from __future__ import annotations

import warnings

import pytest

import review_data
from storage.db import open_db
from storage.reviews import mark

with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    from starlette.testclient import TestClient


@pytest.fixture
def api(tmp_path):
    from review.app import create_app

    path = tmp_path / "api.db"
    ids = review_data.build(path)
    return TestClient(create_app(path), base_url="http://127.0.0.1:8765", follow_redirects=False), ids, path


def test_stories_paginated_with_the_inbox_filters(api):
    client, ids, path = api
    r = client.get("/api/stories")
    assert r.status_code == 200 and r.headers["content-type"] == "application/json"
    body = r.json()
    assert body["filters"]["status"] == "new" and body["total"] == 3 and body["pages"] == 1 and body["next"] is None
    first = body["stories"][0]
    assert first["story_id"] == ids["story"] and first["n_sources"] == 2 and first["sources"] == ["akhbar", "wakala"]
    assert [m["id"] for m in first["members"]] == [ids["story"], ids["copy"]]
    assert first["score"] == 4.5 and ["التعاون الأمني", 3] in first["terms"]

    page1 = client.get("/api/stories?status=all&per_page=2").json()
    assert len(page1["stories"]) == 2 and page1["pages"] == 2
    assert page1["next"] == "/api/stories?status=all&per_page=2&page=2"
    page2 = client.get(page1["next"]).json()
    assert [s["id"] for s in page2["stories"]] == [ids["old"]] and page2["next"] is None
    assert client.get("/api/stories?per_page=100000").json()["per_page"] == 200

    assert [s["id"] for s in client.get("/api/stories?source=wakala").json()["stories"]] == [ids["copy"]]
    assert client.get("/api/stories?q=حموشي").json()["total"] == 1
    mark(open_db(path), [ids["hostile"]], "irrelevant")
    assert [s["id"] for s in client.get("/api/stories?status=irrelevant").json()["stories"]] == [ids["hostile"]]


def test_article_with_flags_evidence_and_story(api):
    client, ids, _ = api
    a = client.get(f"/api/articles/{ids['copy']}").json()
    assert a["article"]["source"] == "wakala" and "minhash" not in a["article"]
    assert a["flags"][0]["matches"][0]["term"] == "التعاون الأمني"
    assert a["evidence"][0]["text"] == "نقلت وكالة الأنباء أن التعاون الأمني بين البلدين يتعزز."
    assert a["story"]["story_id"] == ids["story"] and a["story"]["n_sources"] == 2
    assert a["review"] is None
    missing = client.get("/api/articles/999")
    assert missing.status_code == 404 and missing.json() == {"error": "no article 999"}


def test_stats(api):
    client, _, _ = api
    s = client.get("/api/stats?by=day&status=all").json()
    assert s["by"] == "day" and s["periods"][0] == "2024-05-01" and s["periods"][-1] == "2024-06-03"
    assert s["totals"]["flags"] == 4 and s["flags"]["by_source"]["wakala"][-1] == 1
    assert client.get("/api/stats?watchlist=civil_protection").json()["totals"]["flags"] == 1
    bad = client.get("/api/stats?by=month")
    assert bad.status_code == 400 and "day, week" in bad.json()["error"]


def test_read_only_and_behind_the_access_token(tmp_path):
    from review.app import create_app

    path = tmp_path / "locked.db"
    review_data.build(path)
    client = TestClient(create_app(path, access_token="s3cret"), base_url="http://127.0.0.1:8765", follow_redirects=False)
    for url in ("/api/stories", "/api/articles/1", "/api/stats"):
        assert client.get(url).status_code == 401, url
        assert client.get(url, headers={"Authorization": "Bearer s3cret"}).status_code == 200, url
        assert client.get(url, headers={"Authorization": "Bearer wrong"}).status_code == 401, url
    assert client.post("/api/stories", headers={"Authorization": "Bearer s3cret"}).status_code == 405
