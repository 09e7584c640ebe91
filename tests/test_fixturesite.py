"""The fixture news sites themselves: real HTTP on 127.0.0.1 with urllib.

Everything the crawl tests rely on is checked here first — entry points parse and
reach every article, HTTP semantics (conditional GET, gzip, encodings), live
changes, fault modes — and that each seed page gives its text back to trafilatura.
"""

from __future__ import annotations

import gzip
import html
import http.client
import json
import re
import socket
import threading
import time
import tomllib
import urllib.error
import urllib.request
from email.utils import parsedate_to_datetime
from pathlib import Path

import feedparser
import pytest
import trafilatura
from lxml import etree, html as lxml_html

from config.sources import parse_sources
from fixturesite.server import FixtureSite
from raqib.urls import url_key
from tests.textmetrics import token_f1

CONTENT = Path(__file__).resolve().parent.parent / "fixturesite" / "content"
SEEDS = tomllib.loads((CONTENT / "seeds.toml").read_text(encoding="utf-8"))["article"]
OUTLETS = ("akhbar", "bawaba", "wakala", "qadim")


@pytest.fixture(scope="module")
def site():
    with FixtureSite() as s:
        yield s


@pytest.fixture
def fresh_site():
    """A private site for tests that change content or set faults."""
    with FixtureSite() as s:
        yield s


def get(url: str, headers: dict | None = None, timeout: float = 5) -> tuple[int, dict, bytes]:
    req = urllib.request.Request(url, headers=headers or {})
    try:
        with urllib.request.urlopen(req, timeout=timeout) as r:
            return r.status, dict(r.headers.items()), r.read()
    except urllib.error.HTTPError as exc:
        return exc.code, dict(exc.headers.items()), exc.read()


def sitemap_locs(body: bytes) -> tuple[str, list[str]]:
    root = etree.fromstring(body)
    return etree.QName(root).localname, [e.text.strip() for e in root.iter("{*}loc")]


def entry_links(site: FixtureSite, outlet: str, max_pages: int = 2) -> set[str]:
    """What a crawler following the generated sources config would request as articles."""
    source = next(s for s in parse_sources(site.sources_toml()) if s.name == outlet)
    links: set[str] = set()
    for feed in source.feeds:
        links |= {e.link for e in feedparser.parse(get(feed)[2]).entries}
    todo = list(source.sitemaps)
    while todo:
        kind, locs = sitemap_locs(get(todo.pop())[2])
        (todo.extend if kind == "sitemapindex" else links.update)(locs)
    for listing in source.listings:
        url, page = listing.url, 1
        while url and page <= max_pages:
            tree = lxml_html.fromstring(get(url)[2])
            hrefs = [tree.base_url and h or h for h in tree.xpath("//a/@href")]
            links |= {h for h in hrefs if re.search(listing.article_pattern, h)}
            nxt = [h for h in hrefs if re.search(rf"(?:/page/|[?&]page=){page + 1}/?$", h)]
            url, page = (nxt[0] if nxt else None), page + 1
    return links


# -- entry points -------------------------------------------------------------------

def test_sources_toml_is_valid_and_points_at_running_ports(site):
    sources = parse_sources(site.sources_toml(), "<fixture>")
    assert [s.name for s in sources] == list(OUTLETS)
    for s in sources:
        assert s.homepage == site.base_url(s.name) + "/"
        assert s.feeds or s.sitemaps or s.listings
    assert [s.name for s in parse_sources(site.sources_toml(["qadim"]))] == ["qadim"]
    only = {s.name: s for s in parse_sources(site.sources_toml(only_feeds={"qadim": ["/rss.xml"]}))}
    assert (only["qadim"].feeds, only["qadim"].sitemaps, only["qadim"].listings) == \
        ((site.base_url("qadim") + "/rss.xml",), (), ())
    assert all(s.feeds or s.sitemaps or s.listings for s in only.values())   # the others keep theirs


@pytest.mark.parametrize("outlet", OUTLETS)
def test_entry_points_reach_every_article_and_nothing_unknown(site, outlet):
    expected = site.expected_articles(outlet)
    assert len(expected) >= 5
    keys = {url_key(u) for u in entry_links(site, outlet)}
    want = {url_key(a["canonical_url"]) for a in expected}
    assert want <= keys, f"unreachable: {sorted(want - keys)}"
    allowed = want | {url_key(u) for u in site.non_article_urls(outlet)}
    assert keys <= allowed, f"unexpected links: {sorted(keys - allowed)}"
    for a in expected[:3]:
        status, _, body = get(a["url"])
        assert status == 200 and a["title"] in html.unescape(body.decode("cp1256" if outlet == "qadim" else "utf-8"))


@pytest.mark.parametrize("outlet,feed", [("akhbar", "/feed/"), ("bawaba", "/rss.xml"), ("qadim", "/rss.asp")])
def test_feeds_parse_newest_first(site, outlet, feed):
    parsed = feedparser.parse(get(site.base_url(outlet) + feed)[2])
    assert not parsed.bozo, parsed.get("bozo_exception")
    assert parsed.version in ("rss20", "atom10")
    assert 5 <= len(parsed.entries) <= 20
    stamps = [e.get("published_parsed") or e.get("updated_parsed") for e in parsed.entries]
    assert all(stamps) and stamps == sorted(stamps, reverse=True)
    assert re.search(r"[\u0600-\u06FF]", parsed.entries[0].title)


def test_bawaba_sitemap_index_news_sitemap_and_tracking_links(site):
    base = site.base_url("bawaba")
    kind, maps = sitemap_locs(get(base + "/sitemap.xml")[2])
    assert kind == "sitemapindex" and base + "/sitemap-news.xml" in maps and base + "/sitemap-2025.xml" in maps
    root = etree.fromstring(get(base + "/sitemap-news.xml")[2])
    ns = {"news": "http://www.google.com/schemas/sitemap-news/0.9"}
    assert root.xpath("//news:publication_date", namespaces=ns) and root.xpath("//news:title", namespaces=ns)
    assert all(u.find("{*}lastmod") is not None for u in etree.fromstring(get(base + "/sitemap-2025.xml")[2]))
    listing = get(base + "/section/maghreb")[2].decode()
    assert "/news/" in listing and "?utm_source=home&amp;utm_medium=block" in listing
    page = get(site.expected_articles("bawaba")[0]["url"])[2].decode()
    ld = json.loads(re.search(r'<script type="application/ld\+json">(.*?)</script>', page, re.S).group(1))
    assert ld["@type"] == "NewsArticle" and {"headline", "datePublished", "dateModified", "author", "publisher"} <= set(ld)


def test_wakala_amp_pages_and_double_listing(site):
    base = site.base_url("wakala")
    _, locs = sitemap_locs(get(base + "/sitemap.xml")[2])
    arts = site.expected_articles("wakala")
    both = [a for a in arts if a["url"] in locs and a["amp_url"] in locs]
    amp_only = [a for a in arts if a["amp_url"] in locs and a["url"] not in locs]
    assert len(both) == 1 and amp_only
    a = amp_only[0]
    page = get(a["url"])[2].decode()
    assert f'<link rel="canonical" href="{a["url"]}">' in page and f'<link rel="amphtml" href="{a["amp_url"]}">' in page
    amp = get(a["amp_url"])[2].decode()
    assert '<html ⚡ lang="ar"' in amp and f'<link rel="canonical" href="{a["url"]}">' in amp


@pytest.mark.parametrize("outlet", OUTLETS)
def test_robots_txt(site, outlet):
    status, headers, body = get(site.base_url(outlet) + "/robots.txt")
    text = body.decode()
    assert status == 200 and headers["Content-Type"].startswith("text/plain")
    assert "User-agent: *" in text and re.search(r"Disallow: /(wp-)?admin/", text)
    assert ("Sitemap: " in text) == (outlet in ("bawaba", "wakala"))


def test_qadim_is_windows_1256_on_the_wire(site):
    a = site.expected_articles("qadim")[0]
    status, headers, body = get(a["url"])
    assert "charset" not in headers["Content-Type"].lower()
    assert b'<meta http-equiv="Content-Type" content="text/html; charset=windows-1256">' in body
    with pytest.raises(UnicodeDecodeError):
        body.decode("utf-8")
    assert a["title"] in body.decode("cp1256")
    assert a["published_display"] in body.decode("cp1256") and re.search(r"[\u0600-\u06FF]+ \d{1,2} ", a["published_display"])
    assert b'<meta name="date" content="' in body
    _, headers, feed = get(site.base_url("qadim") + "/rss.asp")
    assert feed.startswith(b'<?xml version="1.0" encoding="windows-1256"?>') and "charset" not in headers["Content-Type"]
    assert a["title"].encode("cp1256") in feed


# -- HTTP semantics -----------------------------------------------------------------

def test_conditional_get_and_gzip(site):
    url = site.base_url("akhbar") + "/feed/"
    status, headers, body = get(url)
    assert status == 200 and headers["ETag"] and headers["Last-Modified"]
    assert get(url, {"If-None-Match": headers["ETag"]})[0] == 304
    assert get(url, {"If-Modified-Since": headers["Last-Modified"]})[0] == 304
    assert get(url, {"If-None-Match": '"other"'})[0] == 200
    status, zheaders, zbody = get(url, {"Accept-Encoding": "gzip"})
    assert zheaders.get("Content-Encoding") == "gzip" and gzip.decompress(zbody) == body
    art = site.expected_articles("qadim")[0]["url"]
    h = get(art)[1]
    assert get(art, {"If-None-Match": h["ETag"]})[0] == 304


def test_add_and_update_article_change_feeds_and_validators(fresh_site):
    site = fresh_site
    feed_url = site.base_url("akhbar") + "/feed/"
    _, h1, _ = get(feed_url)
    url = site.add_article("akhbar", "خبر جديد عن التعاون الأمني", ["فقرة أولى من الخبر الجديد.", "فقرة ثانية."],
                           "2026-11-22T09:00:00+01:00", author="هيئة التحرير")
    assert re.search(r"/2026/11/22/[^/]+-\d+/$", url)
    status, h2, body = get(feed_url, {"If-None-Match": h1["ETag"]})
    assert status == 200 and h2["ETag"] != h1["ETag"]
    assert parsedate_to_datetime(h2["Last-Modified"]) > parsedate_to_datetime(h1["Last-Modified"])
    assert feedparser.parse(body).entries[0].link == url
    assert get(feed_url, {"If-Modified-Since": h1["Last-Modified"]})[0] == 200
    assert any(a["url"] == url for a in site.expected_articles("akhbar"))
    for outlet, entry in (("bawaba", "/sitemap-news.xml"), ("wakala", "/sitemap.xml"), ("qadim", "/rss.asp")):
        new = site.add_article(outlet, "خبر مضاف", ["نص الخبر المضاف."], "2026-11-23T10:00:00+00:00")
        assert new.encode() in get(site.base_url(outlet) + entry)[2].replace(b"&amp;", b"&")
    _, ha, before = get(url)
    assert site.update_article(url, ["نص معدل بالكامل."]) == url
    status, hb, after = get(url, {"If-None-Match": ha["ETag"]})
    assert status == 200 and "نص معدل بالكامل.".encode() in after and hb["ETag"] != ha["ETag"]


def test_extra_feed_and_bulk_sitemap_index(fresh_site):
    site = fresh_site
    art = site.expected_articles("akhbar")[0]
    feed = site.add_feed("akhbar", "/partners.xml", [(art["url"] + "?utm_source=x", art["published"]),
                                                     ("http://m.example/other", "2026-01-01T00:00:00+00:00")])
    assert [e.link for e in feedparser.parse(get(feed)[2]).entries] == [art["url"] + "?utm_source=x",
                                                                        "http://m.example/other"]
    index = site.add_bulk_sitemaps("wakala", total=25_000, per_sitemap=10_000)
    source = {s.name: s for s in parse_sources(site.sources_toml())}
    assert feed in source["akhbar"].feeds and index in source["wakala"].sitemaps
    kind, maps = sitemap_locs(get(index)[2])
    assert kind == "sitemapindex" and len(maps) == 3
    locs = [loc for m in maps for loc in sitemap_locs(get(m)[2])[1]]
    real = [a["canonical_url"] for a in site.expected_articles("wakala")]
    assert len(locs) == len(set(locs)) == 25_000 and locs[:len(real)] == real
    assert get(locs[-1])[0] == 404, "archive URLs are listed, never served"


def test_request_log(fresh_site):
    site = fresh_site
    base = site.base_url("wakala")
    get(base + "/sitemap.xml", {"X-Test": "1"})
    get(base + "/missing")
    get(site.base_url("qadim") + "/list.asp?cat=1")
    log = site.request_log
    assert [(r["outlet"], r["path"], r["status"]) for r in log] == [
        ("wakala", "/sitemap.xml", 200), ("wakala", "/missing", 404), ("qadim", "/list.asp?cat=1", 200)]
    assert log[0]["method"] == "GET" and log[0]["headers"]["X-Test"] == "1" and log[0]["bytes"] > 0
    assert log[0]["timestamp"] <= log[2]["timestamp"]
    assert len(site.requests_for("wakala")) == 2 and len(site.requests_for(path_prefix="/list.asp")) == 1
    site.clear_log()
    assert site.request_log == []


# -- faults -------------------------------------------------------------------------

def test_fault_status_and_times(fresh_site):
    site = fresh_site
    url = site.base_url("akhbar") + "/feed/"
    site.set_fault("akhbar", "/feed/*", "status", code=503, retry_after=7, times=1)
    status, headers, _ = get(url)
    assert status == 503 and headers["Retry-After"] == "7"
    assert get(url)[0] == 200
    site.set_fault("akhbar", "/feed/*", "status", code=500)
    assert get(url)[0] == 500
    site.clear_faults()
    assert get(url)[0] == 200
    assert [r["fault"] for r in site.request_log] == ["status", None, "status", None]


def test_fault_stub_serves_a_short_page_pointing_at_its_canonical(fresh_site):
    site = fresh_site
    site.set_fault("wakala", "/ar/amp/news/*", "stub", canonical="https://example.ma/ar/news/1")
    status, _, body = get(site.base_url("wakala") + "/ar/amp/news/132")
    tree = etree.fromstring(body, etree.HTMLParser())
    assert status == 200 and tree.xpath('//link[@rel="canonical"]/@href') == ["https://example.ma/ar/news/1"]
    assert len("".join(tree.xpath("//body//text()")).strip()) < 50


def test_fault_broken_xml(fresh_site):
    site = fresh_site
    site.set_fault("qadim", "/rss.asp*", "broken_xml")
    body = get(site.base_url("qadim") + "/rss.asp")[2]
    assert feedparser.parse(body).entries == [] or not any(e.get("link") for e in feedparser.parse(body).entries)
    with pytest.raises(etree.XMLSyntaxError):
        etree.fromstring(body)
    site.set_fault("wakala", "/sitemap.xml", "broken_xml")
    with pytest.raises(etree.XMLSyntaxError):
        etree.fromstring(get(site.base_url("wakala") + "/sitemap.xml")[2])


def test_fault_truncate_reset_redirect_loop(fresh_site):
    site = fresh_site
    url = site.expected_articles("akhbar")[0]["url"]
    path = url.split(":", 2)[2].split("/", 1)[1]
    site.set_fault("akhbar", "/" + path, "truncate")
    with pytest.raises(http.client.IncompleteRead):
        get(url)
    site.set_fault("akhbar", "/" + path, "reset")
    with pytest.raises((ConnectionError, http.client.RemoteDisconnected, urllib.error.URLError)):
        get(url)
    site.set_fault("akhbar", "/" + path, "redirect_loop")
    with pytest.raises(urllib.error.HTTPError, match="redirect"):
        urllib.request.urlopen(url, timeout=5)


def test_fault_no_charset_huge_gzip_bomb(fresh_site):
    site = fresh_site
    a = site.expected_articles("qadim")[0]
    site.set_fault("qadim", "/article.asp*", "no_charset")
    _, headers, body = get(a["url"])
    assert b"charset" not in body.lower() and "charset" not in headers["Content-Type"]
    assert a["title"] in body.decode("cp1256")
    site.set_fault("bawaba", "/huge", "huge", size_mb=2)
    _, headers, body = get(site.base_url("bawaba") + "/huge")
    assert int(headers["Content-Length"]) == len(body) == 2 * 1024 * 1024
    site.set_fault("bawaba", "/bomb", "gzip_bomb", size_mb=20)
    _, headers, body = get(site.base_url("bawaba") + "/bomb")
    assert headers["Content-Encoding"] == "gzip" and len(body) < 100_000
    assert len(gzip.decompress(body)) > 20 * 1024 * 1024


def test_fault_hang_and_drip_end_on_stop():
    site = FixtureSite(outlets=("wakala",)).start()
    try:
        base = site.base_url("wakala")
        site.set_fault("wakala", "/ar/latest", "hang")
        with pytest.raises((TimeoutError, socket.timeout, urllib.error.URLError)):
            get(base + "/ar/latest", timeout=0.3)
        site.set_fault("wakala", "/ar/about", "drip", chunk=128, interval=0.1)
        started = time.monotonic()
        status, _, body = get(base + "/ar/about", timeout=0.5)   # every chunk arrives well in time
        assert status == 200 and b"</html>" in body and time.monotonic() - started > 0.5
        site.set_fault("wakala", "/sitemap.xml", "drip", chunk=1, interval=10)
        with pytest.raises((TimeoutError, socket.timeout, urllib.error.URLError)):
            get(base + "/sitemap.xml", timeout=0.3)
    finally:
        started = time.monotonic()
        site.stop()
    # not waiting out the 10 s drip interval (a bound far from any busy machine's delays)
    assert time.monotonic() - started < 8


def test_fault_delay_after_holds_the_answer_until_the_other_request():
    """delay(after=PATH) orders two requests by an event: /ar/latest is answered only
    once /ar/about was requested, however long that takes (at most `seconds`)."""
    site = FixtureSite(outlets=("wakala",)).start()
    try:
        base = site.base_url("wakala")
        site.set_fault("wakala", "/ar/latest", "delay", after="/ar/about", seconds=60)
        answers: list[int] = []
        held = threading.Thread(target=lambda: answers.append(get(base + "/ar/latest", timeout=90)[0]))
        held.start()
        held.join(1.0)
        assert held.is_alive() and answers == [], "answered before /ar/about was requested"
        assert get(base + "/ar/about")[0] == 200
        held.join(60)
        assert answers == [200]
        paths = [r["path"] for r in site.request_log]
        assert paths.index("/ar/about") < paths.index("/ar/latest")
    finally:
        site.stop()


# -- seed pages give their text back -------------------------------------------------

def seed_page(site, seed):
    return next(a for a in site.expected_articles() if a["file"] == seed["file"])


@pytest.mark.parametrize("seed", SEEDS, ids=[s["file"].split("/")[-1][:3] for s in SEEDS])
def test_seed_page_extracts_to_seed_text(site, seed):
    page = seed_page(site, seed)
    assert page["outlet"] == seed["outlet"]
    raw = get(page["url"])[2]
    text = raw.decode("cp1256" if page["outlet"] == "qadim" else "utf-8")
    doc = trafilatura.bare_extraction(text, url=page["url"], include_comments=False, with_metadata=True)
    f1 = token_f1(doc.text, page["body"])
    f1_file = token_f1(doc.text, (CONTENT / seed["file"]).read_text(encoding="utf-8"))
    print(f"{seed['file']} ({page['outlet']}): F1 vs body {f1:.3f}, vs whole seed file {f1_file:.3f}")
    assert f1 >= 0.95
    assert f1_file >= 0.95
    assert doc.title == seed["title"]
    assert doc.date[:10] == seed["published"][:10]
    assert "اترك تعليق" not in doc.text and "فيسبوك" not in doc.text and "اقرأ أيضا" not in doc.text


@pytest.mark.parametrize("outlet", OUTLETS)
def test_non_article_pages_do_not_extract_as_arabic_articles(site, outlet):
    for url in site.non_article_urls(outlet):
        status, _, raw = get(url)
        assert status == 200
        text = raw.decode("cp1256" if outlet == "qadim" else "utf-8")
        doc = trafilatura.bare_extraction(text, url=url, include_comments=False, with_metadata=True,
                                          favor_precision=True, include_tables=False)
        body = (doc.text if doc else "") or ""
        arabic = len(re.findall(r"[\u0600-\u06FF]", body))
        letters = len(re.findall(r"[^\W\d_]", body))
        assert len(body) < 250 or arabic < 0.5 * letters, f"{url} looks like an article: {body[:200]}"
