"""Alerts for newly flagged stories: a JSON webhook and/or an e-mail per flag.

``dispatch_pending`` is called by the daemon after each crawl (and by
``raqib alerts send``).  It first enqueues every flagged (article, watchlist) that
is not yet in the ``alerts`` outbox, then sends the pending ones, retrying each with
exponential backoff.  The outbox row is marked sent right after delivery, so a
restarted process never sends the same flag again; the webhook also carries an
``Idempotency-Key`` header (the flag key) so a receiver can drop the one duplicate a
crash between delivery and bookkeeping could cause.

Each alert is leased to its sender for as long as its tries can take
(:func:`lease_seconds`, from the ``alert_timeout`` setting): a sender killed while
sending leaves its row to be retried when the lease runs out.  SIGTERM or Ctrl-C
during ``raqib alerts send`` (:class:`StopRequest`) abandons the request in flight
(unanswered, so not delivered) and hands its row straight back to the queue.
"""

from __future__ import annotations

import logging
import os
import signal
import smtplib
import socket
import time
import uuid
from contextlib import contextmanager
from dataclasses import dataclass, field
from email.header import Header
from email.mime.multipart import MIMEMultipart
from email.mime.text import MIMEText
from typing import Callable, Iterator

import httpx
import sqlite_utils

from raqib.redact import redact_text, redact_url
from review.evidence import as_html, as_plain, evidence_for
from storage import alerts as outbox

log = logging.getLogger(__name__)

WEBHOOK, EMAIL = "webhook", "email"
DEFAULT_TIMEOUT = 10        # seconds: the alert_timeout setting's default
# One try may take its timeout several times over: httpx and smtplib time each step
# (connect, send, every answer read) separately, and SMTP has several round trips.
TIMEOUTS_PER_TRY = 4
LEASE_SLACK = 5.0           # seconds for the bookkeeping around the tries


@dataclass
class DispatchStats:
    enqueued: int = 0
    sent: dict[str, int] = field(default_factory=dict)
    retried: dict[str, int] = field(default_factory=dict)     # still pending, will be retried next call
    failed: dict[str, int] = field(default_factory=dict)      # gave up (max_attempts reached)
    errors: list[str] = field(default_factory=list)
    interrupted: str = ""                                     # the signal that stopped this call

    def as_dict(self) -> dict:
        out = {"enqueued": self.enqueued, "sent": self.sent, "retried": self.retried,
               "failed": self.failed, "errors": self.errors}
        return out | ({"interrupted": self.interrupted} if self.interrupted else {})


class Interrupted(BaseException):
    """A stop signal arrived while an alert was on its way (a BaseException, like
    KeyboardInterrupt, so no ``except Exception`` on the way swallows it)."""


class StopRequest:
    """SIGTERM/SIGINT handler for a sending process: stop, losing and repeating nothing.

    During a delivery it raises :class:`Interrupted`, abandoning a request the receiver
    has not answered, whose row then goes straight back to the queue.  At any other
    moment it only marks the stop, so the bookkeeping of an alert already delivered is
    completed and no further alert is started.
    """

    def __init__(self) -> None:
        self.signal = ""
        self.in_flight = False

    def __call__(self, signum: int, frame=None) -> None:
        self.signal = signal.Signals(signum).name
        if self.in_flight:
            self.in_flight = False
            raise Interrupted(self.signal)

    @contextmanager
    def installed(self, signals: tuple[int, ...] = (signal.SIGTERM, signal.SIGINT)) -> Iterator["StopRequest"]:
        old = {sig: signal.signal(sig, self) for sig in signals}
        try:
            yield self
        finally:
            for sig, handler in old.items():
                signal.signal(sig, handler)


def lease_seconds(timeout: float, tries: int, backoff: float) -> float:
    """How long a claimed alert stays reserved for its sender: longer than all its tries
    and the backoff sleeps between them can take, so a live sender never loses its row
    to another one (which would send it twice), while a dead sender's row is retried
    soon after."""
    return tries * TIMEOUTS_PER_TRY * timeout + backoff * (2 ** max(tries - 1, 0) - 1) + LEASE_SLACK


def new_owner() -> str:
    """Names one dispatch call in the outbox's leases (host, pid and a nonce)."""
    return f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"


class DeliveryError(Exception):
    """One delivery attempt failed; ``permanent`` means retrying cannot help (e.g. HTTP 400)."""

    def __init__(self, message: str, permanent: bool = False):
        super().__init__(message)
        self.permanent = permanent


def channels(cfg: dict) -> list[str]:
    """The alert channels configured: webhook when ``webhook_url`` is set, e-mail when
    ``smtp_host`` and ``smtp_to`` are."""
    out = []
    if cfg.get("webhook_url"):
        out.append(WEBHOOK)
    if cfg.get("smtp_host") and cfg.get("smtp_to"):
        out.append(EMAIL)
    return out


def payload(row: dict) -> dict:
    """The JSON body of one webhook alert (also the data behind an e-mail).

    ``evidence`` is the sentence(s) with the strongest stored evidence (see
    ``review.evidence``): text, field, offsets, the terms in it and their spans."""
    terms: list[str] = []
    for m in row.get("matches") or []:
        if m.get("term") and m["term"] not in terms:
            terms.append(m["term"])
    return {"flag_key": row["flag_key"], "article_id": row["article_id"], "title": row["title"],
            "url": row["url"], "source": row["source"], "published": row.get("published") or "",
            "score": row["score"], "watchlist": row["watchlist"], "matched_terms": terms, "evidence": row.get("evidence") or []}


def send_webhook(url: str, body: dict, *, timeout: float = DEFAULT_TIMEOUT,
                 client: httpx.Client | None = None) -> None:
    headers = {"Idempotency-Key": body["flag_key"], "User-Agent": "raqib-alerts/0.1"}
    try:
        if client is not None:
            resp = client.post(url, json=body, headers=headers, timeout=timeout)
        else:
            resp = httpx.post(url, json=body, headers=headers, timeout=timeout)
    except httpx.HTTPError as exc:
        raise DeliveryError(redact_text(f"{type(exc).__name__}: {exc}")) from None
    if resp.status_code >= 300:
        permanent = 400 <= resp.status_code < 500 and resp.status_code not in (408, 429)
        # the URL's credentials and key are secrets: errors are logged, stored and printed
        raise DeliveryError(f"HTTP {resp.status_code} from {redact_url(url)}", permanent=permanent)


def build_email(body: dict, sender: str, recipients: list[str]) -> MIMEMultipart:
    """One UTF-8 e-mail per alert: plain text, and HTML with the matched terms of the
    evidence sentences highlighted (scraped text escaped segment by segment).

    Built with ``email.header.Header`` rather than ``EmailMessage``: Python's modern
    header folder drops the space between words when it folds a long Arabic subject
    into several encoded words; ``Header`` keeps it.
    """
    evidence = body.get("evidence") or []
    text = (f"{body['title']}\n{body['url']}\n\n"
            + "".join(f"« {as_plain(s)} »\n\n" for s in evidence)
            + f"source: {body['source']}\nscore: {body['score']}\nwatchlist: {body['watchlist']}\n"
            f"matched terms: {', '.join(body['matched_terms'])}\n")
    msg = MIMEMultipart("alternative")
    msg.attach(MIMEText(text, "plain", "utf-8"))
    msg.attach(MIMEText(_email_html(body), "html", "utf-8"))
    msg["Subject"] = Header(f"[raqib] {body['watchlist']}: {body['title']}", "utf-8")
    msg["From"] = sender
    msg["To"] = ", ".join(recipients)
    msg["X-Raqib-Flag"] = body["flag_key"]
    return msg


def _email_html(body: dict) -> str:
    from markupsafe import Markup

    quotes = Markup("").join(Markup('<blockquote dir="rtl">{}</blockquote>').format(as_html(s))
                             for s in body.get("evidence") or [])
    url = body["url"] if str(body["url"]).lower().startswith(("http://", "https://")) else "#"
    return str(Markup(
        '<!doctype html><html lang="ar" dir="rtl"><body>'
        '<h2><a href="{url}">{title}</a></h2>{quotes}'
        '<p>{source} · <span dir="ltr">{score}</span> · {watchlist}</p><p>{terms}</p></body></html>'
    ).format(url=url, title=body["title"], quotes=quotes, source=body["source"], score=body["score"],
             watchlist=body["watchlist"], terms="، ".join(body["matched_terms"]))) + "\n"


def send_email(cfg: dict, body: dict, *, timeout: float = DEFAULT_TIMEOUT) -> None:
    recipients = [r.strip() for r in str(cfg.get("smtp_to", "")).split(",") if r.strip()]
    msg = build_email(body, cfg.get("smtp_from") or "raqib@localhost", recipients)
    try:
        with smtplib.SMTP(cfg["smtp_host"], int(cfg.get("smtp_port") or 25), timeout=timeout) as smtp:
            smtp.send_message(msg)
    except smtplib.SMTPRecipientsRefused as exc:
        raise DeliveryError(f"recipients refused: {exc}", permanent=True) from None
    except (smtplib.SMTPException, OSError) as exc:
        raise DeliveryError(f"{type(exc).__name__}: {exc}") from None


def dispatch_pending(db: sqlite_utils.Database, cfg: dict, *, sleep: Callable[[float], None] = time.sleep,
                     clock: Callable[[], str] | None = None, tries: int = 3, backoff: float = 1.0,
                     max_attempts: int = 9, senders: dict[str, Callable[[dict], None]] | None = None,
                     stop: StopRequest | None = None) -> DispatchStats:
    """Enqueue alerts for new flags and send every pending one; returns what happened.

    Args:
        db: the store.
        cfg: settings (``webhook_url``, ``smtp_*``); no channel configured → nothing happens.
        sleep: called between retries (tests pass a recorder, so they never sleep).
        clock: returns the ISO time stored as ``sent_at`` (default: now).
        tries: attempts per alert in this call; delays are backoff, 2×backoff, 4×backoff…
        backoff: first delay in seconds.
        max_attempts: attempts over all calls after which an alert is marked failed.
        senders: override delivery per channel (a callable taking the payload).
        stop: set by a signal handler (``raqib alerts send``): stop without losing or
            repeating an alert; ``stats.interrupted`` then names the signal.
    """
    stats = DispatchStats()
    chans = channels(cfg)
    if not chans:
        return stats
    stats.enqueued = outbox.enqueue_new(db, chans)
    timeout = float(cfg.get("alert_timeout") or DEFAULT_TIMEOUT)
    lease = lease_seconds(timeout, tries, backoff)
    owner = new_owner()
    client = httpx.Client() if WEBHOOK in chans else None
    deliver = {WEBHOOK: lambda body: send_webhook(cfg["webhook_url"], body, client=client, timeout=timeout),
               EMAIL: lambda body: send_email(cfg, body, timeout=timeout)}
    deliver.update(senders or {})
    stop = stop or StopRequest()
    try:
        for chan in chans:
            for row in outbox.pending(db, chan):
                if stop.signal:
                    break
                if not outbox.claim(db, row["id"], owner=owner, lease_seconds=lease):
                    continue
                row["evidence"] = evidence_for(db, row["article_id"], row["watchlist"])
                _send_one(db, row, deliver[chan], stats, owner=owner, stop=stop, sleep=sleep, clock=clock,
                          tries=tries, backoff=backoff, max_attempts=max_attempts)
    except Interrupted:
        pass
    finally:
        if client is not None:
            client.close()
    stats.interrupted = stop.signal
    if stop.signal:
        log.warning("alerts: stopped by %s; alerts not sent yet stay queued for the next run", stop.signal)
    if stats.enqueued or stats.sent or stats.failed:
        log.info("alerts: %d enqueued, sent %s, retry later %s, failed %s", stats.enqueued, stats.sent,
                 stats.retried, stats.failed)
    return stats


def _send_one(db, row, deliver, stats: DispatchStats, *, owner: str, stop: StopRequest, sleep, clock, tries,
              backoff, max_attempts) -> None:
    chan = row["channel"]
    body = payload(row)
    attempts = row["attempts"]
    error = ""
    for n in range(tries):
        if n and stop.signal:     # stopping: the next run tries again
            break
        attempts += 1
        try:
            stop.in_flight = True
            try:
                deliver(body)
            finally:
                stop.in_flight = False
        except Interrupted as exc:  # the receiver never answered: not delivered, queue it again now
            outbox.finish(db, row["id"], owner=owner, sent=False, attempts=attempts - 1,
                          error=f"interrupted by {exc} while sending; retried by the next run")
            raise
        except DeliveryError as exc:
            error = str(exc)
            log.warning("alert %s via %s, attempt %d: %s", row["flag_key"], chan, attempts, error)
            if exc.permanent or attempts >= max_attempts:
                outbox.finish(db, row["id"], owner=owner, sent=False, attempts=attempts, error=error, give_up=True)
                stats.failed[chan] = stats.failed.get(chan, 0) + 1
                stats.errors.append(f"{row['flag_key']} {chan}: {error}")
                return
            if n + 1 < tries:
                sleep(backoff * (2 ** n))
            continue
        except Exception as exc:  # a bug in a sender must not leave the row stuck in 'sending'
            outbox.finish(db, row["id"], owner=owner, sent=False, attempts=attempts, error=repr(exc))
            raise
        if not outbox.finish(db, row["id"], owner=owner, sent=True, attempts=attempts,
                             at=clock() if clock else None):
            log.warning("alert %s via %s was delivered after its lease ran out; another sender may deliver"
                        " it again (the receiver can drop it by its Idempotency-Key)", row["flag_key"], chan)
        stats.sent[chan] = stats.sent.get(chan, 0) + 1
        return
    outbox.finish(db, row["id"], owner=owner, sent=False, attempts=attempts, error=error)
    stats.retried[chan] = stats.retried.get(chan, 0) + 1
    stats.errors.append(f"{row['flag_key']} {chan}: {error}")
