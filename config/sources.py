"""Sources are data, not code: each outlet is a table in one TOML file.

A source lists where its article URLs come from (RSS/Atom feeds, sitemaps of any
kind, listing pages with the pattern of article links); the spiders decide how to
read each kind.  Validation reports the file, the source and the field, because an
analyst adding an outlet needs to know exactly which line to fix.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlparse

from raqib.errors import ConfigError


@dataclass(frozen=True)
class Listing:
    url: str
    article_pattern: str


@dataclass(frozen=True)
class Source:
    name: str
    homepage: str
    language: str = "ar"
    country: str = ""
    enabled: bool = True
    feeds: tuple[str, ...] = ()
    sitemaps: tuple[str, ...] = ()
    listings: tuple[Listing, ...] = ()
    interval_minutes: float = 30.0
    jitter_seconds: int = 60
    freshness_days: int = 3
    encoding: str = ""           # forced encoding for sites that lie about theirs
    verified: bool = False       # has someone checked these URLs against the live site?
    notes: str = ""

    @property
    def domains(self) -> tuple[str, ...]:
        hosts = {urlparse(u).hostname for u in (self.homepage, *self.feeds, *self.sitemaps,
                                                  *(l.url for l in self.listings))}
        return tuple(sorted(h for h in hosts if h))

    def as_dict(self) -> dict:
        return {
            "name": self.name, "homepage": self.homepage, "language": self.language,
            "country": self.country, "enabled": self.enabled, "feeds": list(self.feeds),
            "sitemaps": list(self.sitemaps),
            "listings": [{"url": l.url, "article_pattern": l.article_pattern} for l in self.listings],
            "interval_minutes": self.interval_minutes, "jitter_seconds": self.jitter_seconds,
            "freshness_days": self.freshness_days, "encoding": self.encoding,
            "verified": self.verified,
        }


_FIELDS = {
    "name": str, "homepage": str, "language": str, "country": str, "enabled": bool,
    "feeds": list, "sitemaps": list, "listings": list, "interval_minutes": (int, float),
    "jitter_seconds": int, "freshness_days": int, "encoding": str, "verified": bool, "notes": str,
}
_DEFAULTABLE = {"language", "country", "enabled", "interval_minutes", "jitter_seconds",
                "freshness_days", "encoding", "verified"}
_NAME_RE = re.compile(r"^[a-z0-9][a-z0-9_-]*$")


def _check_url(path: str, name: str, fieldname: str, url: object) -> str:
    if not isinstance(url, str) or urlparse(url).scheme not in ("http", "https") or not urlparse(url).netloc:
        raise ConfigError(path, f"expected an http(s) URL, got {url!r}", source=name, field=fieldname)
    return url


def parse_sources(text: str, path: str = "<sources>") -> list[Source]:
    """Parse and validate a sources TOML document; raise ConfigError on the first problem."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(path, f"invalid TOML: {exc}") from None
    unknown_top = set(data) - {"defaults", "source"}
    if unknown_top:
        raise ConfigError(path, "unknown top-level key; expected [defaults] and [[source]] tables",
                          field=sorted(unknown_top)[0])
    defaults = data.get("defaults", {})
    if not isinstance(defaults, dict):
        raise ConfigError(path, "[defaults] must be a table", field="defaults")
    for key in defaults:
        if key not in _DEFAULTABLE:
            raise ConfigError(path, f"not a defaultable field (allowed: {', '.join(sorted(_DEFAULTABLE))})",
                              source="[defaults]", field=key)
    raw_sources = data.get("source", [])
    if not isinstance(raw_sources, list) or not raw_sources:
        raise ConfigError(path, "no [[source]] tables found", field="source")
    sources: list[Source] = []
    seen: set[str] = set()
    for index, raw in enumerate(raw_sources, 1):
        name = raw.get("name") if isinstance(raw.get("name"), str) else f"#{index}"
        merged = {**defaults, **raw}
        for key, value in merged.items():
            if key not in _FIELDS:
                raise ConfigError(path, f"unknown field (known: {', '.join(sorted(_FIELDS))})",
                                  source=name, field=key)
            expected = _FIELDS[key]
            if not isinstance(value, expected) or (expected is not bool and isinstance(value, bool)
                                                    and bool not in (expected if isinstance(expected, tuple) else (expected,))):
                tname = expected.__name__ if isinstance(expected, type) else "number"
                raise ConfigError(path, f"expected {tname}, got {value!r}", source=name, field=key)
        for required in ("name", "homepage"):
            if not merged.get(required):
                raise ConfigError(path, "required field is missing or empty", source=name, field=required)
        if not _NAME_RE.match(merged["name"]):
            raise ConfigError(path, "name must be lowercase letters, digits, '-' or '_'", source=name, field="name")
        if merged["name"] in seen:
            raise ConfigError(path, "duplicate source name", source=name, field="name")
        seen.add(merged["name"])
        _check_url(path, name, "homepage", merged["homepage"])
        feeds = tuple(_check_url(path, name, "feeds", u) for u in merged.get("feeds", []))
        sitemaps = tuple(_check_url(path, name, "sitemaps", u) for u in merged.get("sitemaps", []))
        listings = []
        for item in merged.get("listings", []):
            if isinstance(item, str):
                item = {"url": item}
            if not isinstance(item, dict) or "url" not in item:
                raise ConfigError(path, "each listing is a table {url = ..., article_pattern = ...}",
                                  source=name, field="listings")
            extra = set(item) - {"url", "article_pattern"}
            if extra:
                raise ConfigError(path, f"unknown listing key {sorted(extra)[0]!r}", source=name, field="listings")
            pattern = item.get("article_pattern", "")
            try:
                re.compile(pattern)
            except re.error as exc:
                raise ConfigError(path, f"article_pattern is not a valid regex: {exc}",
                                  source=name, field="listings.article_pattern") from None
            listings.append(Listing(_check_url(path, name, "listings.url", item["url"]), pattern))
        if not (feeds or sitemaps or listings):
            raise ConfigError(path, "a source needs at least one of feeds, sitemaps or listings",
                              source=name, field="feeds")
        if float(merged.get("interval_minutes", 30)) <= 0:
            raise ConfigError(path, "must be > 0", source=name, field="interval_minutes")
        sources.append(Source(
            name=merged["name"], homepage=merged["homepage"], language=merged.get("language", "ar"),
            country=merged.get("country", ""), enabled=merged.get("enabled", True), feeds=feeds,
            sitemaps=sitemaps, listings=tuple(listings),
            interval_minutes=float(merged.get("interval_minutes", 30)),
            jitter_seconds=int(merged.get("jitter_seconds", 60)),
            freshness_days=int(merged.get("freshness_days", 3)), encoding=merged.get("encoding", ""),
            verified=merged.get("verified", False), notes=merged.get("notes", ""),
        ))
    return sources


def load_sources(path: str | Path) -> list[Source]:
    p = Path(path)
    try:
        text = p.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ConfigError(str(p), "sources file not found (set --config or sources_path)") from None
    except UnicodeDecodeError as exc:
        raise ConfigError(str(p), f"not UTF-8 text: {exc}") from None
    return parse_sources(text, str(p))


def select(sources: list[Source], name: str | None = None, *, include_disabled: bool = False) -> list[Source]:
    """The sources one crawl should visit; a named source is crawled even if disabled."""
    if name:
        chosen = [s for s in sources if s.name == name]
        if not chosen:
            raise ConfigError("sources", f"no source named {name!r}; known: {', '.join(s.name for s in sources)}")
        return chosen
    return [s for s in sources if s.enabled or include_disabled]
