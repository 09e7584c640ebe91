"""Logging for the application: one line per event on stderr, optionally a rotating file.

Every handler redacts URL credentials and secret query values (raqib.redact), so a
token or webhook key never reaches the terminal or the log file."""

from __future__ import annotations

import logging
import logging.handlers
import sys

from raqib.redact import RedactFilter

FORMAT = "%(asctime)s %(levelname)-7s %(name)s: %(message)s"


def configure(verbosity: int = 0, log_file: str = "") -> None:
    level = logging.WARNING if verbosity < 0 else logging.INFO if verbosity == 0 else logging.DEBUG
    root = logging.getLogger()
    for h in list(root.handlers):
        root.removeHandler(h)
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter(FORMAT, "%Y-%m-%d %H:%M:%S"))
    handler.addFilter(RedactFilter())
    root.addHandler(handler)
    if log_file:
        fh = logging.handlers.RotatingFileHandler(log_file, maxBytes=5_000_000, backupCount=5, encoding="utf-8")
        fh.setFormatter(logging.Formatter(FORMAT))
        fh.addFilter(RedactFilter())
        root.addHandler(fh)
    root.setLevel(level)
    # Scrapy and friends are chatty at INFO; their warnings still show.
    for noisy in ("scrapy", "twisted", "py.warnings", "apscheduler.executors", "filelock", "asyncio",
                  "trafilatura", "htmldate", "charset_normalizer"):
        logging.getLogger(noisy).setLevel(logging.DEBUG if verbosity >= 2 else logging.WARNING)
