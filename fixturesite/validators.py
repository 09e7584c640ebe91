"""Conditional GET for the fixture sites: ETag and Last-Modified, and the 304 decision.

Real news servers differ in which validator they honour; the fixture answers both,
so the crawler's HTTP cache is tested against If-None-Match and If-Modified-Since.
"""

from __future__ import annotations

import hashlib
import threading
from datetime import datetime, timedelta, timezone
from email.utils import format_datetime, parsedate_to_datetime

from fixturesite.outlets import Resource


class Validators:
    """Per-URL validators, stable while a page's body is unchanged."""

    def __init__(self) -> None:
        self._seen: dict[tuple[str, str], tuple[str, datetime]] = {}
        self._lock = threading.Lock()

    def apply(self, outlet: str, path_qs: str, res: Resource) -> None:
        """ETag from the body; Last-Modified from the content, moved forward whenever the
        body changes so If-Modified-Since alone also notices additions."""
        etag = 'W/"' + hashlib.sha1(res.body).hexdigest()[:20] + '"'
        lm = res.last_modified.astimezone(timezone.utc).replace(microsecond=0)
        with self._lock:
            prev = self._seen.get((outlet, path_qs))
            if prev and prev[0] != etag:
                lm = max(lm, prev[1] + timedelta(seconds=1),
                         datetime.now(timezone.utc).replace(microsecond=0))
            elif prev:
                lm = prev[1]
            self._seen[(outlet, path_qs)] = (etag, lm)
        res.headers["ETag"] = etag
        res.headers["Last-Modified"] = format_datetime(lm, usegmt=True)
        res.last_modified = lm


def not_modified(headers, res: Resource) -> bool:
    """Should the request with these headers get a 304 for ``res``?"""
    inm = headers.get("If-None-Match")
    if inm is not None:
        tags = {t.strip().removeprefix("W/") for t in inm.split(",")}
        return "*" in tags or res.headers["ETag"].removeprefix("W/") in tags
    ims = headers.get("If-Modified-Since")
    if ims:
        try:
            since = parsedate_to_datetime(ims)
        except (TypeError, ValueError):
            return False
        if since.tzinfo is None:
            since = since.replace(tzinfo=timezone.utc)
        return res.last_modified <= since
    return False
