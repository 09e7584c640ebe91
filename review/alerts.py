"""Alerts for newly flagged stories: a JSON webhook and/or an e-mail per flag.

``dispatch_pending`` is called by the daemon after each crawl (and by
``raqib alerts send``).  It first enqueues every flagged (article, watchlist) that
is not yet in the ``alerts`` outbox, then sends the pending ones, retrying each with
exponential backoff.  The outbox row is marked sent right after delivery, so a
restarted process never sends the same flag again; the webhook also carries an
``Idempotency-Key`` header (the flag key) so a receiver can drop the one duplicate a
crash between delivery and bookkeeping could cause.
"""

from __future__ import annotations

import logging
import smtplib
import time
from dataclasses import dataclass, field
from email.header import Header
from email.mime.multipart import MIMEMultipart
from email.mime.text import MIMEText
from typing import Callable

import httpx
import sqlite_utils

from raqib.redact import redact_text, redact_url
from review.evidence import as_html, as_plain, evidence_for
from storage import alerts as outbox

log = logging.getLogger(__name__)

WEBHOOK, EMAIL = "webhook", "email"


@dataclass
class DispatchStats:
    enqueued: int = 0
    sent: dict[str, int] = field(default_factory=dict)
    retried: dict[str, int] = field(default_factory=dict)     # still pending, will be retried next call
    failed: dict[str, int] = field(default_factory=dict)      # gave up (max_attempts reached)
    errors: list[str] = field(default_factory=list)

    def as_dict(self) -> dict:
        return {"enqueued": self.enqueued, "sent": self.sent, "retried": self.retried,
                "failed": self.failed, "errors": self.errors}


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


def send_webhook(url: str, body: dict, *, timeout: float = 10.0,
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


def send_email(cfg: dict, body: dict, *, timeout: float = 20.0) -> None:
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
                     max_attempts: int = 9, senders: dict[str, Callable[[dict], None]] | None = None
                     ) -> DispatchStats:
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
    """
    stats = DispatchStats()
    chans = channels(cfg)
    if not chans:
        return stats
    stats.enqueued = outbox.enqueue_new(db, chans)
    client = httpx.Client() if WEBHOOK in chans else None
    deliver = {WEBHOOK: lambda body: send_webhook(cfg["webhook_url"], body, client=client),
               EMAIL: lambda body: send_email(cfg, body)}
    deliver.update(senders or {})
    try:
        for chan in chans:
            for row in outbox.pending(db, chan):
                if not outbox.claim(db, row["id"]):
                    continue
                row["evidence"] = evidence_for(db, row["article_id"], row["watchlist"])
                _send_one(db, row, deliver[chan], stats, sleep=sleep, clock=clock, tries=tries,
                          backoff=backoff, max_attempts=max_attempts)
    finally:
        if client is not None:
            client.close()
    if stats.enqueued or stats.sent or stats.failed:
        log.info("alerts: %d enqueued, sent %s, retry later %s, failed %s", stats.enqueued, stats.sent,
                 stats.retried, stats.failed)
    return stats


def _send_one(db, row, deliver, stats: DispatchStats, *, sleep, clock, tries, backoff, max_attempts) -> None:
    chan = row["channel"]
    body = payload(row)
    attempts = row["attempts"]
    error = ""
    for n in range(tries):
        attempts += 1
        try:
            deliver(body)
        except DeliveryError as exc:
            error = str(exc)
            log.warning("alert %s via %s, attempt %d: %s", row["flag_key"], chan, attempts, error)
            if exc.permanent or attempts >= max_attempts:
                outbox.finish(db, row["id"], sent=False, attempts=attempts, error=error, give_up=True)
                stats.failed[chan] = stats.failed.get(chan, 0) + 1
                stats.errors.append(f"{row['flag_key']} {chan}: {error}")
                return
            if n + 1 < tries:
                sleep(backoff * (2 ** n))
            continue
        except Exception as exc:  # a bug in a sender must not leave the row stuck in 'sending'
            outbox.finish(db, row["id"], sent=False, attempts=attempts, error=repr(exc))
            raise
        outbox.finish(db, row["id"], sent=True, attempts=attempts, at=clock() if clock else None)
        stats.sent[chan] = stats.sent.get(chan, 0) + 1
        return
    outbox.finish(db, row["id"], sent=False, attempts=attempts, error=error)
    stats.retried[chan] = stats.retried.get(chan, 0) + 1
    stats.errors.append(f"{row['flag_key']} {chan}: {error}")
