"""Article titles without the site name, reconciled from the page's title candidates.

Pure text functions.  `<title>` and `og:title` usually carry the outlet's name as a
suffix or prefix ("… | هسبريس", "جريدة الرأي :: …"), legacy pages put it first; the
`<h1>` and the JSON-LD `headline` are usually clean but are sometimes missing.  The
reconciled title is the clean candidate the others agree with.
"""

from __future__ import annotations

import re
from collections import Counter
from typing import Iterable

# Separators between a title and a site name: spaced, so "نيجيريا-المغرب" is never split.
_SEP = re.compile(r"\s+(?:\||::|–|—|-|»|«|/|•|·)\s+|\s*\|\s*|\s*::\s*")
_SPACE = re.compile(r"\s+")
_QUOTED_SITE = re.compile(r"^«([^«»]{2,40})»\s*|\s*«([^«»]{2,40})»$")
_MAX_SITE_WORDS = 6


def squash(text: str) -> str:
    return _SPACE.sub(" ", text or "").strip()


def _key(text: str) -> str:
    return re.sub(r"[\W_]+", "", text)


def split_title(text: str) -> list[str]:
    """A title split at its site-name separators (spaced | – — - :: » / and |, ::)."""
    return [p for p in (squash(x) for x in _SEP.split(squash(text))) if p]


def strip_site_name(title: str, site_names: Iterable[str] = ()) -> str:
    """`title` without a leading or trailing site name.

    A part equal to a known site name (og:site_name, publisher, the part that repeats
    across a source's pages) is always dropped; otherwise a short edge part (≤ 6
    words) is dropped when the rest is clearly the longer headline.
    """
    title = squash(title)
    names = {_key(n) for n in site_names if n and _key(n)}
    m = _QUOTED_SITE.search(title)
    if m and _key(m.group(1) or m.group(2)) in names:
        title = squash(title[:m.start()] + title[m.end():])
    parts = split_title(title)
    if len(parts) < 2:
        return title
    while len(parts) > 1 and _key(parts[-1]) in names:
        parts.pop()
    while len(parts) > 1 and _key(parts[0]) in names:
        parts.pop(0)
    if len(parts) == 1:
        return parts[0]
    edges = [(len(parts[0].split()), 0), (len(parts[-1].split()), -1)]
    longest = max(parts, key=lambda p: len(p.split()))
    if len(parts) == 2:
        short, idx = min(edges)
        if short <= _MAX_SITE_WORDS and len(longest.split()) >= 2 * short and len(longest.split()) >= 4:
            return parts[1] if idx == 0 else parts[0]
    return _rejoin(title, parts)


def _rejoin(original: str, parts: list[str]) -> str:
    """The part of the original title spanning the kept parts (keeps their separators)."""
    start = original.find(parts[0])
    end = original.rfind(parts[-1])
    if start < 0 or end < 0:
        return " ".join(parts)
    return original[start:end + len(parts[-1])].strip()


def reconcile_title(*, headline: str = "", h1: Iterable[str] = (), og_title: str = "", html_title: str = "",
                    extracted: str = "", site_names: Iterable[str] = ()) -> str:
    """One title from the page's candidates, without the site name.

    Order of trust: a JSON-LD/app-state headline, an <h1> that another candidate
    confirms (or the only <h1>), then og:title / <title> / trafilatura's title with
    the site name stripped.
    """
    names = [n for n in site_names if n]
    headline = strip_site_name(headline, names) if headline else ""
    h1s = [squash(h) for h in h1 if squash(h)]
    framed = [squash(t) for t in (og_title, html_title, extracted) if squash(t)]
    if headline:
        return headline
    stripped = [strip_site_name(t, names) for t in framed]
    for h in h1s:
        if any(_key(h) and _key(h) == _key(s) for s in stripped):
            return h
    confirmed = [h for h in h1s if len(h.split()) >= 3 and any(_key(h) in _key(t) for t in framed)]
    if confirmed:
        return max(confirmed, key=len)
    if len(h1s) == 1 and (len(h1s[0].split()) >= 3 or not stripped) and \
            not any(_key(h1s[0]) == _key(t) for t in names):
        return h1s[0]
    if stripped:
        # the stripped candidate the others agree with most, else og:title's
        counts = Counter(_key(s) for s in stripped)
        best = max(stripped, key=lambda s: (counts[_key(s)], -stripped.index(s)))
        return best
    return h1s[0] if h1s else ""


def repeated_affix(titles: list[str], min_share: float = 0.6) -> str:
    """The leading or trailing title part shared by most of a source's titles, or ''.

    A source's site name is the part that repeats across its pages; a headline never does.
    """
    if len(titles) < 3:
        return ""
    counts: Counter = Counter()
    for t in titles:
        parts = split_title(t)
        if len(parts) >= 2:
            counts.update({parts[0], parts[-1]})
    if not counts:
        return ""
    part, n = counts.most_common(1)[0]
    return part if n / len(titles) >= min_share and len(part.split()) <= 15 else ""
