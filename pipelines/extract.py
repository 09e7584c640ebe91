"""Article pages → title, body, date, author: trafilatura does the extraction.

Pages that are not articles (too short, not Arabic, index pages) raise
``NotAnArticle`` with a reason code, so the crawl records why instead of storing
noise as articles.
"""

from __future__ import annotations

import hashlib
import logging
import re
from dataclasses import dataclass

import trafilatura
from lxml import html as lxml_html

from pipelines.decode import arabic_ratio, decode_html

log = logging.getLogger(__name__)
logging.getLogger("trafilatura").setLevel(logging.ERROR)
logging.getLogger("htmldate").setLevel(logging.ERROR)


class NotAnArticle(Exception):
    def __init__(self, reason: str, detail: str = "", canonical: str = ""):
        self.reason = reason
        self.detail = detail
        self.canonical = canonical     # the page's rel=canonical, when it could be read
        super().__init__(f"{reason}: {detail}" if detail else reason)


@dataclass
class Extracted:
    title: str
    body: str
    published: str
    author: str
    sitename: str
    language: str
    canonical_url: str
    encoding: str


_WS = re.compile(r"[ \t\u00a0\u200f\u200e]+")
# C0 controls but tab, LF, CR: lxml's parser gives up on the whole document at one of
# them (a stray \x01 or ESC in a CMS field), so a single byte would lose the article.
_C0 = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")


def strip_controls(text: str) -> str:
    """Remove C0 control characters except tab and line breaks."""
    return _C0.sub("", text)


def clean_body(text: str) -> str:
    """Paragraphs kept (one per line), whitespace inside lines collapsed."""
    lines = (_WS.sub(" ", line).strip() for line in text.splitlines())
    return "\n".join(line for line in lines if line)


def content_hash(title: str, body: str) -> str:
    return hashlib.sha256((title.strip() + "\n" + clean_body(body)).encode("utf-8")).hexdigest()


def _canonical_link(tree) -> str:
    for href in tree.xpath('//link[@rel="canonical"]/@href'):
        if href.strip():
            return href.strip()
    return ""


def extract(body: bytes | str, url: str, *, content_type: str | None = None, forced_encoding: str = "",
            min_body_chars: int = 250, min_arabic_ratio: float = 0.5,
            date_hint: str = "") -> Extracted:
    """Extract one article page; raises NotAnArticle when it is not one."""
    if isinstance(body, bytes):
        if not body.strip():
            raise NotAnArticle("empty", "the page has no content")
        text, encoding = decode_html(body, content_type, forced_encoding)
    else:
        text, encoding = body, "unicode"
    if "\x00" in text[:2000]:
        raise NotAnArticle("binary", "the content is not text")
    text = strip_controls(text)
    try:
        tree = lxml_html.fromstring(text)
    except Exception as exc:  # lxml raises several types on garbage
        raise NotAnArticle("unparsable", str(exc)[:200]) from None
    canonical = _canonical_link(tree)        # before trafilatura, which prunes the tree
    doc = trafilatura.bare_extraction(
        tree, url=url, include_comments=False, include_tables=False, include_images=False,
        deduplicate=False, with_metadata=True, favor_precision=True,
        date_extraction_params={"extensive_search": True, "original_date": True},
    )
    if doc is None or not (doc.text or "").strip():
        raise NotAnArticle("no_body", "no article text found", canonical)
    body_text = clean_body(doc.text)
    body_text = _drop_repeated_paragraphs(body_text)
    title = (doc.title or "").strip()
    first, _, rest = body_text.partition("\n")
    if title and _key(first) == _key(title):
        body_text = rest  # trafilatura sometimes keeps the <h1> as the first paragraph
    if len(body_text) < min_body_chars:
        raise NotAnArticle("too_short", f"{len(body_text)} characters < {min_body_chars}", canonical)
    ratio = arabic_ratio(body_text)
    if ratio < min_arabic_ratio:
        raise NotAnArticle("not_arabic", f"{ratio:.0%} of letters are Arabic", canonical)
    published = doc.date or ""
    if date_hint and published and date_hint[:10] == published[:10]:
        published = date_hint  # the feed's timestamp carries the time of day too
    elif not published and date_hint:
        published = date_hint
    return Extracted(
        title=title, body=body_text, published=published,
        author=(doc.author or "").strip(), sitename=(doc.sitename or "").strip(),
        language="ar" if ratio >= min_arabic_ratio else (doc.language or ""),
        canonical_url=canonical, encoding=encoding,
    )


def _key(text: str) -> str:
    return re.sub(r"\W+", "", text)


def _drop_repeated_paragraphs(body: str) -> str:
    """Pull-quotes repeat a sentence of the article: drop a paragraph that is
    contained in another (or repeats one already kept)."""
    lines = body.split("\n")
    keys = [_key(line) for line in lines]
    out, seen = [], set()
    for i, (line, key) in enumerate(zip(lines, keys)):
        if not key or key in seen:
            continue
        if len(key) < 400 and any(j != i and len(k) > len(key) and key in k for j, k in enumerate(keys)):
            continue
        seen.add(key)
        out.append(line)
    return "\n".join(out)
