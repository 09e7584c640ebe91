"""Article claims: which articles (by URL key) this crawl process is fetching or fetched.

A source's feed, sitemap and listing crawlers run side by side and often name one
article by different URLs (canonical, AMP, tracking parameters, mobile host): the
first request claims the article and the others wait instead of being fetched too.
If the claiming fetch fails for good (404 on the AMP copy, a dead mobile host), the
claim passes to a waiting URL form — or, when none waits yet, is given up so a form
found later in the crawl is fetched — so one broken URL never loses the article.  Not
after a timeout, though: each try costs the whole download timeout, and the article,
neither stored nor skipped, is tried again by the next crawl.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field

from scrapy.exceptions import DropItem


class FormNotAnArticle(DropItem):
    """An AMP or mobile copy was fetched but is not an article (a stub, too short).

    Raised by the extract step instead of recording a skip, which would be keyed on
    the article and so block its canonical URL for good; the spider then fetches
    another form of the article (a waiting one, else the page's rel=canonical).
    """

    def __init__(self, url: str, reason: str, canonical: str = ""):
        self.url, self.reason, self.canonical = url, reason, canonical
        super().__init__(f"not an article as {url} ({reason}); trying {canonical or 'another form'}")


@dataclass
class Form:
    """A URL form of an article that waits for the claim, with its request's hints."""

    url: str
    date_hint: str = ""
    via: str = ""
    modified: str = ""


@dataclass
class Claims:
    held: set[str] = field(default_factory=set)
    waiting: dict[str, list[Form]] = field(default_factory=dict)
    failed: set[str] = field(default_factory=set)     # URLs whose fetch failed for good
    lock: threading.Lock = field(default_factory=threading.Lock)

    def claim(self, key: str, url: str) -> bool:
        """Take the claim on ``key`` for ``url``; False if another request holds it or
        this very URL already failed in this crawl."""
        with self.lock:
            if key in self.held or url in self.failed:
                return False
            self.held.add(key)
            return True

    def wait(self, key: str, form: Form) -> None:
        """Keep ``form`` in case the claiming fetch of ``key`` fails."""
        with self.lock:
            forms = self.waiting.setdefault(key, [])
            if form.url not in self.failed and form.url not in {f.url for f in forms}:
                forms.append(form)

    def release(self, key: str, failed_url: str, *, hand_over: bool = True) -> Form | None:
        """The fetch of ``failed_url`` failed for good: the next waiting form of ``key``
        (which now holds the claim), or None after giving the claim up.  With
        ``hand_over=False`` (the server timed out: other forms would only time out too)
        the claim is kept and the article waits for the next crawl."""
        with self.lock:
            self.failed.add(failed_url)
            if not hand_over:
                self.waiting.pop(key, None)
                return None
            forms = [f for f in self.waiting.get(key, []) if f.url not in self.failed]
            if forms:
                self.waiting[key] = forms[1:]
                return forms[0]
            self.waiting.pop(key, None)
            self.held.discard(key)
            return None


# One per database and crawl scope.  A `raqib crawl` process is one scope (""); a
# long-lived crawl worker (spiders/worker.py) gives each source run its own scope and
# ends it when the run ends, so what one run claimed, failed or distrusted is forgotten
# by the next run of the source in the same process, as it is between crawl processes.
_CLAIMS: dict[tuple[str, str], Claims] = {}


def claims_for(db_path: str, scope: str = "") -> Claims:
    return _CLAIMS.setdefault((str(db_path), scope), Claims())


def end_scope(db_path: str, scope: str) -> None:
    """Forget the claims, refetch trust and per-crawl dedupe state of one crawl scope."""
    key = (str(db_path), scope)
    for registry in (_CLAIMS, _TRUST, SEEN_KEYS):
        registry.pop(key, None)


#: Canonical URLs stored in each crawl scope (pipelines.dedupe): one article per URL
#: key per crawl.  Kept here so a scope's end forgets it with the rest.
SEEN_KEYS: dict[tuple[str, str], set[str]] = {}


#: Re-fetches in one crawl that found nothing changed, with none that found a change,
#: after which a source's "modified" dates are ignored for the rest of the crawl.
DISTRUST_AFTER = 5


@dataclass
class RefetchTrust:
    """Do a source's own modification dates (Atom <updated>, sitemap <lastmod>) mean
    anything?  Some CMSs stamp every entry with the time the feed was generated, and
    trusting them re-fetches every fresh article on every crawl.  After
    ``DISTRUST_AFTER`` re-fetches that found the article unchanged (and none that found
    a change) the source's dates are ignored until the crawl ends: the waste is bounded
    per crawl, and a site that fixes its dates is trusted again by the next crawl."""

    unchanged: dict[str, int] = field(default_factory=dict)
    changed: dict[str, int] = field(default_factory=dict)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def record(self, source: str, *, changed: bool) -> bool:
        """Count one re-fetch; True when this one made the source untrusted."""
        with self.lock:
            was = self._trusted(source)
            counter = self.changed if changed else self.unchanged
            counter[source] = counter.get(source, 0) + 1
            return was and not self._trusted(source)

    def trusted(self, source: str) -> bool:
        with self.lock:
            return self._trusted(source)

    def _trusted(self, source: str) -> bool:
        return self.changed.get(source, 0) > 0 or self.unchanged.get(source, 0) < DISTRUST_AFTER


_TRUST: dict[tuple[str, str], RefetchTrust] = {}


def trust_for(db_path: str, scope: str = "") -> RefetchTrust:
    return _TRUST.setdefault((str(db_path), scope), RefetchTrust())
