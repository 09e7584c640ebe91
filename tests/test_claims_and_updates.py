"""Two decisions the crawl makes before a request, as tables: which URL form of an
article is fetched (raqib.claims) and when a stored article is fetched again
(storage.articles.is_outdated, fed by feed <updated> and sitemap <lastmod>).
The crawl-level cases are in test_faults_crawl.py."""

from __future__ import annotations

import pytest

from raqib.items import Article
from raqib.claims import Claims, Form
from spiders.feeds import feed_entries
from spiders.sitemaps import parse_sitemap, utc_iso
from storage.articles import get_article, is_outdated, save_article
from storage.db import open_db

K = "https://ex.ma/news/1"
AMP, UTM, MOBILE = "https://ex.ma/amp/news/1", "https://ex.ma/news/1?utm_source=x", "https://m.ex.ma/news/1"


def test_waiting_form_gets_the_claim_when_the_first_fails():
    c = Claims()
    assert c.claim(K, AMP)
    assert not c.claim(K, UTM)
    c.wait(K, Form(UTM, via="listing"))
    assert c.release(K, AMP) == Form(UTM, via="listing")
    assert not c.claim(K, MOBILE), "the handed-over form holds the claim"


def test_claim_given_up_when_nobody_waits_and_a_later_form_takes_it():
    c = Claims()
    assert c.claim(K, AMP)
    assert c.release(K, AMP) is None
    assert c.claim(K, UTM)


def test_a_failed_url_neither_claims_nor_waits_again():
    c = Claims()
    c.claim(K, AMP)
    c.release(K, AMP)
    assert not c.claim(K, AMP)
    c.claim(K, UTM)
    c.wait(K, Form(AMP))
    assert c.release(K, UTM) is None


def test_after_a_timeout_the_claim_is_kept_for_the_next_crawl():
    c = Claims()
    c.claim(K, AMP)
    c.wait(K, Form(UTM))
    assert c.release(K, AMP, hand_over=False) is None
    assert not c.claim(K, MOBILE)


def _stored(tmp_path, modified: str):
    db = open_db(tmp_path / "r.db")
    a = Article(url=K, source="ex", title="عنوان", body="نص " * 100, content_hash="h1",
                fetched_at="2026-05-01T12:00:00+00:00", modified=modified)
    save_article(db, a)
    return db


@pytest.mark.parametrize("stored, seen, outdated", [
    ("2026-05-01T10:00:00+00:00", "2026-05-02T08:00:00+00:00", True),
    ("2026-05-01T10:00:00+00:00", "2026-05-01T10:00:00+00:00", False),
    ("2026-05-01T10:00:00+00:00", "2026-05-01T11:00:00+01:00", False),   # same instant, other zone
    ("2026-05-01T10:00:00+00:00", "2026-04-30T10:00:00+00:00", False),
    ("2026-05-01T10:00:00+00:00", "", False),
    ("2026-05-01T10:00:00+00:00", "not a date", False),
    ("", "2026-05-01T11:00:00+00:00", False),    # nothing recorded: compared with our fetch (12:00)
    ("", "2026-05-01T13:00:00+00:00", True),
], ids=["later", "equal", "equal-other-zone", "earlier", "no-date", "garbage", "before-fetch",
        "after-fetch"])
def test_is_outdated(tmp_path, stored, seen, outdated):
    db = _stored(tmp_path, stored)
    assert is_outdated(db, UTM, seen) is outdated
    assert not is_outdated(db, "https://ex.ma/news/2", "2030-01-01T00:00:00+00:00"), "unknown URL"


def test_refetch_records_the_new_date_even_when_unchanged(tmp_path):
    db = _stored(tmp_path, "2026-05-01T10:00:00+00:00")
    again = Article(url=K, source="ex", title="عنوان", body="نص " * 100, content_hash="h1",
                    modified="2026-05-03T10:00:00+00:00")
    assert save_article(db, again)[1] == "unchanged"
    assert get_article(db, K)["source_modified"] == "2026-05-03T10:00:00+00:00"
    assert not is_outdated(db, K, "2026-05-03T10:00:00+00:00")
    older = Article(url=K, source="ex", title="عنوان", body="نص " * 100, content_hash="h1",
                    modified="2026-05-02T10:00:00+00:00")
    save_article(db, older)
    assert get_article(db, K)["source_modified"] == "2026-05-03T10:00:00+00:00", "never moves back"


def test_feed_updated_is_only_an_explicit_one():
    rss = (b'<?xml version="1.0"?><rss version="2.0"><channel><title>t</title><item><title>a</title>'
           b'<link>https://ex.ma/1</link><pubDate>Mon, 02 Jun 2025 10:00:00 +0100</pubDate></item>'
           b'</channel></rss>')
    atom = (b'<feed xmlns="http://www.w3.org/2005/Atom"><title>t</title><entry><title>a</title>'
            b'<link href="https://ex.ma/1"/><published>2025-06-02T10:00:00+01:00</published>'
            b'<updated>2025-06-03T10:00:00+01:00</updated></entry></feed>')
    assert feed_entries(rss)[0] == [("https://ex.ma/1", "2025-06-02T09:00:00+00:00", "")]
    assert feed_entries(atom)[0] == [("https://ex.ma/1", "2025-06-02T09:00:00+00:00", "2025-06-03T09:00:00+00:00")]


def test_sitemap_lastmod_apart_from_publication_date():
    body = (b'<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9" '
            b'xmlns:news="http://www.google.com/schemas/sitemap-news/0.9">'
            b'<url><loc>https://ex.ma/1</loc><lastmod>2025-06-03</lastmod></url>'
            b'<url><loc>https://ex.ma/2</loc><news:news><news:publication_date>2025-06-02T10:00:00+01:00'
            b'</news:publication_date></news:news></url></urlset>')
    kind, entries = parse_sitemap(body)
    assert [(e.loc, e.date, e.lastmod) for e in entries] == [
        ("https://ex.ma/1", "2025-06-03", "2025-06-03"), ("https://ex.ma/2", "2025-06-02T10:00:00+01:00", "")]
    assert utc_iso("2025-06-03") == "2025-06-03T00:00:00+00:00"
    assert utc_iso("2025-06-02T10:00:00+01:00") == "2025-06-02T09:00:00+00:00" and utc_iso("x") == ""
