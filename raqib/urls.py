"""URL keys: the same article reached by different URLs must map to one key.

Outlets link one story as ``/x``, ``/x/``, ``/x?utm_source=fb``, ``/amp/x``,
``m.site/x``; a stored article is keyed on ``url_key(canonical)`` so all of those
collapse.  The heavy lifting (percent-encoding, query sorting, default ports,
fragments) is w3lib's and courlan's; only the news-specific rules live here.
"""

from __future__ import annotations

import re
from functools import lru_cache
from urllib.parse import urlsplit, urlunsplit

import courlan
from w3lib.url import canonicalize_url, url_query_cleaner

# Query parameters that never change which article a URL points to.
TRACKING_PARAMS = frozenset({
    "fbclid", "gclid", "dclid", "msclkid", "yclid", "mc_cid", "mc_eid", "igshid", "ref", "ref_src",
    "ref_url", "source", "from", "share", "amp", "outputtype", "_ga", "cmpid", "ocid", "xtor",
    "at_medium", "at_campaign", "spm", "s_cid", "partner", "platform",
})
_TRACKING_PREFIXES = ("utm_", "pk_", "mtm_", "hsa_", "oly_")
_HOST_PREFIXES = re.compile(r"^(?:www\d?|m|mobile|amp)\.")
_COPY_HOST = re.compile(r"^(?:m|mobile|amp)\.")          # the prefixes above that mark a copy
_AMP_PATH = re.compile(r"(?:^|/)amp(?=/|$)", re.IGNORECASE)
_AMP_SUFFIX = re.compile(r"(?:[/.]amp|\.amp\.html?)$", re.IGNORECASE)


def _is_tracking(name: str) -> bool:
    name = name.lower()
    return name in TRACKING_PARAMS or name.startswith(_TRACKING_PREFIXES)


def clean_url(url: str) -> str:
    """A fetchable URL with tracking parameters and fragments removed."""
    url = url.strip()
    parts = urlsplit(url)
    keep = [p for p in parts.query.split("&") if p and not _is_tracking(p.split("=", 1)[0])]
    return urlunsplit((parts.scheme, parts.netloc, parts.path, "&".join(keep), ""))


@lru_cache(maxsize=65536)
def url_key(url: str) -> str:
    """The identity of the page behind ``url``: equal keys mean the same article.

    Not meant to be fetched: the host loses ``www.``/``m.``/``amp.``, AMP path
    segments and trailing slashes go, query parameters are sorted.

    Cached: a crawl keys the same URL several times (the claim check before the
    request, extraction, the store's aliases) and courlan + w3lib cost ~70 µs a call.
    """
    url = clean_url(url)
    try:
        url = courlan.normalize_url(url)
    except Exception:  # courlan rejects some exotic URLs; w3lib still copes
        pass
    url = canonicalize_url(url)
    parts = urlsplit(url)
    host = (parts.hostname or "").lower()
    host = _HOST_PREFIXES.sub("", host)
    if parts.port and parts.port not in (80, 443):
        host = f"{host}:{parts.port}"
    path = _AMP_PATH.sub("", parts.path)
    path = _AMP_SUFFIX.sub("", path)
    path = re.sub(r"/{2,}", "/", path).rstrip("/") or "/"
    query = url_query_cleaner("?" + parts.query, [p.split("=", 1)[0] for p in parts.query.split("&")
                                                   if p and _is_tracking(p.split("=", 1)[0])], remove=True)
    query = query.lstrip("?")
    scheme = "https" if parts.scheme in ("http", "https") else parts.scheme
    return urlunsplit((scheme, host, path, query, ""))


def is_alternate_form(url: str) -> bool:
    """Is ``url`` an AMP or mobile copy (``amp.``/``m.`` host, ``/amp`` path)?

    Such a copy shares its article's key, so what it says about the page (too short,
    no body) must not be recorded against the article itself.
    """
    parts = urlsplit(url.strip())
    host = (parts.hostname or "").lower()
    return bool(_COPY_HOST.match(host) or _AMP_PATH.search(parts.path) or _AMP_SUFFIX.search(parts.path))

