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

from lxml import html as lxml_html

from filters.titles import reconcile_title
from pipelines.bodytext import _key, clean_body
from pipelines.boilerplate import link_texts, prune
from pipelines.decode import arabic_ratio, decode_html
from pipelines.fallbacks import body_chain
from pipelines.pagedates import find_published
from pipelines.structured import app_state, json_ld

log = logging.getLogger(__name__)
logging.getLogger("trafilatura").setLevel(logging.ERROR)
logging.getLogger("htmldate").setLevel(logging.ERROR)


class NotAnArticle(Exception):
    def __init__(self, reason: str, detail: str = "", canonical: str = "", amp: str = ""):
        self.reason = reason
        self.detail = detail
        self.canonical = canonical     # the page's rel=canonical, when it could be read
        self.amp = amp                 # the page's rel=amphtml copy, when it links one
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
    extractor: str = ""       # which path of the fallback chain produced the body
    date_source: str = ""     # where the date came from (jsonld, meta, time, text, url, feed …)
    amp_url: str = ""
    page_title: str = ""      # the raw <title>, for the per-source site-name affix


# C0 controls but tab, LF, CR: lxml's parser gives up on the whole document at one of
# them (a stray \x01 or ESC in a CMS field), so a single byte would lose the article.
_C0 = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")


def strip_controls(text: str) -> str:
    """Remove C0 control characters except tab and line breaks."""
    return _C0.sub("", text)


def content_hash(title: str, body: str) -> str:
    return hashlib.sha256((title.strip() + "\n" + clean_body(body)).encode("utf-8")).hexdigest()


def _canonical_link(tree) -> str:
    for href in tree.xpath('//link[@rel="canonical"]/@href'):
        if href.strip():
            return href.strip()
    return ""


def _amp_link(tree) -> str:
    for href in tree.xpath('//link[@rel="amphtml"]/@href'):
        if href.strip():
            return href.strip()
    return ""


def _meta(tree, *names: str) -> str:
    for name in names:
        for value in tree.xpath(f'//meta[@property="{name}" or @name="{name}"]/@content'):
            if value.strip():
                return value.strip()
    return ""


def extract(body: bytes | str, url: str, *, content_type: str | None = None, forced_encoding: str = "",
            min_body_chars: int = 250, min_arabic_ratio: float = 0.5,
            date_hint: str = "", site_names: tuple[str, ...] = ()) -> Extracted:
    """Extract one article page; raises NotAnArticle when it is not one.

    The body comes from the first path of the fallback chain that yields enough text
    (see `pipelines.fallbacks`); `extractor` and `date_source` say which paths won.
    `site_names` are names known to prefix or suffix the source's titles.
    """
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
    except Exception:  # lxml raises several types on garbage
        try:
            tree = lxml_html.fromstring(text.encode("utf-8"))   # e.g. an XML declaration in a str
        except Exception as exc:
            raise NotAnArticle("unparsable", str(exc)[:200]) from None
    canonical = _canonical_link(tree)        # before trafilatura, which prunes the tree
    amp = _amp_link(tree)
    ld, state = json_ld(tree), app_state(tree, min_body_chars)
    h1s = [h.text_content() for h in tree.xpath("//h1")]
    og_title, html_title = _meta(tree, "og:title", "twitter:title"), "".join(tree.xpath("//title//text()"))
    names = tuple(n for n in (*site_names, _meta(tree, "og:site_name", "application-name"), ld.site_name) if n)
    first_title = reconcile_title(headline=ld.headline or state.headline, h1=h1s, og_title=og_title,
                                  html_title=html_title, site_names=names)
    published, date_source = find_published(tree, url, jsonld=ld.published, app_state=state.published,
                                            title=first_title)
    headlines = link_texts(tree)
    prune(tree)
    result = body_chain(tree, url, ld, state, min_body_chars=min_body_chars, headlines=headlines)
    if result is None:
        raise NotAnArticle("no_body", "no article text found", canonical, amp)
    body_text, extractor, doc = result
    title = reconcile_title(headline=ld.headline or state.headline, h1=h1s, og_title=og_title,
                            html_title=html_title, extracted=(doc.title or "") if doc else "",
                            site_names=names + (((doc.sitename or "") if doc else ""),))
    first, _, rest = body_text.partition("\n")
    if title and _key(first) == _key(title):
        body_text = rest  # trafilatura sometimes keeps the <h1> as the first paragraph
    if len(body_text) < min_body_chars:
        raise NotAnArticle("too_short", f"{len(body_text)} characters < {min_body_chars}", canonical, amp)
    ratio = arabic_ratio(body_text)
    if ratio < min_arabic_ratio:
        raise NotAnArticle("not_arabic", f"{ratio:.0%} of letters are Arabic", canonical)
    if date_hint and published and date_hint[:10] == published[:10]:
        published = date_hint  # the feed's timestamp carries the time of day too
    elif not published and date_hint:
        published, date_source = date_hint, "feed"
    return Extracted(
        title=title, body=body_text, published=published,
        author=((doc.author or "") if doc else "").strip(), sitename=((doc.sitename or "") if doc else "").strip(),
        language="ar" if ratio >= min_arabic_ratio else ((doc.language or "") if doc else ""),
        canonical_url=canonical, encoding=encoding, extractor=extractor, date_source=date_source,
        amp_url=amp, page_title=" ".join(html_title.split()),
    )
