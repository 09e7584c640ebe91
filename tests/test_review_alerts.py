"""Alerts against real receivers on 127.0.0.1: an http.server webhook and aiosmtpd."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from contextlib import contextmanager
from datetime import datetime, timezone
from email import message_from_bytes as _parse
from email import policy
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

import review_data
from conftest import ROOT, run_cli
from raqib.items import Flag, Match
from review.alerts import dispatch_pending
from storage import alerts as outbox
from storage.db import open_db
from storage.flags import save_flags


def message_from_bytes(data: bytes):
    return _parse(data, policy=policy.default)


class Receiver:
    """A webhook receiver: records every POST; answers with the queued statuses, then 200."""

    def __init__(self):
        self.posts: list[dict] = []
        self.statuses: list[int] = []
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers["Content-Length"]))
                status = receiver.statuses.pop(0) if receiver.statuses else 200
                receiver.posts.append({"json": json.loads(body), "status": status,
                                       "key": self.headers.get("Idempotency-Key"),
                                       "type": self.headers.get("Content-Type")})
                self.send_response(status)
                self.send_header("Content-Length", "2")
                self.end_headers()
                self.wfile.write(b"ok")

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}/hook"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def delivered(self) -> list[dict]:
        return [p for p in self.posts if p["status"] < 300]


@pytest.fixture
def receiver():
    r = Receiver()
    r.thread.start()
    yield r
    r.server.shutdown()
    r.server.server_close()


@pytest.fixture
def built(tmp_path):
    path = tmp_path / "alerts.db"
    return path, review_data.build(path)


def test_webhook_one_post_per_new_flag_never_repeated(built, receiver, cli_env):
    path, ids = built
    cfg = {"webhook_url": receiver.url}
    sleeps: list[float] = []
    stats = dispatch_pending(open_db(path), cfg, sleep=sleeps.append)
    # one alert per story: the wakala copy of the story is not alerted (storage.alerts.ONCE_PER_STORY)
    assert stats.enqueued == 3 and stats.sent == {"webhook": 3} and sleeps == []
    assert sorted(p["json"]["article_id"] for p in receiver.posts) == sorted(
        ids[k] for k in ("story", "hostile", "old"))
    story = next(p for p in receiver.posts if p["json"]["article_id"] == ids["story"])
    assert story["key"] == f"{ids['story']}:ma_security" and story["type"] == "application/json"
    assert {k: v for k, v in story["json"].items() if k != "evidence"} == {
        "flag_key": f"{ids['story']}:ma_security", "article_id": ids["story"],
        "title": review_data.STORY_TITLE, "url": "https://akhbar.example.ma/news/1", "source": "akhbar",
        "published": "2024-06-03T10:00:00+01:00", "score": 4.5, "watchlist": "ma_security",
        "matched_terms": ["التعاون الأمني", "مكافحة الإرهاب", "حموشي"]}

    # a restart: a new process on the same database sends nothing again
    proc = run_cli("alerts", "send", "--db", str(path), env={**cli_env, "RAQIB_WEBHOOK_URL": receiver.url})
    assert json.loads(proc.stdout)["sent"] == {} and len(receiver.posts) == 3
    assert dispatch_pending(open_db(path), cfg).sent == {} and len(receiver.posts) == 3

    # re-scoring an already flagged article is not a new flag; a newly flagged one is
    db = open_db(path)
    save_flags(db, ids["story"], [Flag("ma_security", "v2", 6.0, True, [], [], [])])
    save_flags(db, ids["unflagged"], [Flag("ma_security", "v2", 3.3, True,
                                           [Match("الدوري", "test", 0, 6)], [], [])])
    stats = dispatch_pending(db, cfg)
    assert stats.sent == {"webhook": 1} and receiver.posts[-1]["json"]["article_id"] == ids["unflagged"]
    assert outbox.outbox_counts(db) == {"webhook": {"sent": 4}}


def test_webhook_retried_with_backoff_after_a_500(built, receiver):
    path, ids = built
    receiver.statuses = [500]
    sleeps: list[float] = []
    sent_at = "2024-06-05T08:00:00+00:00"
    stats = dispatch_pending(open_db(path), {"webhook_url": receiver.url}, sleep=sleeps.append,
                             backoff=0.5, clock=lambda: sent_at)
    assert stats.sent == {"webhook": 3} and stats.retried == {} and sleeps == [0.5]
    assert [p["status"] for p in receiver.posts] == [500, 200, 200, 200]
    assert receiver.posts[0]["json"] == receiver.posts[1]["json"]    # the same alert, retried
    assert len({p["json"]["flag_key"] for p in receiver.delivered()}) == 3
    rows = list(open_db(path).query("SELECT flag_key, attempts, sent_at FROM alerts ORDER BY id"))
    assert rows[0]["attempts"] == 2 and {r["sent_at"] for r in rows} == {sent_at}


def test_webhook_gives_up_after_max_attempts_and_permanent_errors(built, receiver):
    path, _ = built
    db = open_db(path)
    receiver.statuses = [503] * 3 + [400] + [200] * 3
    sleeps: list[float] = []
    stats = dispatch_pending(db, {"webhook_url": receiver.url}, sleep=sleeps.append, tries=3, max_attempts=5)
    # first alert: 3 tries (backoff 1, 2) then left pending; second: 400 is permanent → failed at once
    assert sleeps == [1.0, 2.0]
    assert stats.retried == {"webhook": 1} and stats.failed == {"webhook": 1} and stats.sent == {"webhook": 1}
    receiver.statuses = [503] * 5
    stats = dispatch_pending(db, {"webhook_url": receiver.url}, sleep=sleeps.append, tries=3, max_attempts=5)
    assert stats.failed == {"webhook": 1}                           # attempts 4 and 5, then failed
    assert outbox.outbox_counts(db) == {"webhook": {"failed": 2, "sent": 1}}
    assert outbox.requeue_failed(db) == 2
    receiver.statuses = []
    stats = dispatch_pending(db, {"webhook_url": receiver.url}, sleep=sleeps.append)
    assert stats.sent == {"webhook": 2}


def test_claim_is_exclusive(built):
    path, _ = built
    db = open_db(path)
    outbox.enqueue_new(db, ["webhook"])
    first = outbox.pending(db, "webhook")[0]
    assert outbox.claim(db, first["id"], owner="a", lease_seconds=60) is True
    assert outbox.claim(open_db(path), first["id"], owner="b", lease_seconds=60) is False
    assert first["id"] not in [r["id"] for r in outbox.pending(db, "webhook")]


def test_claim_is_a_lease_only_its_owner_finishes(built):
    """A row whose sender died stays 'sending' until its lease runs out, then is up for
    sending again; the old owner, if it was only slow, can no longer record it."""
    path, _ = built
    db, other = open_db(path), open_db(path)
    outbox.enqueue_new(db, ["webhook"])
    row = outbox.pending(db, "webhook")[0]["id"]
    at = "2026-11-30T12:00:{:02d}+00:00".format
    assert outbox.claim(db, row, owner="a", lease_seconds=30, now=at(0))
    assert not outbox.claim(other, row, owner="b", lease_seconds=30, now=at(29))     # still a's
    assert row not in [r["id"] for r in outbox.pending(db, "webhook", now=at(29))]
    assert row in [r["id"] for r in outbox.pending(db, "webhook", now=at(30))]       # lease ran out
    assert outbox.claim(other, row, owner="b", lease_seconds=30, now=at(30))
    assert not outbox.finish(db, row, owner="a", sent=True, attempts=1)             # a lost it
    assert outbox.finish(other, row, owner="b", sent=True, attempts=1)
    assert outbox.outbox_counts(db)["webhook"]["sent"] == 1
    # rows left 'sending' by a version without leases are retried too
    db.execute("UPDATE alerts SET status = 'sending', lease_until = NULL, claimed_by = NULL"
               " WHERE id = (SELECT max(id) FROM alerts)")
    stale = db.execute("SELECT max(id) FROM alerts").fetchone()[0]
    assert stale in [r["id"] for r in outbox.pending(db, "webhook")]


class HoldingReceiver(Receiver):
    """Answers the first alert, then holds every later request open: it keeps the
    sender waiting with ``102 Processing`` interim answers (never a final one, so
    nothing is delivered) until ``release()``; after that it answers 200."""

    def __init__(self):
        super().__init__()
        self.holding = threading.Event()
        self._released = threading.Event()
        receiver = self
        answer = self.server.RequestHandlerClass.do_POST

        def do_POST(handler):
            if receiver._released.is_set() or not receiver.posts:
                return answer(handler)
            handler.rfile.read(int(handler.headers["Content-Length"]))
            receiver.holding.set()
            try:
                while not receiver._released.wait(0.3):
                    handler.wfile.write(b"HTTP/1.1 102 Processing\r\n\r\n")
                    handler.wfile.flush()
            except OSError:      # the sender is gone
                pass
            handler.close_connection = True

        self.server.RequestHandlerClass.do_POST = do_POST

    def release(self) -> None:
        self._released.set()


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGKILL], ids=["sigterm", "sigkill"])
def test_sender_killed_mid_send_alert_retried_and_delivered_once(built, cli_env, sig):
    """`raqib alerts send` killed while a receiver holds its request open: a later run
    delivers that alert, and every alert reaches the receiver exactly once (none that
    it answered 2xx is sent again).  SIGTERM hands the row straight back to the queue;
    after SIGKILL the row is retried once its lease has run out."""
    path, ids = built
    hook = HoldingReceiver()
    hook.thread.start()
    try:
        env = {**os.environ, "PYTHONPATH": str(ROOT), **cli_env, "RAQIB_WEBHOOK_URL": hook.url,
               "RAQIB_ALERT_TIMEOUT": "1"}
        sender = subprocess.Popen([sys.executable, "-m", "cli", "alerts", "send", "--db", str(path)], cwd=ROOT,
                                  env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        try:
            assert hook.holding.wait(60), "the sender never reached the held alert"
            sender.send_signal(sig)
            out, err = sender.communicate(timeout=60)
        finally:
            if sender.poll() is None:
                sender.kill()
                sender.wait()
        db = open_db(path)
        rows = {r["flag_key"]: r for r in db.query("SELECT * FROM alerts")}
        held = [k for k, r in rows.items() if r["status"] == "sending"]
        if sig == signal.SIGTERM:
            assert sender.returncode == 1, err
            assert "Stopped by SIGTERM" in err and json.loads(out)["interrupted"] == "SIGTERM"
            assert held == [], rows
            assert any("interrupted by SIGTERM" in (r["last_error"] or "") for r in rows.values())
        else:
            assert sender.returncode == -signal.SIGKILL
            assert len(held) == 1, rows            # the one in flight, leased to the dead sender
            lease = rows[held[0]].get("lease_until")     # wait it out: the dead sender's claim expires
            if lease:
                left = (datetime.fromisoformat(lease) - datetime.now(timezone.utc)).total_seconds()
                time.sleep(max(0.0, left) + 1.5)
        assert len(hook.delivered()) == 1          # the first alert, before the held one

        hook.release()
        proc = run_cli("alerts", "send", "--db", str(path), env={**cli_env, "RAQIB_WEBHOOK_URL": hook.url,
                                                                  "RAQIB_ALERT_TIMEOUT": "1"})
        assert len(rows) >= 3 and json.loads(proc.stdout)["sent"] == {"webhook": len(rows) - 1}
        receipts = [p["json"]["flag_key"] for p in hook.delivered()]
        assert sorted(receipts) == sorted(rows), "each alert delivered exactly once"
        assert outbox.outbox_counts(open_db(path)) == {"webhook": {"sent": len(rows)}}
    finally:
        hook.release()
        hook.server.shutdown()
        hook.server.server_close()


def test_no_channel_configured_does_nothing(built):
    path, _ = built
    assert dispatch_pending(open_db(path), {"webhook_url": "", "smtp_host": ""}).as_dict()["enqueued"] == 0


@contextmanager
def smtp_receiver():
    """A real SMTP server (aiosmtpd) on 127.0.0.1: yields (port, envelopes received)."""
    from aiosmtpd.controller import Controller

    class Handler:
        def __init__(self):
            self.messages = []

        async def handle_DATA(self, server, session, envelope):
            self.messages.append(envelope)
            return "250 OK"

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    handler = Handler()
    controller = Controller(handler, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield port, handler.messages
    finally:
        controller.stop()


def test_email_alerts_via_smtp(built):
    with smtp_receiver() as (port, messages):
        path, ids = built
        cfg = {"smtp_host": "127.0.0.1", "smtp_port": port, "smtp_from": "raqib@test.local",
               "smtp_to": "analyst@test.local, lead@test.local"}
        stats = dispatch_pending(open_db(path), cfg)
        assert stats.sent == {"email": 3}           # one per story
        assert len(messages) == 3
        env = messages[0]
        assert env.mail_from == "raqib@test.local"
        assert env.rcpt_tos == ["analyst@test.local", "lead@test.local"]
        subjects = [message_from_bytes(e.content)["Subject"] for e in messages]
        assert f"[raqib] ma_security: {review_data.STORY_TITLE}" in subjects
        story = next(message_from_bytes(e.content) for e in messages
                     if message_from_bytes(e.content)["X-Raqib-Flag"] == f"{ids['story']}:ma_security")
        text = story.get_body(("plain",)).get_content()
        assert "https://akhbar.example.ma/news/1" in text and "حموشي" in text
        assert dispatch_pending(open_db(path), cfg).sent == {}     # never twice
        assert len(messages) == 3
