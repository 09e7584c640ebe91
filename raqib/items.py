"""Typed items passed between spiders, pipelines and storage.

Dataclasses rather than dicts so a misspelt field fails loudly; pipelines still read
them through ``itemadapter.ItemAdapter`` as Scrapy expects.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class Article:
    """One fetched article page, filled in stage by stage."""

    url: str                      # the URL fetched (after redirects)
    source: str                   # source name from the sources config
    canonical_url: str = ""       # the unique key: normalised canonical URL
    requested_url: str = ""       # the URL as found in the feed/sitemap/listing
    html: bytes = field(default=b"", repr=False)   # raw response body (not stored)
    content_type: str = ""        # the HTTP Content-Type header
    encoding: str = ""            # forced encoding (source config), then the one used
    title: str = ""
    body: str = field(default="", repr=False)
    author: str = ""
    published: str = ""           # ISO 8601 date or datetime, "" if unknown
    sitename: str = ""
    language: str = ""
    extractor: str = ""           # extraction path that produced the body (pipelines/fallbacks.py)
    date_source: str = ""         # where `published` came from (jsonld, meta, time, url, text, feed)
    fetched_at: str = ""
    modified: str = ""            # the publisher's last-change date (Atom <updated>, sitemap <lastmod>)
    content_hash: str = ""
    minhash: bytes = field(default=b"", repr=False)  # near-duplicate signature (datasketch)
    aliases: list[str] = field(default_factory=list)  # every URL that led here
    story_id: int | None = None   # id of the first copy of this story (near-duplicates)
    article_id: int | None = None # set once stored
    flags: list["Flag"] = field(default_factory=list)


@dataclass
class Match:
    """One watchlist term found in an article: offsets index the stored text."""

    term: str
    group: str
    start: int
    end: int
    field: str = "body"           # "title" or "body"
    snippet: str = ""


@dataclass
class Entity:
    name: str                     # canonical gazetteer name
    type: str                     # person / organisation / country
    role: str                     # moroccan_actor / foreign_partner / ...
    start: int
    end: int
    field: str = "body"
    surface: str = ""


@dataclass
class Flag:
    """The verdict of one watchlist on one article, with everything needed to explain it."""

    watchlist: str
    version: str                  # content hash of the watchlist file
    score: float
    flagged: bool
    matches: list[Match] = field(default_factory=list)
    entities: list[Entity] = field(default_factory=list)
    rules: list[dict] = field(default_factory=list)   # per-rule explanation
