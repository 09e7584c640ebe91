"""`raqib check`: extraction + filters on files or URLs, nothing stored.

Each input yields exactly one result dict — the article with its verdict, or an
error object saying what is wrong with that input — so a bad file never hides the
results of the good ones.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Iterable, Iterator

from pipelines.decode import arabic_ratio, decode_html, detect_encoding
from pipelines.extract import NotAnArticle, clean_body, extract

_URL = re.compile(r"^https?://", re.IGNORECASE)


def read_input(ref: str, cfg: dict) -> dict:
    """Turn one PATH_OR_URL into {url, title, body, published}; raises NotAnArticle."""
    if _URL.match(ref):
        from raqib.fetch import FetchError, fetch
        from raqib.netpolicy import parse_networks

        try:
            page = fetch(ref, user_agent=cfg["user_agent"], timeout=cfg["download_timeout"],
                         max_bytes=cfg["max_response_bytes"],
                         allowed_networks=parse_networks(cfg.get("allowed_networks", "")))
        except FetchError as exc:
            raise NotAnArticle(exc.reason, str(exc)) from None
        if page.status >= 400:
            raise NotAnArticle("fetch_failed", f"HTTP {page.status}")
        return _from_html(page.body, page.url, page.content_type or None, cfg)
    path = Path(ref)
    if not path.is_file():
        raise NotAnArticle("not_found", f"no such file: {ref}")
    data = path.read_bytes()
    if not data.strip():
        raise NotAnArticle("empty", "the file is empty")
    if b"\x00" in data[:4096]:
        raise NotAnArticle("binary", "the file is binary, not text or HTML")
    suffix = path.suffix.lower()
    looks_html = data.lstrip()[:1] == b"<" or b"<html" in data[:2048].lower()
    if suffix in (".html", ".htm", ".xhtml") or (suffix != ".txt" and looks_html):
        return _from_html(data, path.resolve().as_uri(), None, cfg)
    return _from_text(data, path.resolve().as_uri(), cfg)


def _from_html(data: bytes, url: str, content_type: str | None, cfg: dict) -> dict:
    ex = extract(data, url, content_type=content_type, min_body_chars=cfg["min_body_chars"],
                 min_arabic_ratio=cfg["min_arabic_ratio"])
    return {"url": url, "title": ex.title, "body": ex.body, "published": ex.published,
            "extractor": ex.extractor, "date_source": ex.date_source}


def _from_text(data: bytes, url: str, cfg: dict) -> dict:
    """A .txt file is already-extracted text: first line the title, the rest the body."""
    text, _ = decode_html(data) if data[:3] == b"\xef\xbb\xbf" else (data.decode(detect_encoding(data),
                                                                                  errors="replace"), "")
    text = text.lstrip("\ufeff")
    title, _, rest = text.strip().partition("\n")
    body = clean_body(rest)
    if not body:
        raise NotAnArticle("no_body", "the file has a title line but no body")
    ratio = arabic_ratio(title + " " + body)
    if ratio < cfg["min_arabic_ratio"]:
        raise NotAnArticle("not_arabic", f"{ratio:.0%} of letters are Arabic")
    return {"url": url, "title": title.strip(), "body": body, "published": "", "extractor": "text_file",
            "date_source": ""}


def check_inputs(refs: Iterable[str], matcher, cfg: dict) -> Iterator[dict]:
    for ref in refs:
        try:
            art = read_input(ref, cfg)
        except NotAnArticle as exc:
            yield {"input": ref, "error": str(exc), "error_type": exc.reason}
            continue
        except OSError as exc:
            yield {"input": ref, "error": f"cannot read: {exc}", "error_type": "unreadable"}
            continue
        flags = matcher.score(art["title"], art["body"])
        best = max(flags, key=lambda f: f.score) if flags else None
        yield {
            "input": ref, **art,
            "flagged": any(f.flagged for f in flags),
            "score": round(best.score, 3) if best else 0.0,
            "matches": [{"term": m.term, "group": m.group, "start": m.start, "end": m.end, "field": m.field}
                        for f in flags for m in f.matches],
            "entities": [{"name": e.name, "type": e.type, "role": e.role, "start": e.start, "end": e.end,
                          "field": e.field} for f in flags[:1] for e in f.entities],
            "watchlists": [{"name": f.watchlist, "version": f.version, "score": round(f.score, 3),
                            "flagged": f.flagged, "rules": f.rules} for f in flags],
        }
