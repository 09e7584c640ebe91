"""Keep secrets out of what raqib prints and logs: one redaction for every URL.

URLs carry secrets in two places: credentials (``https://user:pass@host/``) and
query parameters such as ``?token=`` or ``?api_key=``.  The review page's access
token travels as ``/feed.atom?token=…``, a webhook URL often ends in ``?key=…``, and
a source may be an authenticated feed.  Every place that shows a URL to a person
or a log file (``raqib settings``, log lines including uvicorn's access log, alert
errors, ``raqib status``) goes through :func:`redact_text` / :func:`redact_url`, so
there is one list of what counts as secret.

The query-parameter test is by name (``token``, ``key``, ``secret``, ``password``,
``sig``, ``auth``, ``session``, ``credential`` anywhere in it): a parameter such as
``?page=2`` stays readable, which keeps crawl logs useful.
"""

from __future__ import annotations

import copy
import logging
import re

MASK = "***"

# a query parameter whose name looks secret: value up to the next &, ;, #, space or quote
_SECRET_PARAM = re.compile(
    r"(?P<lead>[?&;](?P<name>[A-Za-z0-9_.\-\[\]]*(?:token|key|secret|pass|pwd|sig|auth|session|credential)"
    r"[A-Za-z0-9_.\-\[\]]*)=)(?P<value>[^&;#\s\"'<>]*)",
    re.IGNORECASE)
# user[:password]@ right after a scheme
_USERINFO = re.compile(r"(?P<scheme>\b[A-Za-z][A-Za-z0-9+.\-]*://)(?P<userinfo>[^/?#\s@\"'<>]+)@")


def redact_text(text: str) -> str:
    """``text`` with every URL's credentials and secret query values replaced by ``***``.

    Works on whole URLs, on bare paths (``GET /feed.atom?token=…``) and on free text
    that contains them (log lines, error messages).
    """
    if not text or ("=" not in text and "@" not in text):
        return text
    text = _USERINFO.sub(lambda m: f"{m['scheme']}{MASK}@", text)
    return _SECRET_PARAM.sub(lambda m: m["lead"] + (MASK if m["value"] else ""), text)


def redact_url(url: str) -> str:
    """One URL, safe to show (see :func:`redact_text`)."""
    return redact_text(url)


class RedactFilter(logging.Filter):
    """A handler filter that redacts each record: its string arguments one by one (so
    formatters that read ``record.args``, like uvicorn's access log, keep working),
    then, if a secret is still in the final message, the message as a whole; and the
    exception text, which often quotes the URL that failed."""

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.args, tuple):
            record.args = tuple(redact_text(a) if isinstance(a, str) else a for a in record.args)
        if isinstance(record.msg, str):
            record.msg = redact_text(record.msg)
        try:
            message = record.getMessage()
        except Exception:  # a broken format string: leave it to the handler to report
            return True
        clean = redact_text(message)
        if clean != message:
            record.msg, record.args = clean, None
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = redact_text(record.exc_text)
        return True


def uvicorn_log_config() -> dict:
    """uvicorn's default logging config with :class:`RedactFilter` on its handlers, so
    the access log shows ``GET /feed.atom?token=***``."""
    from uvicorn.config import LOGGING_CONFIG

    config = copy.deepcopy(LOGGING_CONFIG)
    config.setdefault("filters", {})["redact"] = {"()": "raqib.redact.RedactFilter"}
    for handler in config["handlers"].values():
        handler.setdefault("filters", []).append("redact")
    return config
