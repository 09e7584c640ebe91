"""HTTP-level tests of the review page (starlette TestClient) on a database built
through the real storage API (tests/review_data.py)."""

from __future__ import annotations

import re
import warnings
from urllib.parse import urlparse

import feedparser
import pytest

import review_data
from raqib.errors import ConfigError
from raqib.items import Flag, Match
from review.app import create_app
from review.security import AUTH_COOKIE, CSRF_COOKIE, check_bind
from storage.articles import save_article
from storage.db import open_db
from storage.flags import save_flags
from storage.reviews import get_review, mark

with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    from starlette.testclient import TestClient

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")
BASE = "http://127.0.0.1:8765"   # the page answers only to the host it is served on (review.hosts)


@pytest.fixture
def site(tmp_path):
    path = tmp_path / "review.db"
    ids = review_data.build(path)
    client = TestClient(create_app(path), follow_redirects=False, base_url=BASE)
    return client, ids, path


def csrf_of(client, url="/") -> str:
    html = client.get(url).text
    return re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)


def row_ids(html: str) -> list[int]:
    return [int(x) for x in re.findall(r'<tr class="item" data-id="(\d+)"', html)]


def test_inbox_lists_new_flagged_stories_rtl_with_counts(site):
    client, ids, _ = site
    r = client.get("/")
    assert r.status_code == 200
    assert '<html lang="ar" dir="rtl">' in r.text
    # one row per story: the wakala copy is inside the story's row, not a row of its own
    assert row_ids(r.text) == [ids["story"], ids["hostile"], ids["old"]]   # newest story first
    assert f'<li class="member" data-id="{ids["copy"]}">' in r.text and "2 مصادر" in r.text
    assert ids["unflagged"] not in row_ids(r.text)
    assert re.search(r'id="count-new">3<', r.text)
    assert "حموشي" in r.text  # top matched terms shown


@pytest.mark.parametrize("query, expected", [
    ("source=wakala", ["copy"]),
    ("watchlist=civil_protection", ["old"]),
    ("from=2024-06-03", ["story"]),
    ("to=2024-06-02", ["hostile", "old"]),
    ("from=2024-06-02&to=2024-06-02", ["hostile"]),
    ("min_score=3", ["story", "hostile"]),
    ("q=حموشي", ["story"]),
    ("q=الحماية المدنية", ["old"]),
    ('q="unbalanced quote AND (', []),
    ("min_score=abc", ["story", "hostile", "old"]),
], ids=["source", "watchlist", "date-from", "date-to", "one-day", "min-score", "fts", "fts-two-words",
        "fts-hostile-syntax", "bad-number-ignored"])
def test_inbox_filters_and_search(site, query, expected):
    client, ids, _ = site
    r = client.get("/?status=all&" + query)
    assert r.status_code == 200
    assert sorted(row_ids(r.text)) == sorted(ids[k] for k in expected)


def test_status_tabs_follow_reviews(site):
    client, ids, path = site
    db = open_db(path)
    mark(db, [ids["story"]], "relevant", "مهم")
    mark(db, [ids["old"]], "later")
    r = client.get("/?status=relevant")
    assert row_ids(r.text) == [ids["story"]]
    # the copy has no review of its own: it takes its story's, so only the hostile one is new
    assert re.search(r'id="count-new">1<', r.text) and re.search(r'id="count-relevant">1<', r.text)
    assert row_ids(client.get("/?status=later").text) == [ids["old"]]
    assert set(row_ids(client.get("/").text)) == {ids["hostile"]}


def test_article_page_highlights_stored_offsets_and_explains(site):
    client, ids, _ = site
    r = client.get(f"/article/{ids['story']}")
    assert r.status_code == 200
    body = re.search(r'<div class="story-body" id="story-body" lang="ar" dir="rtl">(.*?)</div>', r.text, re.S)
    assert body, "body must be a lang=ar dir=rtl block"
    marks = re.findall(r'<mark class="([^"]+)"[^>]*>(.*?)</mark>', body.group(1))
    texts = [t for _, t in marks]
    assert "التعاون الأمني" in texts and "مكافحة الإرهاب" in texts
    assert any("hl-entity" in c for c, _ in marks)          # the entity span
    assert any("hl-term" in c and "hl-entity" in c for c, t in marks if t == "حموشي")  # term inside entity
    title = re.search(r'<h1 class="story-title" id="story-title">(.*?)</h1>', r.text, re.S).group(1)
    assert "<mark" in title
    assert "actor_and_cooperation" in r.text                 # the stored rule explanation
    assert 'href="https://akhbar.example.ma/news/1"' in r.text  # link to the original
    assert f'href="/article/{ids["copy"]}"' in r.text and "wakala" in r.text  # the other outlet's copy


def test_hostile_article_renders_inert(site):
    client, ids, _ = site
    r = client.get(f"/article/{ids['hostile']}")
    assert r.status_code == 200
    html = r.text
    for raw in ("<script>window.pwned", "<img src=x", "<iframe", 'href="javascript:', "<b>مغربي",
                "<script>alert('rule')", "<script>document"):
        assert raw not in html, raw
    assert "&lt;script&gt;window.pwned = 1&lt;/script&gt;" in html
    assert "&lt;img src=x" in html                              # shown as text, inside its highlight
    # the only <script> tags are ours, from /static (CSP forbids inline scripts)
    assert re.findall(r"<script[^>]*>", html) == ['<script src="/static/review.js" defer>']
    assert "default-src 'none'" in r.headers["content-security-policy"]
    assert "script-src 'self'" in r.headers["content-security-policy"]
    inbox = client.get("/?status=all").text
    assert "<script>window.pwned" not in inbox and "&lt;script&gt;window.pwned" in inbox


def test_every_page_has_security_headers_and_no_inline_script(site):
    client, ids, _ = site
    for url in ("/", f"/article/{ids['story']}", "/feed.atom", "/static/review.js", "/article/999"):
        r = client.get(url)
        assert r.headers["x-content-type-options"] == "nosniff", url
        assert "frame-ancestors 'none'" in r.headers["content-security-policy"], url
        if r.headers["content-type"].startswith("text/html"):
            assert re.findall(r"<script(?![^>]*\ssrc=)[^>]*>", r.text) == [], url
    assert client.get("/article/999").status_code == 404


def test_mark_with_csrf_token_then_redirects(site):
    client, ids, path = site
    token = csrf_of(client, f"/article/{ids['story']}")
    r = client.post(f"/article/{ids['story']}/review",
                    data={"csrf_token": token, "status": "relevant", "note": "تعاون مع إسبانيا",
                          "next": f"/article/{ids['copy']}"})
    assert r.status_code == 303 and r.headers["location"] == f"/article/{ids['copy']}"
    review = get_review(open_db(path), ids["story"])
    assert (review["status"], review["note"]) == ("relevant", "تعاون مع إسبانيا")
    page = client.get(f"/article/{ids['story']}").text
    assert 'id="review-status">ذو صلة<' in page and "تعاون مع إسبانيا" in page


@pytest.mark.parametrize("how", ["no-token", "wrong-token", "forged-cookie", "no-cookie"])
def test_post_without_valid_csrf_is_refused(site, how):
    client, ids, path = site
    token = csrf_of(client)
    data = {"status": "relevant"}
    if how == "wrong-token":
        data["csrf_token"] = token[:-2] + "xx"
    elif how == "forged-cookie":
        client.cookies.set(CSRF_COOKIE, "abc")
        data["csrf_token"] = "abc"
    elif how == "no-cookie":
        client.cookies.clear()
        data["csrf_token"] = token
    r = client.post(f"/article/{ids['story']}/review", data=data)
    assert r.status_code == 403
    r = client.post("/review", data={**data, "ids": [str(ids["story"])]})
    assert r.status_code == 403
    assert get_review(open_db(path), ids["story"]) is None


def test_bulk_mark_and_safe_redirect(site):
    client, ids, path = site
    token = csrf_of(client)
    r = client.post("/review", data={"csrf_token": token, "status": "irrelevant",
                                     "ids": [str(ids["copy"]), str(ids["old"])], "next": "//evil.example/"})
    assert r.status_code == 303 and r.headers["location"] == "/"
    db = open_db(path)
    assert get_review(db, ids["copy"])["status"] == get_review(db, ids["old"])["status"] == "irrelevant"
    r = client.post("/review", data={"csrf_token": token, "status": "bogus", "ids": [str(ids["copy"])]})
    assert r.status_code == 400


def test_atom_feed_is_valid_and_stable(site):
    client, ids, _ = site
    r = client.get("/feed.atom")
    assert r.status_code == 200 and r.headers["content-type"].startswith("application/atom+xml")
    feed = feedparser.parse(r.content)
    assert not feed.bozo, feed.get("bozo_exception")
    assert feed.feed.title.startswith("raqib")
    assert len(feed.entries) == 3                    # one entry per story (the copy joins its story)
    entry_ids = [e.id for e in feed.entries]
    assert entry_ids == [e.id for e in feedparser.parse(client.get("/feed.atom").content).entries]
    assert f"tag:raqib.invalid,2024:article/{ids['story']}" in entry_ids
    story = next(e for e in feed.entries if e.id.endswith(f"/{ids['story']}"))
    rels = {link.rel: link.href for link in story.links}
    assert urlparse(rels["alternate"]).path == f"/article/{ids['story']}"
    assert rels["related"] == "https://akhbar.example.ma/news/1"
    assert "<script>" not in r.text  # hostile title is escaped XML text


def test_access_token_required_when_configured(tmp_path):
    path = tmp_path / "r.db"
    review_data.build(path)
    client = TestClient(create_app(path, access_token="s3cret"), follow_redirects=False, base_url=BASE)
    assert client.get("/").status_code == 401
    assert client.get("/?token=wrong").status_code == 401
    assert client.get("/feed.atom").status_code == 401
    assert client.get("/feed.atom?token=s3cret").status_code == 200       # feed readers keep the query
    assert client.get("/", headers={"Authorization": "Bearer s3cret"}).status_code == 200
    r = client.get("/?status=all&token=s3cret")
    assert r.status_code == 303 and r.headers["location"] == "/?status=all"  # token dropped from the URL
    assert AUTH_COOKIE in r.cookies
    assert client.get("/?status=all").status_code == 200                  # now logged in by cookie
    token = csrf_of(client)
    assert client.post("/review", data={"csrf_token": token, "status": "later", "ids": ["1"]}).status_code == 303


@pytest.mark.parametrize("host, token, ok", [
    ("127.0.0.1", "", True), ("localhost", "", True), ("::1", "", True), ("127.0.0.2", "", True),
    ("0.0.0.0", "", False), ("192.168.1.5", "", False), ("example.org", "", False),
    ("0.0.0.0", "a-strong-token-of-24-ch", True),
], ids=["loopback", "localhost", "ipv6-loopback", "loopback-range", "any", "lan", "hostname", "any-with-token"])
def test_check_bind(host, token, ok):
    if ok:
        check_bind(host, token)
    else:
        with pytest.raises(ConfigError, match="non-loopback address .* set access_token"):
            check_bind(host, token)


def test_serve_refuses_public_bind_without_token(tmp_path):
    from click.testing import CliRunner

    from cli.main import _register, cli
    _register()
    result = CliRunner().invoke(cli, ["serve", "--db", str(tmp_path / "r.db"), "--host", "0.0.0.0"],
                                env={"RAQIB_ACCESS_TOKEN": ""})
    assert result.exit_code == 1
    assert "refusing to serve on non-loopback address '0.0.0.0'" in result.output


def test_reviews_survive_rescoring_and_recrawl(site):
    client, ids, path = site
    db = open_db(path)
    mark(db, [ids["story"]], "relevant", "keep me")
    # re-scoring: the filter stage saves the flags again (new version, new score)
    save_flags(db, ids["story"], [Flag("ma_security", "v2zzz", 9.0, True,
                                       [Match("حموشي", "actors", 5, 10)], [], [{"rule": "new"}])])
    # re-crawl of an updated article: same URL key, new text
    a = review_data.article("https://akhbar.example.ma/news/1", "akhbar", review_data.STORY_TITLE,
                            review_data.STORY_BODY + "\nفقرة جديدة.", "2024-06-03T10:00:00+01:00")
    assert save_article(db, a) == (ids["story"], "updated")
    save_flags(db, ids["story"], [Flag("ma_security", "v2zzz", 0.5, False, [], [], [])])
    save_flags(db, ids["story"], [Flag("ma_security", "v3", 7.0, True, [], [], [])])
    review = get_review(db, ids["story"])
    assert (review["status"], review["note"]) == ("relevant", "keep me")
    assert row_ids(client.get("/?status=relevant").text) == [ids["story"]]
