"""Evidence in alerts: the sentence(s) that made the flag, cut by the stored offsets,
in the webhook JSON, both parts of the e-mail and the Atom entries."""

from __future__ import annotations

import warnings

import feedparser
import pytest

import review_data
from review.alerts import build_email, dispatch_pending
from review.evidence import as_html, as_plain, sentence_bounds, strongest
from storage.db import open_db
from test_review_alerts import Receiver, message_from_bytes, smtp_receiver

with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    from starlette.testclient import TestClient

FIRST, SECOND, THIRD = review_data.STORY_BODY.replace("\n\n", "\n").split("\n")


@pytest.mark.parametrize("text, expected", [
    ("", []),
    ("جملة واحدة بلا نقطة", ["جملة واحدة بلا نقطة"]),
    ("الأولى. الثانية؟ الثالثة!", ["الأولى.", "الثانية؟", "الثالثة!"]),
    ("فقرة أولى\n\nفقرة ثانية", ["فقرة أولى", "فقرة ثانية"]),
    ("قال: «انتهى.» ثم ذهب", ["قال: «انتهى.»", "ثم ذهب"]),
    ("أولا؛ ثانيا… ثالثا", ["أولا؛", "ثانيا…", "ثالثا"]),
    ("  مسافات   .  ", ["مسافات   ."]),
], ids=["empty", "no-stop", "arabic-question", "paragraphs", "closing-quote", "semicolon-ellipsis", "trim"])
def test_sentence_bounds(text, expected):
    assert [text[a:b] for a, b in sentence_bounds(text)] == expected


@pytest.fixture
def built(tmp_path):
    path = tmp_path / "evidence.db"
    return path, review_data.build(path)


def test_strongest_sentences_come_from_the_stored_offsets(built):
    from storage.evidence import flag_texts
    path, ids = built
    title, body, flags = flag_texts(open_db(path), ids["story"])
    got = strongest(title, body, flags, n=1)
    # the second sentence holds two term groups (cooperation + topics); the first one term + an actor
    assert [s.text for s in got] == [SECOND]
    assert got[0].terms == ["التعاون الأمني", "مكافحة الإرهاب"]
    assert [got[0].text[a:b] for a, b in got[0].spans] == ["التعاون الأمني", "مكافحة الإرهاب"]
    assert body[got[0].start:got[0].end] == SECOND
    two = strongest(title, body, flags, n=2)
    assert [s.text for s in two] == [FIRST, SECOND]          # reading order
    # a flag whose matches are all in the title falls back to the title
    only_title = [{"matches": [m for m in flags[0]["matches"] if m["field"] == "title"]}]
    assert [s.field for s in strongest(title, body, only_title)] == ["title"]
    # offsets beyond the text (stale after an in-place update) are ignored, not fatal
    stale = [{"matches": [{"term": "x", "group": "g", "start": 10_000, "end": 10_005, "field": "body"}]}]
    assert strongest(title, body, stale) == []


def test_webhook_carries_the_evidence_sentence(built):
    path, ids = built
    receiver = Receiver()
    receiver.thread.start()
    try:
        dispatch_pending(open_db(path), {"webhook_url": receiver.url})
    finally:
        receiver.server.shutdown()
        receiver.server.server_close()
    story = next(p["json"] for p in receiver.posts if p["json"]["article_id"] == ids["story"])
    assert story["score"] == 4.5 and "مكافحة الإرهاب" in story["matched_terms"]
    assert [e["text"] for e in story["evidence"]] == [FIRST, SECOND]
    second = story["evidence"][1]
    assert second["field"] == "body" and second["terms"] == ["التعاون الأمني", "مكافحة الإرهاب"]
    assert [second["text"][a:b] for a, b in second["spans"]] == ["التعاون الأمني", "مكافحة الإرهاب"]
    hostile = next(p["json"] for p in receiver.posts if p["json"]["article_id"] == ids["hostile"])
    assert hostile["evidence"][0]["text"] == "أعلنت المديرية العامة للأمن الوطني عن تعاون أمني جديد."


def test_email_plain_and_html_highlight_the_evidence(built):
    with smtp_receiver() as (port, messages):
        path, ids = built
        dispatch_pending(open_db(path), {"smtp_host": "127.0.0.1", "smtp_port": port, "smtp_to": "a@test.local"})
    msgs = {m["X-Raqib-Flag"]: m for m in (message_from_bytes(e.content) for e in messages)}
    story = msgs[f"{ids['story']}:ma_security"]
    plain = story.get_body(("plain",)).get_content()
    html = story.get_body(("html",)).get_content()
    assert "وتبادل المعلومات" in plain and "⟨التعاون الأمني⟩" in plain and "⟨مكافحة الإرهاب⟩" in plain
    assert "score: 4.5" in plain
    assert '<mark style="background:#ffe38a;font-weight:bold">التعاون الأمني</mark>' in html
    assert 'dir="rtl"' in html and "https://akhbar.example.ma/news/1" in html
    hostile = msgs[f"{ids['hostile']}:ma_security"].get_body(("html",)).get_content()
    assert "<script" not in hostile and "<img" not in hostile and "&lt;" in hostile


@pytest.mark.parametrize("spans, plain, html", [
    ([], "a <b> c", "a &lt;b&gt; c"),
    ([[2, 5]], "a ⟨<b>⟩ c", 'a <mark style="background:#ffe38a;font-weight:bold">&lt;b&gt;</mark> c'),
    ([[0, 3], [2, 5]], "⟨a <b>⟩ c", None),
], ids=["none", "one-span-escaped", "overlapping"])
def test_sentence_rendering(spans, plain, html):
    s = {"text": "a <b> c", "spans": spans}
    assert as_plain(s) == plain
    if html is not None:
        assert str(as_html(s)) == html


def test_email_builds_without_evidence():
    msg = build_email({"flag_key": "1:w", "title": "t", "url": "javascript:x", "source": "s", "score": 1.0,
                       "watchlist": "w", "matched_terms": []}, "a@b", ["c@d"])
    assert 'href="#"' in msg.get_payload()[1].get_payload(decode=True).decode()


def test_atom_entry_carries_the_evidence(built):
    from review.app import create_app

    path, ids = built
    client = TestClient(create_app(path), base_url="http://127.0.0.1:8765")
    feed = feedparser.parse(client.get("/feed.atom").content)
    entry = next(e for e in feed.entries if e.id.endswith(f"article/{ids['story']}"))
    assert SECOND.replace("التعاون الأمني", "⟨التعاون الأمني⟩").replace(
        "مكافحة الإرهاب", "⟨مكافحة الإرهاب⟩") in entry.summary
    assert "4.5" in entry.summary and "حموشي" in entry.summary
