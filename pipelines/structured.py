"""Article data that pages carry outside their visible markup: JSON-LD and app state.

Script-rendered pages (Next.js `__NEXT_DATA__`, Nuxt `__NUXT__`/`__NUXT_DATA__`,
`window.__INITIAL_STATE__` …) ship the whole article as JSON and an empty `<div>`;
portals put `headline`, `datePublished` and often `articleBody` in JSON-LD.  These
readers return what they find and never raise: a page without them is normal.
"""

from __future__ import annotations

import json
import logging
import re
from dataclasses import dataclass
from typing import Any, Iterator

from lxml import html as lxml_html

from pipelines.decode import arabic_ratio

log = logging.getLogger(__name__)

_ARTICLE_TYPES = {"newsarticle", "article", "reportagenewsarticle", "blogposting", "analysisnewsarticle",
                  "opinionnewsarticle", "backgroundnewsarticle", "report", "liveblogposting"}
_STATE_ASSIGN = re.compile(r"window\.(__[A-Za-z0-9_]+__|[A-Za-z_$][\w$]*(?:State|STATE|Data|DATA))\s*=\s*")
_STATE_IDS = ("__NEXT_DATA__", "__NUXT_DATA__", "__APOLLO_STATE__", "__INITIAL_STATE__")
_HTML_TAG = re.compile(r"<(p|br|div|h[1-6]|li|blockquote)\b", re.I)
_SENTENCE_END = re.compile(r"[.!؟?…]")
_DATE_KEYS = re.compile(r"^(date_?published|published_?(at|date|on|time)?|publish_?(date|time|ed_at)|pub_?date|"
                        r"first_?published(_at)?|datecreated|created_?at|date)$", re.I)
_TITLE_KEYS = re.compile(r"^(headline|title|name)$", re.I)


@dataclass
class Structured:
    headline: str = ""
    body: str = ""
    published: str = ""
    site_name: str = ""
    source: str = ""        # "jsonld" or "app_state"


def _types(obj: dict) -> set[str]:
    t = obj.get("@type", "")
    return {str(x).lower() for x in (t if isinstance(t, list) else [t])}


def _walk_ld(data: Any) -> Iterator[dict]:
    if isinstance(data, list):
        for item in data:
            yield from _walk_ld(item)
    elif isinstance(data, dict):
        yield data
        for key in ("@graph", "mainEntity", "itemListElement"):
            if key in data:
                yield from _walk_ld(data[key])


def json_ld(tree) -> Structured:
    """The first article object of the page's JSON-LD blocks."""
    out = Structured(source="jsonld")
    for script in tree.xpath('//script[@type="application/ld+json"]'):
        try:
            data = json.loads(script.text or "", strict=False)
        except ValueError:
            continue
        for obj in _walk_ld(data):
            if not _types(obj) & _ARTICLE_TYPES:
                continue
            out.headline = out.headline or _text(obj.get("headline") or obj.get("name"))
            out.body = out.body or html_to_text(_text(obj.get("articleBody")))
            out.published = out.published or _text(obj.get("datePublished") or obj.get("dateCreated"))
            pub = obj.get("publisher")
            if isinstance(pub, dict):
                out.site_name = out.site_name or _text(pub.get("name"))
    return out


def _text(value: Any) -> str:
    if isinstance(value, list):
        value = value[0] if value else ""
    return value.strip() if isinstance(value, str) else ""


def html_to_text(value: str) -> str:
    """An HTML fragment (or plain text) as paragraphs, one per line."""
    if not value:
        return ""
    if not _HTML_TAG.search(value):
        return "\n".join(line.strip() for line in value.replace("\r", "").split("\n") if line.strip())
    try:
        frag = lxml_html.fragment_fromstring(value, create_parent="div")
    except Exception:  # lxml raises several types on garbage
        return ""
    for br in frag.iter("br"):
        br.tail = "\n" + (br.tail or "")
    for el in frag.iter("p", "div", "h1", "h2", "h3", "h4", "h5", "h6", "li", "blockquote"):
        el.tail = "\n" + (el.tail or "")
        if el.text:
            el.text = "\n" + el.text
    text = frag.text_content()
    return "\n".join(line.strip() for line in text.split("\n") if line.strip())


def _state_blobs(tree) -> Iterator[Any]:
    for script in tree.xpath("//script"):
        code = script.text or ""
        if not code.strip():
            continue
        sid = script.get("id", "")
        if sid in _STATE_IDS or (script.get("type") == "application/json" and len(code) > 500):
            try:
                yield json.loads(code, strict=False)
            except ValueError:
                pass
            continue
        for m in _STATE_ASSIGN.finditer(code):
            start = m.end()
            if code[start:start + 1] not in "{[":
                continue   # Nuxt 2's `(function(a,b){…})(…)` is code, not data
            try:
                obj, _ = json.JSONDecoder(strict=False).raw_decode(code, start)
                yield obj
            except ValueError:
                continue


def _strings(data: Any, parent: dict | None = None) -> Iterator[tuple[str, str, dict | None]]:
    """(key, string, containing dict) for every string in a JSON document."""
    stack: list[tuple[Any, str, dict | None]] = [(data, "", parent)]
    while stack:
        node, key, owner = stack.pop()
        if isinstance(node, dict):
            stack.extend((v, str(k), node) for k, v in node.items())
        elif isinstance(node, list):
            stack.extend((v, key, owner) for v in node)
        elif isinstance(node, str):
            yield key, node, owner


def reads_as_body(text: str, min_chars: int) -> bool:
    """Enough Arabic running text in sentences to be an article, not a teaser or label."""
    return (len(text) >= min_chars and arabic_ratio(text) >= 0.5
            and len(_SENTENCE_END.findall(text)) + text.count("،") >= 3)


def app_state(tree, min_chars: int = 250) -> Structured:
    """The longest Arabic text or HTML field of the page's embedded app state that reads
    as a body, with the headline and date found beside it."""
    best = Structured(source="app_state")
    best_len = 0
    for blob in _state_blobs(tree):
        for key, value, owner in _strings(blob):
            if len(value) < min_chars or arabic_ratio(value) < 0.5:
                continue
            text = html_to_text(value)
            if len(text) <= best_len or not reads_as_body(text, min_chars):
                continue
            best_len = len(text)
            best.body = text
            best.headline = best.published = ""
            if isinstance(owner, dict):
                for k, v in owner.items():
                    if isinstance(v, str) and not best.headline and _TITLE_KEYS.match(str(k)) and v.strip():
                        best.headline = v.strip()
                    if isinstance(v, str) and not best.published and _DATE_KEYS.match(str(k)):
                        best.published = v.strip()
    return best
