"""robots.txt read once per site and kept for its own lifetime, for the whole process.

Scrapy's ``RobotsTxtMiddleware`` keeps parsed robots.txt files per crawler, and raqib
makes a crawler per source run and kind of entry point: a crawl worker polling a site
every 15 minutes would fetch its robots.txt again on every poll.  This subclass keeps
each parsed file in one process-wide cache until it expires: the response's
``Cache-Control: max-age`` or ``Expires``, else 24 hours, and never longer than 24
hours (RFC 9309 §2.4).  A robots.txt that could not be fetched, or answered 5xx, is
not kept: the next crawler asks again.
"""

from __future__ import annotations

import re
import time
from email.utils import parsedate_to_datetime

from scrapy.downloadermiddlewares.robotstxt import RobotsTxtMiddleware
from scrapy.utils.httpobj import urlparse_cached

MAX_LIFETIME = 24 * 3600.0

# scheme://netloc -> (monotonic expiry, parser or None)
_CACHE: dict[str, tuple[float, object]] = {}
_MAX_AGE = re.compile(rb"max-age\s*=\s*(\d+)", re.IGNORECASE)


def lifetime(headers) -> float:
    """Seconds a robots.txt response may be reused, from its own headers (capped at 24 h)."""
    control = headers.get(b"Cache-Control") or b""
    if re.search(rb"no-store|no-cache", control, re.IGNORECASE):
        return 0.0
    m = _MAX_AGE.search(control)
    if m:
        return min(float(m.group(1)), MAX_LIFETIME)
    expires = headers.get(b"Expires")
    if expires:
        try:
            exp = parsedate_to_datetime(expires.decode("latin-1"))
            date = headers.get(b"Date")
            now = parsedate_to_datetime(date.decode("latin-1")) if date else None
            seconds = (exp - now).total_seconds() if now else exp.timestamp() - time.time()
            return max(0.0, min(seconds, MAX_LIFETIME))
        except (TypeError, ValueError, OverflowError):
            return 0.0
    return MAX_LIFETIME


def _site(request) -> str:
    url = urlparse_cached(request)
    return f"{url.scheme}://{url.netloc}"


class CachedRobotsTxtMiddleware(RobotsTxtMiddleware):
    async def robot_parser(self, request):
        netloc = urlparse_cached(request).netloc
        hit = _CACHE.get(_site(request))
        if netloc not in self._parsers and hit and hit[0] > time.monotonic():
            self._parsers[netloc] = hit[1]
            self._stats.inc_value("raqib/robots_cached")
        return await super().robot_parser(request)

    async def _parse_robots(self, response, netloc, request):
        await super()._parse_robots(response, netloc, request)
        ttl = lifetime(response.headers) if response.status < 500 else 0.0
        if ttl > 0:
            _CACHE[_site(request)] = (time.monotonic() + ttl, self._parsers[netloc])
