"""Where a page says when it was published, in order of trust.

JSON-LD `datePublished`, then the publication meta tags, `<time datetime>`, the
app state's date, a full day in the URL path (fixed at publication, while a printed
date line may show the last update), and the visible date line near the headline.  htmldate is asked last, without its extensive search, and a result on
January 1st that nothing else confirms is refused: that is its year-only guess
(`/2013/` → 2013-01-01), worse than no date.  The caller falls back to the feed or
sitemap date.  Each result says where it came from.
"""

from __future__ import annotations

import logging
import re

from filters.dates import date_from_url, parse_date_text, parse_iso_day

log = logging.getLogger(__name__)

_META_NAMES = ("article:published_time", "og:article:published_time", "datepublished", "pubdate",
               "publishdate", "publish-date", "date", "dc.date.issued", "dc.date", "dcterms.created",
               "sailthru.date", "parsely-pub-date", "article.published", "published_time", "og:published_time")
_DATEISH = re.compile(r"date|time|publish|posted|dateline|byline|meta|info|tarikh|when", re.I)
_NOT_ARTICLE = re.compile(r"comment|related|sidebar|widget|popular|most-?read|breaking|top-?bar|topbar|"
                          r"site-header|site-footer|menu|ticker|today|teaser|card", re.I)


def _outside_boxes(el) -> bool:
    """Not in navigation, sidebars, comments or other stories' teasers (an article's
    own <header> with the headline is fine)."""
    for node in [el, *el.iterancestors()]:
        if node.tag in ("nav", "aside"):
            return False
        if node.tag in ("header", "footer") and not node.xpath(".//h1") and \
                not any(a.tag == "article" for a in node.iterancestors()):
            return False
        if _NOT_ARTICLE.search(f"{node.get('class', '')} {node.get('id', '')}"):
            return False
    return True


def _iso(day) -> str:
    return day.isoformat() if day else ""


def meta_date(tree) -> str:
    for name in _META_NAMES:
        for value in tree.xpath(f'//meta[translate(@property,"ABCDEFGHIJKLMNOPQRSTUVWXYZ","abcdefghijklmnopqrstuvwxyz")="{name}" '
                                f'or translate(@name,"ABCDEFGHIJKLMNOPQRSTUVWXYZ","abcdefghijklmnopqrstuvwxyz")="{name}" '
                                f'or translate(@itemprop,"ABCDEFGHIJKLMNOPQRSTUVWXYZ","abcdefghijklmnopqrstuvwxyz")="{name}"]/@content'):
            if parse_iso_day(value) or parse_date_text(value):
                return value.strip() if parse_iso_day(value) else _iso(parse_date_text(value))
    return ""


def time_date(tree) -> str:
    """A <time datetime> (or any itemprop=datePublished element) outside comments and
    teasers; one marked as the publication ("published", datePublished) first, since
    WordPress themes print the "updated" one too."""
    found = []
    for el in tree.xpath('//time[@datetime] | //*[@itemprop="datePublished"][@datetime or @content]'):
        value = el.get("datetime") or el.get("content") or ""
        if value and parse_iso_day(value) and _outside_boxes(el):
            label = f"{el.get('class', '')} {el.get('itemprop', '')}".lower()
            found.append((0 if "publish" in label else 1 if "updated" not in label and "modif" not in label else 2,
                          len(found), value.strip()))
    return min(found)[2] if found else ""


def _h1(tree):
    """The headline's <h1>: the one with the most text (logos sit in <h1> too)."""
    found = tree.xpath("//h1")
    return max(found, key=lambda h: len(h.text_content().strip())) if found else None


def _headline_element(tree, title: str):
    """The <h1>, else the element whose whole text is the title (old layouts: <b>, <font>)."""
    h1 = _h1(tree)
    if h1 is not None or not title:
        return h1
    want = " ".join(title.split())
    for el in tree.iter("*"):
        if isinstance(el.tag, str) and el.tag not in ("title", "head", "meta", "script", "style") \
                and " ".join(el.text_content().split()) == want:
            return el
    return None


def date_line(tree, title: str = "") -> str:
    """The visible date closest after the headline (else the last one before it);
    an old layout's header often prints today's date above it."""
    h1 = _headline_element(tree, title)
    order = {el: i for i, el in enumerate(tree.iter())}
    anchor = order.get(h1, 0) if h1 is not None else 0
    before, after = [], []
    for el in tree.iter("*"):
        if not isinstance(el.tag, str) or el.tag in ("script", "style", "html", "body"):
            continue
        label = f"{el.get('class', '')} {el.get('id', '')}"
        text = el.text_content()
        if not text or len(text) > 300 or not (_DATEISH.search(label) or el.tag in ("time", "font", "td")):
            continue
        if not _outside_boxes(el):
            continue
        day = parse_date_text(text)
        if day:
            (after if order[el] > anchor else before).append((order[el], day))
    if after:
        return _iso(min(after)[1])
    if before:
        return _iso(max(before)[1])
    if h1 is not None:     # a date line without any class: the text right after the headline
        following = " ".join(t for t in h1.itersiblings() for t in [t.text_content()[:200]])[:300]
        return _iso(parse_date_text(following))
    return ""


def htmldate_day(tree, url: str) -> str:
    try:
        from htmldate import find_date

        found = find_date(tree, url=url, extensive_search=False, original_date=True)
    except Exception:  # htmldate raises on odd trees; a missing date is fine
        return ""
    if not found or found.endswith("-01-01"):
        return ""          # January 1st unconfirmed: htmldate's year-level guess
    return found


def find_published(tree, url: str, *, jsonld: str = "", app_state: str = "", title: str = "") -> tuple[str, str]:
    """(date or timestamp as written, source) — ("", "") when the page does not say."""
    if jsonld and parse_iso_day(jsonld):
        return jsonld, "jsonld"
    for source, value in (("meta", meta_date(tree)), ("time", time_date(tree))):
        if value:
            return value, source
    if app_state and parse_iso_day(app_state):
        return app_state, "app_state"
    # A full day in the URL is fixed when the story is published; a printed date line
    # may be the last update (CNN Arabic prints it), so the URL goes first.
    if day := date_from_url(url):
        return day.isoformat(), "url"
    if value := date_line(tree, title):
        return value, "text"
    if value := htmldate_day(tree, url):
        return value, "htmldate"
    return "", ""
