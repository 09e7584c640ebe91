"""The Atom feed of flagged stories (``/feed.atom``), for any feed reader.

Entry ids are ``tag:`` URIs built from the article id, so they stay the same across
restarts and host names and a reader never shows a story twice; entries are ordered
by when the story was first flagged.

Every scraped string passes ``review.sanitize.xml_text`` (a control character in one
title must not break the whole feed) and the original's link is included only when
it is http(s): a feed reader may follow a ``javascript:`` or ``data:`` link.
"""

from __future__ import annotations

from datetime import datetime, timezone

import sqlite_utils
from feedgen.feed import FeedGenerator

from review.evidence import as_plain, evidence_for
from review.sanitize import link_or_none, xml_text
from storage.review_queries import feed_rows

TAG = "tag:raqib.invalid,2024:"


def _dt(value: str | None) -> datetime:
    """Stored ISO text → aware datetime (dates become midnight UTC; junk → epoch)."""
    if not value:
        return datetime(1970, 1, 1, tzinfo=timezone.utc)
    try:
        dt = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return datetime(1970, 1, 1, tzinfo=timezone.utc)
    return dt if dt.tzinfo else dt.replace(tzinfo=timezone.utc)


def build_feed(db: sqlite_utils.Database, base_url: str, *, limit: int = 100) -> bytes:
    """The feed as UTF-8 Atom XML; ``base_url`` is where the review page is served."""
    base = base_url.rstrip("/")
    rows = feed_rows(db, limit=limit)
    fg = FeedGenerator()
    fg.id(TAG + "flagged")
    fg.title("raqib — قصص مُعلَّمة")
    fg.subtitle("Flagged stories about Moroccan security cooperation")
    fg.language("ar")
    fg.author({"name": "raqib"})
    fg.link(href=f"{base}/feed.atom", rel="self", type="application/atom+xml")
    fg.link(href=f"{base}/", rel="alternate", type="text/html")
    fg.updated(max((_dt(r["flag_updated_at"]) for r in rows), default=_dt(None)))
    for r in rows:  # newest first: append keeps that order in the document
        source = xml_text(r["source"])
        original = link_or_none(r["url"])
        fe = fg.add_entry(order="append")
        fe.id(f"{TAG}article/{r['id']}")
        fe.title(xml_text(r["title"]) or xml_text(original) or f"#{r['id']}")
        fe.link(href=f"{base}/article/{r['id']}", rel="alternate", type="text/html")
        if original:
            fe.link(href=xml_text(original), rel="related", type="text/html", title=source)
        fe.published(_dt(r["published"] or r["fetched_at"]))
        fe.updated(_dt(r["flag_updated_at"]))
        fe.author({"name": source or "?"})
        for w in r["watchlists"]:
            fe.category(term=xml_text(w), label=xml_text(w))
        terms = "، ".join(r["terms"])
        # the sentence(s) that made the flag, else the start of the article
        quotes = " … ".join(f"«{as_plain(s)}»" for s in evidence_for(db, r["id"]))
        summary = (f"[{r['source']} · {r['score']:.1f}] " + (f"{terms} — " if terms else "")
                   + (quotes or (r["excerpt"] or "").replace("\n", " ")[:400]))
        fe.summary(xml_text(summary))  # plain text: feedgen escapes it, readers never render scraped HTML
    return _fix_entry_links(fg.atom_str(pretty=True), rows)


def _fix_entry_links(xml: bytes, rows: list[dict]) -> bytes:
    """feedgen 1.0.0 drops rel/type/title of *entry* links (it reads them from the new
    XML element instead of the dict), which would leave each entry with two
    rel=alternate text/html links — invalid Atom (RFC 4287 §4.1.1).  Put them back:
    the first link is the review page (alternate), the second the original (related)."""
    from lxml import etree

    ns = {"a": "http://www.w3.org/2005/Atom"}
    root = etree.fromstring(xml)
    for entry, row in zip(root.findall("a:entry", ns), rows):
        links = entry.findall("a:link", ns)
        if links:
            links[0].attrib.update({"rel": "alternate", "type": "text/html"})
        if len(links) == 2:
            links[1].attrib.update({"rel": "related", "type": "text/html", "title": xml_text(row["source"])})
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True)
